#include "protocol/dot_stuffing.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace tidings::protocol {
namespace {

// The oracle: a byte-at-a-time reading of RFC 3977 §3.1.1 over a complete input.
struct Oracle {
    bool found = false;
    std::size_t consumed = 0;
    std::string wire, unstuffed;
    std::uint64_t lines = 0;
};

Oracle oracle(const std::string& in) {
    Oracle o;
    std::size_t pos = 0;
    while (true) {
        std::size_t end = in.find("\r\n", pos);
        if (end == std::string::npos) return o;
        std::string line = in.substr(pos, end - pos);
        if (line == ".") {
            o.found = true;
            o.consumed = end + 2;
            return o;
        }
        ++o.lines;
        o.wire += line + "\r\n";
        o.unstuffed += (line.size() && line[0] == '.' ? line.substr(1) : line) + "\r\n";
        pos = end + 2;
    }
}

struct Run {
    BlockStatus status = BlockStatus::need_more;
    std::size_t consumed = 0;
    std::string out;
    std::uint64_t lines = 0, wire_bytes = 0;
    bool saw_too_big = false;
};

Run run(const std::vector<std::string_view>& pieces, BlockMode mode, std::size_t limit) {
    BlockReader reader(mode, limit);
    Run r;
    for (auto piece : pieces) {
        BlockStep s = reader.step(piece, r.out);
        r.consumed += s.consumed;
        r.status = s.status;
        if (s.status == BlockStatus::too_big) r.saw_too_big = true;
        EXPECT_LE(s.consumed, piece.size());
        if (s.status == BlockStatus::done || s.status == BlockStatus::too_big_done) break;
        EXPECT_EQ(s.consumed, piece.size());
    }
    r.lines = reader.lines();
    r.wire_bytes = reader.wire_bytes();
    return r;
}

void check_all_splits(const std::string& in, std::size_t limit = 1 << 20) {
    const Oracle o = oracle(in);
    for (BlockMode mode : {BlockMode::wire, BlockMode::unstuffed}) {
        const std::string& want = mode == BlockMode::wire ? o.wire : o.unstuffed;
        const bool big = o.wire.size() > limit;
        auto verify = [&](const Run& r, const std::string& how) {
            SCOPED_TRACE(how);
            if (!o.found) {
                // Incomplete: the last partial line counts against the limit too.
                EXPECT_TRUE(r.status == BlockStatus::need_more || r.status == BlockStatus::too_big);
                if (big) {
                    EXPECT_EQ(r.status, BlockStatus::too_big);
                }
                return;
            }
            EXPECT_EQ(r.status, big ? BlockStatus::too_big_done : BlockStatus::done);
            EXPECT_EQ(r.consumed, o.consumed);
            EXPECT_EQ(r.lines, o.lines);
            EXPECT_EQ(r.wire_bytes, o.wire.size());
            if (!big) {
                EXPECT_EQ(r.out, want);
            }
            EXPECT_LE(r.out.size(), limit);
        };
        verify(run({in}, mode, limit), "whole");
        for (std::size_t cut = 0; cut <= in.size(); ++cut) {
            std::string_view v(in);
            verify(run({v.substr(0, cut), v.substr(cut)}, mode, limit), "cut " + std::to_string(cut));
        }
        std::vector<std::string_view> bytes;
        for (std::size_t i = 0; i < in.size(); ++i) bytes.push_back(std::string_view(in).substr(i, 1));
        verify(run(bytes, mode, limit), "bytewise");
    }
}

TEST(BlockReader, TableOfBlocksSplitAtEveryByte) {
    const std::string cases[] = {
        ".\r\n",                                  // empty block
        ".\r\nQUIT\r\n",                          // the next command follows
        "a\r\n.\r\n",
        "a\r\nb\r\n.\r\nnext",
        "..\r\n.\r\n",                            // a stuffed line holding "."
        "...\r\n.\r\n",
        "..a\r\n.b\r\n.\r\n",                     // ".b": unstuffed anyway (RFC 3977 §3.1.1)
        ".\rx\r\n.\r\n",                          // dot, lone CR
        ".\r.\r\n.\r\n",
        "a\n.\r\nb\r\n.\r\n",                     // bare LF does not end a line
        "a\r\n.\n.\r\n",                          // ".\n" is data
        "a\r\r\n.\r\n",                           // CR CR LF
        "\r\n.\r\n",                              // one empty line
        "\r\n\r\n..\r\n\r\n.\r\n",
        "a\rb\r\n.\r\n",                          // lone CR mid-line
        std::string("a\0b\r\n.\r\n", 8),          // NUL kept
        "caf\xc3\xa9\r\n.\r\n",                   // 8-bit
        "no end\r\n",                             // incomplete
        "no end\r\n.",
        "no end\r\n.\r",
        "x\r\n.\r\n.\r\n",                        // only the first terminator counts
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c);
        check_all_splits(c);
    }
}

