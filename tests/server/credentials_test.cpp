// The outgoing feed's AUTHINFO credentials file (server/feeds/credentials.h).
#include "server/feeds/credentials.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "temp_store.h"

using tidings::server::feed::parse_credentials;
using tidings::server::feed::read_credentials;

TEST(Credentials, TheFirstSignificantLineIsUserColonPassword) {
    auto r = parse_credentials("# hub's login\n\n  \nnews:s3cr:et\nother:line\n", "hub.auth");
    ASSERT_TRUE(r.credentials) << r.error;
    EXPECT_EQ(r.credentials->username, "news");
    EXPECT_EQ(r.credentials->password, "s3cr:et");  // split at the first ':'
}

TEST(Credentials, CrLfAndNoFinalNewline) {
    auto r = parse_credentials("a:b\r\n", "f");
    ASSERT_TRUE(r.credentials);
    EXPECT_EQ(r.credentials->password, "b");
    r = parse_credentials("a:b", "f");
    ASSERT_TRUE(r.credentials);
    EXPECT_EQ(r.credentials->password, "b");
}

TEST(Credentials, MistakesNameFileAndLineButNeverTheSecret) {
    struct Row {
        const char* text;
        const char* error;
    } rows[] = {
        {"", "hub.auth: no username:password line"},
        {"# only a comment\n", "hub.auth: no username:password line"},
        {"\njust-a-password-hunter2\n", "hub.auth:2: expected username:password"},
        {":hunter2\n", "hub.auth:1: the username is empty or has spaces or control characters"},
        {"news:\n", "hub.auth:1: the password is empty or has spaces or control characters"},
        {"news:hunter 2\n", "hub.auth:1: the password is empty or has spaces or control characters"},
        {"new s:hunter2\n", "hub.auth:1: the username is empty or has spaces or control characters"},
        {"news:hun\x01ter2\n", "hub.auth:1: the password is empty or has spaces or control characters"},
    };
    for (const auto& row : rows) {
        auto r = parse_credentials(row.text, "hub.auth");
        EXPECT_FALSE(r.credentials) << row.text;
        EXPECT_EQ(r.error, row.error) << row.text;
        EXPECT_EQ(r.error.find("hunter"), std::string::npos);
    }
}

TEST(Credentials, ReadsAFileAndNamesAMissingOne) {
    tidings::server::test::TempDir dir;
    const std::string path = dir.path + "/hub.auth";
    std::ofstream(path) << "feeder:pw\n";
    auto r = read_credentials(path);
    ASSERT_TRUE(r.credentials) << r.error;
    EXPECT_EQ(r.credentials->username, "feeder");
    auto missing = read_credentials(dir.path + "/none.auth");
    EXPECT_FALSE(missing.credentials);
    EXPECT_EQ(missing.error, dir.path + "/none.auth: No such file or directory");
}
