// Filter decisions: log line and counter.
#include "server/core/filter_note.h"

#include <spdlog/spdlog.h>

#include "protocol/status.h"

namespace tidings::server {

void note_filter_match(NodeContext& node, std::uint64_t conn, std::string_view source, std::string_view id,
                       const FilterMatch& match) {
    const auto action = config::to_string(match.action);
    ++node.counters.filter_matches[match.rule->name + "/" + std::string(action)];
    const auto level = match.action == config::FilterAction::accept ? spdlog::level::debug : spdlog::level::info;
    spdlog::log(level, "conn={} event=filter id={} source={} rule={} action={}", conn,
                protocol::sanitize_for_echo(id), source, match.rule->name, action);
}

}  // namespace tidings::server
