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

// The vectorised counting against the obvious definition, on texts made of the characters that
// matter (CR, LF, '.', and one other), every length up to 700 and several per length.
TEST(Overview, MetricsAgreeWithTheObviousDefinition) {
    auto naive = [](std::string_view text, const ParsedArticle& a, BlockMode form) {
        ArticleMetrics m;
        m.bytes = text.size();
        if (form == BlockMode::wire) {
            if (!text.empty() && text.front() == '.') --m.bytes;
            for (std::size_t i = 0; i + 2 < text.size(); ++i)
                if (text.substr(i, 3) == "\r\n.") --m.bytes;
        }
        std::string_view body = a.body;
        for (std::size_t i = 1; i < body.size(); ++i)
            if (body[i - 1] == '\r' && body[i] == '\n') ++m.lines;
        if (!body.empty() && (body.size() < 2 || !body.ends_with("\r\n"))) ++m.lines;
        return m;
    };
    std::uint64_t x = 88172645463325252ull;  // xorshift64: deterministic
    const char alphabet[] = {'\r', '\n', '.', 'a', '\r', '\n'};
    for (std::size_t len = 0; len <= 700; ++len) {
        for (int round = 0; round < 6; ++round) {
            std::string text = "Subject: s\r\n\r\n";
            for (std::size_t i = 0; i < len; ++i) {
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                text.push_back(alphabet[x % sizeof alphabet]);
            }
            if (round % 2) text = text.substr(12);  // no header section: all of it is headers
            const ParsedArticle a = parse_article(text);
            for (BlockMode form : {BlockMode::wire, BlockMode::unstuffed}) {
                ArticleMetrics got = measure_article(text, a, form), want = naive(text, a, form);
                ASSERT_EQ(got.bytes, want.bytes) << len << " " << round;
                ASSERT_EQ(got.lines, want.lines) << len << " " << round;
            }
        }
    }
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

TEST(ParseOverviewLine, ReadsNumberDateIdAndBytesFromAnotherServersRecord) {
    // As INN's nnrpd sends it (Xref:full as an extra field).
    auto o = parse_overview_line("3000234\tI am just a test article\t\"Demo User\" <nobody@example.com>\t"
                                 "6 Oct 1998 04:38:40 -0500\t<45223423@example.com>\t<45454@example.net>\t"
                                 "1234\t17\tXref: news.example.com misc.test:3000363");
    ASSERT_TRUE(o);
    EXPECT_EQ(o->number, 3000234u);
    EXPECT_EQ(o->date, "6 Oct 1998 04:38:40 -0500");
    EXPECT_EQ(o->message_id, "<45223423@example.com>");
    EXPECT_EQ(o->bytes, 1234u);
    // Exactly the seven fixed fields, an empty :bytes.
    auto p = parse_overview_line("7\ts\tf\td\t<a@b>\t\t\t");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->bytes, 0u);
}

TEST(ParseOverviewLine, RefusesWhatIsNotARecord) {
    EXPECT_FALSE(parse_overview_line(""));
    EXPECT_FALSE(parse_overview_line("12"));
    EXPECT_FALSE(parse_overview_line("x\ts\tf\td\t<a@b>\t\t1\t1"));       // no number
    EXPECT_FALSE(parse_overview_line("0\ts\tf\td\t<a@b>\t\t1\t1"));       // numbers start at 1
    EXPECT_FALSE(parse_overview_line("5\ts\tf\td\t<a@b>\t"));             // no :bytes field
    EXPECT_FALSE(parse_overview_line("5\ts\tf\td\ta@b\t\t1\t1"));         // no angle brackets
    EXPECT_FALSE(parse_overview_line("5\ts\tf\td\t<a@b> <c@d>\t\t1\t1"));  // two ids
    EXPECT_FALSE(parse_overview_line("99999999999999999999\ts\tf\td\t<a@b>\t\t1\t1"));
}


TEST(ParseHdrIdLine, ReadsNumberAndIdAndRefusesTheRest) {
    auto h = parse_hdr_id_line("3000234 <45223423@example.com>");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->number, 3000234u);
    EXPECT_EQ(h->message_id, "<45223423@example.com>");
    EXPECT_FALSE(parse_hdr_id_line("3000234"));
    EXPECT_FALSE(parse_hdr_id_line("0 <a@b>"));
    EXPECT_FALSE(parse_hdr_id_line("x <a@b>"));
    EXPECT_FALSE(parse_hdr_id_line("7 a@b"));
    EXPECT_FALSE(parse_hdr_id_line("7 <a@b> <c@d>"));
    EXPECT_FALSE(parse_hdr_id_line("7 "));
}
}  // namespace
}  // namespace tidings::protocol
