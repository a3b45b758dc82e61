// One log line and one counter per filter decision (issue: every control and filter decision
// is logged in one line with the rule that fired).
#pragma once

#include <cstdint>
#include <string_view>

#include "server/core/filter.h"
#include "server/core/node_context.h"

namespace tidings::server {

// Logs "event=filter id= source= rule= action=" (accept at debug: an accept rule may match
// every article of a trusted feed) and counts it in counters.filter_matches["rule/action"].
void note_filter_match(NodeContext& node, std::uint64_t conn, std::string_view source, std::string_view id,
                       const FilterMatch& match);

}  // namespace tidings::server
