// What the admin API reaches: the node's shared state, the outgoing feeds, a way to reload,
// and its own listener. Set up by node start-up (the only code that knows the admin server);
// I/O thread only.
#pragma once

#include <functional>
#include <memory>

#include "server/core/node_context.h"
#include "server/core/reload_result.h"
#include "server/feeds/feeds.h"
#include "server/pull/pulls.h"
#include "server/peering/peering.h"
#include "server/reconcile/reconciliation.h"

namespace tidings::server {

class AdminServer;

struct AdminContext {
    NodeContext& node;
    Feeds& feeds;
    std::function<ReloadResult()> reload;  // POST /reload: the same reload as SIGHUP
    std::shared_ptr<AdminServer> server;   // set by start_admin; null when [http] is off
    Pulls* pulls = nullptr;                // the [[upstream]] puller; null in tests without one
    Reconciliation* reconciliation = nullptr;  // XRECONCILE with peers; null in tests without it
    Peering* peering = nullptr;                // finding peers; null in tests without it
};

}  // namespace tidings::server
