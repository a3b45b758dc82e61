// Reader access rules and password checks (server/nntp/auth.h): the pure pieces.
#include "server/nntp/auth.h"

#include <gtest/gtest.h>

namespace tidings::server {
namespace {

// "secret" (yescrypt, made by `tidingsd hash-password`) and "other" (SHA-512-crypt).
constexpr const char* yescrypt_secret = "$y$j9T$5EtO3ASWi4dtuF3YOjC9K/$FMmngWY6Q2RBMcCs89uLGsifn/.Nw2nJXwP4oZKwBD9";
constexpr const char* sha512_other =
    "$6$h5x12E7fJhWjxAfx$BbGVYQxtU3hyrA1MqApeCFmpwdSFU72Zule3dYYcvMd7ZW2GO79W1HF0A5OBsl1T.whL80ZquDxLTiY28E17Y.";

config::User user(std::string read, std::string post, std::vector<std::string> hosts = {}) {
    config::User u;
    u.name = std::string("alice");
    u.read = std::move(read);
    u.post = std::move(post);
    for (const auto& h : hosts) u.hosts.push_back(*config::Cidr::parse(h));
    return u;
}

TEST(ReaderRights, AnonymousHostsGetTheAnonymousWildmats) {
    config::Config cfg;
    cfg.readers.anonymous_read = "local.*";
    cfg.readers.anonymous_post = "local.test";
    auto r = reader_rights(cfg, true, nullptr, "127.0.0.1");
    EXPECT_TRUE(r.read);
    EXPECT_TRUE(r.post);
    EXPECT_TRUE(may_read_group(r, "local.general"));
    EXPECT_FALSE(may_read_group(r, "comp.lang.c"));
    EXPECT_TRUE(may_post_group(r, "local.test"));
    EXPECT_FALSE(may_post_group(r, "local.general"));
}

TEST(ReaderRights, StrangersWithoutAccountGetNothing) {
    config::Config cfg;
    auto r = reader_rights(cfg, false, nullptr, "192.0.2.1");
    EXPECT_FALSE(r.read);
    EXPECT_FALSE(r.post);
    EXPECT_FALSE(may_read_group(r, "local.test"));
}

TEST(ReaderRights, AccountsFollowTheirWildmatsAndHosts) {
    config::Config cfg;
    auto u = user("*,!private.*", "");
    auto r = reader_rights(cfg, false, &u, "192.0.2.1");
    EXPECT_TRUE(may_read_group(r, "comp.lang.c"));
    EXPECT_FALSE(may_read_group(r, "private.stuff"));
    EXPECT_FALSE(r.post);  // empty post wildmat: read-only account
    auto v = user("*", "*", {"10.0.0.0/8"});
    EXPECT_TRUE(reader_rights(cfg, false, &v, "10.1.2.3").read);
    EXPECT_FALSE(reader_rights(cfg, false, &v, "192.0.2.1").read);
    EXPECT_FALSE(reader_rights(cfg, true, &v, "127.0.0.1").read);  // the account's rule wins
}

TEST(ReaderRights, ApprovingIsARightOfItsOwn) {
    config::Config cfg;
    EXPECT_FALSE(reader_rights(cfg, true, nullptr, "127.0.0.1").approve);  // anonymous: off by default
    cfg.readers.anonymous_approve = true;
    EXPECT_TRUE(reader_rights(cfg, true, nullptr, "127.0.0.1").approve);
    cfg.readers.anonymous_post = "";  // no posting at all: nothing to approve either
    EXPECT_FALSE(reader_rights(cfg, true, nullptr, "127.0.0.1").approve);
    auto u = user("*", "*");
    EXPECT_FALSE(reader_rights(cfg, false, &u, "192.0.2.1").approve);
    u.approve = true;
    EXPECT_TRUE(reader_rights(cfg, false, &u, "192.0.2.1").approve);
}

TEST(PlaintextAuth, OnlyOverLoopbackOrTlsUnlessAllowed) {
    struct Row {
        bool loopback, tls, allow, expected;
    };
    for (auto row : {Row{true, false, false, true}, Row{false, true, false, true},
                     Row{false, false, true, true}, Row{false, false, false, false}})
        EXPECT_EQ(plaintext_auth_allowed(row.loopback, row.tls, row.allow), row.expected)
            << row.loopback << row.tls << row.allow;
}

TEST(Passwords, VerifiesYescryptAndSha512Crypt) {
    EXPECT_TRUE(verify_password(yescrypt_secret, "secret"));
    EXPECT_FALSE(verify_password(yescrypt_secret, "Secret"));
    EXPECT_FALSE(verify_password(yescrypt_secret, ""));
    EXPECT_TRUE(verify_password(sha512_other, "other"));
    EXPECT_FALSE(verify_password(sha512_other, "secret"));
    EXPECT_FALSE(verify_password("", "anything"));
    EXPECT_FALSE(verify_password("not a hash", "not a hash"));
}

TEST(Passwords, HashPasswordMakesAVerifiableYescryptHash) {
    std::string h = hash_password("pass word with spaces");
    ASSERT_EQ(h.substr(0, 3), "$y$");
    EXPECT_TRUE(verify_password(h, "pass word with spaces"));
    EXPECT_FALSE(verify_password(h, "pass word"));
    EXPECT_NE(hash_password("pass word with spaces"), h);  // a fresh salt each time
}

}  // namespace
}  // namespace tidings::server
