#include "protocol/line_framing.h"

#include <gtest/gtest.h>

#include <string>

namespace tidings::protocol {
namespace {

struct FrameCase {
    std::string in;
    std::size_t limit;
    Framing kind;
    std::string line;
    std::size_t consumed;
    bool has_nul;
    bool terminated;
};

TEST(LineFraming, TableOfCases) {
    const std::string at_limit = std::string(510, 'x');   // 510 + CRLF = 512
    const std::string past_limit = std::string(511, 'x');
    const FrameCase cases[] = {
        {"", 512, Framing::need_more, "", 0, false, false},
        {"QUIT", 512, Framing::need_more, "", 0, false, false},
        {"QUIT\r", 512, Framing::need_more, "", 0, false, false},
        {"QUIT\r\n", 512, Framing::line, "QUIT", 6, false, false},
        {"QUIT\r\nDATE\r\n", 512, Framing::line, "QUIT", 6, false, false},
        {"QUIT\n", 512, Framing::line, "QUIT", 5, false, false},          // bare LF accepted
        {"\r\n", 512, Framing::line, "", 2, false, false},
        {"\n", 512, Framing::line, "", 1, false, false},
        {"A\rB\r\n", 512, Framing::line, "A\rB", 5, false, false},        // lone CR kept
        {std::string("A\0B\r\n", 5), 512, Framing::line, std::string("A\0B", 3), 5, true, false},
        {at_limit + "\r\n", 512, Framing::line, at_limit, 512, false, false},
        {at_limit + "\n", 512, Framing::line, at_limit, 511, false, false},
        {past_limit + "\r\n", 512, Framing::too_long, "", 513, false, false},  // LF past window
        {past_limit + "\n", 512, Framing::too_long, "", 512, false, true},     // LF inside window
        {past_limit + "\r", 512, Framing::too_long, "", 512, false, false},
        {at_limit + "\r", 512, Framing::need_more, "", 0, false, false},
        {std::string(600, 'y'), 512, Framing::too_long, "", 512, false, false},
        {"abc\r\n", 5, Framing::line, "abc", 5, false, false},
        {"abcd\r\n", 5, Framing::too_long, "", 5, false, false},
        {"abcd\n", 5, Framing::too_long, "", 5, false, true},
    };
    for (const auto& c : cases) {
        LineStep s = next_line(c.in, c.limit);
        SCOPED_TRACE(c.in.substr(0, 20) + "... size " + std::to_string(c.in.size()));
        EXPECT_EQ(s.kind, c.kind);
        EXPECT_EQ(s.line, c.line);
        if (c.kind == Framing::too_long && !c.terminated)
            EXPECT_EQ(s.consumed, c.limit);
        else
            EXPECT_EQ(s.consumed, c.consumed);
        EXPECT_EQ(s.has_nul, c.has_nul);
        EXPECT_EQ(s.terminated, c.terminated);
    }
}

TEST(LineFraming, RejectsLineOnePastLimit) {
    std::string line = std::string(511, 'x') + "\r\n";
    EXPECT_EQ(next_line(line).kind, Framing::too_long);
    line = std::string(510, 'x') + "\r\n";
    EXPECT_EQ(next_line(line).kind, Framing::line);
}

TEST(LineFraming, NeverReadsPastTheLimit) {
    // The buffer is longer than the limit, with a LF after it: framing must not look there.
    std::string in = std::string(100, 'x') + "\n";
    LineStep s = next_line(std::string_view(in.data(), in.size()), 50);
    EXPECT_EQ(s.kind, Framing::too_long);
    EXPECT_EQ(s.consumed, 50u);
    EXPECT_FALSE(s.terminated);
}

TEST(LineFraming, SkipLineEatsToLineEnd) {
    EXPECT_EQ(skip_line("").consumed, 0u);
    EXPECT_FALSE(skip_line("").done);
    EXPECT_FALSE(skip_line("xxxx\r").done);
    EXPECT_EQ(skip_line("xxxx\r").consumed, 5u);
    EXPECT_TRUE(skip_line("\nQUIT\r\n").done);
    EXPECT_EQ(skip_line("\nQUIT\r\n").consumed, 1u);
    EXPECT_EQ(skip_line("ab\r\nQUIT\r\n").consumed, 4u);
}

// Feeds `stream` in the given pieces as a server would, collecting lines and "500" events.
std::vector<std::string> frame_all(const std::vector<std::string>& pieces, std::size_t limit) {
    std::vector<std::string> out;
    std::string buf;
    bool skipping = false;
    for (const auto& piece : pieces) {
        buf += piece;
        for (;;) {
            if (skipping) {
                SkipStep k = skip_line(buf);
                buf.erase(0, k.consumed);
                if (!k.done) break;
                skipping = false;
                out.push_back("<too long>");
                continue;
            }
            LineStep s = next_line(buf, limit);
            if (s.kind == Framing::need_more) break;
            if (s.kind == Framing::line) out.emplace_back(s.line);
            else if (s.terminated) out.push_back("<too long>");
            else skipping = true;
            buf.erase(0, s.consumed);
        }
    }
    return out;
}

TEST(LineFraming, SplitAtEveryByteGivesTheSameLines) {
    const std::string stream = "GROUP a.b\r\n" + std::string(30, 'z') + "\r\nDATE\nX\rY\r\n" +
                               std::string(23, 'w') + "\n\r\nQUIT\r\n";
    const std::size_t limit = 24;
    const std::vector<std::string> want = {"GROUP a.b", "<too long>", "DATE", "X\rY",
                                           "<too long>", "", "QUIT"};
    EXPECT_EQ(frame_all({stream}, limit), want);
    for (std::size_t cut = 0; cut <= stream.size(); ++cut)
        EXPECT_EQ(frame_all({stream.substr(0, cut), stream.substr(cut)}, limit), want) << cut;
    std::vector<std::string> bytes;
    for (char ch : stream) bytes.emplace_back(1, ch);
    EXPECT_EQ(frame_all(bytes, limit), want);
}

}  // namespace
}  // namespace tidings::protocol
