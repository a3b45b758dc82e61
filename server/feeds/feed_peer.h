// One outgoing peer's shared sender state: which queue entries its connections have claimed,
// which deferred Message-IDs wait for a retry time, and the idle connections to wake.
// Everything here lives on the I/O thread; store completions are posted back to it.
#pragma once

#include "server/net/net.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "config/config.h"
#include "server/feeds/feed_stats.h"
#include "server/core/node_context.h"
#include "storage/types.h"

namespace tidings::server {

// What became of the entries of one exchange. Each claimed entry ends in exactly one list.
struct FeedOutcomes {
    std::vector<std::uint64_t> ack;              // the peer's answer says it is done: leave the queue
    std::vector<storage::QueueEntry> defer;      // 431/436: to the tail, retried after a delay
    std::vector<std::uint64_t> unresolved;       // no answer (connection lost): offered again
};

class PeerFeed : public std::enable_shared_from_this<PeerFeed> {
public:
    using clock = std::chrono::steady_clock;

    PeerFeed(NodeContext& node, GenerationPtr generation, const config::Peer& peer, FeedStats& stats)
        : node(node), generation(std::move(generation)), peer(peer), stats(stats) {}

    NodeContext& node;
    GenerationPtr generation;  // holds the configuration `peer` lives in
    const config::Peer& peer;
    FeedStats& stats;
    // The client TLS context of `peer` (tls != none), made at the first connection.
    std::shared_ptr<net::ssl::context> tls_context;
    bool stopping = false;
    bool paused = false;  // pause_feed(): connections close and wait for resume()

    // Up to `max` entries from the head of the queue that no other connection of this peer has
    // claimed and that are not waiting for a retry time; they are claimed for the caller until
    // settle() (and the store's commit of the ack/defer) releases them. `connection`: the
    // claiming connection's index (release_claims).
    std::vector<storage::QueueEntry> claim(std::size_t max, unsigned connection);
    // Hands the outcomes to the store (ack / defer) and releases the claims once committed.
    void settle(FeedOutcomes&& out);
    // Forgets retry times that passed long ago (their entries were dropped, cancelled, or sit
    // far back in the queue, where no wait is needed any more): the table stays bounded.
    void prune_retries();
    // A connection ended: its claims that no settle() took over (in flight on it, or claimed
    // and never sent — a write failed, or the run faulted) are released, to be offered again.
    // Returns how many.
    std::size_t release_claims(unsigned connection);
    // When the earliest deferred entry may be retried; clock::time_point::max() if none.
    clock::time_point next_retry() const;
    // Deferral delay for an entry deferred `attempts` times before: 250 ms, 500 ms, 1 s ... ≤ retry_s.
    std::chrono::milliseconds defer_delay(std::uint32_t attempts) const;

    // Idle connections park a timer here; wake() cancels them (new articles were queued).
    std::unordered_set<net::steady_timer*> waiting;
    // Connections waiting to reconnect: only stop() cuts a backoff short.
    std::unordered_set<net::steady_timer*> backing_off;
    // Open connections, closed by stop().
    std::unordered_set<beast::tcp_stream*> streams;
    void wake();
    void stop();
    void pause();
    void resume();

private:
    // Claimed queue entries: seq -> the claiming connection, or `settling` once settle() handed
    // the entry's ack or defer to the store (released when that commits).
    static constexpr unsigned settling = ~0u;
    std::unordered_map<std::uint64_t, unsigned> claimed_;
    std::unordered_map<std::string, clock::time_point> not_before_;
};

// One outgoing connection to the peer, reconnecting with exponential backoff and jitter until
// the peer feed stops. `index` is the connection's number (for logs).
awaitable<void> feed_peer(std::shared_ptr<PeerFeed> feed, unsigned index);

}  // namespace tidings::server
