#include "config/checks.h"

#include <gtest/gtest.h>

namespace tidings::config {
namespace {

// The rules are protocol/newsgroup.h's (tests/protocol/newsgroup_test.cpp); here only that a
// [[group]] name is checked as a group we create, reserved names included.
TEST(NewsgroupName, IsCheckedAsANewGroup) {
    for (const char* ok :
         {"local.general", "comp.lang.c++", "de.alt.caf\xc3\xa9", "control.cancel"})
        EXPECT_EQ(value_error(Kind::newsgroup, ok), std::nullopt) << ok;
    const struct { const char* value; const char* error; } bad[] = {
        {"a*b", "bad newsgroup name \"a*b\": newsgroup names use letters, digits, '+', '-', "
                "'_' and dots"},
        {"a.all.b", "bad newsgroup name \"a.all.b\": component \"all\" or \"ctl\" is reserved"},
        {"example.test",
         "bad newsgroup name \"example.test\": the \"example\" hierarchy is reserved"},
    };
    for (const auto& row : bad)
        EXPECT_EQ(value_error(Kind::newsgroup, row.value), std::optional<std::string>(row.error));
}

TEST(Pathhost, FollowsPathIdentityGrammar) {
    for (const char* ok : {"news.example.com", "hub", "a_b:c-d.e", "9news"})
        EXPECT_EQ(pathhost_error(ok), std::nullopt) << ok;
    for (const char* bad : {"", ".news", "-news", "news!x", "news example", "news/x"})
        EXPECT_NE(pathhost_error(bad), std::nullopt) << bad;
}

TEST(Domain, RequiresNonEmptyLabels) {
    EXPECT_EQ(domain_error("news.example.com"), std::nullopt);
    EXPECT_NE(domain_error("a..b"), std::nullopt);
    EXPECT_NE(domain_error("a_b"), std::nullopt);
    EXPECT_NE(domain_error(""), std::nullopt);
}

TEST(PeerName, LettersDigitsDotUnderscoreDash) {
    EXPECT_EQ(peer_name_error("hub-1.example_x"), std::nullopt);
    EXPECT_NE(peer_name_error(""), std::nullopt);
    EXPECT_NE(peer_name_error("hub 1"), std::nullopt);
    EXPECT_NE(peer_name_error(std::string(65, 'a')), std::nullopt);
}

TEST(UserName, PrintableWithoutSpaceOrColon) {
    EXPECT_EQ(user_name_error("joe@example.com"), std::nullopt);
    EXPECT_NE(user_name_error("jo e"), std::nullopt);
    EXPECT_NE(user_name_error("jo:e"), std::nullopt);
    EXPECT_NE(user_name_error(""), std::nullopt);
}

TEST(PasswordHash, AcceptsYescryptAndSha512CryptPrefixes) {
    EXPECT_EQ(password_hash_error("$y$j9T$abcdefgh$0123456789"), std::nullopt);
    EXPECT_EQ(password_hash_error("$6$saltsalt$abcdef"), std::nullopt);
    EXPECT_NE(password_hash_error("$1$md5$abc"), std::nullopt);
    EXPECT_NE(password_hash_error("secret"), std::nullopt);
    EXPECT_NE(password_hash_error("$y$"), std::nullopt);
}

TEST(Distribution, DistNameGrammar) {
    EXPECT_EQ(distribution_error("local"), std::nullopt);
    EXPECT_EQ(distribution_error("de-x_1+"), std::nullopt);
    EXPECT_NE(distribution_error("all"), std::nullopt);
    EXPECT_NE(distribution_error("-x"), std::nullopt);
    EXPECT_NE(distribution_error("a.b"), std::nullopt);
}

TEST(HostPort, ParsesNamesV4AndBracketedV6) {
    struct Row { const char* text; const char* host; std::uint16_t port; };
    for (auto row : {Row{"news.example.com:119", "news.example.com", 119},
                     Row{"192.0.2.1:563", "192.0.2.1", 563}, Row{"[::1]:119", "::1", 119},
                     Row{"[2001:db8::5]:65535", "2001:db8::5", 65535}}) {
        auto r = parse_host_port(row.text);
        ASSERT_TRUE(r.value) << row.text << ": " << r.error;
        EXPECT_EQ(r.value->host, row.host);
        EXPECT_EQ(r.value->port, row.port);
    }
}

TEST(HostPort, RejectsWithReason) {
    struct Row { const char* text; const char* why; };
    for (auto row : {Row{"news.example.com", "expected host:port"},
                     Row{"news.example.com:0", "port is not 1-65535"},
                     Row{"news.example.com:65536", "port is not 1-65535"},
                     Row{"news.example.com:", "port is not 1-65535"},
                     Row{"news.example.com:x", "port is not 1-65535"},
                     Row{":119", "empty host"},
                     Row{"::1:119", "write IPv6 addresses as [address]:port"},
                     Row{"[::1:119", "missing ']' after IPv6 address"},
                     Row{"[::1]119", "expected host:port"},
                     Row{"[10.0.0.1]:119", "not an IPv6 address inside [ ]"},
                     Row{"bad_host:119", "host is neither a DNS name nor an IP address"}}) {
        auto r = parse_host_port(row.text);
        EXPECT_FALSE(r.value) << row.text;
        EXPECT_EQ(r.error, row.why) << row.text;
    }
}

TEST(Quote, EscapesControlsAndTruncates) {
    EXPECT_EQ(quote("hub"), "\"hub\"");
    EXPECT_EQ(quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
    EXPECT_EQ(quote("a\r\nb"), "\"a\\x0d\\x0ab\"");
    EXPECT_EQ(quote(std::string(70, 'x')), "\"" + std::string(64, 'x') + "...\"");
}

TEST(EditDistance, CountsInsertionsDeletionsSubstitutions) {
    EXPECT_EQ(edit_distance("pathost", "pathhost"), 1u);
    EXPECT_EQ(edit_distance("hostz", "hosts"), 1u);
    EXPECT_EQ(edit_distance("", "abc"), 3u);
    EXPECT_EQ(edit_distance("same", "same"), 0u);
}

TEST(ValueError, NamesTheKindAndTheQuotedValue) {
    struct Row { Kind kind; const char* value; const char* error; };
    const Row rows[] = {
        {Kind::address, "::1::2", "bad address \"::1::2\": not an IPv4 or IPv6 address"},
        {Kind::newsgroup, "a..b",
         "bad newsgroup name \"a..b\": empty component in newsgroup name"},
        {Kind::pathhost, "-x",
         "bad path identity \"-x\": a path identity starts with a letter or digit"},
        {Kind::domain, "a_b", "bad domain \"a_b\": a domain uses letters, digits, '-' and dots"},
        {Kind::name, "a b", "bad name \"a b\": names use letters, digits, '.', '_' and '-'"},
        {Kind::user_name, "a:b",
         "bad user name \"a:b\": user names use printable ASCII without space or ':'"},
        {Kind::path, "", "empty path"},
    };
    for (const auto& row : rows)
        EXPECT_EQ(value_error(row.kind, row.value), std::optional<std::string>(row.error))
            << row.value;
}

TEST(ValueError, AcceptsValidValuesAndPlainStrings) {
    EXPECT_EQ(value_error(Kind::wildmat, "comp.*,!comp.lang.*"), std::nullopt);
    EXPECT_EQ(value_error(Kind::feed_wildmat, "*,@alt.binaries.*"), std::nullopt);
    EXPECT_EQ(value_error(Kind::address, "::"), std::nullopt);
    EXPECT_EQ(value_error(Kind::string, ""), std::nullopt);
    EXPECT_EQ(value_error(Kind::string, "anything \x01 at all"), std::nullopt);
}

TEST(ValueError, NeverEchoesAPasswordHash) {
    auto e = value_error(Kind::password_hash, "hunter2");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->find("hunter2"), std::string::npos);
}

TEST(DidYouMean, SuggestsTheNearestWithinTwoEdits) {
    std::vector<std::string> keys = {"hosts", "name", "newsgroups"};
    EXPECT_EQ(did_you_mean("host", keys), " (did you mean \"hosts\"?)");
    EXPECT_EQ(did_you_mean("newgroups", keys), " (did you mean \"newsgroups\"?)");
    EXPECT_EQ(did_you_mean("colour", keys), "");
    EXPECT_EQ(did_you_mean("x", {}), "");
}

}  // namespace
}  // namespace tidings::config
