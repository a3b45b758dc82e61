#include "config/config.h"

#include <gtest/gtest.h>

#include "config/checks.h"

namespace tidings::config {
namespace {

TEST(DefaultConfig, TextLoadsWithoutErrors) {
    LoadResult r = load_string(default_config_toml(), "<default>");
    EXPECT_EQ(r.errors, std::vector<std::string>{});
    ASSERT_TRUE(r.config);
    EXPECT_EQ(*r.config, default_config());
}

TEST(DefaultConfig, ListensOnLoopbackWithBothRoles) {
    Config c = default_config();
    ASSERT_EQ(c.listeners.size(), 1u);
    EXPECT_EQ(c.listeners[0].address, "127.0.0.1");
    EXPECT_EQ(c.listeners[0].port, 1119);
    EXPECT_TRUE(c.listeners[0].reader);
    EXPECT_TRUE(c.listeners[0].transit);
    EXPECT_EQ(c.listeners[0].tls, Tls::none);
    EXPECT_TRUE(c.http.enabled);
    EXPECT_EQ(c.http.address, "127.0.0.1");
    EXPECT_EQ(c.http.port, 8119);
}

TEST(DefaultConfig, CarriesTheTwoLocalGroups) {
    Config c = default_config();
    ASSERT_EQ(c.groups.size(), 2u);
    EXPECT_EQ(c.groups[0].name, "local.general");
    EXPECT_EQ(c.groups[1].name, "local.test");
    EXPECT_EQ(c.groups[0].status, GroupStatus::y);
    EXPECT_EQ(c.groups[1].status, GroupStatus::y);
    EXPECT_TRUE(c.peers.empty());
    EXPECT_TRUE(c.users.empty());
}

TEST(DefaultConfig, LoopbackReadersReadAndPostWithoutAuth) {
    Config c = default_config();
    auto anonymous = [&](std::string_view addr) {
        for (const auto& net : c.readers.anonymous_hosts)
            if (net.contains(addr)) return true;
        return false;
    };
    EXPECT_TRUE(anonymous("127.0.0.1"));
    EXPECT_TRUE(anonymous("::1"));
    EXPECT_TRUE(anonymous("::ffff:127.0.0.1"));
    EXPECT_FALSE(anonymous("192.0.2.1"));
    EXPECT_EQ(c.readers.anonymous_read, "*");
    EXPECT_EQ(c.readers.anonymous_post, "*");
    EXPECT_EQ(c.readers.others, OthersPolicy::auth);
}

TEST(DefaultConfig, NodeComesFromTheMachine) {
    Config c = default_config();
    EXPECT_EQ(c.node.data_dir, "./tidings-data");
    EXPECT_EQ(c.node.pathhost, default_pathhost());
    EXPECT_EQ(c.node.domain, c.node.pathhost);
    EXPECT_EQ(default_config_toml().find("pathhost ="), std::string_view::npos);
}

TEST(DefaultPathhost, IsAValidPathIdentityAndDomain) {
    std::string p = default_pathhost();
    EXPECT_EQ(pathhost_error(p), std::nullopt) << p;
    EXPECT_EQ(domain_error(p), std::nullopt) << p;
    for (char c : p) EXPECT_FALSE(c >= 'A' && c <= 'Z') << p;
}

}  // namespace
}  // namespace tidings::config
