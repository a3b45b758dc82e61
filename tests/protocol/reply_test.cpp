#include "protocol/reply.h"

#include <gtest/gtest.h>

#include <string>

using namespace tidings::protocol;

TEST(StatusLine, CodeArgumentAndText) {
    auto s = parse_status_line("239 <a@b> accepted");
    EXPECT_EQ(s.code, 239);
    EXPECT_EQ(s.argument, "<a@b>");
    EXPECT_EQ(s.text, "<a@b> accepted");

    s = parse_status_line("438 <a@b>");
    EXPECT_EQ(s.code, 438);
    EXPECT_EQ(s.argument, "<a@b>");

    s = parse_status_line("203\tStreaming permitted");
    EXPECT_EQ(s.code, 203);
    EXPECT_EQ(s.argument, "Streaming");

    s = parse_status_line("200");
    EXPECT_EQ(s.code, 200);
    EXPECT_EQ(s.argument, "");
    EXPECT_EQ(s.text, "");

    s = parse_status_line("200 ");
    EXPECT_EQ(s.code, 200);
    EXPECT_EQ(s.text, "");

    // Two spaces: the argument is empty (a streaming answer must name its message-ID first).
    s = parse_status_line("239  <a@b>");
    EXPECT_EQ(s.code, 239);
    EXPECT_EQ(s.argument, "");
    EXPECT_EQ(s.text, " <a@b>");
}

TEST(StatusLine, NoCodeOutOfSomethingElse) {
    // The old feed parser read "2391 <a@b>" as 239 and "239x<a@b>" as 239 for <a@b>.
    for (const char* bad : {"", "2", "23", "2391 <a@b>", "239x<a@b>", "239<a@b>", "abc def", " 239 <a@b>",
                            "600 nope", "099 nope", "-23 x", "+23 x"}) {
        auto s = parse_status_line(bad);
        EXPECT_EQ(s.code, 0) << bad;
        EXPECT_EQ(s.argument, "") << bad;
        EXPECT_EQ(s.text, "") << bad;
    }
}

TEST(StatusLine, ViewsPointIntoTheLine) {
    const std::string line = "431 <x@y> later";
    auto s = parse_status_line(line);
    EXPECT_EQ(s.argument.data(), line.data() + 4);
    EXPECT_EQ(s.text.data(), line.data() + 4);
}
