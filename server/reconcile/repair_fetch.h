// Fetching what reconciliation found we lack, from every peer known to have it, at once: the
// pull engine's WorkSet (server/pull/work_set.h) splits the ids between the peers' connections
// (an id goes to the first free connection of any peer that has it, a failing peer's ids go to
// the others, a stalled one's last ids are hedged), and each article is taken through the
// pull path (ingest_fetched) with the peer as its source. Runs with several peers that find
// the same gap at about the same time (after a partition heals, every neighbour does) add to
// one batch, so each missing article is fetched once rather than offered by every neighbour.
// The batch lives while any of its ids is unresolved; ids found after it ended start a new
// one. Nothing here is durable: an id lost to a crash is found again by the next run.
// I/O thread only.
#pragma once

#include "server/core/node_context.h"
#include "server/net/net.h"
#include "server/pull/ingest_fetched.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace tidings::server {

// /status "reconcile" "repair" and /metrics.
struct RepairFetchStats {
    std::string state = "idle";  // idle, fetching
    std::uint64_t batches = 0;
    std::uint64_t pending = 0;        // ids of the current batch not yet resolved
    std::uint64_t wanted_total = 0;   // ids handed over by runs (the same id from two peers: once)
    std::uint64_t offers_total = 0;   // (id, peer) pairs handed over
    std::uint64_t stored_total = 0, duplicate_total = 0, refused_total = 0, unavailable_total = 0;
    std::uint64_t arrived_total = 0;  // delivered by a feed before its turn came: not fetched
    std::uint64_t hedged_total = 0, errors_total = 0, bytes_total = 0;
    std::map<std::string, std::uint64_t> stored_from;  // per peer
    std::string last_error;
};

class RepairFetcher {
public:
    explicit RepairFetcher(NodeContext& node) : node_(node) {}
    ~RepairFetcher();
    RepairFetcher(const RepairFetcher&) = delete;
    RepairFetcher& operator=(const RepairFetcher&) = delete;

    // `peer` (a [[peer]] with `outgoing`) has `ids`, which we lack: fetch them from it or from
    // any other peer that has them too.
    void want(const std::string& peer, const std::vector<std::string>& ids);
    void stop();
    const RepairFetchStats& stats() const { return stats_; }

    struct Batch;  // repair_fetch.cpp

private:
    awaitable<void> connection(std::shared_ptr<Batch> batch, unsigned peer, unsigned index);
    void staff(const std::shared_ptr<Batch>& batch);
    void settle(const std::shared_ptr<Batch>& batch);
    void outcome(const std::shared_ptr<Batch>& batch, unsigned peer, const std::string& id, Fetched f);
    void error(const std::string& peer, unsigned index, const std::string& what);
    NodeContext& node_;
    std::shared_ptr<Batch> batch_;
    RepairFetchStats stats_;
    bool stopping_ = false;
};

}  // namespace tidings::server
