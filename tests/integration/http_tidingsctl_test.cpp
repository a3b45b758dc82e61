// tidingsctl against a real tidingsd: tables, --json, changes with a token, refusals and exit
// statuses (0 done, 1 refused, 2 usage, 3 unreachable).
#include "harness.h"
#include "http_client.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include <cstdio>

using namespace tidings::testing;

namespace {

struct Run {
    int status = -1;
    std::string out;  // stdout and stderr together
};

Run tidingsctl(const std::string& args) {
    Run r;
    std::string cmd = std::string(TIDINGSCTL_PATH) + " " + args + " 2>&1";
    if (FILE* p = popen(cmd.c_str(), "r")) {
        char buf[4096];
        std::size_t n;
        while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
        int st = pclose(p);
        r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    }
    return r;
}

TEST(Tidingsctl, DrivesTheAdminApi) {
    Daemon d(node_config("ctl.tidings") + R"(
[[peer]]
name = "hub"
hosts = ["127.0.0.1"]

[[peer]]
name = "leaf"
outgoing = "127.0.0.1:9"

[http]
port = 0
token = "ctl-token"
)");
    ASSERT_TRUE(d.start()) << d.log();
    const std::string admin = "--admin 127.0.0.1:" + std::to_string(d.port("admin")) + " ";

    auto status = tidingsctl(admin + "status");
    EXPECT_EQ(status.status, 0) << status.out;
    EXPECT_NE(status.out.find("ctl.tidings"), std::string::npos) << status.out;
    EXPECT_NE(status.out.find("LISTENER"), std::string::npos) << status.out;

    auto peers = tidingsctl(admin + "peers");
    EXPECT_EQ(peers.status, 0);
    EXPECT_EQ(peers.out.rfind("PEER", 0), 0u) << peers.out;
    EXPECT_NE(peers.out.find("\nhub "), std::string::npos) << peers.out;
    EXPECT_NE(peers.out.find("incoming only"), std::string::npos) << peers.out;
    EXPECT_NE(peers.out.find("\nleaf "), std::string::npos) << peers.out;

    auto js = tidingsctl(admin + "--json status");
    EXPECT_EQ(js.status, 0);
    EXPECT_EQ(nlohmann::json::parse(js.out, nullptr, false)["pathhost"], "ctl.tidings") << js.out;

    auto refused = tidingsctl(admin + "newgroup local.made");
    EXPECT_EQ(refused.status, 1);
    EXPECT_NE(refused.out.find("401"), std::string::npos) << refused.out;
    EXPECT_EQ(tidingsctl(admin + "--token wrong newgroup local.made").status, 1);

    auto made = tidingsctl(admin + "--token ctl-token newgroup local.made m");
    EXPECT_EQ(made.status, 0) << made.out;
    EXPECT_NE(made.out.find("created local.made"), std::string::npos) << made.out;
    EXPECT_EQ(tidingsctl(admin + "--token ctl-token rmgroup local.made").status, 0);
    EXPECT_EQ(tidingsctl(admin + "--token ctl-token rmgroup local.made").status, 1);
    EXPECT_EQ(tidingsctl(admin + "--token ctl-token cancel '<nope@ctl>'").status, 1);
    EXPECT_EQ(tidingsctl(admin + "--token ctl-token flush leaf").status, 0);
    auto paused = tidingsctl(admin + "--token ctl-token pause leaf");
    EXPECT_EQ(paused.status, 0) << paused.out;
    EXPECT_NE(tidingsctl(admin + "peers").out.find("paused"), std::string::npos);
    EXPECT_EQ(tidingsctl(admin + "--token ctl-token resume leaf").status, 0);
    EXPECT_EQ(tidingsctl(admin + "--token ctl-token pause hub").status, 1);  // no outgoing feed
    auto reload = tidingsctl(admin + "--token ctl-token reload");
    EXPECT_EQ(reload.status, 0) << reload.out;
    EXPECT_NE(reload.out.find("applied: nothing changed"), std::string::npos) << reload.out;

    // --config takes the token from tidingsd's own file; --admin still says where (port 0 there).
    auto cfg = tidingsctl("--config " + d.dir() + "/tidings.toml " + admin + "newgroup local.cfg");
    EXPECT_EQ(cfg.status, 0) << cfg.out;
    EXPECT_EQ(tidingsctl("--config /nonexistent.toml status").status, 2);

    EXPECT_EQ(tidingsctl(admin + "frobnicate").status, 2);
    EXPECT_EQ(tidingsctl(admin + "pause").status, 2);
    EXPECT_EQ(tidingsctl("--admin 127.0.0.1:1 status").status, 3);
}

}  // namespace
