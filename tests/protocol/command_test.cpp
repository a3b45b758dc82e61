#include "protocol/command.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "protocol/line_framing.h"

namespace tidings::protocol {
namespace {

struct OkCase {
    std::string_view line;
    Kind kind;
};

TEST(Command, EveryVerbParses) {
    const OkCase cases[] = {
        {"ARTICLE", Kind::article},
        {"article <a@b>", Kind::article},
        {"Body 12", Kind::body},
        {"HEAD", Kind::head},
        {"STAT 1", Kind::stat},
        {"GROUP misc.test", Kind::group},
        {"LISTGROUP", Kind::listgroup},
        {"LISTGROUP misc.test 3-", Kind::listgroup},
        {"LAST", Kind::last},
        {"NEXT", Kind::next},
        {"OVER", Kind::over},
        {"OVER 1-10", Kind::over},
        {"OVER <a@b>", Kind::over},
        {"HDR Subject 1-", Kind::hdr},
        {"HDR :bytes <a@b>", Kind::hdr},
        {"LIST", Kind::list},
        {"LIST ACTIVE comp.*", Kind::list},
        {"LIST active.times", Kind::list},
        {"LIST NEWSGROUPS", Kind::list},
        {"LIST OVERVIEW.FMT", Kind::list},
        {"LIST HEADERS MSGID", Kind::list},
        {"LIST DISTRIB.PATS", Kind::list},
        {"LIST COUNTS", Kind::list},
        {"LIST MOTD", Kind::list},
        {"LIST DISTRIBUTIONS", Kind::list},
        {"LIST MODERATORS", Kind::list},
        {"LIST SUBSCRIPTIONS", Kind::list},
        {"NEWGROUPS 20240101 000000", Kind::newgroups},
        {"NEWGROUPS 240101 000000 GMT", Kind::newgroups},
        {"NEWNEWS * 20240101 000000 GMT", Kind::newnews},
        {"POST", Kind::post},
        {"IHAVE <a@b>", Kind::ihave},
        {"DATE", Kind::date},
        {"HELP", Kind::help},
        {"QUIT", Kind::quit},
        {"CAPABILITIES", Kind::capabilities},
        {"CAPABILITIES AUTOUPDATE", Kind::capabilities},
        {"MODE READER", Kind::mode_reader},
        {"mode stream", Kind::mode_stream},
        {"CHECK <a@b>", Kind::check},
        {"TAKETHIS <a@b>", Kind::takethis},
        {"AUTHINFO USER fred", Kind::authinfo_user},
        {"AUTHINFO PASS open sesame", Kind::authinfo_pass},
        {"AUTHINFO SASL PLAIN", Kind::authinfo_sasl},
        {"AUTHINFO SASL PLAIN AGZyZWQAc2VjcmV0", Kind::authinfo_sasl},
        {"STARTTLS", Kind::starttls},
        {"COMPRESS DEFLATE", Kind::compress},
        {"XOVER 1-2", Kind::xover},
        {"XHDR Subject", Kind::xhdr},
        {"XPAT Subject 1- *foo* *bar*", Kind::xpat},
        {"XGTITLE comp.*", Kind::xgtitle},
        {"XRECONCILE OPEN * 0 1 00112233445566778899aabbccddeeff", Kind::xreconcile_open},
        {"XRECONCILE ROUND", Kind::xreconcile_round},
        {"XRECONCILE SEND", Kind::xreconcile_send},
        {"XRECONCILE NAMES", Kind::xreconcile_names},
        {"  QUIT  ", Kind::quit},
        {"\tGROUP\t\tmisc.test\t", Kind::group},
        {"", Kind::empty},
        {"   ", Kind::empty},
    };
    std::set<Kind> seen;
    for (const auto& c : cases) {
        ParseResult r = parse_command(c.line);
        EXPECT_TRUE(r.ok()) << c.line << " -> " << r.code << " " << r.text;
        EXPECT_EQ(r.command.kind, c.kind) << c.line;
        seen.insert(c.kind);
    }
    for (const CommandSpec& spec : command_table()) EXPECT_TRUE(seen.count(spec.kind)) << spec.verb;
}

struct FailCase {
    std::string line;
    int code;
    std::string_view text;  // empty: not checked
    bool read_block = false;
};

TEST(Command, FailuresCarryTheirCodeAndText) {
    const FailCase cases[] = {
        {"FROB", 500, "Unknown command"},
        {"XYZZY <a@b>", 500, "Unknown command"},
        {"ARTICLE 1 2", 501, "Syntax: ARTICLE [message-ID|number]"},
        {"ARTICLE abc", 501, ""},
        {"ARTICLE 1-2", 501, ""},
        {"ARTICLE <a b>", 501, ""},
        {"ARTICLE 12345678901234567", 501, ""},
        {"GROUP", 501, "Syntax: GROUP newsgroup"},
        {"LAST 1", 501, "Syntax: LAST"},
        {"OVER 1-x", 501, ""},
        {"HDR", 501, ""},
        {"LIST FROB", 501, "Unknown LIST keyword"},
        {"LIST MOTD x", 501, ""},
        {"LIST HEADERS FOO", 501, ""},
        {"LIST ACTIVE a,,b", 501, "Syntax error in wildmat"},
        {"NEWGROUPS 2024010 000000", 501, ""},
        {"NEWGROUPS 20241301 000000", 501, ""},
        {"NEWGROUPS 20240230 000000", 501, ""},
        {"NEWGROUPS 20240101 240000", 501, ""},
        {"NEWGROUPS 20240101 000000 UTC", 501, ""},
        {"NEWNEWS 20240101 000000", 501, ""},
        {"MODE", 501, "Unknown MODE variant"},
        {"MODE FROB", 501, "Unknown MODE variant"},
        {"AUTHINFO", 501, "Unknown AUTHINFO subcommand"},
        {"AUTHINFO GENERIC x", 501, ""},
        {"AUTHINFO USER", 501, ""},
        {"CAPABILITIES 1x", 501, ""},
        {"QUIT\r", 500, "Unknown command"},  // a control octet in the verb: not a verb
        {"QUIT \r", 501, "Invalid character in command"},
        {std::string("GROUP a\0b", 9), 501, "Invalid character in command"},
        {"XPAT Subject 1-", 501, ""},
        // Transit commands answer as INN does: peers treat these as "not wanted".
        {"IHAVE", 435, "Syntax error in message-ID"},
        {"IHAVE a@b", 435, "Syntax error in message-ID"},
        {"IHAVE <a>b@c>", 435, "Syntax error in message-ID"},
        {"IHAVE <a@b> extra", 435, ""},
        {"CHECK <a b@c>", 438, "<a"},
        {"CHECK a@b", 438, "a@b"},
        {"CHECK", 438, ""},
        {"CHECK <a\x01@b>", 438, "<a@b>"},
        {"TAKETHIS nobrackets", 439, "nobrackets", true},
        {"TAKETHIS", 439, "", true},
        {"TAKETHIS <a@b> <c@d>", 439, "<a@b>", true},
    };
    for (const auto& c : cases) {
        ParseResult r = parse_command(c.line);
        SCOPED_TRACE(c.line);
        EXPECT_EQ(r.code, c.code);
        if (!c.text.empty()) {
            EXPECT_EQ(r.text, c.text);
        }
        EXPECT_EQ(r.read_block, c.read_block);
        for (char ch : r.text) EXPECT_TRUE(ch >= 0x20 && ch < 0x7f);
    }
}

TEST(Command, TypedArguments) {
    ParseResult r = parse_command("ARTICLE <x@y>");
    EXPECT_EQ(r.command.target.type, ArticleSelector::Type::message_id);
    EXPECT_EQ(r.command.target.message_id, "<x@y>");

    r = parse_command("STAT 42");
    EXPECT_EQ(r.command.target.type, ArticleSelector::Type::number);
    EXPECT_EQ(r.command.target.range.low, 42u);

    r = parse_command("HEAD");
    EXPECT_EQ(r.command.target.type, ArticleSelector::Type::current);

    r = parse_command("OVER 5-");
    EXPECT_EQ(r.command.target.type, ArticleSelector::Type::range);
    EXPECT_EQ(r.command.target.range.low, 5u);
    EXPECT_EQ(r.command.target.range.high, open_range_end);

    r = parse_command("XHDR subject 7-9");
    EXPECT_EQ(r.command.field, "subject");
    EXPECT_EQ(r.command.target.range.high, 9u);

    r = parse_command("LISTGROUP misc.test 10-3");
    EXPECT_EQ(r.command.group, "misc.test");
    EXPECT_EQ(r.command.target.range.low, 10u);
    EXPECT_EQ(r.command.target.range.high, 3u);

    r = parse_command("list");
    ASSERT_NE(r.command.list, nullptr);
    EXPECT_EQ(r.command.list->kind, ListKind::active);
    r = parse_command("LIST newsgroups comp.lang.*");
    EXPECT_EQ(r.command.list->kind, ListKind::newsgroups);
    EXPECT_EQ(r.command.wildmat, "comp.lang.*");

    r = parse_command("NEWNEWS comp.*,!comp.lang.* 19991231 235959 gmt");
    EXPECT_EQ(r.command.wildmat, "comp.*,!comp.lang.*");
    EXPECT_EQ(r.command.date.year, 1999);
    EXPECT_TRUE(r.command.date.gmt);
    EXPECT_EQ(to_unix_time(r.command.date, 2026), 946684799);

    r = parse_command("IHAVE <a@b>");
    EXPECT_EQ(r.command.message_id, "<a@b>");
    EXPECT_TRUE(has(r.command.spec->needs, Needs::transit));
    EXPECT_FALSE(has(r.command.spec->needs, Needs::auth));
    r = parse_command("TAKETHIS <a@b>");
    EXPECT_TRUE(has(r.command.spec->needs, Needs::block_follows));

    r = parse_command("AUTHINFO PASS  two  words");
    EXPECT_EQ(r.command.argument, "two  words");
    r = parse_command("AUTHINFO SASL PLAIN =");
    EXPECT_EQ(r.command.argument, "PLAIN");
    EXPECT_EQ(r.command.initial_response, "=");

    r = parse_command("XPAT Subject <a@b> *x* *y*");
    EXPECT_EQ(r.command.target.message_id, "<a@b>");
    EXPECT_EQ(r.command.wildmat, "*x* *y*");

    r = parse_command("GROUP caf\xc3\xa9.test");  // 8-bit group names pass to the server
    EXPECT_TRUE(r.ok());
}

TEST(Command, RangesAndNumbers) {
    EXPECT_FALSE(parse_range(""));
    EXPECT_FALSE(parse_range("-"));
    EXPECT_FALSE(parse_range("-5"));
    EXPECT_FALSE(parse_range("1--2"));
    EXPECT_FALSE(parse_range("1-2-3"));
    EXPECT_EQ(parse_range("7")->high, 7u);
    EXPECT_EQ(parse_article_number("0000000000000001"), 1u);
    EXPECT_FALSE(parse_article_number("+1"));
}

TEST(Command, UsageTextsForHelp) {
    EXPECT_EQ(usage(*find_command("ihave")), "IHAVE message-ID");
    EXPECT_EQ(usage(*find_command("mode", "reader")), "MODE READER");
    EXPECT_EQ(find_command("MODE", "FROB"), nullptr);
    EXPECT_NE(find_list_keyword("overview.fmt"), nullptr);
}

TEST(Command, OverlongLineFromFramingIsNotParsed) {
    // The contract between the two: framing refuses it before parse_command sees it.
    std::string line = "IHAVE <" + std::string(600, 'a') + "@b>\r\n";
    EXPECT_EQ(next_line(line).kind, Framing::too_long);
}

}  // namespace
}  // namespace tidings::protocol

