// Range-based set reconciliation (protocol/reconcile.h): random sets with known differences
// must yield exactly those differences, in few rounds and few bytes; hostile messages are
// refused with a named error and never crash.
#include "protocol/reconcile.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

namespace rc = tidings::protocol::reconcile;

namespace {

rc::Item random_item(std::mt19937_64& rng, std::uint64_t t0, std::uint64_t span) {
    rc::Item it;
    it.time = t0 + rng() % span;
    for (auto& b : it.id) b = static_cast<std::uint8_t>(rng());
    return it;
}

struct Outcome {
    std::set<std::uint64_t> have, need;  // short ids
    std::size_t rounds = 0, bytes = 0;
    rc::Error error = rc::Error::none;
};

Outcome run(const rc::ItemSet& a, const rc::ItemSet& b, rc::Limits limits = {}) {
    rc::Reconciler init(a, rc::Reconciler::Role::initiator, limits);
    rc::Reconciler resp(b, rc::Reconciler::Role::responder, limits);
    Outcome o;
    rc::Differences d;
    std::string msg = init.initiate();
    for (;;) {
        o.bytes += msg.size();
        ++o.rounds;
        EXPECT_LE(msg.size(), limits.max_message_bytes + 4096);
        auto reply = resp.step(msg, nullptr);
        if (reply.error != rc::Error::none) {
            o.error = reply.error;
            break;
        }
        o.bytes += reply.out.size();
        auto next = init.step(reply.out, &d);
        if (next.error != rc::Error::none) {
            o.error = next.error;
            break;
        }
        if (next.done) break;
        msg = std::move(next.out);
        if (o.rounds > 500) {
            ADD_FAILURE() << "no convergence";
            break;
        }
    }
    for (auto i : d.have) o.have.insert(rc::short_id(a[i].id));
    o.need.insert(d.need.begin(), d.need.end());
    return o;
}

// A shared base plus items only on A and items only on B.
struct Pair {
    std::vector<rc::Item> a, b;
    std::set<std::uint64_t> only_a, only_b;
};

Pair make_pair(std::size_t shared, std::size_t only_a, std::size_t only_b, std::uint64_t seed,
               std::uint64_t span = 30 * 86400) {
    std::mt19937_64 rng(seed);
    Pair p;
    for (std::size_t i = 0; i < shared; ++i) {
        auto it = random_item(rng, 1700000000, span);
        p.a.push_back(it);
        p.b.push_back(it);
    }
    for (std::size_t i = 0; i < only_a; ++i) {
        auto it = random_item(rng, 1700000000, span);
        p.a.push_back(it);
        p.only_a.insert(rc::short_id(it.id));
    }
    for (std::size_t i = 0; i < only_b; ++i) {
        auto it = random_item(rng, 1700000000, span);
        p.b.push_back(it);
        p.only_b.insert(rc::short_id(it.id));
    }
    return p;
}

// Reconciles the pair's two sides and checks both directions were found exactly.
Outcome expect_exact(const Pair& p, rc::Limits limits = {}) {
    rc::ItemSet a(p.a), b(p.b);
    auto o = run(a, b, limits);
    EXPECT_EQ(o.error, rc::Error::none);
    EXPECT_EQ(o.have, p.only_a);
    EXPECT_EQ(o.need, p.only_b);
    return o;
}

TEST(Reconcile, IdenticalSetsFinishInOneRound) {
    auto p = make_pair(5000, 0, 0, 1);
    rc::ItemSet a(p.a), b(p.b);
    auto o = run(a, b);
    EXPECT_EQ(o.error, rc::Error::none);
    EXPECT_EQ(o.rounds, 1u);
    EXPECT_TRUE(o.have.empty());
    EXPECT_TRUE(o.need.empty());
}

TEST(Reconcile, FindsExactlyTheDifferencesBothWays) {
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        std::mt19937_64 rng(seed);
        std::size_t shared = rng() % 20000, oa = rng() % 300, ob = rng() % 300;
        auto p = make_pair(shared, oa, ob, seed);
        rc::ItemSet a(p.a), b(p.b);
        auto o = run(a, b);
        ASSERT_EQ(o.error, rc::Error::none) << "seed " << seed;
        EXPECT_EQ(o.have, p.only_a) << "seed " << seed;
        EXPECT_EQ(o.need, p.only_b) << "seed " << seed;
    }
}

TEST(Reconcile, EmptySidesAndTinySets) {
    for (auto [na, nb] : {std::pair{0, 0}, {0, 1}, {1, 0}, {0, 3000}, {3000, 0}, {1, 1}}) {
        expect_exact(make_pair(0, na, nb, 7 + na + nb));
    }
}

TEST(Reconcile, ManyItemsInOneSecondAreSplitByIdPrefix) {
    // Every item at the same time: bounds must separate them by id prefix alone.
    expect_exact(make_pair(10000, 40, 40, 3, /*span=*/1));
}

TEST(Reconcile, SmallFrameLimitStillConvergesOverMoreRounds) {
    auto p = make_pair(20000, 500, 500, 11);
    rc::ItemSet a(p.a), b(p.b);
    rc::Limits small;
    small.max_message_bytes = 2000;
    auto o = run(a, b, small);
    ASSERT_EQ(o.error, rc::Error::none);
    EXPECT_EQ(o.have, p.only_a);
    EXPECT_EQ(o.need, p.only_b);
    auto big = run(a, b);
    EXPECT_GT(o.rounds, big.rounds);
}

