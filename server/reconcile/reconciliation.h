// Reconciliation with Tidings peers (README "Reconciliation"): both roles of XRECONCILE.
//  * Served: a configured peer on a transit listener opens an item set (OPEN), exchanges
//    messages with us (ROUND), and asks us to queue what it lacks to our feed to it (SEND).
//  * Initiated: for every [[peer]] with `reconcile = true`, after start-up, every
//    reconcile.interval_s and on request, we connect where its feed goes, reconcile, queue what
//    it lacks to our feed to it, ask it the Message-IDs of what we lack (NAMES) and hand them
//    to the repair fetcher, which fetches each once from whichever peers have it.
// What peers lack travels through the ordinary feeds (durable queues); what we lack is
// fetched like pulled articles. Every article passes the usual checks (Path, filters,
// duplicates) on arrival. I/O thread only.
#pragma once

#include "server/core/node_context.h"
#include "server/net/net.h"
#include "server/reconcile/repair_fetch.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>

namespace tidings::server {

class Dispatcher;
class Feeds;

// One peer's reconciliations that we started (/status "reconcile", /metrics).
struct PeerReconcileStats {
    std::string state = "idle";  // idle, connecting, building, exchanging, repairing
    std::string method;          // the last run's: xreconcile, or newnews (a peer without it)
    std::uint64_t runs = 0, failures = 0;
    std::int64_t last_start = 0, last_end = 0;  // unix time; 0: never
    // The last completed run: items compared on each side, rounds, what each side lacked.
    std::uint64_t items = 0, rounds = 0, they_lacked = 0, we_lacked = 0;
    std::uint64_t bytes_sent = 0, bytes_received = 0;  // its XRECONCILE exchange, all lines
    // Since start.
    std::uint64_t queued_to_them_total = 0;  // queued to our feed to them
    std::uint64_t queued_by_them_total = 0;  // they said they queued for us (292: a peer without NAMES)
    std::uint64_t asked_total = 0;           // ids of theirs we lacked, handed to the repair fetcher
    std::uint64_t bytes_total = 0;
    std::uint64_t items_total = 0;  // items compared (ours), summed over runs
    std::string last_error;
};

// Sessions peers opened with us.
struct ServedReconcileStats {
    std::uint64_t sessions = 0, rounds = 0, refused = 0, queued = 0, named = 0;
    std::uint64_t bytes_in = 0, bytes_out = 0;
    std::uint64_t active = 0;
};

class Reconciliation {
public:
    explicit Reconciliation(NodeContext& node);
    ~Reconciliation();
    Reconciliation(const Reconciliation&) = delete;
    Reconciliation& operator=(const Reconciliation&) = delete;

    void install(Dispatcher& d);  // XRECONCILE OPEN/ROUND/SEND
    // The outgoing feeds, whose reconnections start a run (after an outage a peer may lack
    // what its dropped backlog held). Optional; set before start().
    void watch_feeds(const Feeds* feeds) { feeds_ = feeds; }
    void start();                 // the schedule of `reconcile = true` peers
    void stop();
    // A run with `peer` now (after the current one, if it is running). False: no such peer
    // with `outgoing`.
    bool run_now(const std::string& peer);
    const std::map<std::string, PeerReconcileStats>& stats() const { return stats_; }
    const ServedReconcileStats& served() const { return served_; }
    const RepairFetchStats& repair() const { return fetcher_->stats(); }

    struct Served;   // one peer's open session (served.cpp)

private:
    awaitable<void> schedule();
    awaitable<void> run_peer(std::string peer);
    NodeContext& node_;
    std::map<std::string, PeerReconcileStats> stats_;
    ServedReconcileStats served_;
    std::unordered_map<std::uint64_t, std::shared_ptr<Served>> sessions_;
    std::map<std::string, bool> asked_;    // run_now requests waiting for the schedule
    std::map<std::string, bool> running_;
    std::map<std::string, std::int64_t> next_due_;  // unix time of the next scheduled run
    std::map<std::string, std::uint64_t> connects_seen_;  // the feed's connects counter
    std::map<std::string, std::uint32_t> failures_in_a_row_;
    const Feeds* feeds_ = nullptr;
    std::unique_ptr<RepairFetcher> fetcher_;
    std::unique_ptr<net::steady_timer> wake_;
    bool stopping_ = false, started_ = false;
};

}  // namespace tidings::server
