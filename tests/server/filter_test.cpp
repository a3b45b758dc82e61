// FilterTable and BodyHistory (server/core/filter.h): each condition alone and together, first
// match wins, sources, the posting host from Injection-Info, body copies in a window with a
// bounded memory, and regexes that would make a backtracking engine take forever.
#include "server/core/filter.h"

#include <gtest/gtest.h>

#include <string>

using namespace tidings;
using server::BodyHistory;
using server::FilterTable;

namespace {

config::FilterRule rule(std::string name, config::FilterAction action = config::FilterAction::reject) {
    config::FilterRule r;
    r.name = std::move(name);
    r.action = action;
    return r;
}

config::FilterRule regex_rule(std::string name, std::string header, std::string regex,
                              config::FilterAction action = config::FilterAction::reject) {
    auto r = rule(std::move(name), action);
    r.header = std::move(header);
    r.regex = std::move(regex);
    return r;
}

std::string text(std::string subject, std::string extra = "", std::string body = "body\r\n") {
    return "Path: a!b\r\nFrom: x@example.com\r\nNewsgroups: a.b\r\nSubject: " + subject +
           "\r\nMessage-ID: <m@x>\r\n" + extra + "\r\n" + body;
}

// The name of the rule `t` picks for `article` from `source`, or "" when none matches.
std::string pick(const FilterTable& t, const std::string& article, std::string_view source = "hub",
                 BodyHistory* bodies = nullptr, std::int64_t now = 1000) {
    BodyHistory local;
    auto a = protocol::parse_article(article);
    auto m = t.judge(a, article.size(), source, bodies ? *bodies : local, now);
    return m ? m->rule->name : "";
}

}  // namespace

TEST(Filter, NoRulesMatchNothing) {
    FilterTable t(config::Filter{});
    EXPECT_TRUE(t.empty());
    EXPECT_EQ(pick(t, text("anything")), "");
}

TEST(Filter, HeaderRegexMatchesAnywhereInAnyFieldOfThatName) {
    config::Filter f;
    f.rules = {regex_rule("money", "subject", "(?i)make money"), regex_rule("keyword", "Keywords", "^spam$")};
    FilterTable t(f);
    EXPECT_EQ(pick(t, text("Re: MAKE MONEY fast")), "money");  // header names in any case
    EXPECT_EQ(pick(t, text("make mone")), "");
    // Every field of the name counts, and a folded value is matched unfolded.
    EXPECT_EQ(pick(t, text("hi", "Keywords: other\r\nKeywords: spam\r\n")), "keyword");
    EXPECT_EQ(pick(t, text("make\r\n money")), "money");
    EXPECT_EQ(pick(t, text("hi", "Keywords: not spam\r\n")), "");
}

TEST(Filter, TheFirstMatchingRuleDecides) {
    config::Filter f;
    f.rules = {regex_rule("trusted", "From", "@good\\.example", config::FilterAction::accept),
               regex_rule("spam", "Subject", "spam"),
               regex_rule("later", "Subject", "spam", config::FilterAction::quarantine)};
    FilterTable t(f);
    auto a = text("spam", "");
    EXPECT_EQ(pick(t, a), "spam");
    std::string good = "Path: a\r\nFrom: me@good.example\r\nNewsgroups: a.b\r\nSubject: spam\r\n\r\nb\r\n";
    EXPECT_EQ(pick(t, good), "trusted");
    BodyHistory bodies;
    auto parsed = protocol::parse_article(good);
    auto m = t.judge(parsed, good.size(), "hub", bodies, 0);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->action, config::FilterAction::accept);
}