TEST(BlockReader, ReportsTooBigEarlyAndReadsToTheEnd) {
    std::string article = "Subject: x\r\n\r\n";
    for (int i = 0; i < 50; ++i) article += "line of body text\r\n";
    const std::string in = article + ".\r\nNEXT\r\n";
    // Limit below the article size: too_big as soon as a step passes it, then too_big_done.
    BlockReader reader(BlockMode::wire, 100);
    std::string out;
    BlockStep s = reader.step(std::string_view(in).substr(0, 150), out);
    EXPECT_EQ(s.status, BlockStatus::too_big);
    EXPECT_EQ(s.consumed, 150u);
    EXPECT_LE(out.size(), 100u);
    s = reader.step(std::string_view(in).substr(150), out);
    EXPECT_EQ(s.status, BlockStatus::too_big_done);
    EXPECT_EQ(150 + s.consumed, article.size() + 3);
    EXPECT_EQ(reader.wire_bytes(), article.size());
    EXPECT_TRUE(reader.too_big());
    // Idempotent after the end.
    EXPECT_EQ(reader.step("more", out).consumed, 0u);
    // The limit is inclusive: exactly max_bytes is fine.
    check_all_splits(article + ".\r\n", article.size());
    check_all_splits(article + ".\r\n", article.size() - 1);
    check_all_splits("ab\r\n.\r\n", 4);
    check_all_splits("ab\r\n.\r\n", 3);
    check_all_splits(".\r\n", 0);
    check_all_splits("..\r\n.\r\n", 3);
}

TEST(BlockReader, ResetStartsANewBlock) {
    BlockReader reader(BlockMode::unstuffed, 1000);
    std::string out;
    EXPECT_EQ(reader.step("..a\r\n.\r\n", out).status, BlockStatus::done);
    reader.reset();
    out.clear();
    EXPECT_EQ(reader.step("b\r\n.\r\n", out).status, BlockStatus::done);
    EXPECT_EQ(out, "b\r\n");
    EXPECT_EQ(reader.lines(), 1u);
}

TEST(BlockReader, RandomBlocksMatchTheOracle) {
    std::mt19937 rng(12345);
    const char alphabet[] = {'.', '\r', '\n', 'a', '.', '\r', '\n'};
    for (int n = 0; n < 300; ++n) {
        std::string in;
        const int len = static_cast<int>(rng() % 24);
        for (int i = 0; i < len; ++i) in += alphabet[rng() % sizeof alphabet];
        if (rng() % 2) in += "\r\n.\r\n";
        SCOPED_TRACE(testing::PrintToString(in));
        check_all_splits(in, rng() % 2 ? 1 << 20 : rng() % 16);
    }
}

TEST(DotStuffing, NeedsStuffing) {
    EXPECT_FALSE(needs_stuffing(""));
    EXPECT_FALSE(needs_stuffing("abc\r\ndef\r\n"));
    EXPECT_FALSE(needs_stuffing("a.b\r\n"));
    EXPECT_FALSE(needs_stuffing("a\n.b\r\n"));  // bare LF: not a line start
    EXPECT_TRUE(needs_stuffing(".abc"));
    EXPECT_TRUE(needs_stuffing("abc\r\n.\r\n"));
}

TEST(DotStuffing, StuffsLinesStartingWithDot) {
    struct Case {
        std::string_view text, want;
    };
    const Case cases[] = {
        {"", ""},
        {".", ".."},
        {"a\r\n.\r\n", "a\r\n..\r\n"},
        {"..x\r\n", "...x\r\n"},
        {"a\n.b\r\n", "a\n.b\r\n"},
        {"a\r.b\r\n", "a\r.b\r\n"},
        {"\r\n.\r\n.", "\r\n..\r\n.."},
    };
    for (const auto& c : cases) {
        std::string out;
        dot_stuff_append(c.text, out);
        EXPECT_EQ(out, c.want) << c.text;
        EXPECT_EQ(needs_stuffing(c.text), out != c.text) << c.text;
    }
}

TEST(DotStuffing, ChunkedStufferRoundTripsThroughTheReader) {
    std::mt19937 rng(777);
    const char alphabet[] = {'.', '\r', '\n', 'a'};
    for (int n = 0; n < 300; ++n) {
        std::string text;
        const int len = static_cast<int>(rng() % 20);
        for (int i = 0; i < len; ++i) text += alphabet[rng() % sizeof alphabet];
        // Whole and split at every byte, the stuffed block reads back as the text (plus the
        // CRLF finish() adds when the text does not end with one).
        std::string whole;
        DotStuffer one;
        one.append(text, whole);
        one.finish(whole);
        for (std::size_t cut = 0; cut <= text.size(); ++cut) {
            std::string split;
            DotStuffer two;
            two.append(std::string_view(text).substr(0, cut), split);
            two.append(std::string_view(text).substr(cut), split);
            two.finish(split);
            ASSERT_EQ(split, whole) << testing::PrintToString(text) << " cut " << cut;
        }
        BlockReader reader(BlockMode::unstuffed, 1 << 20);
        std::string back;
        BlockStep s = reader.step(whole, back);
        ASSERT_EQ(s.status, BlockStatus::done) << testing::PrintToString(text);
        EXPECT_EQ(s.consumed, whole.size());
        const bool ends_crlf = text.size() >= 2 && text.compare(text.size() - 2, 2, "\r\n") == 0;
        EXPECT_EQ(back, text.empty() || ends_crlf ? text : text + "\r\n")
            << testing::PrintToString(text);
    }
}

}  // namespace
}  // namespace tidings::protocol
