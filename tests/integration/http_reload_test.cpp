// The admin API's reload end to end (POST /reload and SIGHUP): what is applied, what needs a
// restart, peers added and removed (by address or auth_user), a broken file, token rotation.
#include "admin_fixture.h"

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <thread>

using namespace tidings::testing;
using namespace tidings::testing::admin;
using namespace std::chrono_literals;

namespace {

TEST_F(Admin, ReloadAppliesLogLevelAndGroupsAndNamesWhatNeedsARestart) {
    start();
    std::string next = config() + R"(
[[group]]
name = "local.added"
status = "n"

[[peer]]
name = "newpeer"
outgoing = "127.0.0.1:9"
)";
    next.replace(next.find("pathhost = \"admin.tidings\""), 26, "pathhost = \"admin.tidings\"\nlog_level = \"debug\"");
    for (std::size_t p; (p = next.find("{DATA}")) != std::string::npos;) next.replace(p, 6, d->data_dir());
    std::ofstream(d->dir() + "/tidings.toml") << next;
    auto r = http_call(http, "POST", "/reload", token);
    ASSERT_EQ(r.status, 200) << r.body;
    auto j = body_json(r);
    EXPECT_EQ(j["errors"].size(), 0u);
    std::string applied = j["applied"].dump();
    EXPECT_NE(applied.find("node.log_level: info -> debug"), std::string::npos) << applied;
    EXPECT_NE(applied.find("group local.added: created n"), std::string::npos) << applied;
    EXPECT_NE(applied.find("peer newpeer: outgoing feed started"), std::string::npos) << applied;
    EXPECT_EQ(j["restart_needed"], json::array());
    auto s = http_wait(http, "/status", [](const HttpResult& x) { return json::parse(x.body, nullptr, false)["groups"] == 2; });
    EXPECT_EQ(body_json(s)["groups"], 2);
    // A second reload of the same file has nothing left to apply.
    auto again = body_json(http_call(http, "POST", "/reload", token));
    EXPECT_EQ(again["applied"].size(), 0u) << again.dump();
}

// Issue 8: a reload that adds a peer (which then connects and is fed) and removes one (whose
// sessions end), without dropping unaffected sessions.
TEST_F(Admin, ReloadAddsAPeerThatConnectsAndRemovesOneWhoseSessionsEnd) {
    // B is the peer the reload adds: a second tidingsd that accepts A's feed from loopback.
    Daemon b(node_config("b.tidings") + R"(
[[group]]
name = "local.test"

[[peer]]
name = "a"
hosts = ["127.0.0.1"]

[http]
enabled = false
)");
    ASSERT_TRUE(b.start()) << b.log();
    start();
    // A session of the peer the reload removes ("hub" feeds from 127.0.0.1) and a reader-only
    // session that must survive: both on loopback, told apart by what they may do.
    NntpClient hub;
    ASSERT_TRUE(hub.connect(nntp));
    hub.read_line();
    ASSERT_EQ(hub.command("MODE STREAM").substr(0, 3), "203");
    NntpClient bystander;
    ASSERT_TRUE(bystander.connect(nntp, "127.0.0.1", "127.0.0.2"));
    bystander.read_line();

    std::string next = config("token = \"t0ken-for-tests\"\n");
    next.replace(next.find("[[peer]]\nname = \"hub\"\nhosts = [\"127.0.0.1\"]\n"),
                 std::string("[[peer]]\nname = \"hub\"\nhosts = [\"127.0.0.1\"]\n").size(),
                 "[[peer]]\nname = \"b\"\noutgoing = \"127.0.0.1:" + std::to_string(b.port()) + "\"\nretry_s = 1\n");
    for (std::size_t p; (p = next.find("{DATA}")) != std::string::npos;) next.replace(p, 6, d->data_dir());
    std::ofstream(d->dir() + "/tidings.toml") << next;
    auto r = http_call(http, "POST", "/reload", token);
    ASSERT_EQ(r.status, 200) << r.body;
    auto j = body_json(r);
    std::string applied = j["applied"].dump();
    EXPECT_NE(applied.find("peer b: outgoing feed started"), std::string::npos) << applied;
    EXPECT_NE(applied.find("sessions of removed or changed peers and users ended: 1"), std::string::npos) << applied;
    EXPECT_EQ(j["restart_needed"], json::array()) << r.body;

    // The removed peer's session is closed; a new connection from its address is no feeder.
    EXPECT_TRUE(hub.closed_by_server());
    NntpClient again;
    ASSERT_TRUE(again.connect(nntp));
    again.read_line();
    EXPECT_EQ(again.command("CHECK <after.reload@test>").substr(0, 3), "502");
    // The bystander is untouched.
    EXPECT_EQ(bystander.command("DATE").substr(0, 3), "111");

    // The added peer is connected to and fed: an article posted at A arrives at B.
    NntpClient poster;
    ASSERT_TRUE(poster.connect(nntp));
    poster.read_line();
    ASSERT_EQ(poster.command("POST").substr(0, 3), "340");
    poster.send_raw("From: a@example.com\r\nNewsgroups: local.test\r\nSubject: after reload\r\n"
                    "Message-ID: <posted.after.reload@test>\r\n\r\nhello\r\n.\r\n");
    ASSERT_EQ(poster.read_line().substr(0, 3), "240");
    NntpClient reader;
    ASSERT_TRUE(reader.connect(b.port()));
    reader.read_line();
    std::string stat;
    for (int i = 0; i < 100 && stat.rfind("223", 0) != 0; ++i) {
        std::this_thread::sleep_for(100ms);
        stat = reader.command("STAT <posted.after.reload@test>");
    }
    EXPECT_EQ(stat.substr(0, 3), "223") << d->log();
    auto st = body_json(http_call(http, "GET", "/status"));
    bool b_listed = false;
    for (const auto& p : st["peers"]) b_listed |= p["name"] == "b";
    EXPECT_TRUE(b_listed) << st.dump();
}

