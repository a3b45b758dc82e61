// The admin HTTP API end to end: a real tidingsd with [http] on port 0, every endpoint, the
// bearer-token refusals and bad input (malformed, oversized, unknown, wrong method, slow).
#include "admin_fixture.h"

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <thread>

using namespace tidings::testing;
using namespace tidings::testing::admin;
using namespace std::chrono_literals;

namespace {

TEST_F(Admin, HealthzAndReadyzAnswerOk) {
    start();
    auto h = http_call(http, "GET", "/healthz");
    EXPECT_EQ(h.status, 200);
    EXPECT_EQ(body_json(h)["status"], "ok");
    auto r = http_call(http, "GET", "/readyz");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(body_json(r)["ready"], true);
}

TEST_F(Admin, StatusReportsNodeStoreListenersAndPeers) {
    start();
    ASSERT_TRUE(ihave(nntp, "<s1@test>"));
    NntpClient idle;  // an open session from the hub's address counts as a transit session
    ASSERT_TRUE(idle.connect(nntp));
    idle.read_line();
    auto r = http_wait(http, "/status", [](const HttpResult& x) {
        auto j = json::parse(x.body, nullptr, false);
        return x.status == 200 && j.is_object() && j["connections"]["transit"] == 1;
    });
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.headers["content-type"], "application/json");
    auto j = body_json(r);
    EXPECT_EQ(j["pathhost"], "admin.tidings");
    EXPECT_EQ(j["identity"]["pin"].get<std::string>().rfind("sha256//", 0), 0u);
    EXPECT_EQ(j["identity"]["cert"], d->data_dir() + "/identity/cert.pem");
    EXPECT_FALSE(j["version"].get<std::string>().empty());
    EXPECT_GE(j["uptime_seconds"].get<int>(), 0);
    EXPECT_EQ(j["store"]["articles"], 1);
    EXPECT_GT(j["store"]["map_bytes"].get<std::uint64_t>(), 0u);
    EXPECT_GT(j["store"]["map_use"].get<double>(), 0.0);
    EXPECT_EQ(j["groups"], 1);
    EXPECT_EQ(j["incoming"]["accepted"], 1);
    EXPECT_EQ(j["connections"]["total"], 1);
    ASSERT_EQ(j["listeners"].size(), 2u);
    EXPECT_EQ(j["listeners"][0]["kind"], "nntp");
    EXPECT_EQ(j["listeners"][0]["port"], nntp);
    EXPECT_EQ(j["listeners"][1]["kind"], "http");
    EXPECT_EQ(j["listeners"][1]["port"], http);
    ASSERT_EQ(j["peers"].size(), 2u);
    EXPECT_EQ(j["peers"][0]["name"], "hub");
    EXPECT_EQ(j["peers"][0]["incoming_sessions"], 1);
    EXPECT_TRUE(j["peers"][0]["outgoing"].is_null());
    const auto& out = j["peers"][1]["outgoing"];
    EXPECT_EQ(j["peers"][1]["name"], "downstream");
    EXPECT_EQ(out["port"], 9);
    EXPECT_EQ(out["backlog"], 1);  // nobody listens on port 9: the article waits
    EXPECT_TRUE(out["state"] == "backing_off" || out["state"] == "idle") << out.dump();
}

