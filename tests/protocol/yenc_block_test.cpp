#include "protocol/yenc_block.h"

#include <gtest/gtest.h>

#include <random>

using namespace tidings::protocol;

TEST(YencBlock, RoundTripsEveryByteAndEscapesTheDangerousOnes) {
    std::string all;
    for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
    for (std::size_t width : {1u, 2u, 7u, 128u}) {
        std::string enc = yenc_encode_block(all + all, width);
        EXPECT_EQ(enc.find('\0'), std::string::npos);
        EXPECT_EQ(enc.find("\r\n."), std::string::npos);
        EXPECT_NE(enc.front(), '.');
        for (std::size_t at = 0; (at = enc.find('\r', at)) != std::string::npos; ++at) ASSERT_EQ(enc[at + 1], '\n');
        auto dec = yenc_decode_block(enc);
        ASSERT_TRUE(dec) << width;
        EXPECT_EQ(*dec, all + all);
    }
    EXPECT_EQ(yenc_encode_block(""), "");
    EXPECT_EQ(*yenc_decode_block(""), "");
}

TEST(YencBlock, OverheadIsSmallOnRandomBytes) {
    std::mt19937 rng(1);
    std::string bytes(100000, '\0');
    for (auto& c : bytes) c = static_cast<char>(rng());
    std::string enc = yenc_encode_block(bytes);
    EXPECT_LT(enc.size(), bytes.size() * 104 / 100);
    EXPECT_EQ(*yenc_decode_block(enc), bytes);
}

TEST(YencBlock, RefusesWhatItNeverWrites) {
    EXPECT_FALSE(yenc_decode_block(".abc\r\n"));      // would be dot-stuffing
    EXPECT_FALSE(yenc_decode_block("ab=\r\n"));       // escape cut by the line end
    EXPECT_FALSE(yenc_decode_block("ab="));           // and by the end
    EXPECT_FALSE(yenc_decode_block(std::string("a\0b", 3)));
    EXPECT_FALSE(yenc_decode_block("a\rb"));          // lone CR
    EXPECT_TRUE(yenc_decode_block("abc\ndef\n"));     // LF alone is a line end
}