TEST_F(Admin, BrokenFileIsRejectedAndTheRunningConfigStays) {
    start();
    std::ofstream(d->dir() + "/tidings.toml") << "[node]\npathhost = \"x\"\n\n[limits]\nmax_connections = \"many\"\n";
    auto r = http_call(http, "POST", "/reload", token);
    EXPECT_EQ(r.status, 422);
    auto j = body_json(r);
    ASSERT_GE(j["errors"].size(), 1u) << r.body;
    std::string first = j["errors"][0];
    EXPECT_EQ(first.rfind(d->dir() + "/tidings.toml:5:", 0), 0u) << first;
    EXPECT_NE(first.find("limits.max_connections"), std::string::npos) << first;
    // Same text as --check-config.
    std::string out, err;
    EXPECT_EQ(run_tidingsd({"--check-config", d->dir() + "/tidings.toml"}, &out, &err), 2);
    EXPECT_NE(err.find(first), std::string::npos) << err;
    // Still serving with the old configuration.
    auto s = body_json(http_call(http, "GET", "/status"));
    EXPECT_EQ(s["pathhost"], "admin.tidings");
    ASSERT_TRUE(ihave(nntp, "<after-bad-reload@test>"));
}

TEST_F(Admin, SighupReloadsToo) {
    start();
    std::string next = config() + "\n[[group]]\nname = \"local.hup\"\n";
    for (std::size_t p; (p = next.find("{DATA}")) != std::string::npos;) next.replace(p, 6, d->data_dir());
    std::ofstream(d->dir() + "/tidings.toml") << next;
    kill(d->pid(), SIGHUP);
    auto s = http_wait(http, "/status", [](const HttpResult& x) { return json::parse(x.body, nullptr, false)["groups"] == 2; });
    EXPECT_EQ(body_json(s)["groups"], 2);
    EXPECT_NE(d->log().find("event=reload file="), std::string::npos);
    EXPECT_EQ(http_call(http, "GET", "/healthz").status, 200);  // SIGHUP no longer kills it
}

// A reload that removes or changes an account ends the sessions logged in with it (they would
// otherwise keep the old rights until they quit); other sessions go on.
TEST_F(Admin, ReloadThatRemovesAUserEndsItsSessions) {
    const std::string alice = R"(
[[user]]
name = "alice"
password_hash = "$y$j9T$5EtO3ASWi4dtuF3YOjC9K/$FMmngWY6Q2RBMcCs89uLGsifn/.Nw2nJXwP4oZKwBD9"
)";
    start(config("token = \"t0ken-for-tests\"\n", alice));
    NntpClient logged_in, other;
    ASSERT_TRUE(logged_in.connect(nntp, "127.0.0.1", "127.0.0.2"));
    ASSERT_TRUE(other.connect(nntp, "127.0.0.1", "127.0.0.2"));
    logged_in.read_line();
    other.read_line();
    ASSERT_EQ(logged_in.command("AUTHINFO USER alice").substr(0, 3), "381");
    ASSERT_EQ(logged_in.command("AUTHINFO PASS secret").substr(0, 3), "281");

    std::string next = config("token = \"t0ken-for-tests\"\n");  // alice is gone
    for (std::size_t p; (p = next.find("{DATA}")) != std::string::npos;) next.replace(p, 6, d->data_dir());
    std::ofstream(d->dir() + "/tidings.toml") << next;
    auto r = http_call(http, "POST", "/reload", token);
    ASSERT_EQ(r.status, 200) << r.body;
    std::string applied = body_json(r)["applied"].dump();
    EXPECT_NE(applied.find("sessions of removed or changed peers and users ended: 1"), std::string::npos) << applied;
    EXPECT_TRUE(logged_in.closed_by_server());
    EXPECT_EQ(other.command("DATE").substr(0, 3), "111");
}

