// What a live reload did (server/node/reload.h does it; the admin API's POST /reload and SIGHUP
// report it).
#pragma once

#include <string>
#include <vector>

namespace tidings::server {

struct ReloadResult {
    std::vector<std::string> errors;          // file:line:col: key: reason (as --check-config)
    std::vector<std::string> applied;         // e.g. "node.log_level: info -> debug", "group local.new: created"
    std::vector<std::string> restart_needed;  // section names, e.g. "peer", "limits"
};

}  // namespace tidings::server
