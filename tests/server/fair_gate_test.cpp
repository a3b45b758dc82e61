// FairGate: turns go round the waiting keys, the best-ranked key first, and the queue is bounded.
#include "server/net/fair_gate.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

using namespace tidings::server;

namespace {

// Each worker takes a turn, holds it until the test lets go of one turn, and records its name.
// The io_context is declared last, so destroyed first: coroutines still suspended in it are
// destroyed while the gate lives (as in tidingsd, where sessions drain before the node goes).
struct Lab {
    std::map<std::string, std::uint64_t> ranks;
    FairGate gate{1, [this](const std::string& key) { return ranks[key]; }};
    std::vector<std::string> served;
    std::vector<std::string> refused;
    int release_budget = 0;  // turns the workers may finish
    net::io_context io;

    awaitable<void> worker(std::string key, std::string name) {
        auto turn = co_await gate.enter(key, 3, 10);
        if (!turn) {
            refused.push_back(name);
            co_return;
        }
        served.push_back(name);
        net::steady_timer t(io);
        boost::system::error_code ec;
        while (release_budget == 0) {
            t.expires_after(std::chrono::milliseconds(1));
            co_await t.async_wait(net::redirect_error(use_awaitable, ec));
        }
        --release_budget;
    }
    void spawn(const std::string& key, const std::string& name) {
        net::co_spawn(io, worker(key, name), net::detached);
        io.poll();  // it enters (or queues) before the next one is spawned
    }
    void finish_all() {
        release_budget = 1000;
        io.run();
    }
};

}  // namespace

TEST(FairGate, TurnsGoRoundTheKeysNotInArrivalOrder) {
    Lab lab;
    lab.spawn("a", "a0");  // runs at once
    lab.spawn("a", "a1");
    lab.spawn("a", "a2");
    lab.spawn("a", "a3");
    lab.spawn("b", "b1");  // arrives after a's whole backlog
    lab.spawn("c", "c1");
    lab.finish_all();
    EXPECT_EQ(lab.served, (std::vector<std::string>{"a0", "a1", "b1", "c1", "a2", "a3"}));
    EXPECT_TRUE(lab.refused.empty());
}

TEST(FairGate, BetterRankedKeyGoesFirst) {
    Lab lab;
    lab.ranks = {{"guesser", 5}, {"user", 0}};
    lab.spawn("guesser", "g0");
    lab.spawn("guesser", "g1");
    lab.spawn("guesser", "g2");
    lab.spawn("user", "u1");
    lab.finish_all();
    EXPECT_EQ(lab.served, (std::vector<std::string>{"g0", "u1", "g1", "g2"}));
}

TEST(FairGate, QueueIsBoundedPerKeyAndInAll) {
    Lab lab;
    lab.spawn("a", "a0");                                      // running
    for (int i = 1; i <= 4; ++i) lab.spawn("a", "a" + std::to_string(i));  // 3 may wait
    for (int i = 0; i < 9; ++i) lab.spawn("k" + std::to_string(i), "k" + std::to_string(i));
    EXPECT_EQ(lab.gate.waiting(), 10u);  // a1-a3 and k0-k6
    EXPECT_EQ(lab.refused, (std::vector<std::string>{"a4", "k7", "k8"}));
    lab.finish_all();
    EXPECT_EQ(lab.served.size(), 11u);
    EXPECT_EQ(lab.gate.waiting(), 0u);
    EXPECT_EQ(lab.gate.running(), 0);
}

TEST(FairGate, AWaiterDestroyedInTheQueueLeavesIt) {
    {
        Lab lab;
        lab.spawn("a", "a0");
        lab.spawn("b", "b1");
        EXPECT_EQ(lab.gate.waiting(), 1u);
        // lab.io is destroyed with both coroutines suspended: the waiter leaves the queue
        // and the running one hands its turn back, with the gate still alive (ASan would
        // report a queue entry left pointing into a destroyed frame).
    }
    SUCCEED();
}
