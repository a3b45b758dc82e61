// tidingsctl's human-readable output: aligned text tables from /status JSON.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace tidings::ctl {

// Columns padded to their widest cell; numeric-looking cells are right-aligned.
std::string table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);

std::string render_status(const nlohmann::json& status);  // node summary + listeners
std::string render_peers(const nlohmann::json& status);   // the peer table
std::string render_pull(const nlohmann::json& status);    // the [[upstream]] table
std::string render_peering(const nlohmann::json& peering);  // GET /peering: proposals, peerings, candidates

}  // namespace tidings::ctl
