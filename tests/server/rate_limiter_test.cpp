#include "server/core/rate_limiter.h"

#include <gtest/gtest.h>

namespace tidings::server {
namespace {

using namespace std::chrono_literals;

TEST(RateLimiter, ABurstOfTheRateThenOneTokenPerInterval) {
    RateLimiter r;
    auto t = RateLimiter::Clock::time_point{} + 1000s;
    for (int i = 0; i < 6; ++i) EXPECT_TRUE(r.allow("alice", 6, t)) << i;
    std::chrono::seconds wait{};
    EXPECT_FALSE(r.allow("alice", 6, t, &wait));
    EXPECT_EQ(wait, 10s);  // 6 a minute: one every 10 s
    EXPECT_TRUE(r.allow("bob", 6, t));  // keys are independent
    EXPECT_FALSE(r.allow("alice", 6, t + 9s));
    EXPECT_TRUE(r.allow("alice", 6, t + 10s));
    EXPECT_FALSE(r.allow("alice", 6, t + 10s));
}

TEST(RateLimiter, ZeroMeansNoLimit) {
    RateLimiter r;
    auto t = RateLimiter::Clock::time_point{};
    for (int i = 0; i < 1000; ++i) EXPECT_TRUE(r.allow("x", 0, t));
    EXPECT_EQ(r.keys(), 0u);
}

TEST(RateLimiter, TheTableStaysBounded) {
    RateLimiter r;
    auto t = RateLimiter::Clock::time_point{} + 1000s;
    for (std::size_t i = 0; i < 3 * RateLimiter::max_keys; ++i) r.allow("k" + std::to_string(i), 60, t);
    EXPECT_LE(r.keys(), RateLimiter::max_keys);
    // When the table fills, keys whose buckets have refilled are forgotten; a busy key keeps
    // its state (forgetting it would hand it a full burst again).
    RateLimiter q;
    for (int i = 0; i < 60; ++i) q.allow("busy", 60, t);
    for (std::size_t i = 0; i + 1 < RateLimiter::max_keys; ++i) q.allow("idle" + std::to_string(i), 60, t);
    q.allow("newcomer", 60, t + 2s);  // the table is full: idle keys (59 + 2 tokens) go
    EXPECT_LT(q.keys(), 10u);
    EXPECT_TRUE(q.allow("busy", 60, t + 2s));  // 2 tokens earned in 2 s, no more
    EXPECT_TRUE(q.allow("busy", 60, t + 2s));
    EXPECT_FALSE(q.allow("busy", 60, t + 2s));
}

}  // namespace
}  // namespace tidings::server