TEST(Reconcile, BytesGrowWithTheDifferenceNotTheSet) {
    auto p = make_pair(200000, 100, 100, 5);
    rc::ItemSet a(p.a), b(p.b);
    auto o = run(a, b);
    ASSERT_EQ(o.error, rc::Error::none);
    EXPECT_EQ(o.have.size(), 100u);
    EXPECT_EQ(o.need.size(), 100u);
    // The plain lists would be 200,100 ids of 16 bytes each way; reconciliation spends a
    // small fraction of that.
    EXPECT_LT(o.bytes, 200100u * 16 / 20);
    EXPECT_LE(o.rounds, 8u);
}

TEST(Reconcile, ResponderRefusesHostileMessages) {
    auto p = make_pair(1000, 0, 0, 9);
    rc::ItemSet b(p.b);
    rc::Reconciler resp(b, rc::Reconciler::Role::responder);
    EXPECT_EQ(resp.step("", nullptr).error, rc::Error::malformed);
    EXPECT_EQ(resp.step("\x62", nullptr).error, rc::Error::version);
    std::string v(1, static_cast<char>(rc::protocol_version));
    // Truncated fingerprint.
    EXPECT_EQ(resp.step(v + std::string("\x00\x00\x01\x01", 4), nullptr).error, rc::Error::malformed);
    // A bound not above the previous one: time delta 1 = time 0, no prefix.
    EXPECT_EQ(resp.step(v + std::string("\x01\x00\x00", 3), nullptr).error, rc::Error::malformed);
    // A prefix longer than an id.
    EXPECT_EQ(resp.step(v + std::string("\x05\x11", 2) + std::string(17, 'x') + "\x00", nullptr).error,
              rc::Error::malformed);
    // An IdDiff is only ever sent to the initiator.
    EXPECT_EQ(resp.step(v + std::string("\x00\x00\x03\x00\x00", 5), nullptr).error, rc::Error::unexpected);
    // A list claiming more ids than the message holds.
    EXPECT_EQ(resp.step(v + std::string("\x00\x00\x02\xff\xff\x03", 6), nullptr).error, rc::Error::malformed);
    // A varint over 64 bits.
    EXPECT_EQ(resp.step(v + std::string(11, '\xff'), nullptr).error, rc::Error::malformed);
    // Data after the infinite bound.
    EXPECT_EQ(resp.step(v + std::string("\x00\x00\x00\x05\x00\x00", 6), nullptr).error, rc::Error::malformed);
    // Too big, too many ranges.
    rc::Limits tight;
    tight.max_input_bytes = 100;
    tight.max_ranges = 3;
    rc::Reconciler strict(b, rc::Reconciler::Role::responder, tight);
    EXPECT_EQ(strict.step(v + std::string(200, '\0'), nullptr).error, rc::Error::too_big);
    std::string skips = v;
    for (int i = 0; i < 5; ++i) skips += std::string("\x02\x00\x00", 3);  // +1 s, skip
    EXPECT_EQ(strict.step(skips, nullptr).error, rc::Error::too_many_ranges);
}

TEST(Reconcile, InitiatorChecksIdDiffAgainstItsList) {
    auto p = make_pair(10, 0, 0, 10);
    rc::ItemSet a(p.a);
    rc::Reconciler init(a, rc::Reconciler::Role::initiator);
    rc::Differences d;
    std::string v(1, static_cast<char>(rc::protocol_version));
    // An IdDiff over the whole range claiming 3 listed ids when we hold 10.
    auto r = init.step(v + std::string("\x00\x00\x03\x03\x00\x00", 6), &d);
    EXPECT_EQ(r.error, rc::Error::unexpected);
    // The right count: a bitmap of 2 bytes, all lacking, and one id we lack.
    std::string ok = v + std::string("\x00\x00\x03\x0a\xff\x03\x01", 7) + std::string(8, '\x42');
    r = init.step(ok, &d);
    ASSERT_EQ(r.error, rc::Error::none);
    EXPECT_TRUE(r.done);
    EXPECT_EQ(d.have.size(), 10u);
    ASSERT_EQ(d.need.size(), 1u);
    EXPECT_EQ(d.need[0], 0x4242424242424242ULL);
}

TEST(Reconcile, DifferenceCapStopsAHostileFlood) {
    auto p = make_pair(0, 0, 0, 1);
    rc::ItemSet a(p.a);
    rc::Limits cap;
    cap.max_differences = 100;
    rc::Reconciler init(a, rc::Reconciler::Role::initiator, cap);
    rc::Differences d;
    std::string msg(1, static_cast<char>(rc::protocol_version));
    msg += std::string("\x00\x00\x02", 3);
    msg += std::string("\xc8\x01", 2);  // 200 ids
    msg += std::string(200 * 8, '\x01');
    EXPECT_EQ(init.step(msg, &d).error, rc::Error::too_many_differences);
}

TEST(Reconcile, RandomBytesNeverCrash) {
    auto p = make_pair(3000, 0, 0, 12);
    rc::ItemSet set(p.a);
    std::mt19937_64 rng(99);
    for (int i = 0; i < 20000; ++i) {
        std::string msg(1, static_cast<char>(rc::protocol_version));
        std::size_t n = rng() % 64;
        for (std::size_t k = 0; k < n; ++k) msg.push_back(static_cast<char>(rng() % 8 == 0 ? 0 : rng()));
        rc::Reconciler resp(set, rc::Reconciler::Role::responder);
        rc::Reconciler init(set, rc::Reconciler::Role::initiator);
        rc::Differences d;
        auto a = resp.step(msg, nullptr);
        auto b = init.step(msg, &d);
        if (a.error == rc::Error::none) {
            EXPECT_EQ(a.out[0], static_cast<char>(rc::protocol_version));
        }
        (void)b;
        (void)rc::inspect(msg);
    }
}

}  // namespace