TEST(ParseCommand, XreconcileOpenTakesWildmatWindowAndSalt) {
    using namespace tidings::protocol;
    auto r = parse_command("XRECONCILE OPEN comp.*,!comp.bin* 1700000000 1700086400 00112233445566778899aabbccddeeff");
    ASSERT_TRUE(r.ok()) << r.text;
    EXPECT_EQ(r.command.kind, Kind::xreconcile_open);
    EXPECT_EQ(r.command.wildmat, "comp.*,!comp.bin*");
    EXPECT_EQ(r.command.since, 1700000000);
    EXPECT_EQ(r.command.until, 1700086400);
    EXPECT_EQ(r.command.salt, "00112233445566778899aabbccddeeff");
    EXPECT_EQ(parse_command("xreconcile round").command.kind, Kind::xreconcile_round);
    EXPECT_EQ(parse_command("XRECONCILE SEND").command.kind, Kind::xreconcile_send);
    EXPECT_EQ(parse_command("xreconcile names").command.kind, Kind::xreconcile_names);
    for (const char* bad : {"XRECONCILE", "XRECONCILE FOO", "XRECONCILE ROUND x",
                            "XRECONCILE OPEN * 5 5 00112233445566778899aabbccddeeff",
                            "XRECONCILE OPEN * 1 2 00112233",
                            "XRECONCILE OPEN * 1 2 00112233445566778899AABBCCDDEEFF",
                            "XRECONCILE OPEN * -1 2 00112233445566778899aabbccddeeff",
                            "XRECONCILE OPEN * 1 999999999999 00112233445566778899aabbccddeeff"}) {
        auto b = parse_command(bad);
        EXPECT_EQ(b.code, 501) << bad;
    }
    EXPECT_EQ(parse_command("XRECONCILE FOO").text, "Unknown XRECONCILE subcommand");
}
