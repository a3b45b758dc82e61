// Pulling: for every [[upstream]], the new articles of the groups we carry are found with GROUP
// and OVER and fetched with pipelined ARTICLE <id> on several connections to every upstream at
// once, the missing set split between them (work_set.h). Pulled articles go through the same
// acceptance and store path as fed ones (Path, loops, filters, onward feeds). Each run ends by
// writing the per-upstream, per-group high-water marks into the store, after every article it
// covers has committed: a crash mid-run repeats only the OVER, and the history check keeps
// stored articles from being fetched again. I/O thread only.
#pragma once

#include "server/core/node_context.h"
#include "server/net/net.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace tidings::server {

// One upstream's state and counters (the admin API's /status "pull" and /metrics).
struct UpstreamStats {
    std::string state = "idle";  // idle, discovering, fetching
    std::uint64_t runs = 0;
    std::int64_t last_start = 0;  // unix time of the current or last run's start; 0: never
    std::int64_t last_end = 0;
    // This run (or the last): ids it offers that we lack, and what became of its share.
    std::uint64_t missing = 0;
    std::uint64_t fetched = 0;  // stored from it
    // Since start, by outcome.
    std::uint64_t stored_total = 0;
    std::uint64_t duplicate_total = 0;    // another upstream's copy (or a feed's) came first
    std::uint64_t refused_total = 0;      // our rules refused it (loop, unwanted group, filter)
    std::uint64_t unavailable_total = 0;  // 430, or a wrong, truncated or oversized article
    std::uint64_t errors_total = 0;       // connections failed or dropped after a bad answer
    std::uint64_t bytes_total = 0;        // read from it
    std::string last_error;
};

class PullEngine;  // pull/run.cpp

class Pulls {
public:
    explicit Pulls(NodeContext& node);
    ~Pulls();
    Pulls(const Pulls&) = delete;
    Pulls& operator=(const Pulls&) = delete;

    // Starts the schedule: every upstream with interval_s > 0 joins a run once its interval
    // has passed since its last run.
    void start();
    // Ends the schedule; a run in progress stops after the answers in flight, without marks.
    void stop();
    // A run of every upstream now; when one is running, another follows it. False: no upstream.
    bool run_now();
    bool running() const;
    std::uint64_t runs() const { return runs_; }
    const std::map<std::string, UpstreamStats>& stats() const { return stats_; }

private:
    friend class PullEngine;
    awaitable<void> schedule();
    NodeContext& node_;
    std::map<std::string, UpstreamStats> stats_;
    std::shared_ptr<PullEngine> engine_;
    std::unique_ptr<net::steady_timer> wake_;
    bool stopping_ = false;
    bool started_ = false;
    bool asked_ = false;    // run_now while a run was going
    bool running_ = false;
    std::uint64_t runs_ = 0;
};

}  // namespace tidings::server
