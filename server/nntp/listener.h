// Accepting connections: limits on total and per-IP connections, then one session coroutine each.
#pragma once

#include "server/net/net.h"
#include "server/core/node_context.h"
#include "server/nntp/dispatcher.h"

namespace tidings::server {

// Accepts until the acceptor is closed. Refuses with "400" past the connection limits.
awaitable<void> accept_connections(tcp::acceptor& acceptor, NodeContext& node,
                                   const Dispatcher& dispatcher, ListenerInfo info);

}  // namespace tidings::server
