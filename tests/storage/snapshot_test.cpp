#include "storage/snapshot.h"

#include "test_util.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <thread>

using namespace tidings::storage;
using namespace tidings::storage::test;

TEST(Snapshot, OverviewRangeMatchesBruteForce) {
    TempDir dir;
    auto store = Store::open(small_options(dir.path()));
    ASSERT_TRUE(create_group(*store, "g"));
    ASSERT_TRUE(create_group(*store, "g.sub"));  // a longer name sorting right after "g"
    std::mt19937 rng(42);
    std::map<std::uint64_t, std::string> present;
    for (int i = 1; i <= 120; ++i) {
        auto id = "<o" + std::to_string(i) + "@x>";
        ASSERT_EQ(store_sync(*store, make_request(id, {"g", "g.sub"})).status, StoreStatus::stored);
        present[i] = id;
    }
    for (int i = 1; i <= 120; ++i) {
        if (rng() % 3 == 0) {
            ASSERT_TRUE(wait_for<bool>([&](auto d) { store->cancel(present[i], std::move(d)); }));
            present.erase(i);
        }
    }
    Snapshot snap(*store);
    for (int round = 0; round < 200; ++round) {
        std::uint64_t lo = rng() % 130, hi = rng() % 130;
        std::vector<std::uint64_t> got, want;
        ASSERT_TRUE(snap.overview("g", lo, hi, [&](const OverviewItem& it) {
            got.push_back(it.number);
            EXPECT_NE(it.record.find(present[it.number]), std::string_view::npos);
            return true;
        }));
        for (auto& [n, id] : present)
            if (n >= lo && n <= hi) want.push_back(n);
        EXPECT_EQ(got, want) << lo << "-" << hi;
    }
    EXPECT_FALSE(snap.overview("nope", 1, 10, [](const OverviewItem&) { return true; }));
    EXPECT_TRUE(snap.check_integrity().empty());
}

TEST(Snapshot, OverviewRecordHasBytesLinesAndXref) {
    TempDir dir;
    auto store = Store::open(small_options(dir.path()));
    ASSERT_TRUE(create_group(*store, "g"));
    store_sync(*store, make_request("<ov@x>", {"g"}));
    Snapshot snap(*store);
    std::string rec;
    snap.overview("g", 1, 1, [&](const OverviewItem& it) { rec = it.record; return true; });
    auto size = snap.article("<ov@x>")->size();
    EXPECT_EQ(rec, "test <ov@x>\ta@example.com\tTue, 24 Nov 2026 10:00:00 +0000\t<ov@x>\t\t" +
                       std::to_string(size) + "\t3\tXref: news.test g:1");
}

TEST(Snapshot, OverviewStopsWhenAsked) {
    TempDir dir;
    auto store = Store::open(small_options(dir.path()));
    ASSERT_TRUE(create_group(*store, "g"));
    for (int i = 0; i < 10; ++i) store_sync(*store, make_request("<s" + std::to_string(i) + "@x>", {"g"}));
    Snapshot snap(*store);
    int n = 0;
    snap.overview("g", 1, 100, [&](const OverviewItem&) { return ++n < 3; });
    EXPECT_EQ(n, 3);
}

TEST(Snapshot, GroupsListedInNameOrder) {
    TempDir dir;
    auto store = Store::open(small_options(dir.path()));
    for (auto n : {"b.x", "a.y", "c.z"}) ASSERT_TRUE(create_group(*store, n));
    EXPECT_FALSE(create_group(*store, "a.y"));
    EXPECT_FALSE(create_group(*store, "bad name"));
    EXPECT_FALSE(create_group(*store, "flag.bad", 'x'));
    Snapshot snap(*store);
    std::vector<std::string> names;
    snap.for_each_group([&](const GroupInfo& g) {
        names.push_back(g.name);
        EXPECT_EQ(g.creator, "tester");
        EXPECT_GT(g.created, 0);
        EXPECT_EQ(g.low, 1u);
        EXPECT_EQ(g.high, 0u);
        return true;
    });
    EXPECT_EQ(names, (std::vector<std::string>{"a.y", "b.x", "c.z"}));
}

TEST(Snapshot, IsConsistentWhileWriterCommits) {
    TempDir dir;
    auto store = Store::open(small_options(dir.path()));
    ASSERT_TRUE(create_group(*store, "g"));
    store_sync(*store, make_request("<first@x>", {"g"}));
    Snapshot snap(*store);
    std::thread t([&] { store_sync(*store, make_request("<second@x>", {"g"})); });
    // The writer must not need the gate for an ordinary commit: the snapshot stays open meanwhile.
    t.join();
    EXPECT_EQ(snap.group("g")->count, 1u);
    EXPECT_FALSE(snap.article("<second@x>"));
    Snapshot fresh(*store);
    EXPECT_EQ(fresh.group("g")->count, 2u);
}

TEST(Snapshot, ReusedTransactionsSeeNewCommits) {
    TempDir dir;
    auto store = Store::open(small_options(dir.path()));
    for (int i = 0; i < 5; ++i) {
        store_sync(*store, make_request("<p" + std::to_string(i) + "@x>", {}));
        Snapshot snap(*store);  // a pooled, renewed transaction each time after the first
        EXPECT_TRUE(snap.article("<p" + std::to_string(i) + "@x>"));
        Snapshot moved(std::move(snap));
        EXPECT_TRUE(moved.history("<p0@x>"));
    }
}

TEST(Snapshot, OpeningAfterShutdownThrows) {
    TempDir dir;
    auto store = Store::open(small_options(dir.path()));
    store->shutdown();
    EXPECT_THROW(Snapshot snap(*store), std::runtime_error);
}

TEST(Snapshot, NestedSnapshotsDoNotDeadlockMapGrowth) {
    TempDir dir;
    auto store = Store::open(small_options(dir.path()));  // 1 MiB map
    ASSERT_TRUE(create_group(*store, "g"));
    std::vector<std::future<StoreResult>> results;
    {
        Snapshot outer(*store);
        for (int i = 0; i < 6000; ++i) {  // ~2 MiB of index, overview and expiry: the map must grow
            auto p = std::make_shared<std::promise<StoreResult>>();
            results.push_back(p->get_future());
            store->submit(make_request("<n" + std::to_string(i) + "@x>", {"g"}, {}, 2048),
                          [p](StoreResult r) { p->set_value(r); });
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the writer now waits to grow
        Snapshot inner(*store);  // same thread, second Snapshot, gate closing: must not hang
        (void)inner.group("g");
        (void)store->stats();
    }
    for (auto& f : results) EXPECT_EQ(f.get().status, StoreStatus::stored);
    EXPECT_GT(store->stats().map_grows, 0u);
}
