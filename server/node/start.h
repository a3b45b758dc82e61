// Running the node: start-up, the I/O loop, reload on SIGHUP, orderly shutdown.
#pragma once

#include <string>

#include "config/config.h"

namespace tidings::server {

// Runs the node until SIGTERM/SIGINT; returns the process exit status. SIGHUP reloads
// `config_path` (server/node/reload.h); empty: started from the embedded default.
int run_node(const config::Config& cfg, const std::string& config_path = {});

}  // namespace tidings::server
