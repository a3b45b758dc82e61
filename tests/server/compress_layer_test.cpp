#include "server/net/compress_layer.h"

#include <gtest/gtest.h>

#include <boost/beast/zlib/deflate_stream.hpp>

using tidings::server::CompressLayer;

namespace {

// Inflates all of `in` through `layer` in steps of at most `room` output bytes, as
// Connection::read_some does; false when a step refuses the data.
bool inflate_all(CompressLayer& layer, std::string_view in, std::string& out, std::size_t room = 4096) {
    std::string buf(room, '\0');
    while (!in.empty()) {
        auto r = layer.decompress(in, buf.data(), buf.size());
        if (!r.ok) return false;
        EXPECT_LE(r.produced, room);
        if (r.consumed == 0 && r.produced == 0) return false;  // no progress: would spin
        out.append(buf.data(), r.produced);
        in.remove_prefix(r.consumed);
    }
    return true;
}

// Raw DEFLATE of `n` zero bytes, as a hostile client would send it: compressed ~1000:1.
std::string deflated_zeros(std::size_t n, bool final) {
    namespace zlib = boost::beast::zlib;
    zlib::deflate_stream d;
    d.reset(9, 15, 8, zlib::Strategy::normal);
    std::string zeros(n, '\0'), out(n / 100 + 1024, '\0');
    zlib::z_params zs;
    zs.next_in = zeros.data();
    zs.avail_in = zeros.size();
    zs.next_out = out.data();
    zs.avail_out = out.size();
    boost::system::error_code ec;
    d.write(zs, final ? zlib::Flush::finish : zlib::Flush::sync, ec);
    out.resize(out.size() - zs.avail_out);
    return out;
}

}  // namespace

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
        ASSERT_TRUE(inflate_all(client, wire, back, 1u << 16));
        ASSERT_EQ(back, answer) << i;
        total_in += answer;
        total_wire += wire;
    }
    EXPECT_LT(total_wire.size(), total_in.size() / 3);  // repetitive text compresses well
}

// A feed's fast level (1) is read by any inflater, and still compresses.
TEST(CompressLayer, TheFastLevelRoundTripsAndStillCompresses) {
    CompressLayer fast(1), reader;
    std::string text;
    for (int i = 0; i < 300; ++i) text += "Path: a!b\r\nSubject: article " + std::to_string(i) + " about news\r\n";
    std::string wire_fast, back;
    fast.compress(text, wire_fast);
    ASSERT_TRUE(inflate_all(reader, wire_fast, back, 1u << 20));
    EXPECT_EQ(back, text);
    EXPECT_LT(wire_fast.size(), text.size() / 3);
}

TEST(CompressLayer, InputCutAnywhereStillDecompresses) {
    CompressLayer a, b;
    std::string text(100000, 'x');
    for (std::size_t i = 0; i < text.size(); ++i) text[i] = static_cast<char>('a' + (i * 7919) % 26);
    std::string wire, back;
    a.compress(text, wire);
    for (std::size_t at = 0; at < wire.size(); at += 1000)
        ASSERT_TRUE(inflate_all(b, std::string_view(wire).substr(at, 1000), back, 333));
    EXPECT_EQ(back, text);
}

// A deflate bomb: ~16 KiB on the wire that expands to 16 MB. Each step yields at most the room
// given and keeps the rest of the input for later, so a connection never holds the expansion.
TEST(CompressLayer, ABombInflatesOnlyAsFastAsTheReaderTakesIt) {
    const std::size_t expanded = 16u << 20;
    std::string bomb = deflated_zeros(expanded, false);
    ASSERT_LT(bomb.size(), 20000u);
    CompressLayer layer;
    std::string buf(4096, '\0');
    auto first = layer.decompress(bomb, buf.data(), buf.size());
    ASSERT_TRUE(first.ok);
    EXPECT_EQ(first.produced, buf.size());
    EXPECT_LT(first.consumed, bomb.size());  // the rest waits for the next step
    std::size_t total = first.produced, steps = 1;
    std::string_view rest = std::string_view(bomb).substr(first.consumed);
    while (!rest.empty()) {
        auto r = layer.decompress(rest, buf.data(), buf.size());
        ASSERT_TRUE(r.ok);
        ASSERT_LE(r.produced, buf.size());
        ASSERT_TRUE(r.consumed || r.produced);
        total += r.produced;
        rest.remove_prefix(r.consumed);
        ++steps;
    }
    // A step that filled its buffer may still owe output from input already taken.
    for (;;) {
        auto r = layer.decompress("", buf.data(), buf.size());
        if (!r.produced) break;
        total += r.produced;
    }
    EXPECT_EQ(total, expanded);
    EXPECT_GT(steps, expanded / buf.size() / 2);
}

TEST(CompressLayer, CorruptInputIsRefused) {
    CompressLayer a;
    std::string back;
    // 0xff: a block header with the reserved block type 3.
    EXPECT_FALSE(inflate_all(a, std::string("\xff\xff\xff\xff", 4), back));
}

TEST(CompressLayer, DataAfterTheFinalBlockIsRefused) {
    CompressLayer a;
    std::string back;
    std::string done = deflated_zeros(100, true);
    ASSERT_TRUE(inflate_all(a, done, back));
    EXPECT_EQ(back, std::string(100, '\0'));
    EXPECT_FALSE(inflate_all(a, "more", back));
}
