// The admin API tests' shared set-up: a node configuration with [http] on port 0, a "hub"
// feeding from loopback and a "downstream" peer nobody listens for; a fixture that starts it.
#pragma once

#include "harness.h"
#include "http_client.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <string>

namespace tidings::testing::admin {

using nlohmann::json;

inline constexpr const char* token = "t0ken-for-tests";

inline std::string config(std::string_view http_extra = "token = \"t0ken-for-tests\"\n", std::string_view extra = "") {
    std::string c = node_config("admin.tidings") + R"(
[[group]]
name = "local.test"

[[peer]]
name = "hub"
hosts = ["127.0.0.1"]

[[peer]]
name = "downstream"
outgoing = "127.0.0.1:9"
retry_s = 1

[http]
port = 0
)";
    c += http_extra;
    c += extra;
    return c;
}

inline json body_json(const HttpResult& r) { return json::parse(r.body, nullptr, false); }

// Feeds one article over IHAVE from the "hub" address; true on 235.
inline bool ihave(int nntp_port, const std::string& id, const std::string& groups = "local.test") {
    NntpClient c;
    if (!c.connect(nntp_port)) return false;
    c.read_line();
    if (c.command("IHAVE " + id).rfind("335", 0) != 0) return false;
    c.send_raw(make_article(id, groups) + ".\r\n");
    return c.read_line().rfind("235", 0) == 0;
}

class Admin : public ::testing::Test {
protected:
    void start(std::string cfg = config()) {
        d = std::make_unique<Daemon>(std::move(cfg));
        ASSERT_TRUE(d->start()) << d->log();
        http = d->port("admin");
        nntp = d->port("reader");
        ASSERT_GT(http, 0) << "no http line in tidingsd.listen";
    }
    std::unique_ptr<Daemon> d;
    int http = -1, nntp = -1;
};

}  // namespace tidings::testing::admin
