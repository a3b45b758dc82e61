// Pulling from [[upstream]]s (issue 19): a node that is fed by nobody pulls two groups from two
// other tidingsd nodes at once, over plaintext and over implicit TLS pinned to the upstream's
// key; every article arrives once, byte for byte as the upstream has it (but for our Path entry
// and our Xref), the marks make the next run fetch only what is new, an upstream that is down
// leaves its share to the other, and one that sends a different article than the one asked
// for gets nothing stored.
#include "admin_fixture.h"
#include "feed_pair.h"
#include "harness.h"
#include "http_client.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <fstream>
#include <map>
#include <thread>

using namespace tidings::testing;
using nlohmann::json;

namespace {

constexpr const char* token = "pull-token";

// An upstream: a plain reader+transit listener, an implicit-TLS reader listener (its node
// identity), and a feeding peer on 127.0.0.2 to load it with articles.
std::string upstream_config(const std::string& pathhost) {
    return "[node]\npathhost = \"" + pathhost + "\"\ndata_dir = \"{DATA}\"\n\n"
           "[[listen]]\naddress = \"127.0.0.1\"\nport = 0\n\n"
           "[[listen]]\naddress = \"127.0.0.1\"\nport = 0\nroles = [\"reader\"]\ntls = \"implicit\"\n\n"
           "[[group]]\nname = \"pull.a\"\n[[group]]\nname = \"pull.b\"\n\n"
           "[[peer]]\nname = \"loader\"\nhosts = [\"127.0.0.2\"]\n";
}

// Loads `ids` into `d` over one streaming connection from the loader's address. Each article
// is over 3 KB: pipelined answers then run past one read, as they do for real.
void load(Daemon& d, const std::vector<std::string>& ids, const std::string& groups) {
    NntpClient c;
    ASSERT_TRUE(c.connect(d.port(), "127.0.0.1", "127.0.0.2"));
    c.read_line();
    ASSERT_EQ(c.command("MODE STREAM").substr(0, 3), "203");
    std::string out;
    for (const auto& id : ids)
        out += "TAKETHIS " + id + "\r\n" +
               wire(make_article(id, groups, "origin.example!not-for-mail",
                                 "Body of " + id + ".\r\n" + std::string(3000, 'x') + "\r\n.dot-stuffed line\r\n"));
    c.send_raw(out);
    for (std::size_t i = 0; i < ids.size(); ++i) ASSERT_EQ(c.read_line().substr(0, 3), "239") << ids[i];
}

std::vector<std::string> ids(const std::string& prefix, int from, int to) {
    std::vector<std::string> v;
    for (int i = from; i <= to; ++i) v.push_back("<" + prefix + std::to_string(i) + "@origin.example>");
    return v;
}

// The article as a reader gets it, without the Path and Xref lines (which each server writes
// for itself); "" when it is not there.
std::string article_at(int port, const std::string& id, std::string* path = nullptr) {
    NntpClient c;
    if (!c.connect(port)) return "";
    c.read_line();
    if (c.command("ARTICLE " + id).substr(0, 3) != "220") return "";
    std::string out;
    for (const auto& line : c.read_block()) {
        if (line.rfind("Path: ", 0) == 0) {
            if (path) *path = line.substr(6);
            continue;
        }
        if (line.rfind("Xref: ", 0) == 0) continue;
        out += line + "\n";
    }
    return out;
}

// Asks for a run and waits until it has ended; the /status "pull" object afterwards.
json pull_once(Daemon& d) {
    const int http = d.port("admin");
    json before = admin::body_json(http_call(http, "GET", "/status"));
    const auto runs = before["pull"]["runs"].get<std::uint64_t>();
    EXPECT_EQ(http_call(http, "POST", "/pull", token).status, 202);
    for (int i = 0; i < 600; ++i) {
        json s = admin::body_json(http_call(http, "GET", "/status"));
        if (s["pull"]["runs"].get<std::uint64_t>() > runs && !s["pull"]["running"].get<bool>()) return s["pull"];
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "the pull run did not end within 60 s\n" << d.log();
    return json{};
}

class Pull : public ::testing::Test {
protected:
    void SetUp() override {
        a = std::make_unique<Daemon>(upstream_config("up-a.tidings"));
        b = std::make_unique<Daemon>(upstream_config("up-b.tidings"));
        ASSERT_TRUE(a->start()) << a->log();
        ASSERT_TRUE(b->start()) << b->log();
    }

    // A node carrying both groups, pulling from a (plain) and b (TLS, pinned).
    void start_puller(const std::string& extra = "") {
        const std::string cfg = node_config("puller.tidings") +
                                "\n[[group]]\nname = \"pull.a\"\n[[group]]\nname = \"pull.b\"\n\n"
                                "[[upstream]]\nname = \"a\"\naddress = \"127.0.0.1:" + std::to_string(a->port()) +
                                "\"\nconnections = 2\nwindow = 4\ninterval_s = 0\n\n"
                                "[[upstream]]\nname = \"b\"\naddress = \"127.0.0.1:" + std::to_string(tls_port(*b)) +
                                "\"\nconnections = 2\nwindow = 4\ninterval_s = 0\ntls = \"implicit\"\ntls_pin = \"" +
                                pin_of(*b) + "\"\n" + extra + "\n[http]\nport = 0\ntoken = \"" + token + "\"\n";
        p = std::make_unique<Daemon>(cfg);
        ASSERT_TRUE(p->start()) << p->log();
    }

    // The second listener of an upstream: reader over implicit TLS.
    static int tls_port(const Daemon& d) {
        std::ifstream in(d.data_dir() + "/tidingsd.listen");
        std::vector<int> ports;
        for (std::string kind, addr, roles; in >> kind >> addr;) {
            int port = 0;
            in >> port;
            std::getline(in, roles);
            if (kind == "nntp") ports.push_back(port);
        }
        return ports.size() >= 2 ? ports[1] : -1;
    }

    std::unique_ptr<Daemon> a, b, p;
};

TEST_F(Pull, TwoUpstreamsAtOnceEveryArticleOnceByteForByte) {
    // a has 1-60 in pull.a; b has 31-90 in pull.a and its own ten in pull.b.
    load(*a, ids("x", 1, 60), "pull.a");
    load(*b, ids("x", 31, 90), "pull.a");
    load(*b, ids("y", 1, 10), "pull.b");
    start_puller();
    json run = pull_once(*p);
    ASSERT_TRUE(run.is_object());
    const auto& ua = run["upstreams"]["a"];
    const auto& ub = run["upstreams"]["b"];
    EXPECT_EQ(ua["stored"].get<int>() + ub["stored"].get<int>(), 100) << run.dump(1) << p->log();
    EXPECT_EQ(ua["errors"], 0) << run.dump(1);
    EXPECT_EQ(ub["errors"], 0) << run.dump(1);
    // Each gave at least what only it has (how the shared middle splits depends on speed).
    EXPECT_GE(ua["stored"].get<int>(), 30) << run.dump(1);
    EXPECT_GE(ub["stored"].get<int>(), 40) << run.dump(1);
    for (const auto& id : ids("x", 1, 90)) {
        std::string path;
        const std::string here = article_at(p->port(), id, &path);
        ASSERT_FALSE(here.empty()) << id << "\n" << p->log();
        Daemon& up = article_at(a->port(), id).empty() ? *b : *a;  // 31-60: both copies are the same
        std::string up_path;
        EXPECT_EQ(here, article_at(up.port(), id, &up_path)) << id;
        EXPECT_EQ(path.rfind("puller.tidings!up-", 0), 0u) << path;
        EXPECT_NE(path.find("!origin.example!not-for-mail"), std::string::npos) << path;
    }
    for (const auto& id : ids("y", 1, 10)) EXPECT_EQ(article_at(p->port(), id), article_at(b->port(), id)) << id;
    // Readers see them in order in the groups.
    NntpClient c;
    ASSERT_TRUE(c.connect(p->port()));
    c.read_line();
    EXPECT_EQ(c.command("GROUP pull.a").substr(0, 11), "211 90 1 90") << p->log();

    // The marks: a second run asks only from where the first ended and finds nothing new.
    json again = pull_once(*p);
    EXPECT_EQ(again["upstreams"]["a"]["missing"], 0) << again.dump(1);
    EXPECT_EQ(again["upstreams"]["b"]["missing"], 0) << again.dump(1);
    // New articles on a: exactly those are fetched.
    load(*a, ids("x", 91, 95), "pull.a");
    json third = pull_once(*p);
    EXPECT_EQ(third["upstreams"]["a"]["missing"], 5) << third.dump(1);
    EXPECT_EQ(third["upstreams"]["a"]["fetched"], 5) << third.dump(1);
    EXPECT_FALSE(article_at(p->port(), "<x95@origin.example>").empty());
    // What the run did is in one log line, and in /metrics.
    EXPECT_NE(p->log().find("event=pull_run upstreams=a,b missing=5 stored=5"), std::string::npos) << p->log();
    const auto metrics = http_call(p->port("admin"), "GET", "/metrics").body;
    EXPECT_NE(metrics.find("tidings_pull_articles_total{upstream=\"a\",outcome=\"stored\"}"), std::string::npos);
}

TEST_F(Pull, WithNewnewsLaterRunsAskOnceForAllGroups) {
    load(*a, ids("n", 1, 10), "pull.a");
    const std::string cfg = node_config("puller.tidings") +
                            "\n[[group]]\nname = \"pull.a\"\n[[group]]\nname = \"pull.b\"\n\n"
                            "[[upstream]]\nname = \"a\"\naddress = \"127.0.0.1:" + std::to_string(a->port()) +
                            "\"\ninterval_s = 0\nnewnews = true\n\n[http]\nport = 0\ntoken = \"" + token + "\"\n";
    p = std::make_unique<Daemon>(cfg);
    ASSERT_TRUE(p->start()) << p->log();
    // The first run reads the groups (there is no "since" yet) and keeps the upstream's clock.
    json first = pull_once(*p);
    EXPECT_EQ(first["upstreams"]["a"]["fetched"], 10) << first.dump(1);
    EXPECT_EQ(p->log().find("event=pull_newnews"), std::string::npos);
    // NEWNEWS' times are whole seconds: what arrives in the same second is found again and
    // skipped by history, so a second's wait keeps the test honest about "since".
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    load(*a, ids("n", 11, 14), "pull.a");
    load(*a, ids("nb", 1, 2), "pull.b");
    json second = pull_once(*p);
    EXPECT_EQ(second["upstreams"]["a"]["missing"], 6) << second.dump(1);
    EXPECT_EQ(second["upstreams"]["a"]["fetched"], 6) << second.dump(1);
    EXPECT_NE(p->log().find("event=pull_newnews since="), std::string::npos) << p->log();
    EXPECT_NE(p->log().find("missing=6"), std::string::npos) << p->log();
    for (const auto& id : ids("nb", 1, 2)) EXPECT_FALSE(article_at(p->port(), id).empty()) << id;
}

TEST_F(Pull, AnUpstreamThatIsDownLeavesItsShareToTheOther) {
    load(*a, ids("d", 1, 20), "pull.a");
    load(*b, ids("d", 1, 20), "pull.a");
    start_puller();
    ASSERT_EQ(b->stop(SIGKILL), SIGKILL) << "b must be gone for this test";
    json run = pull_once(*p);
    EXPECT_EQ(run["upstreams"]["a"]["stored"], 20) << run.dump(1);
    EXPECT_GT(run["upstreams"]["b"]["errors"].get<int>(), 0) << run.dump(1);
    EXPECT_TRUE(run["upstreams"]["b"].contains("last_error"));
    for (const auto& id : ids("d", 1, 20)) EXPECT_FALSE(article_at(p->port(), id).empty()) << id;
}

TEST_F(Pull, AKilledRunResumesWithoutFetchingAnythingTwice) {
    constexpr int total = 6000;
    for (int from = 1; from <= total; from += 1000) load(*a, ids("k", from, from + 999), "pull.a");
    // One lock-step connection: a run long enough to be killed in the middle.
    const std::string cfg = node_config("puller.tidings") + "\n[[group]]\nname = \"pull.a\"\n\n"
                            "[[upstream]]\nname = \"a\"\naddress = \"127.0.0.1:" + std::to_string(a->port()) +
                            "\"\nconnections = 1\nwindow = 1\ninterval_s = 0\n\n[http]\nport = 0\ntoken = \"" + token + "\"\n";
    p = std::make_unique<Daemon>(cfg);
    ASSERT_TRUE(p->start()) << p->log();
    ASSERT_EQ(http_call(p->port("admin"), "POST", "/pull", token).status, 202);
    for (int i = 0; i < 3000; ++i) {
        json s = admin::body_json(http_call(p->port("admin"), "GET", "/status"));
        if (s["pull"]["upstreams"]["a"]["fetched"].get<int>() >= 500) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_EQ(p->stop(SIGKILL), SIGKILL);
    ASSERT_TRUE(p->start()) << p->log();
    auto count = [&] {
        NntpClient c;
        if (!c.connect(p->port())) return -1;
        c.read_line();
        const std::string r = c.command("GROUP pull.a");
        return r.rfind("211 ", 0) == 0 ? std::stoi(r.substr(4)) : -1;
    };
    const int kept = count();
    ASSERT_GE(kept, 500) << p->log();
    ASSERT_LT(kept, total) << "the run ended before the kill: nothing to resume";
    // The next run asks only for what is not here: nothing stored is fetched again.
    json run = pull_once(*p);
    EXPECT_EQ(run["upstreams"]["a"]["missing"].get<int>(), total - kept) << run.dump(1);
    EXPECT_EQ(run["upstreams"]["a"]["stored"].get<int>(), total - kept) << run.dump(1);
    EXPECT_EQ(run["upstreams"]["a"]["duplicates"], 0) << run.dump(1);
    EXPECT_EQ(count(), total);
    // And the marks were saved: one more run has nothing to do.
    json again = pull_once(*p);
    EXPECT_EQ(again["upstreams"]["a"]["missing"], 0) << again.dump(1);
}

// "feed-pw-7Qx", SHA-512-crypt (openssl passwd -6 -salt tidingsfeed).
const char* const reader_hash =
    "$6$tidingsfeed$G5yqEa.EhAMf00Ios5s.NkMaL3g0ElAkomN/gtCCzrbM1iOcIz4qBak0VzJYpV130bQSxKAFqoxL0Xw0t81aR/";

TEST(PullAuth, AnUpstreamThatWantsALoginGetsTheOneInAuthFileAndNeverSeesItLogged) {
    // Nobody reads this upstream without AUTHINFO, loopback included.
    Daemon up("[node]\npathhost = \"up-auth.tidings\"\ndata_dir = \"{DATA}\"\n\n"
              "[[listen]]\naddress = \"127.0.0.1\"\nport = 0\n\n[readers]\nanonymous_hosts = []\n\n"
              "[[group]]\nname = \"pull.a\"\n\n[[user]]\nname = \"puller\"\npassword_hash = \"" +
              std::string(reader_hash) + "\"\n\n[[peer]]\nname = \"loader\"\nhosts = [\"127.0.0.2\"]\n");
    ASSERT_TRUE(up.start()) << up.log();
    load(up, ids("au", 1, 5), "pull.a");
    auto puller = [&](const std::string& login) {
        auto p = std::make_unique<Daemon>(node_config("puller.tidings") + "\n[[group]]\nname = \"pull.a\"\n\n"
                                          "[[upstream]]\nname = \"up\"\naddress = \"127.0.0.1:" +
                                          std::to_string(up.port()) + "\"\ninterval_s = 0\nauth_file = \"{DATA}/../up.auth\"\n\n"
                                          "[http]\nport = 0\ntoken = \"" + token + "\"\n");
        std::ofstream(p->dir() + "/up.auth") << "# our login there\npuller:" << login << "\n";
        EXPECT_TRUE(p->start()) << p->log();
        return p;
    };
    auto good = puller("feed-pw-7Qx");
    json run = pull_once(*good)["upstreams"]["up"];
    EXPECT_EQ(run["stored"], 5) << run.dump(1) << good->log();
    EXPECT_EQ(good->log().find("feed-pw-7Qx"), std::string::npos);
    auto bad = puller("not-the-pw-9Zz");
    json refused = pull_once(*bad)["upstreams"]["up"];
    EXPECT_EQ(refused["stored"], 0) << refused.dump(1);
    EXPECT_NE(refused["last_error"].get<std::string>().find("AUTHINFO: login as puller refused: 481"), std::string::npos)
        << refused.dump(1);
    EXPECT_EQ(bad->log().find("not-the-pw-9Zz"), std::string::npos);
}

// A fake upstream whose OVER names <asked@x>, and whose ARTICLE answer carries another id
// (wrong_id), never comes (hang), or stops in the middle of the article and hangs up (cut); or
// whose HDR answer never ends (endless_hdr).
class LyingUpstream {
public:
    enum class Lie { wrong_id, hang, cut, endless_hdr };
    explicit LyingUpstream(Lie lie = Lie::wrong_id) : lie_(lie) {
        fd_ = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
        socklen_t len = sizeof sa;
        getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len);
        port_ = ntohs(sa.sin_port);
        listen(fd_, 8);
        thread_ = std::thread([this] { serve(); });
    }
    ~LyingUpstream() {
        stop_ = true;
        shutdown(fd_, SHUT_RDWR);
        close(fd_);
        thread_.join();
        // The puller is gone by now (declared after us): every session sees its close.
        for (auto& t : sessions_) t.join();
    }
    int port() const { return port_; }
    std::atomic<int> articles_asked{0};

private:
    void serve() {
        while (!stop_) {
            int c = accept(fd_, nullptr, nullptr);
            if (c < 0) return;
            sessions_.emplace_back([this, c] { session(c); });
        }
    }
    void session(int c) {
        auto say = [&](const std::string& s) { (void)!::send(c, s.data(), s.size(), MSG_NOSIGNAL); };
        say("200 liar ready\r\n");
        std::string buf;
        char tmp[4096];
        for (;;) {
            auto eol = buf.find("\r\n");
            if (eol == std::string::npos) {
                ssize_t n = read(c, tmp, sizeof tmp);
                if (n <= 0) break;
                buf.append(tmp, static_cast<std::size_t>(n));
                continue;
            }
            std::string line = buf.substr(0, eol);
            buf.erase(0, eol + 2);
            if (line.rfind("MODE READER", 0) == 0) say("200 reader\r\n");
            else if (line == "GROUP pull.a") say("211 1 1 1 pull.a\r\n");
            else if (line.rfind("GROUP ", 0) == 0) say("411 no such group\r\n");
            else if (line.rfind("OVER ", 0) == 0)
                say("224 overview\r\n1\ts\ta@b\tWed, 25 Nov 2026 10:00:00 +0000\t<asked@x>\t\t300\t3\r\n.\r\n");
            else if (line.rfind("HDR ", 0) == 0 && lie_ == Lie::endless_hdr) {
                say("225 headers follow\r\n");
                const std::string lines = [] {
                    std::string l;
                    for (int i = 0; i < 1000; ++i) l += "1 <asked@x>\r\n";
                    return l;
                }();
                while (!stop_ && ::send(c, lines.data(), lines.size(), MSG_NOSIGNAL) > 0) {
                }
                break;
            } else if (line.rfind("ARTICLE ", 0) == 0) {
                ++articles_asked;
                const std::string real = make_article("<asked@x>", "pull.a", "liar.example!not-for-mail",
                                                      std::string(5000, 'y') + "\r\n");
                if (lie_ == Lie::hang) continue;
                if (lie_ == Lie::cut) {
                    say("220 0 <asked@x>\r\n" + real.substr(0, real.size() / 2));
                    break;
                }
                say("220 0 <other@x>\r\n" + make_article("<other@x>", "pull.a") + ".\r\n");
            } else if (line == "QUIT") {
                say("205 bye\r\n");
                break;
            } else say("500 what\r\n");
        }
        close(c);
    }
    Lie lie_;
    int fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread thread_;
    std::vector<std::thread> sessions_;  // touched by thread_ only, until it is joined
};

TEST(PullBadUpstream, AnArticleWithAnotherIdIsNeverStored) {
    LyingUpstream liar;
    Daemon p(node_config("puller.tidings") + "\n[[group]]\nname = \"pull.a\"\n\n[[upstream]]\nname = \"liar\"\n"
             "address = \"127.0.0.1:" + std::to_string(liar.port()) + "\"\nconnections = 1\ninterval_s = 0\n\n"
             "[http]\nport = 0\ntoken = \"" + token + "\"\n");
    ASSERT_TRUE(p.start()) << p.log();
    json run = pull_once(p);
    EXPECT_EQ(run["upstreams"]["liar"]["stored"], 0) << run.dump(1);
    EXPECT_EQ(run["upstreams"]["liar"]["unavailable"], 1) << run.dump(1);
    EXPECT_GE(liar.articles_asked.load(), 1);
    EXPECT_TRUE(article_at(p.port(), "<other@x>").empty());
    EXPECT_TRUE(article_at(p.port(), "<asked@x>").empty());
    EXPECT_NE(p.log().find("event=pull_bad_article id=<asked@x>"), std::string::npos) << p.log();
    // That upstream cannot give it: its mark moves on, the next run does not ask again.
    json again = pull_once(p);
    EXPECT_EQ(again["upstreams"]["liar"]["missing"], 0) << again.dump(1);
}

// Runs one pull from a liar with a one-second timeout; the run's /status object.
json pull_from(LyingUpstream& liar, std::unique_ptr<Daemon>& p) {
    p = std::make_unique<Daemon>(node_config("puller.tidings") + "\n[[group]]\nname = \"pull.a\"\n\n[[upstream]]\n"
                                 "name = \"liar\"\naddress = \"127.0.0.1:" + std::to_string(liar.port()) +
                                 "\"\nconnections = 1\ninterval_s = 0\ntimeout_s = 1\n\n[http]\nport = 0\ntoken = \"" +
                                 token + "\"\n");
    EXPECT_TRUE(p->start()) << p->log();
    return pull_once(*p)["upstreams"]["liar"];
}

TEST(PullBadUpstream, ASilentUpstreamIsGivenUpWithinItsTimeoutAndAskedAgainNextRun) {
    LyingUpstream liar(LyingUpstream::Lie::hang);
    std::unique_ptr<Daemon> p;
    json run = pull_from(liar, p);
    EXPECT_EQ(run["stored"], 0) << run.dump(1);
    EXPECT_GT(run["errors"].get<int>(), 0) << run.dump(1);
    EXPECT_NE(p->log().find("error=\"no answer to ARTICLE <asked@x> within 1 s\""), std::string::npos) << p->log();
    // Nothing settled: the next run lists it again.
    json again = pull_once(*p)["upstreams"]["liar"];
    EXPECT_EQ(again["missing"], 1) << again.dump(1);
}

TEST(PullBadUpstream, AnArticleCutOffIsNotStoredAndAskedAgainNextRun) {
    LyingUpstream liar(LyingUpstream::Lie::cut);
    std::unique_ptr<Daemon> p;
    json run = pull_from(liar, p);
    EXPECT_EQ(run["stored"], 0) << run.dump(1);
    EXPECT_GE(run["unavailable"].get<int>(), 1) << run.dump(1);
    EXPECT_NE(p->log().find("article <asked@x> cut off"), std::string::npos) << p->log();
    EXPECT_TRUE(article_at(p->port(), "<asked@x>").empty());
    json again = pull_once(*p)["upstreams"]["liar"];
    EXPECT_EQ(again["missing"], 1) << again.dump(1);
}

TEST(PullBadUpstream, AnHdrAnswerThatNeverEndsIsCutOffAtItsBound) {
    LyingUpstream liar(LyingUpstream::Lie::endless_hdr);
    std::unique_ptr<Daemon> p;
    json run = pull_from(liar, p);
    EXPECT_EQ(run["missing"], 0) << run.dump(1);
    EXPECT_GT(run["errors"].get<int>(), 0) << run.dump(1);
    EXPECT_NE(p->log().find("answer lost, or longer than 33554432 bytes"), std::string::npos) << p->log();
}

}  // namespace

