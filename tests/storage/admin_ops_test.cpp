#include "storage/write_ops.h"

#include "test_util.h"

#include <gtest/gtest.h>

using namespace tidings::storage;
using namespace tidings::storage::test;

namespace {
bool cancel(Store& s, const std::string& id) {
    return wait_for<bool>([&](auto d) { s.cancel(id, std::move(d)); });
}
std::size_t ack(Store& s, const std::string& peer, std::vector<std::uint64_t> seqs, bool defer = false) {
    return wait_for<std::size_t>([&](auto d) {
        if (defer) s.queue_defer(peer, seqs, std::move(d));
        else s.queue_ack(peer, seqs, std::move(d));
    });
}
}  // namespace

TEST(Cancel, RemovesFromGroupsAndOverviewKeepsHistory) {
    TempDir dir;
    auto store = Store::open(small_options(dir.path()));
    ASSERT_TRUE(create_group(*store, "a"));
    ASSERT_TRUE(create_group(*store, "b"));
    store_sync(*store, make_request("<1@x>", {"a"}));
    store_sync(*store, make_request("<2@x>", {"a", "b"}));
    store_sync(*store, make_request("<3@x>", {"a"}));
    EXPECT_TRUE(cancel(*store, "<2@x>"));
    EXPECT_FALSE(cancel(*store, "<2@x>"));
    EXPECT_FALSE(cancel(*store, "<never@x>"));
    Snapshot snap(*store);
    EXPECT_FALSE(snap.article("<2@x>"));
    EXPECT_EQ(snap.history("<2@x>")->status, HistoryStatus::cancelled);
    EXPECT_FALSE(snap.by_number("a", 2));
    auto a = snap.group("a");
    EXPECT_EQ(a->count, 2u);
    EXPECT_EQ(a->low, 1u);
    EXPECT_EQ(a->high, 3u);
    auto b = snap.group("b");
    EXPECT_EQ(b->count, 0u);
    EXPECT_EQ(b->low, 2u);  // empty: low = high + 1
    EXPECT_EQ(b->high, 1u);
    EXPECT_TRUE(snap.check_integrity().empty());
    EXPECT_EQ(store_sync(*store, make_request("<2@x>", {"a"})).status, StoreStatus::duplicate);
}

TEST(Cancel, LowWaterMarkAdvancesAndNumbersAreNeverReused) {
    TempDir dir;
    auto store = Store::open(small_options(dir.path()));
    ASSERT_TRUE(create_group(*store, "g"));
    for (int i = 1; i <= 5; ++i) store_sync(*store, make_request("<" + std::to_string(i) + "@x>", {"g"}));
    EXPECT_TRUE(cancel(*store, "<1@x>"));
    EXPECT_TRUE(cancel(*store, "<2@x>"));
    EXPECT_TRUE(cancel(*store, "<5@x>"));
    {
        Snapshot snap(*store);
        auto g = snap.group("g");
        EXPECT_EQ(g->low, 3u);
        EXPECT_EQ(g->high, 5u);
        EXPECT_EQ(g->count, 2u);
    }
    EXPECT_EQ(store_sync(*store, make_request("<6@x>", {"g"})).xref, "g:6");
}

TEST(Groups, RemoveAndRecreateContinuesNumbering) {
    TempDir dir;
    auto store = Store::open(small_options(dir.path()));
    ASSERT_TRUE(create_group(*store, "g"));
    ASSERT_TRUE(create_group(*store, "h"));
    for (int i = 1; i <= 3; ++i) store_sync(*store, make_request("<" + std::to_string(i) + "@x>", {"g", "h"}));
    EXPECT_TRUE(wait_for<bool>([&](auto d) { store->remove_group("g", std::move(d)); }));
    EXPECT_FALSE(wait_for<bool>([&](auto d) { store->remove_group("g", std::move(d)); }));
    {
        Snapshot snap(*store);
        EXPECT_FALSE(snap.group("g"));
        EXPECT_FALSE(snap.by_number("g", 1));
        EXPECT_TRUE(snap.article("<1@x>"));  // still in h
        EXPECT_TRUE(snap.check_integrity().empty());
    }
    EXPECT_TRUE(cancel(*store, "<1@x>"));  // placements in the removed group are skipped
    ASSERT_TRUE(create_group(*store, "g"));
    EXPECT_EQ(store_sync(*store, make_request("<4@x>", {"g"})).xref, "g:4");
    Snapshot snap(*store);
    EXPECT_TRUE(snap.check_integrity().empty());
}

