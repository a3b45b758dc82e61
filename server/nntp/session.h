// One NNTP session per connection, as a coroutine that owns its socket.
#pragma once

#include "server/net/net.h"
#include "server/core/node_context.h"
#include "server/nntp/dispatcher.h"

namespace tidings::server {

// Serves one connection until QUIT, EOF, idle timeout, a fatal protocol error or shutdown.
// Never throws to its caller for network errors: they end the session quietly.
awaitable<void> serve_session(tcp::socket socket, NodeContext& node, const Dispatcher& dispatcher,
                              ListenerInfo info, std::uint64_t id);

}  // namespace tidings::server
