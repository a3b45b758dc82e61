// What both roles of XRECONCILE share (served.cpp, reconciliation.cpp): building an item set off
// the I/O thread, the message limits from [reconcile], queueing ids to a peer's feed, the
// peer as an endpoint we connect to. Internal
// to server/reconcile/.
#pragma once

#include "config/config.h"
#include "protocol/command.h"
#include "protocol/reconcile.h"
#include "server/core/node_context.h"
#include "server/net/net.h"
#include "server/reconcile/item_source.h"
#include "server/reconcile/reconciliation.h"

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace tidings::server {

struct Session;
using ReconcileSessions = std::unordered_map<std::uint64_t, std::shared_ptr<Reconciliation::Served>>;

namespace reconcile {

// An item set of the store, built on a thread of its own (a full scan).
awaitable<std::shared_ptr<BuiltSet>> build_set_off_thread(NodeContext& node, const Window& w);
protocol::reconcile::Limits limits_of(const config::Reconcile& c);
// Where and how we connect to a peer: where its feed goes, with its TLS and login settings.
config::Upstream as_endpoint(const config::Peer& p);
// Queues the stored ones of `names` to `peer`'s outgoing feed, waits for the commit, wakes the
// feeds; how many were queued.
awaitable<std::size_t> enqueue_for(NodeContext& node, const std::string& peer, std::vector<std::string> names);

// The responder's commands (served.cpp).
awaitable<void> serve_open(ReconcileSessions& sessions, ServedReconcileStats& served, Session& s,
                           const protocol::ParseResult& p);
awaitable<void> serve_round(ReconcileSessions& sessions, ServedReconcileStats& served, Session& s);
awaitable<void> serve_send(ReconcileSessions& sessions, ServedReconcileStats& served, Session& s);
awaitable<void> serve_names(ReconcileSessions& sessions, ServedReconcileStats& served, Session& s);

}  // namespace reconcile
}  // namespace tidings::server