TEST_F(Admin, MetricsIsPrometheusText) {
    start();
    ASSERT_TRUE(ihave(nntp, "<m1@test>"));
    auto r = http_call(http, "GET", "/metrics");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_NE(r.body.find("# TYPE tidings_received_articles_total counter\n"), std::string::npos);
    EXPECT_NE(r.body.find("tidings_received_articles_total{result=\"accepted\"} 1\n"), std::string::npos);
    EXPECT_NE(r.body.find("tidings_backlog_articles{peer=\"downstream\"} 1\n"), std::string::npos);
    EXPECT_NE(r.body.find("tidings_store_articles 1\n"), std::string::npos);
    EXPECT_NE(r.body.find("# TYPE tidings_articles_total counter\n"), std::string::npos);
    EXPECT_NE(r.body.find("tidings_articles_total{peer=\"downstream\",result=\"offered\"} 0\n"), std::string::npos);
    EXPECT_NE(r.body.find("# TYPE tidings_store_commit_duration_seconds histogram\n"), std::string::npos);
    EXPECT_NE(r.body.find("tidings_store_commit_duration_seconds_bucket{le=\"0.0001\"} "), std::string::npos);
    EXPECT_NE(r.body.find("tidings_store_batch_size_bucket{le=\"+Inf\"} "), std::string::npos);
    // Every line is a comment or "name[{labels}] value".
    std::size_t start = 0;
    while (start < r.body.size()) {
        auto end = r.body.find('\n', start);
        ASSERT_NE(end, std::string::npos) << "the exposition ends with a newline";
        std::string line = r.body.substr(start, end - start);
        start = end + 1;
        if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) continue;
        EXPECT_EQ(line.rfind("tidings_", 0), 0u) << line;
        EXPECT_NE(line.find(' '), std::string::npos) << line;
    }
}

TEST_F(Admin, DashboardIsSelfContainedHtml) {
    start();
    auto r = http_call(http, "GET", "/");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.headers["content-type"], "text/html; charset=utf-8");
    EXPECT_NE(r.body.find("<table id=\"peers\">"), std::string::npos);
    EXPECT_NE(r.body.find("fetch(\"status\""), std::string::npos);
    // No CDN, no external fonts: nothing is loaded from elsewhere.
    EXPECT_EQ(r.body.find("http://"), std::string::npos);
    EXPECT_EQ(r.body.find("https://"), std::string::npos);
    EXPECT_EQ(r.body.find(" src="), std::string::npos);
    auto head = http_raw(http, "HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(head.status, 200);
    EXPECT_EQ(head.headers["content-length"], std::to_string(r.body.size()));
}

TEST_F(Admin, MutationsNeedTheBearerToken) {
    start();
    const std::string body = R"({"name":"local.new","flag":"m"})";
    auto none = http_call(http, "POST", "/groups", "", body);
    EXPECT_EQ(none.status, 401);
    EXPECT_EQ(none.headers["www-authenticate"], "Bearer realm=\"tidings\"");
    EXPECT_EQ(http_call(http, "POST", "/groups", "wrong", body).status, 403);
    EXPECT_EQ(http_raw(http, "POST /groups HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic dTpw\r\nContent-Length: 2\r\n"
                             "Connection: close\r\n\r\n{}").status, 401);
    EXPECT_EQ(http_call(http, "DELETE", "/groups/local.test", "").status, 401);
    EXPECT_EQ(http_call(http, "POST", "/cancel", "nope", R"({"message_id":"<x@y>"})").status, 403);
    EXPECT_EQ(http_call(http, "POST", "/peers/downstream/flush", "").status, 401);
    EXPECT_EQ(http_call(http, "POST", "/reload", "bad").status, 403);
    // Nothing happened.
    EXPECT_EQ(body_json(http_call(http, "GET", "/status"))["groups"], 1);
}

TEST_F(Admin, NoConfiguredTokenDisablesMutations) {
    start(config(""));
    auto r = http_call(http, "POST", "/groups", "anything", R"({"name":"local.new"})");
    EXPECT_EQ(r.status, 403);
    EXPECT_NE(body_json(r)["error"].get<std::string>().find("disabled"), std::string::npos);
    EXPECT_EQ(http_call(http, "GET", "/status").status, 200);  // read-only stays open
}

