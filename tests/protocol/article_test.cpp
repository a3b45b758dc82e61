#include "protocol/article.h"

#include <gtest/gtest.h>

#include <string>

namespace tidings::protocol {
namespace {

const std::string good =
    "Path: hub.example!not-for-mail\r\n"
    "From: Fred <fred@example.com>\r\n"
    "Newsgroups: local.test,misc.test\r\n"
    "Subject: a folded\r\n"
    "\tsubject line\r\n"
    "Date: Tue, 25 Nov 2026 07:00:00 +0000\r\n"
    "Message-ID: <good@example.com>\r\n"
    "\r\n"
    "Body line 1\r\n"
    "..stuffed line\r\n";

TEST(Article, ParsesFieldsFoldingAndBody) {
    ParsedArticle a = parse_article(good);
    EXPECT_TRUE(a.error.empty()) << a.error;
    EXPECT_TRUE(a.has_separator);
    ASSERT_EQ(a.fields.size(), 6u);
    EXPECT_EQ(a.fields[0].name, "Path");
    EXPECT_EQ(a.fields[0].value, "hub.example!not-for-mail");
    EXPECT_EQ(a.find("subject")->value, "a folded\r\n\tsubject line");
    EXPECT_EQ(unfold(a.find("SUBJECT")->value), "a folded\tsubject line");
    EXPECT_EQ(a.find("Subject")->raw, "Subject: a folded\r\n\tsubject line\r\n");
    EXPECT_EQ(a.body, "Body line 1\r\n..stuffed line\r\n");
    EXPECT_EQ(a.headers.size() + 2 + a.body.size(), good.size());
    EXPECT_EQ(a.find("Xref"), nullptr);
    EXPECT_EQ(a.count("from"), 1u);
    EXPECT_FALSE(transit_error(a, "<good@example.com>")) << *transit_error(a);
    EXPECT_FALSE(posting_error(a));
}

struct StructureCase {
    std::string text;
    std::string_view error;
    bool separator;
    std::string_view body;
};

TEST(Article, StructuralCases) {
    const StructureCase cases[] = {
        {"A: 1\r\n\r\n", "", true, ""},                                   // empty body
        {"A: 1\r\n", "", false, ""},                                      // no separator, no body
        {"A: 1", "", false, ""},                                          // not even a CRLF
        {"A: 1\r\nbody without blank line\r\n", "missing empty line between headers and body",
         false, "body without blank line\r\n"},
        {"A : 1\r\n\r\n", "malformed header field name", false, "A : 1\r\n\r\n"},
        {" cont\r\nA: 1\r\n\r\n", "continuation line before any header", false,
         " cont\r\nA: 1\r\n\r\n"},
        {"A: 1\r\nB:\r\n\r\nx", "", true, "x"},                            // empty value
        {"A:1\r\n\r\n", "", true, ""},                                    // no space after colon
        {std::string("A: x\0y\r\n\r\n", 10), "control character in header", true, ""},
        {"A: x\ny\r\n\r\n", "control character in header", true, ""},     // bare LF
        {"A: x\ry\r\n\r\n", "control character in header", true, ""},     // lone CR
        {"A: x\ry", "control character in header", false, ""},           // ... in a last line
        {"A: x\r", "control character in header", false, ""},
        {std::string("A: 1\r\n\r\nbody\0\n\r ok", 19), "", true,
         std::string_view("body\0\n\r ok", 11)},  // the body may hold anything
        {"", "no header fields", false, ""},
        {"\r\nbody\r\n", "no header fields", true, "body\r\n"},
        {"Subject: caf\xc3\xa9\r\n\r\n", "", true, ""},                   // 8-bit UTF-8 value
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(testing::PrintToString(c.text));
        ParsedArticle a = parse_article(c.text);
        EXPECT_EQ(a.error, c.error);
        EXPECT_EQ(a.has_separator, c.separator);
        EXPECT_EQ(a.body, c.body);
    }
}

TEST(Article, UnfoldRemovesOnlyFoldingCrlf) {
    EXPECT_EQ(unfold("  a\r\n b\r\n\tc  "), "a b\tc");
    EXPECT_EQ(unfold("a\r\nb"), "a\r\nb");
    EXPECT_EQ(unfold(""), "");
}

std::string replace_header(std::string text, std::string_view from, std::string_view to) {
    const std::size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return text.replace(at, from.size(), to);
}

struct TransitCase {
    std::string text;
    std::string_view reason;
};

TEST(Article, TransitRefusalsNameTheProblem) {
    const TransitCase cases[] = {
        {replace_header(good, "Path: hub.example!not-for-mail\r\n", ""), "Missing \"Path\" header"},
        {replace_header(good, "From: Fred <fred@example.com>\r\n", ""), "Missing \"From\" header"},
        {replace_header(good, "Date: Tue, 25 Nov 2026 07:00:00 +0000\r\n", ""), "Missing \"Date\" header"},
        {replace_header(good, "Message-ID: <good@example.com>\r\n", "Message-ID:  \r\n"),
         "Empty \"Message-ID\" header"},
        {replace_header(good, "Message-ID: <good@example.com>", "Message-ID: <bad>id@example.com>"),
         "Bad \"Message-ID\" header"},
        {replace_header(good, "Message-ID: <good@example.com>", "Message-ID: <with space@x>"),
         "Bad \"Message-ID\" header"},
        {replace_header(good, "Subject: a folded", "Subject: x\r\nSubject: y\r\nX: a folded"),
         "Duplicate \"Subject\" header"},
        {replace_header(good, "local.test,misc.test", "local..test"),
         "Bad \"Newsgroups\" header: invalid newsgroup name in Newsgroups"},
        {replace_header(good, "local.test,misc.test", "a,,b"),
         "Bad \"Newsgroups\" header: empty newsgroup name in Newsgroups"},
        {replace_header(good, "hub.example!not-for-mail", "hub example"),
         "Bad \"Path\" header: blank inside a Path entry"},
        {replace_header(good, "Tue, 25 Nov 2026 07:00:00 +0000", "yesterday"), "Bad \"Date\" header"},
        {replace_header(good, "\r\n\r\nBody", "\r\nBody"),
         "Malformed article: missing empty line between headers and body"},
    };
    for (const auto& c : cases) {
        ParsedArticle a = parse_article(c.text);
        auto why = transit_error(a);
        ASSERT_TRUE(why) << c.reason;
        EXPECT_EQ(*why, c.reason);
    }
    EXPECT_EQ(*transit_error(parse_article(good), "<other@example.com>"),
              "Message-ID header differs from the offered message-ID");
    // A lax id passes with the RFC 3977 rules only.
    const std::string lax = replace_header(good, "<good@example.com>", "<a..b@example.com>");
    EXPECT_TRUE(transit_error(parse_article(lax)));
    EXPECT_FALSE(transit_error(parse_article(lax), "<a..b@example.com>", MessageIdRules::nntp));
}

TEST(Article, PostingNeedsOnlyWhatThePosterSupplies) {
    const std::string minimal =
        "From: Fred <fred@example.com>\r\nNewsgroups: local.test\r\nSubject: hi\r\n\r\nbody\r\n";
    EXPECT_FALSE(posting_error(parse_article(minimal)));
    EXPECT_TRUE(transit_error(parse_article(minimal)));
    EXPECT_EQ(*posting_error(parse_article(replace_header(minimal, "Subject: hi\r\n", ""))),
              "Missing \"Subject\" header");
    EXPECT_EQ(*posting_error(parse_article("Injection-Info: x\r\n" + minimal)),
              "Article already has an \"Injection-Info\" header");
    EXPECT_EQ(*posting_error(parse_article("Message-ID: <x>\r\n" + minimal)),
              "Bad \"Message-ID\" header");
    EXPECT_EQ(*posting_error(parse_article("Date: soon\r\n" + minimal)), "Bad \"Date\" header");
    // A From that is not a mailbox list is refused for posts (RFC 5536 §3.1.2)...
    const std::string bad_from = replace_header(minimal, "From: Fred <fred@example.com>\r\n", "From: <<<@@@\r\n");
    ASSERT_TRUE(posting_error(parse_article(bad_from)));
    EXPECT_EQ(posting_error(parse_article(bad_from))->rfind("Bad \"From\" header", 0), 0u);
    // ... but not for relayed articles, whose injecting server answered for them.
    const std::string relayed = "Path: a!b\r\nDate: Wed, 25 Nov 2026 10:00:00 +0000\r\nMessage-ID: <r@x.example>\r\n" + bad_from;
    EXPECT_FALSE(transit_error(parse_article(relayed))) << *transit_error(parse_article(relayed));
}

// The names themselves: tests/protocol/newsgroup_test.cpp.
TEST(Article, NewsgroupsListsValidNames) {
    EXPECT_EQ(newsgroups_error("a.b, c*d"), "invalid newsgroup name in Newsgroups");
    EXPECT_EQ(newsgroups_error("a.b,,c.d"), "empty newsgroup name in Newsgroups");
    EXPECT_FALSE(newsgroups_error("de.alt.caf\xc3\xa9,\r\n a.all.b"));  // UTF-8; "all" is creation policy
    const auto groups = split_newsgroups(" a.b ,\r\n c.d,, e ");
    ASSERT_EQ(groups.size(), 3u);
    EXPECT_EQ(groups[1], "c.d");
    EXPECT_FALSE(newsgroups_error("a.b, c.d"));
    EXPECT_TRUE(newsgroups_error(""));
}

TEST(Article, RewriteForStoragePrependsPathAndReplacesXref) {
    const std::string in =
        "path: a!b\r\nXref: old 1:2\r\nSubject: s\r\n\r\n..body\r\n";
    ParsedArticle a = parse_article(in);
    EXPECT_EQ(rewrite_for_storage(in, a, "us.example", "us.example g:7"),
              "path: us.example!a!b\r\nSubject: s\r\nXref: us.example g:7\r\n\r\n..body\r\n");
    const std::string no_crlf = "Path: a\r\nSubject: s";
    EXPECT_EQ(rewrite_for_storage(no_crlf, parse_article(no_crlf), "me", ""),
              "Path: me!a\r\nSubject: s\r\n");
}

}  // namespace
}  // namespace tidings::protocol
