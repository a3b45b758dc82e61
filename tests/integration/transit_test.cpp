// Transit in, end to end: a real tidingsd fed over IHAVE and MODE STREAM by a test peer.
#include "harness.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <mutex>
#include <random>
#include <filesystem>
#include <cstdlib>
#include <set>
#include <thread>

#include "storage/snapshot.h"
#include "storage/store.h"

using namespace tidings::testing;

namespace {

std::string config(std::string_view peer_hosts = R"(["127.0.0.1"])", std::string_view extra = "") {
    std::string c = node_config("test.tidings") + R"(
[[group]]
name = "local.test"

[[group]]
name = "local.general"

[[peer]]
name = "hub"
max_article_bytes = 20000
hosts = )";
    c += peer_hosts;
    c += "\n";
    c += extra;
    return c;
}

std::string id(int n, std::string_view tag = "t") {
    return "<" + std::string(tag) + std::to_string(n) + "@test.example>";
}

class Transit : public ::testing::Test {
protected:
    void SetUp() override {
        daemon_ = std::make_unique<Daemon>(config());
        ASSERT_TRUE(daemon_->start()) << daemon_->log();
        ASSERT_TRUE(peer_.connect(daemon_->port()));
        ASSERT_EQ(peer_.read_line().substr(0, 1), "2");
    }
    std::string takethis(NntpClient& c, const std::string& mid, const std::string& article) {
        c.send_raw("TAKETHIS " + mid + "\r\n" + wire(article));
        return c.read_line();
    }
    // Puts peer_ and a second connection of the same peer, `other`, in streaming mode.
    void stream_both(NntpClient& other) {
        ASSERT_TRUE(other.connect(daemon_->port()));
        other.read_line();
        peer_.command("MODE STREAM");
        other.command("MODE STREAM");
    }
    std::unique_ptr<Daemon> daemon_;
    NntpClient peer_;
};

TEST_F(Transit, CapabilitiesAdvertiseIhaveAndStreamingToAPeer) {
    peer_.command("CAPABILITIES");
    auto lines = peer_.read_block();
    EXPECT_NE(std::find(lines.begin(), lines.end(), "IHAVE"), lines.end());
    EXPECT_NE(std::find(lines.begin(), lines.end(), "STREAMING"), lines.end());
}

TEST_F(Transit, ModeStreamCheckTakethisThenDuplicates) {
    EXPECT_EQ(peer_.command("MODE STREAM").substr(0, 3), "203");
    EXPECT_EQ(peer_.command("CHECK " + id(1)), "238 " + id(1));
    EXPECT_EQ(takethis(peer_, id(1), make_article(id(1), "local.test")), "239 " + id(1));
    EXPECT_EQ(peer_.command("CHECK " + id(1)), "438 " + id(1));
    EXPECT_EQ(takethis(peer_, id(1), make_article(id(1), "local.test")), "439 " + id(1));
}

TEST_F(Transit, PipelinedBatchesAreAnsweredInOrder) {
    peer_.command("MODE STREAM");
    const int n = 300;
    std::string checks;
    for (int i = 0; i < n; ++i) checks += "CHECK " + id(i, "p") + "\r\n";
    peer_.send_raw(checks);
    for (int i = 0; i < n; ++i) ASSERT_EQ(peer_.read_line(), "238 " + id(i, "p"));
    std::string bodies;
    for (int i = 0; i < n; ++i) {
        std::string body = "line one\r\n.dot line\r\n..two dots\r\n";
        bodies += "TAKETHIS " + id(i, "p") + "\r\n" +
                  wire(make_article(id(i, "p"), i % 2 ? "local.test" : "local.test,local.general",
                                    "peer.example!not-for-mail", body));
    }
    peer_.send_raw(bodies);
    for (int i = 0; i < n; ++i) ASSERT_EQ(peer_.read_line(), "239 " + id(i, "p"));
}

TEST_F(Transit, ConcurrentOffersOfOneIdGoToOnePeer) {
    NntpClient other;
    stream_both(other);
    EXPECT_EQ(peer_.command("CHECK " + id(7)), "238 " + id(7));
    EXPECT_EQ(other.command("CHECK " + id(7)), "431 " + id(7));  // in flight: try later
    EXPECT_EQ(other.command("IHAVE " + id(7)).substr(0, 3), "436");
    EXPECT_EQ(takethis(peer_, id(7), make_article(id(7), "local.test")), "239 " + id(7));
    EXPECT_EQ(other.command("CHECK " + id(7)), "438 " + id(7));  // now a duplicate
    EXPECT_EQ(other.command("IHAVE " + id(7)).substr(0, 3), "435");
}

