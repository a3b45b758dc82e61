// The split of a pull run's missing set over several upstreams (server/pull/work_set.h).
#include "server/pull/work_set.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

using tidings::server::pull::WorkSet;
using namespace std::chrono_literals;

namespace {

const auto t0 = WorkSet::Clock::time_point{} + 1h;
constexpr auto hedge = 5s;

TEST(PullWorkSet, EachIdGoesToOneUpstreamAndTheSetFinishes) {
    WorkSet w;
    for (int i = 0; i < 10; ++i) {
        const std::string id = "<" + std::to_string(i) + "@x>";
        w.add(id, 0);
        w.add(id, 1);
    }
    w.add("<only1@x>", 1);
    std::set<std::string> taken;
    for (bool any = true; any;) {
        any = false;
        for (unsigned u : {0u, 1u})
            if (auto id = w.take(u, t0, hedge)) {
                EXPECT_TRUE(taken.insert(*id).second) << *id;
                any = true;
            }
    }
    EXPECT_EQ(taken.size(), 11u);
    EXPECT_FALSE(w.take(0, t0, hedge));
    EXPECT_FALSE(w.take(1, t0, hedge));
    EXPECT_FALSE(w.finished());
    for (const auto& id : taken) w.done(id);
    EXPECT_TRUE(w.finished());
    EXPECT_FALSE(w.could_help(0));
}

TEST(PullWorkSet, AFailedUpstreamsShareGoesToTheOthers) {
    WorkSet w;
    w.add("<a@x>", 0);
    w.add("<a@x>", 1);
    w.add("<b@x>", 0);
    auto a = w.take(0, t0, hedge);
    auto b = w.take(0, t0, hedge);
    ASSERT_TRUE(a && b);
    EXPECT_FALSE(w.take(1, t0, hedge));  // <a> is upstream 0's now (and not stalled yet)
    // Upstream 0's connection breaks: both go back.
    w.retry(*a, 0);
    w.retry(*b, 0);
    EXPECT_EQ(w.take(1, t0, hedge), "<a@x>");
    EXPECT_FALSE(w.take(1, t0, hedge));  // <b> is only upstream 0's
    // A 430 from upstream 1: upstream 0 may still have it.
    w.failed("<a@x>", 1);
    EXPECT_FALSE(w.resolved("<a@x>"));
    EXPECT_TRUE(w.could_help(0));
    EXPECT_FALSE(w.could_help(1));
    std::set<std::string> got{*w.take(0, t0, hedge), *w.take(0, t0, hedge)};
    EXPECT_EQ(got, (std::set<std::string>{"<a@x>", "<b@x>"}));
    // Everyone failed <a>: resolved as unavailable, not done.
    w.failed("<a@x>", 0);
    w.done("<b@x>");
    EXPECT_TRUE(w.resolved("<a@x>"));
    EXPECT_FALSE(w.is_done("<a@x>"));
    EXPECT_TRUE(w.is_done("<b@x>"));
    EXPECT_EQ(w.unavailable(), 1u);
    EXPECT_TRUE(w.finished());
}

TEST(PullWorkSet, AStalledFetchIsHedgedOnceByAnIdleUpstream) {
    WorkSet w;
    w.add("<s@x>", 0);
    w.add("<s@x>", 1);
    ASSERT_EQ(w.take(0, t0, hedge), "<s@x>");
    EXPECT_FALSE(w.take(1, t0 + 4s, hedge));  // not stalled yet
    EXPECT_EQ(w.take(1, t0 + 6s, hedge), "<s@x>");
    EXPECT_FALSE(w.take(1, t0 + 60s, hedge));  // once only
    EXPECT_EQ(w.hedged(), 1u);
    // The hedge's copy arrives first; the stalled one's later failure changes nothing.
    w.done("<s@x>");
    w.failed("<s@x>", 0);
    EXPECT_TRUE(w.is_done("<s@x>"));
    EXPECT_TRUE(w.finished());
    // A hedge that fails leaves the first fetch going.
    w.add("<t@x>", 0);
    w.add("<t@x>", 1);
    ASSERT_EQ(w.take(0, t0, hedge), "<t@x>");
    ASSERT_EQ(w.take(1, t0 + 10s, hedge), "<t@x>");
    w.failed("<t@x>", 1);
    EXPECT_FALSE(w.resolved("<t@x>"));
    w.done("<t@x>");
    EXPECT_TRUE(w.finished());
}

TEST(PullWorkSet, EachUpstreamStartsWithWhatOnlyItHas) {
    WorkSet w;
    for (const char* id : {"<s1@x>", "<s2@x>", "<s3@x>", "<s4@x>"}) {
        w.add(id, 0);
        w.add(id, 1);
    }
    w.add("<only0@x>", 0);
    w.add("<only1@x>", 1);
    w.order_queues();
    EXPECT_EQ(w.take(0, t0, hedge), "<only0@x>");
    EXPECT_EQ(w.take(1, t0, hedge), "<only1@x>");
    // Then the shared ones, to whoever asks: two each when they alternate.
    std::map<unsigned, int> share;
    for (int i = 0; i < 4; ++i)
        if (w.take(i % 2, t0, hedge)) ++share[i % 2];
    EXPECT_EQ(share[0], 2);
    EXPECT_EQ(share[1], 2);
}

// Random offers and outcomes: every id is handed out until it is resolved, never to an
// upstream that does not offer it or already failed it, and the set always finishes.
TEST(PullWorkSet, RandomRunsAlwaysFinish) {
    std::mt19937 rng(7);
    for (int round = 0; round < 50; ++round) {
        WorkSet w;
        const unsigned ups = 1 + rng() % 4;
        std::map<std::string, std::set<unsigned>> offers;
        for (int i = 0; i < 200; ++i) {
            const std::string id = "<" + std::to_string(rng() % 150) + "@r>";
            const unsigned u = rng() % ups;
            offers[id].insert(u);
            w.add(id, u);
        }
        std::map<std::string, std::set<unsigned>> failed;
        for (int steps = 0; !w.finished(); ++steps) {
            ASSERT_LT(steps, 100000);
            const unsigned u = rng() % ups;
            auto id = w.take(u, t0 + std::chrono::seconds(steps), hedge);
            if (!id) continue;
            ASSERT_TRUE(offers[*id].count(u)) << *id;
            ASSERT_FALSE(failed[*id].count(u)) << *id;
            switch (rng() % 4) {
                case 0: w.failed(*id, u); failed[*id].insert(u); break;
                case 1: w.retry(*id, u); break;
                default: w.done(*id); break;
            }
        }
        EXPECT_EQ(w.unresolved(), 0u);
        for (const auto& [id, who] : offers) EXPECT_TRUE(w.resolved(id)) << id;
    }
}

}  // namespace
