#include "server/net/compress_layer.h"

#include <gtest/gtest.h>

using tidings::server::CompressLayer;

// Two layers back to back stand for the two ends: every compressed batch decompresses whole
// at once (the sync flush), across many batches sharing one dictionary.
TEST(CompressLayer, EveryFlushedBatchDecompressesWholeAtTheOtherEnd) {
    CompressLayer server, client;
    std::string total_in, total_wire;
    for (int i = 0; i < 200; ++i) {
        std::string answer = "224 Overview information follows\r\n";
        for (int k = 0; k < i % 17; ++k)
            answer += std::to_string(1000 + k) + "\tRe: subject " + std::to_string(i) + "\tposter@example.org\r\n";
        answer += ".\r\n";
        std::string wire, back;
        server.compress(answer, wire);
        ASSERT_FALSE(wire.empty());
        ASSERT_TRUE(client.decompress(wire, back));
        ASSERT_EQ(back, answer) << i;
        total_in += answer;
        total_wire += wire;
    }
    EXPECT_LT(total_wire.size(), total_in.size() / 3);  // repetitive text compresses well
}

TEST(CompressLayer, InputCutAnywhereStillDecompresses) {
    CompressLayer a, b;
    std::string text(100000, 'x');
    for (std::size_t i = 0; i < text.size(); ++i) text[i] = static_cast<char>('a' + (i * 7919) % 26);
    std::string wire, back;
    a.compress(text, wire);
    for (std::size_t at = 0; at < wire.size(); at += 1000)
        ASSERT_TRUE(b.decompress(std::string_view(wire).substr(at, 1000), back));
    EXPECT_EQ(back, text);
}

TEST(CompressLayer, CorruptInputIsRefused) {
    CompressLayer a;
    std::string back;
    // 0xff: a block header with the reserved block type 3.
    EXPECT_FALSE(a.decompress(std::string("\xff\xff\xff\xff", 4), back));
}
