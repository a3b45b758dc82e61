// Reconciliation between two tidingsd peers (issue 20): articles stored before two nodes were
// peered are never queued for each other (the "peer added later" and "backlog lost" cases);
// once peered, one XRECONCILE run finds what each side lacks: our feed carries what the peer
// lacks, the repair fetcher fetches what we lack (NAMES, then ARTICLE), until both nodes hold
// every id. A second run then finds nothing; /status and
// /metrics report both runs; a session's hostile messages get 491, and a peer that is not
// configured cannot use the command at all.
#include "admin_fixture.h"
#include "feed_pair.h"
#include "harness.h"
#include "http_client.h"

#include <gtest/gtest.h>

#include <ctime>
#include <fstream>
#include <thread>

#include "protocol/date.h"

using namespace tidings::testing;
using nlohmann::json;

namespace {

constexpr const char* token = "reconcile-token";

std::string base_config(const std::string& pathhost, bool serve = true, bool newnews = true) {
    return "[node]\npathhost = \"" + pathhost + "\"\ndata_dir = \"{DATA}\"\n\n"
           "[[listen]]\naddress = \"127.0.0.1\"\nport = 0\n\n"
           "[[group]]\nname = \"rec.a\"\n[[group]]\nname = \"rec.b\"\n\n"
           "[[peer]]\nname = \"loader\"\nhosts = [\"127.0.0.2\"]\n\n"
           "[readers]\nallow_newnews = " + std::string(newnews ? "true" : "false") + "\n\n"
           "[reconcile]\ninterval_s = 0\nserve = " + std::string(serve ? "true" : "false") + "\n\n"
           "[http]\nport = 0\ntoken = \"" + std::string(token) + "\"\n";
}

// Articles dated an hour ago (inside the window: [now - window_days, now - 60 s)).
void load(Daemon& d, const std::vector<std::string>& ids) {
    NntpClient c;
    ASSERT_TRUE(c.connect(d.port(), "127.0.0.1", "127.0.0.2"));
    c.read_line();
    ASSERT_EQ(c.command("MODE STREAM").substr(0, 3), "203");
    const std::string date = tidings::protocol::format_rfc5322_date(std::time(nullptr) - 3600);
    std::string out;
    for (const auto& id : ids) {
        std::string a = "Path: origin.example!not-for-mail\r\nFrom: t@example.com\r\nNewsgroups: rec.a,rec.b\r\n"
                        "Subject: repair me\r\nDate: " + date + "\r\nMessage-ID: " + id + "\r\n\r\nBody of " + id + ".\r\n";
        out += "TAKETHIS " + id + "\r\n" + wire(a);
    }
    c.send_raw(out);
    for (const auto& id : ids) ASSERT_EQ(c.read_line().substr(0, 3), "239") << id;
}

std::vector<std::string> ids(const std::string& prefix, int n) {
    std::vector<std::string> v;
    for (int i = 0; i < n; ++i) v.push_back("<" + prefix + std::to_string(i) + "@origin.example>");
    return v;
}

std::size_t count_present(Daemon& d, const std::vector<std::string>& want) {
    NntpClient c;
    if (!c.connect(d.port())) return 0;
    c.read_line();
    std::size_t n = 0;
    for (const auto& id : want) n += c.command("STAT " + id).substr(0, 3) == "223";
    return n;
}

// Adds the other node as a peer (fed at `port`) and reloads.
void peer_with(Daemon& d, const std::string& pathhost, const std::string& other, int port, bool reconcile) {
    std::ofstream(d.dir() + "/tidings.toml", std::ios::app)
        << "\n[[peer]]\nname = \"" << other << "\"\nhosts = [\"127.0.0.1/32\"]\noutgoing = \"127.0.0.1:" << port
        << "\"\nreconcile = " << (reconcile ? "true" : "false") << "\n";
    (void)pathhost;
    auto r = http_call(d.port("admin"), "POST", "/reload", token);
    ASSERT_EQ(r.status, 200) << r.body;
}

json reconcile_status(Daemon& d, const std::string& peer) {
    auto r = http_call(d.port("admin"), "GET", "/status");
    json s = admin::body_json(r);
    if (s.is_discarded()) {
        std::string log = d.log();
        ADD_FAILURE() << "/status: " << r.status << " " << r.body.substr(0, 300) << "\n" << log.substr(log.size() > 3000 ? log.size() - 3000 : 0);
        throw std::runtime_error("no /status");
        return json::object();
    }
    return s["reconcile"]["peers"].contains(peer) ? s["reconcile"]["peers"][peer] : json::object();
}

// Waits for run number `n` with `peer` to end; its /status entry.
json wait_run(Daemon& d, const std::string& peer, std::uint64_t n) {
    for (int i = 0; i < 600; ++i) {
        json r = reconcile_status(d, peer);
        if (r.contains("runs") && r["runs"].get<std::uint64_t>() >= n && r["state"] == "idle") return r;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "no reconciliation run " << n << " within 60 s\n" << d.log();
    return json::object();
}

// Two nodes that each hold `shared` articles plus some of their own, peered only afterwards
// (so nothing was ever queued between them): b first (it answers, and feeds a what a asks
// for), then a, whose reload starts a run. all() is every id; converged() waits for both to
// hold it.
struct Diverged {
    Daemon a, b;
    std::vector<std::string> shared, only_a, only_b;
    Diverged(int n_shared, int n_a, int n_b, bool b_serves, bool b_newnews = true)
        : a(base_config("rec-a.tidings")), b(base_config("rec-b.tidings", b_serves, b_newnews)),
          shared(ids("shared.", n_shared)), only_a(ids("only-a.", n_a)), only_b(ids("only-b.", n_b)) {}
    json peer_and_run() {
        EXPECT_TRUE(a.start()) << a.log();
        EXPECT_TRUE(b.start()) << b.log();
        load(a, shared);
        load(b, shared);
        load(a, only_a);
        load(b, only_b);
        peer_with(b, "rec-b.tidings", "rec-a", a.port(), false);
        peer_with(a, "rec-a.tidings", "rec-b", b.port(), true);
        return wait_run(a, "rec-b", 1);
    }
    std::vector<std::string> all() const {
        std::vector<std::string> v = shared;
        v.insert(v.end(), only_a.begin(), only_a.end());
        v.insert(v.end(), only_b.begin(), only_b.end());
        return v;
    }
    void expect_converged() {
        const auto every = all();
        for (int i = 0; i < 300 && (count_present(a, every) < every.size() || count_present(b, every) < every.size()); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        EXPECT_EQ(count_present(a, every), every.size()) << a.log();
        EXPECT_EQ(count_present(b, every), every.size()) << b.log();
    }
};

TEST(Reconcile, PeersAddedLaterAreRepairedBothWays) {
    Diverged d(150, 120, 80, true);
    Daemon& a = d.a;
    Daemon& b = d.b;
    json first = d.peer_and_run();
    ASSERT_FALSE(first.contains("last_error")) << first.dump() << a.log() << b.log();
    EXPECT_EQ(first["method"], "xreconcile");
    EXPECT_EQ(first["items"], 270);
    EXPECT_EQ(first["they_lacked"], 120);
    EXPECT_EQ(first["we_lacked"], 80);
    EXPECT_EQ(first["queued_to_them"], 120);
    EXPECT_EQ(first["asked"], 80);  // NAMES, then fetched by the repair fetcher
    EXPECT_GT(first["bytes_sent"].get<std::uint64_t>(), 0u);

    d.expect_converged();

    // Converged: a second run, asked through the API, finds nothing.
    ASSERT_EQ(http_call(a.port("admin"), "POST", "/reconcile/rec-b", token).status, 202);
    json second = wait_run(a, "rec-b", 2);
    EXPECT_FALSE(second.contains("last_error")) << second.dump();
    EXPECT_EQ(second["items"], 350);
    EXPECT_EQ(second["they_lacked"], 0);
    EXPECT_EQ(second["we_lacked"], 0);
    EXPECT_LE(second["rounds"].get<std::uint64_t>(), 2u);
    EXPECT_EQ(http_call(a.port("admin"), "POST", "/reconcile/nobody", token).status, 404);

    json served = admin::body_json(http_call(b.port("admin"), "GET", "/status"))["reconcile"]["served"];
    EXPECT_EQ(served["sessions"], 2);
    EXPECT_EQ(served["queued"], 0);  // nothing by SEND: a asked NAMES and fetched
    EXPECT_EQ(served["named"], 80);
    json repair = admin::body_json(http_call(a.port("admin"), "GET", "/status"))["reconcile"]["repair"];
    EXPECT_EQ(repair["wanted"], 80) << repair.dump();
    EXPECT_EQ(repair["stored"], 80) << repair.dump();
    EXPECT_EQ(repair["stored_from"]["rec-b"], 80) << repair.dump();
    EXPECT_EQ(repair["state"], "idle");
    std::string metrics = http_call(a.port("admin"), "GET", "/metrics").body;
    EXPECT_NE(metrics.find("tidings_reconcile_differences{peer=\"rec-b\",lacking=\"peer\"} 0"), std::string::npos);
    EXPECT_NE(metrics.find("tidings_reconcile_runs_total{peer=\"rec-b\",result=\"ok\"} 2"), std::string::npos);
}

// A peer without XRECONCILE (here a tidingsd with reconcile.serve = false, as INN would be):
// NEWNEWS over the window instead; what it lacks goes to its feed, what we lack is fetched.
TEST(Reconcile, APeerWithoutTheExtensionIsComparedByNewnews) {
    Diverged d(50, 30, 20, /*b_serves=*/false);
    json run = d.peer_and_run();
    ASSERT_FALSE(run.contains("last_error")) << run.dump() << d.a.log();
    EXPECT_EQ(run["method"], "newnews");
    EXPECT_EQ(run["items"], 80);
    EXPECT_EQ(run["they_lacked"], 30);
    EXPECT_EQ(run["we_lacked"], 20);
    d.expect_converged();
}

// A peer that offers neither XRECONCILE nor NEWNEWS (INN with allownewnews off): its groups are
// read with GROUP and OVER instead, keeping the records dated in the window.
TEST(Reconcile, APeerRefusingNewnewsIsComparedByOverview) {
    Diverged d(40, 25, 15, /*b_serves=*/false, /*b_newnews=*/false);
    json run = d.peer_and_run();
    ASSERT_FALSE(run.contains("last_error")) << run.dump() << d.a.log();
    EXPECT_EQ(run["method"], "over");
    EXPECT_EQ(run["items"], 65);
    EXPECT_EQ(run["they_lacked"], 25);
    EXPECT_EQ(run["we_lacked"], 15);
    d.expect_converged();
    NntpClient c;
    ASSERT_TRUE(c.connect(d.b.port()));
    c.read_line();
    EXPECT_EQ(c.command("NEWNEWS * 20000101 000000 GMT").substr(0, 3), "502");
}

// A gap two peers could both fill: the node reconciles with both, and the repair fetcher takes
// each missing article once, from either (ids several runs report share one fetch).
TEST(Reconcile, AGapSeveralPeersCanFillIsFetchedOnce) {
    Daemon a(base_config("rec-a.tidings")), b(base_config("rec-b.tidings")), c(base_config("rec-c.tidings"));
    ASSERT_TRUE(a.start()) << a.log();
    ASSERT_TRUE(b.start()) << b.log();
    ASSERT_TRUE(c.start()) << c.log();
    const auto gap = ids("gap.", 300);
    load(b, gap);
    load(c, gap);
    peer_with(b, "rec-b.tidings", "rec-a", a.port(), false);
    peer_with(c, "rec-c.tidings", "rec-a", a.port(), false);
    // Both peers at once: a's reload starts a run with each.
    std::ofstream(a.dir() + "/tidings.toml", std::ios::app)
        << "\n[[peer]]\nname = \"rec-b\"\nhosts = [\"127.0.0.1/32\"]\noutgoing = \"127.0.0.1:" << b.port()
        << "\"\nreconcile = true\n\n[[peer]]\nname = \"rec-c\"\nhosts = [\"127.0.0.1/32\"]\noutgoing = \"127.0.0.1:"
        << c.port() << "\"\nreconcile = true\n";
    ASSERT_EQ(http_call(a.port("admin"), "POST", "/reload", token).status, 200);
    json rb = wait_run(a, "rec-b", 1), rc = wait_run(a, "rec-c", 1);
    EXPECT_EQ(rb["we_lacked"], 300) << rb.dump();
    EXPECT_EQ(rc["we_lacked"], 300) << rc.dump();
    json repair;
    for (int i = 0; i < 300; ++i) {
        repair = admin::body_json(http_call(a.port("admin"), "GET", "/status"))["reconcile"]["repair"];
        if (repair["state"] == "idle" && repair["stored"].get<std::uint64_t>() >= 300) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_EQ(count_present(a, gap), gap.size()) << a.log();
    // Every article stored once, fetched from b or c; an id both runs reported was wanted once.
    EXPECT_EQ(repair["wanted"], 300) << repair.dump();
    EXPECT_EQ(repair["stored"], 300) << repair.dump();
    std::uint64_t from_b = repair["stored_from"].value("rec-b", 0), from_c = repair["stored_from"].value("rec-c", 0);
    EXPECT_EQ(from_b + from_c, 300u) << repair.dump();
    EXPECT_EQ(repair["unavailable"], 0) << repair.dump();
}

TEST(Reconcile, HostileOrUnconfiguredClientsGetClearAnswers) {
    Daemon b(base_config("rec-b.tidings"));
    ASSERT_TRUE(b.start()) << b.log();
    load(b, ids("x.", 5));
    {
        // Not a configured peer (connects from 127.0.0.1; only the loader is a peer): 502.
        NntpClient c;
        ASSERT_TRUE(c.connect(b.port()));
        c.read_line();
        EXPECT_EQ(c.command("XRECONCILE OPEN * 0 9999999999 00112233445566778899aabbccddeeff").substr(0, 3), "502");
    }
    // The loader is a configured peer: CAPABILITIES lists the extension.
    NntpClient c;
    ASSERT_TRUE(c.connect(b.port(), "127.0.0.1", "127.0.0.2"));
    c.read_line();
    ASSERT_EQ(c.command("CAPABILITIES").substr(0, 3), "101");
    bool listed = false;
    for (const auto& line : c.read_block()) listed = listed || line == "XRECONCILE 1";
    EXPECT_TRUE(listed);
    EXPECT_EQ(c.command("XRECONCILE ROUND").substr(0, 3), "490");
    EXPECT_EQ(c.command("XRECONCILE OPEN * 0 99 nothex").substr(0, 3), "501");
    EXPECT_EQ(c.command("XRECONCILE OPEN * 0 9999999999 00112233445566778899aabbccddeeff"), "290 5 items");
    // Not a yEnc block (a line starting with '.' after unstuffing is never written by yEnc).
    EXPECT_EQ(c.command("XRECONCILE ROUND").substr(0, 3), "390");
    c.send_raw("..x\r\n.\r\n");
    EXPECT_EQ(c.read_line().substr(0, 3), "491");
    // A yEnc block whose message has the wrong version byte: 0x62 + 42 = 0x8c.
    EXPECT_EQ(c.command("XRECONCILE ROUND").substr(0, 3), "390");
    c.send_raw("\x8c\r\n.\r\n");
    EXPECT_EQ(c.read_line(), "491 unknown protocol version");
    // SEND: the loader has no outgoing feed here, so nothing can be queued for it.
    EXPECT_EQ(c.command("XRECONCILE SEND").substr(0, 3), "493");
    // NAMES: a block of 8-byte short ids (yEnc: each 0 byte is '*'); an id of no item names
    // nothing; a length that is not a multiple of 8 is refused.
    EXPECT_EQ(c.command("XRECONCILE NAMES").substr(0, 3), "390");
    c.send_raw("********\r\n.\r\n");
    EXPECT_EQ(c.read_line().substr(0, 6), "293 0 ");
    EXPECT_EQ(c.read_line(), ".");
    EXPECT_EQ(c.command("XRECONCILE NAMES").substr(0, 3), "390");
    c.send_raw("*******\r\n.\r\n");
    EXPECT_EQ(c.read_line(), "491 Malformed id list");
    EXPECT_EQ(c.command("XRECONCILE FOO").substr(0, 3), "501");
    EXPECT_EQ(c.command("DATE").substr(0, 3), "111");  // the session goes on
}

}  // namespace
