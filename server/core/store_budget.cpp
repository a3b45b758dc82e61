#include "server/core/store_budget.h"

#include "server/core/node_context.h"

namespace tidings::server {

awaitable<void> wait_for_store_room(NodeContext& node, Connection& conn) {
    const std::uint64_t per_connection = std::uint64_t{node.cfg().limits.max_uncommitted_kb} << 10;
    if (!node.store_budget.full(conn, per_connection)) co_return;
    ++node.counters.store_backpressure_waits;
    net::steady_timer timer(node.io);
    boost::system::error_code ec;
    while (node.store_budget.full(conn, per_connection) && !node.stopping && !conn.failed()) {
        timer.expires_after(std::chrono::milliseconds(1));
        co_await timer.async_wait(net::redirect_error(use_awaitable, ec));
    }
}

}  // namespace tidings::server
