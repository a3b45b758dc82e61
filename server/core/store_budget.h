// The article bytes handed to the store's writer and not yet committed: for the whole node
// (which bounds the writer's inbox) and per connection. Transit (IHAVE, TAKETHIS) and POST wait
// here before reading an article, so neither many peers nor one client can make the inbox —
// and memory — grow without bound: the socket is simply not read meanwhile. I/O thread only.
#pragma once

#include <cstdint>

#include "server/net/connection.h"
#include "server/net/net.h"

namespace tidings::server {

struct NodeContext;

class StoreBudget {
public:
    // All connections together: the writer's inbox holds at most about this much article data.
    static constexpr std::uint64_t node_limit = 256u << 20;

    bool full(const Connection& conn, std::uint64_t per_connection) const {
        return bytes_ > node_limit || conn.uncommitted_bytes > per_connection;
    }
    void take(Connection& conn, std::uint64_t bytes) {
        bytes_ += bytes;
        conn.uncommitted_bytes += bytes;
    }
    void give_back(Connection& conn, std::uint64_t bytes) {
        bytes_ -= bytes;
        conn.uncommitted_bytes -= bytes;
    }
    std::uint64_t bytes_in_flight() const { return bytes_; }

private:
    std::uint64_t bytes_ = 0;
};

// Waits (polling every millisecond; the writer commits in about that) until `conn` may hand
// the store another article under limits.max_uncommitted_kb and the node's limit. Counted in
// counters.store_backpressure_waits.
awaitable<void> wait_for_store_room(NodeContext& node, Connection& conn);

}  // namespace tidings::server
