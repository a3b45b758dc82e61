#include "protocol/base64.h"

#include <gtest/gtest.h>

using namespace tidings::protocol;

TEST(Base64, Rfc4648TestVectorsBothWays) {
    const std::pair<const char*, const char*> vectors[] = {
        {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
    for (auto [plain, coded] : vectors) {
        EXPECT_EQ(base64_encode(plain), coded);
        if (*coded) EXPECT_EQ(base64_decode(coded), std::string(plain)) << coded;
    }
    EXPECT_EQ(base64_decode("="), std::string());  // RFC 4643 §2.4.1: an empty response
    EXPECT_EQ(base64_decode(base64_encode(std::string("\0user\0secret", 12))), std::string("\0user\0secret", 12));
}

TEST(Base64, RefusesAnythingNotCanonical) {
    for (const char* bad : {"Zg", "Zg=", "Z===", "Zm9v Yg==", "Zm9v\r\n", "Zg==Zg==", "Zh==", "Zm9=",
                            "Zm8=x===", "Zm9vYg=a", "*", "=Zg=", "Zm-v"})
        EXPECT_FALSE(base64_decode(bad)) << bad;
}
