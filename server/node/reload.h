// Live reload (POST /reload, SIGHUP): re-read the TOML the node was started with, validate it
// exactly as --check-config does, apply what can change safely while running, and say which
// changed sections need a restart.
//
// What is applied: [node] log_level and log_format; [[group]] entries that are new (created)
// or whose status changed (flag set); [http] token, token_file (re-read) and allow_hosts;
// [[peer]] (outgoing feeds started, restarted with new settings or stopped; incoming
// sessions of a removed peer end; new connections are matched against the new list),
// [[user]], [limits] and [readers] for new connections and logins. Running sessions keep the
// configuration generation they started with. Groups removed from the file stay (DELETE
// /groups/NAME removes one), as at start-up. What only a restart changes — other [node] keys
// (pathhost is in every stored Xref), storage, listeners, expire, http enabled/address/port —
// is reported in `restart_needed` and keeps its running value. An invalid file changes nothing.
#pragma once

#include "server/net/net.h"

#include <string>
#include <vector>

#include "server/admin/http_server.h"
#include "server/core/node_context.h"
#include "server/core/reload_result.h"
#include "server/feeds/feeds.h"

namespace tidings::server {

// What reload compares against and keeps between reloads: the file, and the log settings and
// groups as last applied. Owned by node start-up.
struct ReloadState {
    std::string config_path;  // empty: started with the embedded default (nothing to reload)
    config::LogLevel log_level{};
    config::LogFormat log_format{};
    std::vector<config::Group> groups;
};

// Validates and compares; applies the log settings at once. Group changes are handed to the
// store (committed shortly after; logged). Peer changes go to `feeds`; [http] access rules to
// `admin` when it runs. Logs one line per change and per error.
ReloadResult reload_config(NodeContext& node, ReloadState& state, Feeds& feeds, AdminServer* admin);

}  // namespace tidings::server