TEST_F(Transit, IhaveLockStep) {
    EXPECT_EQ(peer_.command("IHAVE " + id(20)).substr(0, 3), "335");
    peer_.send_raw(wire(make_article(id(20), "local.test")));
    EXPECT_EQ(peer_.read_line().substr(0, 3), "235");
    EXPECT_EQ(peer_.command("IHAVE " + id(20)).substr(0, 3), "435");
    EXPECT_EQ(peer_.command("IHAVE not-an-id").substr(0, 3), "435");
}

// A CHECK's 238 promises an article; it does not make another peer's complete TAKETHIS a
// "do not retry": the article in hand is taken, and the promising peer's copy is a duplicate.
TEST_F(Transit, TakethisFromAnotherPeerWinsOverACheckPromise) {
    NntpClient other;
    stream_both(other);
    EXPECT_EQ(other.command("CHECK " + id(40)), "238 " + id(40));
    EXPECT_EQ(takethis(peer_, id(40), make_article(id(40), "local.test")), "239 " + id(40));
    EXPECT_EQ(takethis(other, id(40), make_article(id(40), "local.test")), "439 " + id(40));
    EXPECT_EQ(other.command("CHECK " + id(40)), "438 " + id(40));
}

// While a TAKETHIS article streams in, its id is in flight: another peer's CHECK gets 431 and
// its IHAVE 436, then 438 / 435 once it is stored.
TEST_F(Transit, CheckWhileATakethisArticleStreamsInIs431) {
    NntpClient other;
    stream_both(other);
    std::string w = wire(make_article(id(41), "local.test"));
    peer_.send_raw("TAKETHIS " + id(41) + "\r\n" + w.substr(0, 40));
    // The first half has to be read before the other peer asks: DATE on the same session
    // would wait behind the TAKETHIS, so poll the other peer until the 431 shows.
    std::string got;
    for (int i = 0; i < 100 && got != "431 " + id(41); ++i) {
        got = other.command("CHECK " + id(41));
        if (got != "431 " + id(41)) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_EQ(got, "431 " + id(41));
    EXPECT_EQ(other.command("IHAVE " + id(41)).substr(0, 3), "436");
    peer_.send_raw(w.substr(40));
    EXPECT_EQ(peer_.read_line(), "239 " + id(41));
    EXPECT_EQ(other.command("CHECK " + id(41)), "438 " + id(41));
}

// A 238 with no article after it lapses (INN's wipcheck, 5 s): the id is offered again.
TEST_F(Transit, ACheckPromiseLapses) {
    NntpClient other;
    stream_both(other);
    EXPECT_EQ(peer_.command("CHECK " + id(42)), "238 " + id(42));
    EXPECT_EQ(other.command("CHECK " + id(42)), "431 " + id(42));
    std::this_thread::sleep_for(std::chrono::milliseconds(5300));
    EXPECT_EQ(other.command("CHECK " + id(42)), "238 " + id(42));
    EXPECT_EQ(peer_.command("CHECK " + id(42)), "431 " + id(42));
}

// A peer that hangs up in the middle of an article is closed at once, not at the idle
// timeout: it must not keep counting against the connection limits.
TEST_F(Transit, HangingUpMidArticleClosesTheSession) {
    for (int i = 0; i < 12; ++i) {
        NntpClient c;
        ASSERT_TRUE(c.connect(daemon_->port())) << i;
        ASSERT_EQ(c.read_line().substr(0, 1), "2") << i;
        if (i % 3 == 0) {
            ASSERT_EQ(c.command("IHAVE " + id(300 + i)).substr(0, 3), "335");
        } else if (i % 3 == 1) {
            ASSERT_EQ(c.command("MODE STREAM").substr(0, 3), "203");
            c.send_raw("TAKETHIS " + id(300 + i) + "\r\nPath: x\r\nSubj");  // headers cut short
        } else {
            ASSERT_EQ(c.command("IHAVE " + id(300 + i)).substr(0, 3), "335");
            c.send_raw("Path: x\r\n");
        }
        c.shutdown_write();
        EXPECT_TRUE(c.closed_by_server(std::chrono::seconds(3))) << i;
    }
    // Nothing of those is held: a new session still gets in and can feed.
    NntpClient late;
    ASSERT_TRUE(late.connect(daemon_->port()));
    EXPECT_EQ(late.read_line().substr(0, 1), "2");
    EXPECT_EQ(late.command("IHAVE " + id(300)).substr(0, 3), "335");
}

TEST_F(Transit, IhaveRejectsMalformedArticleWith437) {
    EXPECT_EQ(peer_.command("IHAVE " + id(21)).substr(0, 3), "335");
    peer_.send_raw(wire("Path: x!y\r\nMessage-ID: " + id(21) + "\r\n\r\nno other headers\r\n"));
    EXPECT_EQ(peer_.read_line().substr(0, 3), "437");
    EXPECT_EQ(peer_.command("IHAVE " + id(21)).substr(0, 3), "435");  // remembered
}

TEST_F(Transit, LoopIsRefusedAndRemembered) {
    peer_.command("MODE STREAM");
    auto a = make_article(id(30), "local.test", "other.site!test.tidings!origin!not-for-mail");
    EXPECT_EQ(takethis(peer_, id(30), a), "439 " + id(30));
    EXPECT_EQ(peer_.command("CHECK " + id(30)), "438 " + id(30));
}

TEST_F(Transit, MalformedArticlesAre439) {
    peer_.command("MODE STREAM");
    // Header id differs from the TAKETHIS id.
    EXPECT_EQ(takethis(peer_, id(40), make_article(id(41), "local.test")), "439 " + id(40));
    // No From header.
    EXPECT_EQ(takethis(peer_, id(42), "Path: a!b\r\nNewsgroups: local.test\r\nSubject: s\r\n"
                                      "Date: Wed, 25 Nov 2026 10:00:00 +0000\r\nMessage-ID: " + id(42) + "\r\n\r\nbody\r\n"),
              "439 " + id(42));
    // No header/body separator at all, and no groups we carry.
    EXPECT_EQ(takethis(peer_, id(43), "garbage"), "439 " + id(43));
    EXPECT_EQ(takethis(peer_, id(44), make_article(id(44), "alt.not.carried")), "439 " + id(44));
    // Bad id on the command line: the article is still read, then 439.
    peer_.send_raw("TAKETHIS bad-id\r\n" + wire(make_article(id(45), "local.test")));
    EXPECT_EQ(peer_.read_line().substr(0, 3), "439");
    EXPECT_EQ(peer_.command("DATE").substr(0, 3), "111");  // still in step
}

// A refusal is remembered under the offered id only when the article carries that id: a peer
// that offers <a> with another article attached (or none that parses) cannot suppress <a>.
TEST_F(Transit, AMismatchedArticleDoesNotSuppressTheOfferedId) {
    peer_.command("MODE STREAM");
    EXPECT_EQ(takethis(peer_, id(60), make_article(id(61), "local.test")), "439 " + id(60));
    EXPECT_EQ(takethis(peer_, id(62), "garbage"), "439 " + id(62));
    EXPECT_EQ(peer_.command("CHECK " + id(60)), "238 " + id(60));
    EXPECT_EQ(takethis(peer_, id(60), make_article(id(60), "local.test")), "239 " + id(60));
    EXPECT_EQ(takethis(peer_, id(62), make_article(id(62), "local.test")), "239 " + id(62));
    EXPECT_EQ(peer_.command("IHAVE " + id(63)).substr(0, 3), "335");
    peer_.send_raw(wire(make_article(id(64), "local.test")));
    EXPECT_EQ(peer_.read_line().substr(0, 3), "437");
    EXPECT_EQ(peer_.command("IHAVE " + id(63)).substr(0, 3), "335");  // not remembered
    peer_.send_raw(wire(make_article(id(63), "local.test")));
    EXPECT_EQ(peer_.read_line().substr(0, 3), "235");
    // An article that does carry the offered id is remembered when refused (as INN does).
    EXPECT_EQ(takethis(peer_, id(65), make_article(id(65), "alt.not.carried")), "439 " + id(65));
    EXPECT_EQ(peer_.command("CHECK " + id(65)), "438 " + id(65));
}

// A peer that CHECKs without sending cannot grow the in-flight table: past its unkept
// promises' limit it gets 431 until it keeps one (or they lapse after 5 s).
TEST(TransitLimits, UnkeptCheckPromisesAreCapped) {
    Daemon d(config(R"(["127.0.0.1"])", "\n[limits]\nmax_check_promises = 3\n"));
    ASSERT_TRUE(d.start()) << d.log();
    NntpClient p;
    ASSERT_TRUE(p.connect(d.port()));
    p.read_line();
    ASSERT_EQ(p.command("MODE STREAM").substr(0, 3), "203");
    for (int i = 70; i < 73; ++i) EXPECT_EQ(p.command("CHECK " + id(i)), "238 " + id(i));
    EXPECT_EQ(p.command("CHECK " + id(73)), "431 " + id(73));
    p.send_raw("TAKETHIS " + id(70) + "\r\n" + wire(make_article(id(70), "local.test")));
    EXPECT_EQ(p.read_line(), "239 " + id(70));
    EXPECT_EQ(p.command("CHECK " + id(73)), "238 " + id(73));
    EXPECT_NE(d.log().find("reason=max_check_promises"), std::string::npos);
}

TEST_F(Transit, OversizeArticleIsReadAwayAndRefused) {
    peer_.command("MODE STREAM");
    std::string body;
    for (int i = 0; i < 1000; ++i) body += "0123456789012345678901234567890123456789\r\n";  // 42 KB
    EXPECT_EQ(takethis(peer_, id(50), make_article(id(50), "local.test", "a!b", body)), "439 " + id(50));
    EXPECT_EQ(peer_.command("CHECK " + id(51)), "238 " + id(51));  // still in step
    EXPECT_EQ(peer_.command("CHECK " + id(50)), "438 " + id(50));  // remembered
}

TEST(TransitAccess, UnlistedAddressIsRefusedButKeptInStep) {
    Daemon d(config(R"(["127.0.0.2"])"));
    ASSERT_TRUE(d.start()) << d.log();
    NntpClient stranger;
    ASSERT_TRUE(stranger.connect(d.port()));
    stranger.read_line();
    EXPECT_EQ(stranger.command("CHECK " + id(60)).substr(0, 3), "502");
    EXPECT_EQ(stranger.command("IHAVE " + id(60)).substr(0, 3), "502");
    stranger.send_raw("TAKETHIS " + id(60) + "\r\n" + wire(make_article(id(60), "local.test")));
    EXPECT_EQ(stranger.read_line().substr(0, 3), "502");
    EXPECT_EQ(stranger.command("DATE").substr(0, 3), "111");
    NntpClient listed;
    ASSERT_TRUE(listed.connect(d.port(), "127.0.0.1", "127.0.0.2"));
    listed.read_line();
    EXPECT_EQ(listed.command("CHECK " + id(60)), "238 " + id(60));
}

// kill -9 during a feed: every article that got 239 is in the store afterwards, the store is
// consistent, and a re-feed of everything acknowledged gets 438.
TEST(TransitCrash, AcknowledgedArticlesSurviveKill9) {
    Daemon d(config());
    std::mt19937 rng(1234);
    std::set<std::string> acked;
    int next = 0;
    for (int round = 0; round < 3; ++round) {
        ASSERT_TRUE(d.start()) << d.log();
        TakethisFeeder feeder(d.port(), 32, [](int n) { return id(n, "k"); }, next);
        std::this_thread::sleep_for(std::chrono::milliseconds(150 + rng() % 400));
        d.stop(SIGKILL);
        feeder.stop();
        auto got = feeder.acked();
        acked.insert(got.begin(), got.end());

        tidings::storage::Options o;
        o.dir = d.data_dir();
        o.pathhost = "test.tidings";
        auto store = tidings::storage::Store::open(o);
        {
            tidings::storage::Snapshot snap(*store);
            for (auto& m : acked) ASSERT_TRUE(snap.article(m).has_value()) << m << " round " << round;
            auto problems = snap.check_integrity();
            EXPECT_TRUE(problems.empty()) << problems.front();
        }
        store->shutdown();
    }
    ASSERT_GT(acked.size(), 10u);
    ASSERT_TRUE(d.start());
    NntpClient c;
    ASSERT_TRUE(c.connect(d.port()));
    c.read_line();
    c.command("MODE STREAM");
    std::string checks;
    for (auto& m : acked) checks += "CHECK " + m + "\r\n";
    c.send_raw(checks);
    for (auto& m : acked) ASSERT_EQ(c.read_line(), "438 " + m);
}

// README "Backup and restore": mdb_copy of a running node's store, then its journal files (the
// article log), restored into an empty folder, open and hold every article acknowledged before
// the copy — even with articles still arriving while the files are copied.
TEST(StoreBackup, MdbCopyOfARunningNodeRestores) {
    if (std::system("command -v mdb_copy >/dev/null 2>&1") != 0) GTEST_SKIP() << "mdb_copy (lmdb-utils) not installed";
    Daemon d(config());
    ASSERT_TRUE(d.start()) << d.log();
    int next = 0;
    std::set<std::string> acked;
    {
        TakethisFeeder feeder(d.port(), 32, [](int n) { return id(n, "b"); }, next);
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        feeder.stop();
        auto got = feeder.acked();
        acked.insert(got.begin(), got.end());
    }
    ASSERT_GT(acked.size(), 10u);
    auto backup = d.dir() + "/backup";
    std::filesystem::create_directories(backup);
    {
        TakethisFeeder busy(d.port(), 32, [](int n) { return id(n, "c"); }, next);
        ASSERT_EQ(std::system(("mdb_copy -c " + d.data_dir() + " " + backup).c_str()), 0);
        ASSERT_EQ(std::system(("cp " + d.data_dir() + "/journal.* " + backup + "/").c_str()), 0);
        busy.stop();
    }
    d.stop(SIGKILL);
    tidings::storage::Options o;
    o.dir = backup;
    o.pathhost = "test.tidings";
    auto store = tidings::storage::Store::open(o);
    tidings::storage::Snapshot snap(*store);
    for (auto& m : acked) ASSERT_TRUE(snap.article(m).has_value()) << m;
    EXPECT_TRUE(snap.check_integrity().empty());
}

}  // namespace