TEST(Filter, AllConditionsOfARuleMustHold) {
    config::Filter f;
    auto r = regex_rule("big-binaries", "Subject", "yEnc");
    r.min_bytes = 100;
    r.min_groups = 2;
    f.rules = {r};
    FilterTable t(f);
    const std::string big(200, 'x');
    EXPECT_EQ(pick(t, text("a yEnc part", "", big + "\r\n")), "");  // one group only
    const std::string cross = "Path: a\r\nNewsgroups: a.b,c.d\r\nSubject: a yEnc part\r\n\r\n";
    EXPECT_EQ(pick(t, cross + big + "\r\n"), "big-binaries");
    EXPECT_EQ(pick(t, cross + "small\r\n"), "");
    EXPECT_EQ(pick(t, "Path: a\r\nNewsgroups: a.b,c.d\r\nSubject: text\r\n\r\n" + big + "\r\n"), "");
}

TEST(Filter, CrosspostAndFollowupCounts) {
    config::Filter f;
    auto cross = rule("crosspost");
    cross.min_groups = 3;
    auto follow = rule("followups");
    follow.min_followup_groups = 2;
    f.rules = {cross, follow};
    FilterTable t(f);
    EXPECT_EQ(pick(t, "Newsgroups: a.a, b.b,c.c\r\nSubject: s\r\n\r\nb\r\n"), "crosspost");
    EXPECT_EQ(pick(t, "Newsgroups: a.a,b.b\r\nSubject: s\r\n\r\nb\r\n"), "");
    EXPECT_EQ(pick(t, "Newsgroups: a.a\r\nFollowup-To: b.b,c.c\r\n\r\nb\r\n"), "followups");
    EXPECT_EQ(pick(t, "Newsgroups: a.a\r\nFollowup-To: b.b\r\n\r\nb\r\n"), "");
}

TEST(Filter, SourcesLimitARuleToSomePeersOrLocalPosts) {
    config::Filter f;
    auto r = regex_rule("from-hub", "Subject", "x");
    r.sources = {"hub", "local"};
    f.rules = {r};
    FilterTable t(f);
    EXPECT_EQ(pick(t, text("x"), "hub"), "from-hub");
    EXPECT_EQ(pick(t, text("x"), "local"), "from-hub");
    EXPECT_EQ(pick(t, text("x"), "other"), "");
    EXPECT_EQ(pick(t, text("x"), "-"), "");
}

TEST(Filter, PostingHostFromInjectionInfoOrNntpPostingHost) {
    using server::posting_host_of;
    auto host = [](std::string extra) { return posting_host_of(protocol::parse_article(text("s", extra))); };
    EXPECT_EQ(host("Injection-Info: news.example; posting-host=\"dsl-1.example.net\"; logging-data=\"7\"\r\n"),
              "dsl-1.example.net");
    EXPECT_EQ(host("Injection-Info: news.example;\r\n mail-complaints-to=\"a@b\";  Posting-Host = 192.0.2.7\r\n"),
              "192.0.2.7");
    EXPECT_EQ(host("Injection-Info: news.example; x=\"a;posting-host=fake\"; posting-host=\"real\"\r\n"), "real");
    EXPECT_EQ(host("NNTP-Posting-Host: old.example\r\n"), "old.example");
    EXPECT_EQ(host(""), "");
    EXPECT_EQ(host("Injection-Info: news.example; posting-host\r\n"), "");  // no '=': no value

    config::Filter f;
    auto r = rule("bad-host");
    r.posting_host = "^192\\.0\\.2\\.";
    f.rules = {r};
    FilterTable t(f);
    EXPECT_EQ(pick(t, text("s", "Injection-Info: n.example; posting-host=\"192.0.2.9\"\r\n")), "bad-host");
    EXPECT_EQ(pick(t, text("s", "Injection-Info: n.example; posting-host=\"198.51.100.1\"\r\n")), "");
    EXPECT_EQ(pick(t, text("s")), "");  // no posting host: no match
}