TEST_F(Admin, TokenFromTokenFile) {
    auto dir = std::filesystem::temp_directory_path() / ("tidings-token-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "token") << "from-file\n";
    start(config("token_file = \"" + (dir / "token").string() + "\"\n"));
    EXPECT_EQ(http_call(http, "POST", "/groups", "from-file", R"({"name":"local.f"})").status, 201);
    EXPECT_EQ(http_call(http, "POST", "/groups", "from-fil", R"({"name":"local.g"})").status, 403);
    std::filesystem::remove_all(dir);
}

TEST_F(Admin, CreateAndRemoveGroups) {
    start();
    auto made = http_call(http, "POST", "/groups", token, R"({"name":"local.new","flag":"m"})");
    EXPECT_EQ(made.status, 201) << made.body;
    EXPECT_EQ(http_call(http, "POST", "/groups", token, R"({"name":"local.new"})").status, 409);
    EXPECT_EQ(http_call(http, "POST", "/groups", token, R"({"name":"local.x","flag":"q"})").status, 400);
    EXPECT_EQ(http_call(http, "POST", "/groups", token, R"({"flag":"y"})").status, 400);
    EXPECT_EQ(http_call(http, "POST", "/groups", token, R"(not json)").status, 400);
    EXPECT_EQ(http_call(http, "POST", "/groups", token, R"(["local.x"])").status, 400);
    // The names config's [[group]] refuses, the admin API refuses too (one rule, protocol/newsgroup.h).
    for (const char* bad : {"a*b", "local..x", ".local", "local.", "local.ctl", "has space", "a,b"}) {
        auto r = http_call(http, "POST", "/groups", token, json{{"name", bad}}.dump());
        EXPECT_EQ(r.status, 400) << bad << ": " << r.body;
        EXPECT_NE(r.body.find("invalid group name"), std::string::npos) << r.body;
    }
    NntpClient c;
    ASSERT_TRUE(c.connect(nntp));
    c.read_line();
    EXPECT_EQ(c.command("GROUP local.new").substr(0, 3), "211");
    c.send_line("LIST ACTIVE local.new");
    EXPECT_EQ(c.read_line().substr(0, 3), "215");
    auto lines = c.read_block();
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0].back(), 'm');
    EXPECT_EQ(http_call(http, "DELETE", "/groups/local.new", token).status, 200);
    EXPECT_EQ(http_call(http, "DELETE", "/groups/local.new", token).status, 404);
    EXPECT_EQ(c.command("GROUP local.new").substr(0, 3), "411");
}

TEST_F(Admin, CancelRemovesAnArticle) {
    start();
    ASSERT_TRUE(ihave(nntp, "<gone@test>"));
    EXPECT_EQ(http_call(http, "POST", "/cancel", token, R"({"message_id":"<gone@test>"})").status, 200);
    NntpClient c;
    ASSERT_TRUE(c.connect(nntp));
    c.read_line();
    EXPECT_EQ(c.command("STAT <gone@test>").substr(0, 3), "430");
    EXPECT_EQ(http_call(http, "POST", "/cancel", token, R"({"message_id":"<never@test>"})").status, 404);
    EXPECT_EQ(http_call(http, "POST", "/cancel", token, R"({"message_id":"no brackets"})").status, 400);
    EXPECT_EQ(http_call(http, "POST", "/cancel", token, R"({})").status, 400);
}

TEST_F(Admin, PeerControls) {
    start();
    EXPECT_EQ(http_call(http, "POST", "/peers/downstream/flush", token).status, 200);
    EXPECT_EQ(http_call(http, "POST", "/peers/hub/flush", token).status, 404);  // no outgoing feed
    EXPECT_EQ(http_call(http, "POST", "/peers/nobody/flush", token).status, 404);
    EXPECT_EQ(http_call(http, "POST", "/peers/hub/pause", token).status, 404);
    EXPECT_EQ(http_call(http, "POST", "/peers/downstream/explode", token).status, 404);
}

