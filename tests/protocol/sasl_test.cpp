#include "protocol/sasl.h"

#include <gtest/gtest.h>

#include <string>

#include "protocol/base64.h"

using namespace tidings::protocol;
using namespace std::string_literals;

TEST(SaslPlain, SplitsAuthzidAuthcidPassword) {
    // The results are views: the messages must outlive them.
    const std::string plain = "\0user\0secret"s, proxy = "admin\0user\0pa ss"s, empty = "\0\0"s;
    auto p = parse_sasl_plain(plain);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->authzid, "");
    EXPECT_EQ(p->authcid, "user");
    EXPECT_EQ(p->password, "secret");

    p = parse_sasl_plain(proxy);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->authzid, "admin");
    EXPECT_EQ(p->authcid, "user");
    EXPECT_EQ(p->password, "pa ss");

    // Empty parts are split too: the caller decides (an empty authcid is refused there).
    p = parse_sasl_plain(empty);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->authcid, "");
    EXPECT_EQ(p->password, "");
}

TEST(SaslPlain, NeedsExactlyTwoNuls) {
    for (const std::string& bad : {""s, "user"s, "user\0secret"s, "\0"s, "a\0b\0c\0"s, "\0\0\0"s, "a\0b\0c\0d"s})
        EXPECT_FALSE(parse_sasl_plain(bad)) << bad.size();
}

TEST(SaslPlain, ReadsWhatBase64Decodes) {
    // RFC 4616 §4's example, "\0tim\0tanstaaftanstaaf".
    auto decoded = base64_decode("AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
    ASSERT_TRUE(decoded);
    auto p = parse_sasl_plain(*decoded);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->authcid, "tim");
    EXPECT_EQ(p->password, "tanstaaftanstaaf");
}
