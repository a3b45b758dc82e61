#include "protocol/overview.h"

#include <gtest/gtest.h>

#include <string>

namespace tidings::protocol {
namespace {

TEST(Overview, MetricsExcludeStuffingAndCountBodyLines) {
    const std::string wire = "Subject: s\r\n\r\n..dot\r\nplain\r\n";
    const std::string text = "Subject: s\r\n\r\n.dot\r\nplain\r\n";
    ArticleMetrics w = measure_article(wire, parse_article(wire), BlockMode::wire);
    ArticleMetrics u = measure_article(text, parse_article(text), BlockMode::unstuffed);
    EXPECT_EQ(w.bytes, text.size());
    EXPECT_EQ(u.bytes, text.size());
    EXPECT_EQ(w.lines, 2u);
    EXPECT_EQ(u.lines, 2u);

    struct Case {
        std::string text;
        std::uint64_t lines;
    };
    const Case cases[] = {
        {"A: 1\r\n", 0},
        {"A: 1\r\n\r\n", 0},
        {"A: 1\r\n\r\n\r\n", 1},
        {"A: 1\r\n\r\nno end", 1},
        {"A: 1\r\n\r\na\nb\r\n", 1},   // a bare LF does not end a line
        {"A: 1\r\n\r\na\r\n\r\nb\r\n", 3},
    };
    for (const auto& c : cases)
        EXPECT_EQ(measure_article(c.text, parse_article(c.text), BlockMode::unstuffed).lines, c.lines)
            << testing::PrintToString(c.text);
    const std::string dot_first = ".\r\n";  // wire text whose first line is stuffed
    EXPECT_EQ(measure_article(dot_first, parse_article(dot_first), BlockMode::wire).bytes, 2u);
}

TEST(Overview, RecordHasTheEightFieldsInOrder) {
    const std::string text =
        "From: Fred\t<fred@example.com>\r\n"
        "Subject: folded\r\n  subject\r\n"
        "Message-ID: <id@x>\r\n"
        "Date: Tue, 25 Nov 2026 07:12:00 +0000\r\n"
        "\r\nbody\r\n";
    ParsedArticle a = parse_article(text);
    const XrefEntry groups[] = {{"local.test", 3}, {"misc.test", 12}};
    const std::string xref = build_xref("us.example", groups);
    EXPECT_EQ(xref, "us.example local.test:3 misc.test:12");
    const std::string record = build_overview(a, {123, 1}, xref);
    EXPECT_EQ(record,
              "folded  subject\tFred <fred@example.com>\tTue, 25 Nov 2026 07:12:00 +0000\t<id@x>\t\t"
              "123\t1\tXref: us.example local.test:3 misc.test:12");
    EXPECT_EQ(build_overview(a, {1, 0}, "").substr(record.find("\t\t")), "\t\t1\t0\t");
    EXPECT_EQ(std::size(overview_fmt), 8u);
}

TEST(Overview, FieldsNeverCarryTabsOrLineEnds) {
    std::string out;
    append_overview_field(out, std::string_view(" a\tb\rc\nd\0e \r\n f ", 17));
    EXPECT_EQ(out, "a b c d e  f");
    out.clear();
    append_overview_field(out, "caf\xc3\xa9");
    EXPECT_EQ(out, "caf\xc3\xa9");
}

}  // namespace
}  // namespace tidings::protocol