// Pause stops the feed (articles queue up), resume sends the backlog: against a second tidingsd.
TEST_F(Admin, PauseHoldsAPeersFeedAndResumeSendsTheBacklog) {
    Daemon sink(node_config("sink.tidings") + R"(
[[group]]
name = "local.test"

[[peer]]
name = "a"
hosts = ["127.0.0.1"]

[http]
port = 0
)");
    ASSERT_TRUE(sink.start()) << sink.log();
    std::string cfg = config();
    cfg.replace(cfg.find("127.0.0.1:9"), 11, "127.0.0.1:" + std::to_string(sink.port("reader")));
    start(cfg);
    auto outgoing = [&] { return body_json(http_call(http, "GET", "/status"))["peers"][1]["outgoing"]; };
    http_wait(http, "/status", [](const HttpResult& r) {
        return json::parse(r.body, nullptr, false)["peers"][1]["outgoing"]["state"] == "connected";
    });
    auto p = http_call(http, "POST", "/peers/downstream/pause", token);
    EXPECT_EQ(p.status, 200) << p.body;
    EXPECT_EQ(outgoing()["state"], "paused");
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(ihave(nntp, "<paused" + std::to_string(i) + "@test>"));
    std::this_thread::sleep_for(1500ms);  // senders poll every second: nothing may go out
    EXPECT_EQ(outgoing()["backlog"], 3);
    EXPECT_EQ(outgoing()["accepted"], 0);
    EXPECT_EQ(http_call(http, "POST", "/peers/downstream/resume", token).status, 200);
    auto r = http_wait(http, "/status", [](const HttpResult& x) {
        return json::parse(x.body, nullptr, false)["peers"][1]["outgoing"]["accepted"] == 3;
    });
    EXPECT_EQ(body_json(r)["peers"][1]["outgoing"]["accepted"], 3) << r.body;
    EXPECT_EQ(body_json(r)["peers"][1]["outgoing"]["backlog"], 0);
    auto sink_status = body_json(http_call(sink.port("admin"), "GET", "/status"));
    EXPECT_EQ(sink_status["store"]["articles"], 3);
}

// An admin's pause outlives a restart (kept in <data_dir>/paused-feeds); a resume does too.
TEST_F(Admin, APausedFeedStaysPausedAcrossARestartUntilResumed) {
    start();
    auto state = [&] {
        return body_json(http_call(http, "GET", "/status"))["peers"][1]["outgoing"]["state"].get<std::string>();
    };
    auto restart = [&] {
        ASSERT_NE(d->stop(SIGTERM), -1);
        ASSERT_TRUE(d->start()) << d->log();
        http = d->port("admin");
    };
    ASSERT_EQ(http_call(http, "POST", "/peers/downstream/pause", token).status, 200);
    EXPECT_EQ(state(), "paused");
    restart();
    EXPECT_EQ(state(), "paused") << d->log();
    ASSERT_EQ(http_call(http, "POST", "/peers/downstream/resume", token).status, 200);
    EXPECT_NE(state(), "paused");
    restart();
    EXPECT_NE(state(), "paused");
    EXPECT_FALSE(std::filesystem::exists(d->data_dir() + "/paused-feeds"));
}

TEST_F(Admin, UnknownRoutesAndWrongMethods) {
    start();
    EXPECT_EQ(http_call(http, "GET", "/nope").status, 404);
    EXPECT_EQ(http_call(http, "GET", "/status/extra").status, 404);
    EXPECT_EQ(http_call(http, "GET", "//status").status, 404);
    auto r = http_call(http, "POST", "/status", token);
    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(r.headers["allow"], "GET, HEAD");
    auto g = http_call(http, "GET", "/groups");
    EXPECT_EQ(g.status, 405);
    EXPECT_EQ(g.headers["allow"], "POST");
    EXPECT_EQ(http_call(http, "PUT", "/groups/local.test", token).status, 405);
    EXPECT_EQ(http_call(http, "GET", "/metrics?x=1").status, 200);  // a query string is ignored
    // The absolute form names the same resource (RFC 7230 §5.3.2); other forms name none.
    auto abs = http_call(http, "GET", "http://127.0.0.1/metrics");
    EXPECT_EQ(abs.status, 200);
    EXPECT_NE(abs.body.find("tidings_"), std::string::npos) << abs.body.substr(0, 200);
    EXPECT_EQ(http_call(http, "GET", "HTTP://127.0.0.1").status, 200);  // the dashboard
    EXPECT_EQ(http_call(http, "GET", "*").status, 404);
    EXPECT_EQ(http_call(http, "GET", "status").status, 404);
}

