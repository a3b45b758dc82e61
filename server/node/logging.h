// spdlog set-up for tidingsd: one line per event, key=value, connection id first.
#pragma once

#include <string_view>

namespace tidings::server {

// level: trace|debug|info|warn|error; format: "text" (terminal) or "json" (JSON lines).
// Logs go to stderr. Safe to call again (e.g. on reload) to change level or format.
void setup_logging(std::string_view level, std::string_view format);

}  // namespace tidings::server
