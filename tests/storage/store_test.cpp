#include "storage/store.h"

#include "test_util.h"

#include <gtest/gtest.h>

#include <filesystem>

#include <atomic>
#include <thread>

using namespace tidings::storage;
using namespace tidings::storage::test;

TEST(Store, StoresAndReadsBackById) {
    TempDir dir;
    auto store = Store::open(small_options(dir.path()));
    ASSERT_TRUE(create_group(*store, "local.test"));
    auto r = store_sync(*store, make_request("<a@x>", {"local.test"}));
    EXPECT_EQ(r.status, StoreStatus::stored);
    EXPECT_EQ(r.xref, "local.test:1");
    Snapshot snap(*store);
    auto art = snap.article("<a@x>");
    ASSERT_TRUE(art);
    EXPECT_NE(art->find("Xref: news.test local.test:1\r\n\r\n"), std::string_view::npos);
    auto h = snap.history("<a@x>");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->status, HistoryStatus::stored);
    EXPECT_FALSE(snap.article("<missing@x>"));
}

// The data folder and its missing parents are created (and synced into their parents: see
// make_dirs_durable; the power-cut test, tools/powercut-fs, is what shows the sync matters).
TEST(Store, CreatesItsFolderAndMissingParents) {
    TempDir dir;
    const std::string nested = dir.path() + "/a/b/store";
    {
        auto store = Store::open(small_options(nested));
        EXPECT_TRUE(std::filesystem::is_directory(nested));
        EXPECT_TRUE(std::filesystem::exists(nested + "/data.mdb"));
    }
    // Opening again where it all exists is fine too.
    auto again = Store::open(small_options(nested));
    EXPECT_TRUE(again != nullptr);
}

TEST(Store, SecondOfferIsDuplicate) {
    TempDir dir;
    auto store = Store::open(small_options(dir.path()));
    EXPECT_EQ(store_sync(*store, make_request("<a@x>", {})).status, StoreStatus::stored);
    EXPECT_EQ(store_sync(*store, make_request("<a@x>", {})).status, StoreStatus::duplicate);
}

TEST(Store, SameIdTwiceInOneBatchFirstWins) {
    TempDir dir;
    auto opts = small_options(dir.path());
    opts.batch_deadline = std::chrono::milliseconds(200);  // both land in one batch
    auto store = Store::open(opts);
    ASSERT_TRUE(create_group(*store, "g"));
    std::promise<StoreResult> p1, p2;
    store->submit(make_request("<d@x>", {"g"}), [&](StoreResult r) { p1.set_value(r); });
    store->submit(make_request("<d@x>", {"g"}), [&](StoreResult r) { p2.set_value(r); });
    EXPECT_EQ(p1.get_future().get().status, StoreStatus::stored);
    EXPECT_EQ(p2.get_future().get().status, StoreStatus::duplicate);
    Snapshot snap(*store);
    EXPECT_EQ(snap.group("g")->count, 1u);
}

TEST(Store, RejectsMalformedRequests) {
    TempDir dir;
    auto store = Store::open(small_options(dir.path()));
    EXPECT_EQ(store_sync(*store, make_request("", {})).status, StoreStatus::rejected);
    EXPECT_EQ(store_sync(*store, make_request("<" + std::string(260, 'a') + "@x>", {})).status,
              StoreStatus::rejected);
    auto r = make_request("<e@x>", {});
    r.article.clear();
    EXPECT_EQ(store_sync(*store, std::move(r)).status, StoreStatus::rejected);
}

TEST(Store, CrosspostIsStoredOnceAndIndexedInEveryGroup) {
    TempDir dir;
    auto store = Store::open(small_options(dir.path()));
    ASSERT_TRUE(create_group(*store, "a.one"));
    ASSERT_TRUE(create_group(*store, "a.two"));
    ASSERT_TRUE(create_group(*store, "a.three"));
    store_sync(*store, make_request("<pre@x>", {"a.two"}));
    auto r = store_sync(*store, make_request("<cross@x>", {"a.one", "a.two", "not.carried", "a.one"}));
    ASSERT_EQ(r.status, StoreStatus::stored);
    EXPECT_EQ(r.xref, "a.one:1 a.two:2");
    Snapshot snap(*store);
    auto one = snap.by_number("a.one", 1);
    auto two = snap.by_number("a.two", 2);
    ASSERT_TRUE(one && two);
    EXPECT_EQ(one->message_id, "<cross@x>");
    EXPECT_EQ(one->article, two->article);  // one articles record, one copy in the article log
    EXPECT_NE(one->article.find("Xref: news.test a.one:1 a.two:2\r\n"), std::string_view::npos);
    EXPECT_EQ(snap.group("a.three")->count, 0u);
    EXPECT_EQ(snap.placements("<cross@x>").size(), 2u);
    EXPECT_TRUE(snap.check_integrity().empty());
}