TEST(Groups, SetFlag) {
    TempDir dir;
    auto store = Store::open(small_options(dir.path()));
    ASSERT_TRUE(create_group(*store, "g", 'y'));
    EXPECT_TRUE(wait_for<bool>([&](auto d) { store->set_group_flag("g", 'm', std::move(d)); }));
    EXPECT_FALSE(wait_for<bool>([&](auto d) { store->set_group_flag("g", 'q', std::move(d)); }));
    EXPECT_FALSE(wait_for<bool>([&](auto d) { store->set_group_flag("nope", 'n', std::move(d)); }));
    // Names LMDB cannot key are simply no group.
    EXPECT_FALSE(wait_for<bool>([&](auto d) { store->set_group_flag("", 'y', std::move(d)); }));
    EXPECT_FALSE(wait_for<bool>([&](auto d) { store->remove_group(std::string(600, 'x'), std::move(d)); }));
    Snapshot snap(*store);
    EXPECT_EQ(snap.group("g")->flag, 'm');
}

TEST(Queues, StoredArticleIsQueuedForEachFeedInOrder) {
    TempDir dir;
    auto store = Store::open(small_options(dir.path()));
    for (int i = 0; i < 5; ++i)
        store_sync(*store, make_request("<q" + std::to_string(i) + "@x>", {}, {"hub", "leaf", "hub"}));
    store_sync(*store, make_request("<q0@x>", {}, {"hub"}));  // duplicate: not queued again
    Snapshot snap(*store);
    auto hub = snap.queue_peek("hub", 10);
    ASSERT_EQ(hub.size(), 5u);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(hub[i].message_id, "<q" + std::to_string(i) + "@x>");
    EXPECT_LT(hub[0].seq, hub[1].seq);
    EXPECT_EQ(snap.queue_depth("hub").entries, 5u);
    EXPECT_GT(snap.queue_depth("hub").oldest, 0);
    EXPECT_EQ(snap.queue_peek("leaf", 2).size(), 2u);
    EXPECT_EQ(snap.queue_depth("nobody").entries, 0u);
}

TEST(Queues, AckRemovesAndDeferMovesToTail) {
    TempDir dir;
    auto store = Store::open(small_options(dir.path()));
    for (int i = 0; i < 4; ++i) store_sync(*store, make_request("<q" + std::to_string(i) + "@x>", {}, {"hub"}));
    std::vector<QueueEntry> head;
    {
        Snapshot snap(*store);
        head = snap.queue_peek("hub", 2);
    }
    EXPECT_EQ(ack(*store, "hub", {head[0].seq, 999999}), 1u);
    EXPECT_EQ(ack(*store, "hub", {head[1].seq}, true), 1u);
    Snapshot snap(*store);
    auto q = snap.queue_peek("hub", 10);
    ASSERT_EQ(q.size(), 3u);
    EXPECT_EQ(q[0].message_id, "<q2@x>");
    EXPECT_EQ(q[2].message_id, "<q1@x>");
    EXPECT_EQ(q[2].attempts, 1u);
    EXPECT_EQ(snap.queue_depth("hub").entries, 3u);
    EXPECT_EQ(store->queue_depth("hub").entries, 3u);
    EXPECT_EQ(store->queue_peek("hub", 1).front().message_id, "<q2@x>");
    EXPECT_TRUE(snap.check_integrity().empty());
}

TEST(Queues, EntriesSurviveCancelAndFeederSeesArticleGone) {
    TempDir dir;
    auto store = Store::open(small_options(dir.path()));
    store_sync(*store, make_request("<c@x>", {}, {"hub"}));
    EXPECT_TRUE(wait_for<bool>([&](auto d) { store->cancel("<c@x>", std::move(d)); }));
    Snapshot snap(*store);
    auto q = snap.queue_peek("hub", 1);
    ASSERT_EQ(q.size(), 1u);
    EXPECT_FALSE(snap.article(q[0].message_id));  // the feeder acks it without sending
    EXPECT_TRUE(snap.check_integrity().empty());
}

