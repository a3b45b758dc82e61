// The dashboard in a real browser: headless Chromium (Debian `chromium`) loads GET / from a node
// that is feeding another, lets the page poll /status, and the rendered peer table is checked.
// A screenshot is saved as <build>/dashboard.png for a human to look at.
#include "chromium.h"
#include "harness.h"
#include "http_client.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <regex>

using namespace tidings::testing;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

std::string node_config(std::string_view name, std::string_view peers) {
    return "[node]\npathhost = \"" + std::string(name) + R"(.dash.test"
data_dir = "{DATA}"

[[listen]]
address = "127.0.0.1"
port = 0

[[group]]
name = "local.test"

[http]
port = 0
)" + std::string(peers);
}

TEST(AdminDashboard, ChromiumRendersThePeerTableOfANodeWithTraffic) {
    if (!chromium_path()) GTEST_SKIP() << "Debian's chromium is not installed (scripts/test installs it)";
    Daemon b(node_config("b", "\n[[peer]]\nname = \"a\"\nhosts = [\"127.0.0.1\"]\n"));
    ASSERT_TRUE(b.start()) << b.log();
    Daemon a(node_config("a", "\n[[peer]]\nname = \"hub\"\nhosts = [\"127.0.0.1\"]\n\n[[peer]]\nname = \"leaf-b\"\n"
                              "outgoing = \"127.0.0.1:" + std::to_string(b.port("reader")) + "\"\nretry_s = 1\n"));
    ASSERT_TRUE(a.start()) << a.log();
    const int n = 25;
    NntpClient c;
    ASSERT_TRUE(c.connect(a.port("reader")));
    c.read_line();
    for (int i = 0; i < n; ++i) {
        std::string id = "<dash." + std::to_string(i) + "@dash.test>";
        ASSERT_EQ(c.command("IHAVE " + id).substr(0, 3), "335");
        c.send_raw(make_article(id, "local.test") + ".\r\n");
        ASSERT_EQ(c.read_line().substr(0, 3), "235");
    }
    auto st = http_wait(a.port("admin"), "/status", [&](const HttpResult& r) {
        auto j = json::parse(r.body, nullptr, false);
        return j.is_object() && j["peers"][1]["outgoing"]["accepted"] == n;
    });
    ASSERT_EQ(json::parse(st.body)["peers"][1]["outgoing"]["accepted"], n) << st.body;

    const std::string url = "http://127.0.0.1:" + std::to_string(a.port("admin")) + "/";
    std::string dom = chromium(url, "--dump-dom");
    ASSERT_FALSE(dom.empty()) << "chromium printed nothing";
    // The rows the page's script built from /status: one per peer, with live figures.
    std::smatch m;
    std::regex row(R"re(<tr data-peer="leaf-b">(.*?)</tr>)re");
    ASSERT_TRUE(std::regex_search(dom, m, row)) << dom.substr(0, 4000);
    std::string leaf = m[1];
    EXPECT_NE(leaf.find(">leaf-b<"), std::string::npos) << leaf;
    EXPECT_NE(leaf.find(">connected<"), std::string::npos) << leaf;
    EXPECT_NE(leaf.find("<td class=\"accepted\">25</td>"), std::string::npos) << leaf;
    EXPECT_NE(leaf.find("<td class=\"backlog\">0</td>"), std::string::npos) << leaf;
    EXPECT_NE(dom.find("<tr data-peer=\"hub\">"), std::string::npos);
    EXPECT_NE(dom.find("incoming only"), std::string::npos);
    EXPECT_NE(dom.find("id=\"c-articles\">25<"), std::string::npos);
    EXPECT_NE(dom.find("a.dash.test"), std::string::npos);

    const std::string shot = std::string(BUILD_DIR) + "/dashboard.png";
    std::filesystem::remove(shot);
    chromium(url, "--screenshot=" + shot);
    ASSERT_TRUE(std::filesystem::exists(shot));
    EXPECT_GT(std::filesystem::file_size(shot), 10000u);
}

TEST(AdminDashboard, ChromiumShowsTheUpstreamsAPullRunUsed) {
    if (!chromium_path()) GTEST_SKIP() << "Debian's chromium is not installed (scripts/test installs it)";
    Daemon up(node_config("up", "\n[[peer]]\nname = \"hub\"\nhosts = [\"127.0.0.2\"]\n"));
    ASSERT_TRUE(up.start()) << up.log();
    NntpClient c;
    ASSERT_TRUE(c.connect(up.port("reader"), "127.0.0.1", "127.0.0.2"));
    c.read_line();
    for (int i = 0; i < 7; ++i) {
        std::string id = "<pulled." + std::to_string(i) + "@dash.test>";
        ASSERT_EQ(c.command("IHAVE " + id).substr(0, 3), "335");
        c.send_raw(make_article(id, "local.test") + ".\r\n");
        ASSERT_EQ(c.read_line().substr(0, 3), "235");
    }
    Daemon p(node_config("p", "\n[[upstream]]\nname = \"up-one\"\naddress = \"127.0.0.1:" +
                                  std::to_string(up.port("reader")) + "\"\ninterval_s = 1\n"));
    ASSERT_TRUE(p.start()) << p.log();
    auto st = http_wait(p.port("admin"), "/status", [&](const HttpResult& r) {
        auto j = json::parse(r.body, nullptr, false);
        return j.is_object() && j["pull"]["upstreams"]["up-one"]["stored"] == 7;
    });
    ASSERT_EQ(json::parse(st.body)["pull"]["upstreams"]["up-one"]["stored"], 7) << st.body << p.log();
    const std::string dom = chromium("http://127.0.0.1:" + std::to_string(p.port("admin")) + "/", "--dump-dom");
    std::smatch m;
    std::regex row(R"re(<tr data-upstream="up-one">(.*?)</tr>)re");
    ASSERT_TRUE(std::regex_search(dom, m, row)) << dom.substr(0, 4000);
    const std::string r = m[1];
    EXPECT_NE(r.find(">up-one<"), std::string::npos) << r;
    EXPECT_NE(r.find("<td>7</td>"), std::string::npos) << r;  // stored
}

}  // namespace