TEST(Store, ReplacesIncomingXref) {
    TempDir dir;
    auto store = Store::open(small_options(dir.path()));
    ASSERT_TRUE(create_group(*store, "g"));
    auto req = make_request("<xr@x>", {"g"});
    req.article = "Path: a\r\nXref: other.host g:99\r\n folded\r\nSubject: s\r\n\r\nbody\r\n";
    ASSERT_EQ(store_sync(*store, std::move(req)).status, StoreStatus::stored);
    Snapshot snap(*store);
    EXPECT_EQ(*snap.article("<xr@x>"), "Path: a\r\nSubject: s\r\nXref: news.test g:1\r\n\r\nbody\r\n");
}

// A caller that says where the headers end (it dropped Xref itself): the Xref line goes there,
// the bytes are otherwise untouched, the overview's :bytes counts it, and with no group filed
// nothing is inserted.
TEST(Store, InsertsXrefWhereTheCallerSays) {
    TempDir dir;
    auto store = Store::open(small_options(dir.path()));
    ASSERT_TRUE(create_group(*store, "g"));
    auto req = make_request("<at@x>", {"g"});
    req.article = "Path: a\r\nSubject: s\r\n\r\nbody\r\n";
    req.xref_at = std::string_view("Path: a\r\nSubject: s\r\n").size();
    ASSERT_EQ(store_sync(*store, std::move(req)).status, StoreStatus::stored);
    auto none = make_request("<none@x>", {});
    none.article = "Path: a\r\nSubject: s\r\n\r\nbody\r\n";
    none.xref_at = std::string_view("Path: a\r\nSubject: s\r\n").size();
    ASSERT_EQ(store_sync(*store, std::move(none)).status, StoreStatus::stored);
    Snapshot snap(*store);
    const std::string want = "Path: a\r\nSubject: s\r\nXref: news.test g:1\r\n\r\nbody\r\n";
    EXPECT_EQ(*snap.article("<at@x>"), want);
    EXPECT_EQ(*snap.article("<none@x>"), "Path: a\r\nSubject: s\r\n\r\nbody\r\n");
    std::string over;
    snap.overview("g", 1, 1, [&](const OverviewItem& it) {
        over = std::string(it.record);
        return true;
    });
    EXPECT_NE(over.find("\t" + std::to_string(want.size()) + "\t"), std::string::npos) << over;
    EXPECT_TRUE(snap.check_integrity().empty());
}

TEST(Store, ReopenAfterCloseKeepsEverything) {
    TempDir dir;
    {
        auto store = Store::open(small_options(dir.path()));
        ASSERT_TRUE(create_group(*store, "g"));
        for (int i = 0; i < 50; ++i)
            ASSERT_EQ(store_sync(*store, make_request("<r" + std::to_string(i) + "@x>", {"g"}, {"peer"})).status,
                      StoreStatus::stored);
        store->shutdown();
    }
    auto store = Store::open(small_options(dir.path()));
    EXPECT_EQ(store_sync(*store, make_request("<r3@x>", {"g"})).status, StoreStatus::duplicate);
    EXPECT_EQ(store_sync(*store, make_request("<new@x>", {"g"})).xref, "g:51");
    Snapshot snap(*store);
    auto g = snap.group("g");
    ASSERT_TRUE(g);
    EXPECT_EQ(g->count, 51u);
    EXPECT_EQ(g->low, 1u);
    EXPECT_EQ(g->high, 51u);
    EXPECT_EQ(snap.queue_depth("peer").entries, 50u);
    EXPECT_TRUE(snap.check_integrity().empty());
}

