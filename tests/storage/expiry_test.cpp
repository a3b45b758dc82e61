#include "storage/write_ops.h"

#include "test_util.h"

#include <gtest/gtest.h>

#include <ctime>

using namespace tidings::storage;
using namespace tidings::storage::test;
using namespace std::chrono_literals;

namespace {
const std::int64_t now = std::time(nullptr);
constexpr std::int64_t day = 86400;

ExpiryStats expire(Store& s) {
    return wait_for<ExpiryStats>([&](auto d) { s.run_expiry(std::move(d)); });
}

Options retention_options(const std::string& dir) {
    auto o = small_options(dir);
    o.default_retention = std::chrono::hours(24 * 30);
    o.retention_rules = {{"local.*", std::chrono::hours(24)}, {"local.keep", 0s}};
    return o;
}
}  // namespace

TEST(Expiry, RemovesArticlesPastTheirGroupsRetention) {
    TempDir dir;
    auto store = Store::open(retention_options(dir.path()));
    for (auto g : {"local.short", "local.keep", "other"}) ASSERT_TRUE(create_group(*store, g));
    store_sync(*store, make_request("<old-short@x>", {"local.short"}, {"hub"}, 100, now - 2 * day));
    store_sync(*store, make_request("<new-short@x>", {"local.short"}, {}, 100, now - 3600));
    store_sync(*store, make_request("<old-keep@x>", {"local.keep"}, {}, 100, now - 400 * day));
    store_sync(*store, make_request("<mid-other@x>", {"other"}, {}, 100, now - 10 * day));
    store_sync(*store, make_request("<old-other@x>", {"other"}, {}, 100, now - 31 * day));
    // Kept as long as its longest-lived group keeps it.
    store_sync(*store, make_request("<cross@x>", {"local.short", "other"}, {}, 100, now - 2 * day));
    store_sync(*store, make_request("<nogroup@x>", {}, {}, 100, now - 31 * day));

    auto st = expire(*store);
    EXPECT_EQ(st.articles_expired, 3u);
    Snapshot snap(*store);
    EXPECT_FALSE(snap.article("<old-short@x>"));
    EXPECT_FALSE(snap.article("<old-other@x>"));
    EXPECT_FALSE(snap.article("<nogroup@x>"));
    EXPECT_EQ(snap.history("<old-short@x>")->status, HistoryStatus::expired);
    for (auto id : {"<new-short@x>", "<old-keep@x>", "<mid-other@x>", "<cross@x>"})
        EXPECT_TRUE(snap.article(id)) << id;
    auto g = snap.group("local.short");
    EXPECT_EQ(g->low, 2u);  // low-water mark advanced
    EXPECT_EQ(g->count, 2u);
    EXPECT_EQ(snap.group("other")->low, 1u);
    EXPECT_TRUE(snap.check_integrity().empty());
}

TEST(Expiry, ExpiredIdsStayRefusedWithinRememberWindow) {
    TempDir dir;
    auto store = Store::open(retention_options(dir.path()));
    ASSERT_TRUE(create_group(*store, "local.x"));
    store_sync(*store, make_request("<gone@x>", {"local.x"}, {}, 100, now - 2 * day));
    expire(*store);
    EXPECT_EQ(store_sync(*store, make_request("<gone@x>", {"local.x"})).status, StoreStatus::duplicate);
    EXPECT_EQ(expire(*store).history_pruned, 0u);
}

TEST(Expiry, HistoryPrunedAfterRememberWindow) {
    TempDir dir;
    auto opts = retention_options(dir.path());
    opts.remember = 0s;
    auto store = Store::open(opts);
    ASSERT_TRUE(create_group(*store, "local.x"));
    store_sync(*store, make_request("<gone@x>", {"local.x"}, {}, 100, now - 2 * day));
    store_sync(*store, make_request("<kept@x>", {"local.x"}, {}, 100, now));
    wait_for<bool>([&](auto d) { store->remember("<refused@x>", HistoryStatus::rejected, std::move(d)); });
    auto st = expire(*store);
    EXPECT_EQ(st.articles_expired, 1u);
    EXPECT_EQ(st.history_pruned, 2u);
    {
        Snapshot snap(*store);
        EXPECT_FALSE(snap.history("<gone@x>"));
        EXPECT_FALSE(snap.history("<refused@x>"));
        EXPECT_TRUE(snap.history("<kept@x>"));
        EXPECT_TRUE(snap.check_integrity().empty());
    }
    // Forgotten ids may be offered again.
    EXPECT_EQ(store_sync(*store, make_request("<refused@x>", {})).status, StoreStatus::stored);
}

TEST(Expiry, RunsInSmallBatchesInterleavedWithIngest) {
    TempDir dir;
    auto opts = retention_options(dir.path());
    opts.expiry_batch = 3;
    auto store = Store::open(opts);
    ASSERT_TRUE(create_group(*store, "local.x"));
    for (int i = 0; i < 10; ++i)
        store_sync(*store, make_request("<e" + std::to_string(i) + "@x>", {"local.x"}, {}, 100, now - 2 * day));
    auto before = store->stats().commits;
    std::promise<ExpiryStats> p;
    store->run_expiry([&](ExpiryStats s) { p.set_value(s); });
    // An ingest request submitted now is answered without waiting for the whole pass.
    EXPECT_EQ(store_sync(*store, make_request("<during@x>", {"local.x"})).status, StoreStatus::stored);
    EXPECT_EQ(p.get_future().get().articles_expired, 10u);
    EXPECT_GE(store->stats().commits - before, 4u);  // 3+3+3+1; the ingest may share one
    Snapshot snap(*store);
    EXPECT_EQ(snap.group("local.x")->count, 1u);
    EXPECT_EQ(snap.group("local.x")->low, 11u);
    EXPECT_TRUE(snap.check_integrity().empty());
}
