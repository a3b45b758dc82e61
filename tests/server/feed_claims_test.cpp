// PeerFeed's claims: an entry claimed by one connection is not offered by another, and what a
// connection still holds when it ends (a fault, a failed write) is released to be offered again
// — except what settle() already handed to the store.
#include "server/feeds/feed_peer.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "temp_store.h"

namespace tidings::server {
namespace {

void queue_articles(storage::Store& store, int n) {
    for (int i = 0; i < n; ++i) {
        storage::StoreRequest r;
        r.message_id = "<c" + std::to_string(i) + "@test>";
        r.article = "Message-ID: " + r.message_id + "\r\nNewsgroups: x\r\n\r\nbody\r\n";
        r.feeds = {"hub"};
        std::promise<storage::StoreStatus> p;
        store.submit(std::move(r), [&p](storage::StoreResult res) { p.set_value(res.status); });
        ASSERT_EQ(p.get_future().get(), storage::StoreStatus::stored);
    }
}

TEST(FeedClaims, AnEndedConnectionsClaimsAreReleasedButNotWhatIsSettling) {
    test::TempStore db;
    queue_articles(db.store(), 10);
    config::Config cfg;
    config::Peer peer;
    peer.name = "hub";
    net::io_context io;
    NodeContext node(io, cfg, db.store());
    FeedStats stats;
    auto f = std::make_shared<PeerFeed>(node, node.generation(), peer, stats);

    auto first = f->claim(10, 0);
    ASSERT_EQ(first.size(), 10u);
    EXPECT_TRUE(f->claim(10, 1).empty());  // all held by connection 0

    // Connection 0 settles three (acked: the store commits that), then ends with seven held.
    FeedOutcomes out;
    for (int i = 0; i < 3; ++i) out.ack.push_back(first[i].seq);
    f->settle(std::move(out));
    EXPECT_EQ(f->release_claims(0), 7u);
    EXPECT_EQ(f->release_claims(0), 0u);

    // The seven are offered again; the three stay claimed until their ack commits, then leave
    // the queue.
    auto again = f->claim(10, 1);
    EXPECT_EQ(again.size(), 7u);
    for (const auto& e : again) EXPECT_GE(e.seq, first[3].seq);
    for (int i = 0; i < 50; ++i) {  // the ack's release, posted back from the writer
        io.restart();
        io.poll();
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_TRUE(f->claim(10, 2).empty());
    EXPECT_EQ(f->release_claims(1), 7u);
    EXPECT_EQ(f->claim(10, 2).size(), 7u);
}

}  // namespace
}  // namespace tidings::server