TEST(Store, ManyConcurrentSubmittersAllAnsweredOnce) {
    TempDir dir;
    auto store = Store::open(small_options(dir.path()));
    ASSERT_TRUE(create_group(*store, "g"));
    std::atomic<int> stored{0}, answers{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            std::vector<std::future<void>> fs;
            for (int i = 0; i < 200; ++i) {
                auto p = std::make_shared<std::promise<void>>();
                fs.push_back(p->get_future());
                // ids overlap between threads 0/1 so some are duplicates
                std::string id = "<c" + std::to_string((t / 2) * 1000 + i) + "@x>";
                store->submit(make_request(id, {"g"}), [&, p](StoreResult r) {
                    if (r.status == StoreStatus::stored) ++stored;
                    ++answers;
                    p->set_value();
                });
            }
            for (auto& f : fs) f.get();
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(answers, 800);
    EXPECT_EQ(stored, 400);
    Snapshot snap(*store);
    EXPECT_EQ(snap.group("g")->count, 400u);
    EXPECT_TRUE(snap.check_integrity().empty());
}

TEST(Store, ShutdownAnswersQueuedRequestsAndRefusesLater) {
    TempDir dir;
    auto store = Store::open(small_options(dir.path()));
    std::atomic<int> answered{0};
    for (int i = 0; i < 100; ++i)
        store->submit(make_request("<s" + std::to_string(i) + "@x>", {}), [&](StoreResult r) {
            EXPECT_EQ(r.status, StoreStatus::stored);
            ++answered;
        });
    store->shutdown();
    EXPECT_EQ(answered, 100);
    auto r = store_sync(*store, make_request("<late@x>", {}));
    EXPECT_EQ(r.status, StoreStatus::shutting_down);
    store->shutdown();  // idempotent
}

TEST(Store, RememberKeepsRefusedIdsRefused) {
    TempDir dir;
    auto store = Store::open(small_options(dir.path()));
    EXPECT_TRUE(wait_for<bool>([&](auto d) { store->remember("<bad@x>", HistoryStatus::rejected, std::move(d)); }));
    EXPECT_FALSE(wait_for<bool>([&](auto d) { store->remember("<bad@x>", HistoryStatus::rejected, std::move(d)); }));
    EXPECT_EQ(store_sync(*store, make_request("<bad@x>", {})).status, StoreStatus::duplicate);
    Snapshot snap(*store);
    EXPECT_EQ(snap.history("<bad@x>")->status, HistoryStatus::rejected);
    EXPECT_FALSE(snap.article("<bad@x>"));
}

TEST(Store, OpenFailsWithClearMessage) {
    TempDir dir;
    Options o = small_options(dir.path() + "/file");
    { FILE* f = fopen((dir.path() + "/file").c_str(), "w"); fclose(f); }
    try {
        Store::open(o);
        FAIL() << "expected an exception";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(dir.path()), std::string::npos) << e.what();
    }
}

TEST(Store, StatsReportCommits) {
    TempDir dir;
    auto store = Store::open(small_options(dir.path()));
    store_sync(*store, make_request("<st@x>", {}));
    auto s = store->stats();
    EXPECT_EQ(s.articles, 1u);
    EXPECT_GE(s.commits, 1u);
    EXPECT_GT(s.map_bytes, 0u);
    EXPECT_GT(s.used_bytes, 0u);
}

TEST(Store, StatsCountCommitsByDurationAndBatchSize) {
    TempDir dir;
    auto store = Store::open(small_options(dir.path()));
    for (int i = 0; i < 3; ++i) store_sync(*store, make_request("<h" + std::to_string(i) + "@x>", {}));
    auto s = store->stats();
    std::uint64_t by_duration = 0, by_batch = 0;
    for (auto n : s.commits_by_duration) by_duration += n;
    for (auto n : s.commits_by_batch_size) by_batch += n;
    EXPECT_EQ(by_duration, s.commits);  // every commit in exactly one bucket
    EXPECT_EQ(by_batch, s.commits);
    EXPECT_GE(s.batch_size_sum, 3u);     // the three requests, one at a time (plus set-up)
    EXPECT_GE(s.commits_by_batch_size[0], 3u);  // batches of 1 go in the "<= 1" bucket
    EXPECT_GT(s.commit_us_sum, 0u);
}