TEST_F(Admin, ReloadRotatesTheTokenAndAllowHosts) {
    start();
    auto write = [&](std::string_view http_extra) {
        std::string next = config(http_extra);
        for (std::size_t p; (p = next.find("{DATA}")) != std::string::npos;) next.replace(p, 6, d->data_dir());
        std::ofstream(d->dir() + "/tidings.toml") << next;
    };
    write("token = \"rotated\"\n");
    auto r = http_call(http, "POST", "/reload", token);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_NE(r.body.find("http.token: updated"), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find("rotated"), std::string::npos) << "the token itself is never echoed";
    EXPECT_EQ(body_json(r)["restart_needed"].size(), 0u) << r.body;
    EXPECT_EQ(http_call(http, "POST", "/peers/downstream/flush", token).status, 403);
    EXPECT_EQ(http_call(http, "POST", "/peers/downstream/flush", "rotated").status, 200);
    write("token = \"rotated\"\nallow_hosts = [\"10.0.0.0/8\"]\n");
    EXPECT_EQ(http_call(http, "POST", "/reload", "rotated").status, 200);
    RawConnection c(http);
    c.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    std::string got;
    EXPECT_TRUE(c.closed_within(5s, &got));
    EXPECT_TRUE(got.empty()) << got;
}


// A peer identified by its auth_user (not by address) is one peer everywhere: its session is
// a transit session in /status, and a reload that removes the peer ends it.
TEST_F(Admin, AuthUserPeerSessionIsTransitInStatusAndEndedByReload) {
    const std::string user = R"(
[[user]]
name = "feeder"
password_hash = "$y$j9T$5EtO3ASWi4dtuF3YOjC9K/$FMmngWY6Q2RBMcCs89uLGsifn/.Nw2nJXwP4oZKwBD9"
)";
    // "hub" is matched by 127.0.0.1; "authpeer" has no hosts and is known only after AUTHINFO.
    start(config("token = \"t0ken-for-tests\"\n",
                 user + "\n[[peer]]\nname = \"authpeer\"\nauth_user = \"feeder\"\n"));
    NntpClient p;
    ASSERT_TRUE(p.connect(nntp, "127.0.0.1", "127.0.0.3"));  // not the hub's address
    p.read_line();
    EXPECT_EQ(p.command("CHECK <before.auth@test>").substr(0, 3), "502");
    EXPECT_EQ(p.command("AUTHINFO USER feeder").substr(0, 3), "381");
    EXPECT_EQ(p.command("AUTHINFO PASS secret").substr(0, 3), "281");
    EXPECT_EQ(p.command("CHECK <after.auth@test>"), "238 <after.auth@test>");

    auto s = http_wait(http, "/status", [](const HttpResult& x) {
        auto j = json::parse(x.body, nullptr, false);
        return x.status == 200 && j.is_object() && j["connections"]["transit"] == 1;
    });
    auto j = body_json(s);
    EXPECT_EQ(j["connections"]["transit"], 1) << s.body;
    EXPECT_EQ(j["connections"]["reader"], 0) << s.body;
    ASSERT_EQ(j["peers"].size(), 3u) << s.body;
    EXPECT_EQ(j["peers"][2]["name"], "authpeer");
    EXPECT_EQ(j["peers"][2]["incoming_sessions"], 1) << s.body;

    // The reload drops "authpeer" (the user stays): its session ends.
    std::string next = config("token = \"t0ken-for-tests\"\n", user);
    for (std::size_t q; (q = next.find("{DATA}")) != std::string::npos;) next.replace(q, 6, d->data_dir());
    std::ofstream(d->dir() + "/tidings.toml") << next;
    auto r = http_call(http, "POST", "/reload", token);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_NE(body_json(r)["applied"].dump().find("sessions of removed or changed peers and users ended: 1"), std::string::npos)
        << r.body;
    EXPECT_TRUE(p.closed_by_server());
}

}  // namespace