// StoreRequest::replace_from (a quarantined article released): the stored copy in that group
// gives way to the request in one transaction; when it is no longer there, a duplicate.
TEST(Replace, MovesAnArticleOutOfTheNamedGroupOnce) {
    TempDir dir;
    auto store = Store::open(small_options(dir.path()));
    ASSERT_TRUE(create_group(*store, "held", 'n'));
    ASSERT_TRUE(create_group(*store, "a"));
    store_sync(*store, make_request("<1@x>", {"held"}));
    store_sync(*store, make_request("<2@x>", {"a"}));
    auto release = make_request("<1@x>", {"a"});
    release.replace_from = "held";
    auto r = store_sync(*store, release);
    EXPECT_EQ(r.status, StoreStatus::stored);
    EXPECT_EQ(r.xref, "a:2");
    {
        Snapshot snap(*store);
        EXPECT_EQ(snap.group("held")->count, 0u);
        EXPECT_EQ(snap.group("a")->count, 2u);
        auto placements = snap.placements("<1@x>");
        ASSERT_EQ(placements.size(), 1u);
        EXPECT_EQ(placements[0].first, "a");
        auto text = snap.article("<1@x>");
        ASSERT_TRUE(text);
        EXPECT_NE(text->find("Xref: "), std::string::npos);
        EXPECT_EQ(text->find("held:"), std::string::npos);
        EXPECT_TRUE(snap.check_integrity().empty());
    }
    // Released already, or never held there, or not stored at all: nothing changes.
    EXPECT_EQ(store_sync(*store, release).status, StoreStatus::duplicate);
    auto other = make_request("<2@x>", {"a"});
    other.replace_from = "held";
    EXPECT_EQ(store_sync(*store, other).status, StoreStatus::duplicate);
    auto absent = make_request("<none@x>", {"a"});
    absent.replace_from = "held";
    EXPECT_EQ(store_sync(*store, absent).status, StoreStatus::duplicate);
    Snapshot snap(*store);
    EXPECT_EQ(snap.group("a")->count, 2u);
    EXPECT_TRUE(snap.check_integrity().empty());
}

TEST(Marks, AreSetTogetherReadBackAndSurviveAReopen) {
    TempDir dir;
    {
        auto store = Store::open(small_options(dir.path()));
        EXPECT_TRUE(wait_for<bool>([&](auto d) { store->put_marks({{"pull/a/g", 17}, {"pull/b/g", 4}}, std::move(d)); }));
        EXPECT_TRUE(wait_for<bool>([&](auto d) { store->put_marks({{"pull/a/g", 20}}, std::move(d)); }));
        // One bad key: none of them is set.
        EXPECT_FALSE(wait_for<bool>([&](auto d) { store->put_marks({{"pull/c/g", 1}, {"", 2}}, std::move(d)); }));
    }
    auto store = Store::open(small_options(dir.path()));
    Snapshot snap(*store);
    EXPECT_EQ(snap.mark("pull/a/g"), 20u);
    EXPECT_EQ(snap.mark("pull/b/g"), 4u);
    EXPECT_FALSE(snap.mark("pull/c/g"));
    EXPECT_FALSE(snap.mark(""));
    EXPECT_TRUE(snap.check_integrity().empty());
}

TEST(Enqueue, QueuesOnlyStoredArticlesAndTheScanSeesEveryOne) {
    TempDir dir;
    auto store = Store::open(small_options(dir.path()));
    ASSERT_TRUE(create_group(*store, "g"));
    ASSERT_TRUE(create_group(*store, "h"));
    store_sync(*store, make_request("<1@x>", {"g"}));
    store_sync(*store, make_request("<2@x>", {"g", "h"}));
    store_sync(*store, make_request("<3@x>", {"h"}));
    EXPECT_TRUE(cancel(*store, "<3@x>"));
    std::size_t queued = wait_for<std::size_t>([&](auto d) {
        store->enqueue("peer", {"<1@x>", "<2@x>", "<3@x>", "<never@x>"}, std::move(d));
    });
    EXPECT_EQ(queued, 2u);
    auto head = store->queue_peek("peer", 10);
    ASSERT_EQ(head.size(), 2u);
    EXPECT_EQ(head[0].message_id, "<1@x>");
    EXPECT_EQ(head[1].message_id, "<2@x>");
    EXPECT_EQ(store->queue_depth("peer").entries, 2u);
    EXPECT_EQ(wait_for<std::size_t>([&](auto d) { store->enqueue("", {"<1@x>"}, std::move(d)); }), 0u);

    Snapshot snap(*store);
    std::vector<std::string> seen;
    snap.for_each_article([&](const StoredArticle& a) {
        seen.emplace_back(a.message_id);
        EXPECT_GT(a.arrival, 0);
        if (a.message_id == "<2@x>") {
            EXPECT_EQ(a.placements.size(), 2u);
        }
        return true;
    });
    EXPECT_EQ(seen, (std::vector<std::string>{"<1@x>", "<2@x>"}));
    auto rec = snap.overview_record("h", 1);
    ASSERT_TRUE(rec);
    EXPECT_NE(rec->find("<2@x>"), std::string_view::npos);
    EXPECT_FALSE(snap.overview_record("h", 9));
    EXPECT_TRUE(snap.check_integrity().empty());
}