TEST(Filter, BodyCopiesCountWithinTheWindowUnderAnyMessageId) {
    config::Filter f;
    auto r = rule("emp");
    r.min_body_copies = 3;
    r.body_window_s = 60;
    f.rules = {r};
    FilterTable t(f);
    EXPECT_TRUE(t.counts_bodies());
    BodyHistory bodies;
    const auto same = text("a", "", "buy now\r\n");
    EXPECT_EQ(pick(t, same, "hub", &bodies, 1000), "");
    EXPECT_EQ(pick(t, text("b", "", "something else\r\n"), "hub", &bodies, 1001), "");
    EXPECT_EQ(pick(t, text("c", "", "buy now\r\n"), "hub", &bodies, 1002), "");
    EXPECT_EQ(pick(t, text("d", "", "buy now\r\n"), "hub", &bodies, 1003), "emp");  // third copy
    // Past the window the old copies no longer count.
    EXPECT_EQ(pick(t, same, "hub", &bodies, 1100), "");
}

TEST(Filter, RulesWithDifferentWindowsCountSeparately) {
    config::Filter f;
    auto short_window = rule("short");
    short_window.min_body_copies = 2;
    short_window.body_window_s = 10;
    auto long_window = rule("long");
    long_window.min_body_copies = 3;
    long_window.body_window_s = 1000;
    f.rules = {short_window, long_window};
    FilterTable t(f);
    BodyHistory bodies;
    const auto a = text("s", "", "same\r\n");
    EXPECT_EQ(pick(t, a, "hub", &bodies, 0), "");
    EXPECT_EQ(pick(t, a, "hub", &bodies, 100), "");      // 2 copies in 1000 s, 1 in 10 s
    EXPECT_EQ(pick(t, a, "hub", &bodies, 105), "short");  // 2 in 10 s
    EXPECT_EQ(pick(t, a, "hub", &bodies, 500), "long");   // 4 in 1000 s, 1 in 10 s
}

TEST(BodyHistory, MemoryIsBoundedAndTheOldestGoFirst) {
    BodyHistory h(3);
    EXPECT_EQ(h.record(BodyHistory::hash("a"), 0, 100), 1u);
    EXPECT_EQ(h.record(BodyHistory::hash("a"), 1, 100), 2u);
    EXPECT_EQ(h.record(BodyHistory::hash("b"), 2, 100), 1u);
    EXPECT_EQ(h.record(BodyHistory::hash("c"), 3, 100), 1u);  // forgets the first "a"
    EXPECT_EQ(h.size(), 3u);
    EXPECT_EQ(h.forgotten(), 1u);
    EXPECT_EQ(h.record(BodyHistory::hash("b"), 4, 100), 2u);  // forgets the second "a"; both "b" are there
    EXPECT_EQ(h.record(BodyHistory::hash("a"), 5, 100), 1u);  // forgets the first "b": no "a" left before this one
    // Entries older than the window go without counting as forgotten.
    EXPECT_EQ(h.record(BodyHistory::hash("d"), 1000, 100), 1u);
    EXPECT_EQ(h.size(), 1u);
    EXPECT_EQ(h.forgotten(), 3u);
}

TEST(Filter, PathologicalRegexesMatchInLinearTime) {
    // (a+)+$ and (x|x)*y take exponential time in a backtracking engine on these inputs; RE2
    // has no backtracking, so the call returns (a 100 KB header here would otherwise hang).
    config::Filter f;
    f.rules = {regex_rule("nested", "Subject", "(a+)+$"), regex_rule("alt", "Subject", "(x|x)*y")};
    FilterTable t(f);
    EXPECT_EQ(pick(t, text(std::string(100000, 'a') + "!")), "");
    EXPECT_EQ(pick(t, text(std::string(100000, 'x'))), "");
    EXPECT_EQ(pick(t, text(std::string(50, 'x') + "y")), "alt");
}

TEST(Filter, ABadRegexNeverMatches) {
    // The loader refuses it; a table built from such a rule anyway leaves the rule inert.
    config::Filter f;
    f.rules = {regex_rule("broken", "Subject", "(unclosed"), regex_rule("ok", "Subject", "x")};
    FilterTable t(f);
    EXPECT_EQ(pick(t, text("x (unclosed")), "ok");
}