TEST_F(Admin, MalformedAndOversizedRequestsGetAnErrorThenClose) {
    start();
    EXPECT_EQ(http_raw(http, "GARBAGE\r\n\r\n").status, 400);
    EXPECT_EQ(http_raw(http, "GET /status HTTP/9.9\r\n\r\n").status, 400);
    EXPECT_EQ(http_raw(http, "GET /status HTTP/1.1\r\nBad Header\r\n\r\n").status, 400);
    std::string big_header = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n";
    EXPECT_EQ(http_raw(http, big_header).status, 431);
    std::string big_body = "POST /groups HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + std::string(token) +
                           "\r\nContent-Length: 100000\r\n\r\n" + std::string(100000, '{');
    EXPECT_EQ(http_raw(http, big_body).status, 413);
    // Keep-alive: two requests on one connection, both answered.
    RawConnection two(http);
    two.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    std::string got;
    EXPECT_TRUE(two.closed_within(5s, &got));
    EXPECT_EQ(got.rfind("HTTP/1.1 200", 0), 0u) << got;
    EXPECT_NE(got.find("HTTP/1.1 200", 10), std::string::npos) << got;
}

TEST_F(Admin, SlowClientIsClosedAndNntpNeverNotices) {
    start();
    RawConnection slow(http);
    ASSERT_TRUE(slow.send("GET /status HTTP/1.1\r\nHo"));  // and then nothing
    std::vector<std::unique_ptr<RawConnection>> idle;
    for (int i = 0; i < 5; ++i) idle.push_back(std::make_unique<RawConnection>(http));
    // Meanwhile NNTP and other admin requests go on.
    ASSERT_TRUE(ihave(nntp, "<during-slow@test>"));
    EXPECT_EQ(http_call(http, "GET", "/healthz").status, 200);
    std::string got;
    EXPECT_TRUE(slow.closed_within(15s, &got));  // request_timeout is 10 s
    EXPECT_TRUE(got.empty() || got.rfind("HTTP/1.1", 0) == 0);
    NntpClient c;
    ASSERT_TRUE(c.connect(nntp));
    EXPECT_EQ(c.read_line().substr(0, 3), "200");
    auto m = http_call(http, "GET", "/metrics");
    EXPECT_NE(m.body.find("tidings_http_closed_total{reason=\"timeout\"}"), std::string::npos);
}

TEST_F(Admin, HostsOutsideAllowHostsGetNothing) {
    start(config("token = \"x\"\nallow_hosts = [\"10.0.0.0/8\"]\n"));
    RawConnection c(http);
    c.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    std::string got;
    EXPECT_TRUE(c.closed_within(5s, &got));
    EXPECT_TRUE(got.empty());
    NntpClient n;  // NNTP is unaffected
    ASSERT_TRUE(n.connect(nntp));
    EXPECT_EQ(n.read_line().substr(0, 3), "200");
}

// DNS rebinding: a page whose name points at 127.0.0.1 makes the browser send its own name.
TEST_F(Admin, RequestsForAnotherHostNameAreRefused) {
    start();
    auto bad = http_raw(http, "GET /status HTTP/1.1\r\nHost: evil.example.com\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(bad.status, 403) << bad.body;
    EXPECT_NE(bad.body.find("Host names no address of this server"), std::string::npos) << bad.body;
    EXPECT_EQ(bad.body.find("pathhost"), std::string::npos) << "nothing of /status leaks";
    auto by_name = http_raw(http, "GET /healthz HTTP/1.1\r\nHost: admin.tidings:80\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(by_name.status, 200) << by_name.body;  // the node's pathhost
    auto local = http_raw(http, "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(local.status, 200) << local.body;
}

TEST_F(Admin, DisabledHttpHasNoListener) {
    d = std::make_unique<Daemon>(config("enabled = false\n"));
    ASSERT_TRUE(d->start()) << d->log();
    EXPECT_EQ(d->port("admin"), -1);
    EXPECT_GT(d->port("reader"), 0);
}

}  // namespace
