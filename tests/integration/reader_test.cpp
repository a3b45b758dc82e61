// The reader service end to end: a real tidingsd, posting and reading over NNTP (RFC 3977).
#include "harness.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace tidings::testing;

namespace {

std::string reader_config(std::string_view extra = "") {
    std::string c = R"([node]
pathhost = "reader.tidings"
data_dir = "{DATA}"
motd = "Welcome to the test node.\n.dotted line"
organization = "Tidings Test Org"

[[listen]]
address = "127.0.0.1"
port = 0

[limits]
max_article_bytes = 4000
# Tests post faster than a person; ReaderLimits.PostingFasterThanTheRateIs441 tests the limit.
max_posts_per_minute = 0

[[group]]
name = "local.test"
description = "Testing, testing."

[[group]]
name = "local.general"

[[group]]
name = "local.nopost"
status = "n"
)";
    c += extra;
    return c;
}

// Dot-stuffs a CRLF text and ends it with ".\r\n".
std::string stuffed(std::string_view text) {
    std::string out;
    bool bol = true;
    for (char c : text) {
        if (bol && c == '.') out += '.';
        out += c;
        bol = c == '\n';
    }
    if (!out.empty() && out.back() != '\n') out += "\r\n";
    return out + ".\r\n";
}

std::string posting(std::string_view groups, std::string_view subject, std::string_view body,
                    std::string_view extra = "") {
    return "From: Tester <tester@example.com>\r\nNewsgroups: " + std::string(groups) +
           "\r\nSubject: " + std::string(subject) + "\r\n" + std::string(extra) + "\r\n" + std::string(body);
}

class Reader : public ::testing::Test {
protected:
    void SetUp() override {
        daemon_ = std::make_unique<Daemon>(reader_config());
        ASSERT_TRUE(daemon_->start()) << daemon_->log();
        ASSERT_TRUE(c_.connect(daemon_->port()));
        ASSERT_EQ(c_.read_line().substr(0, 3), "200");
    }
    // Posts and returns the 240 line.
    std::string post(std::string_view groups, std::string_view subject, std::string_view body,
                     std::string_view extra = "") {
        EXPECT_EQ(c_.command("POST").substr(0, 3), "340");
        c_.send_raw(stuffed(posting(groups, subject, body, extra)));
        return c_.read_line();
    }
    std::string code(std::string_view line) { return c_.command(line).substr(0, 3); }
    std::unique_ptr<Daemon> daemon_;
    NntpClient c_;
};

TEST_F(Reader, CapabilitiesListTheReaderFeatures) {
    c_.send_line("CAPABILITIES");
    ASSERT_EQ(c_.read_line().substr(0, 3), "101");
    auto caps = c_.read_block();
    auto has = [&](std::string_view l) { return std::find(caps.begin(), caps.end(), l) != caps.end(); };
    EXPECT_TRUE(has("READER"));
    EXPECT_TRUE(has("POST"));
    EXPECT_TRUE(has("HDR"));
    EXPECT_TRUE(has("NEWNEWS"));
    EXPECT_TRUE(has("OVER MSGID"));
    EXPECT_TRUE(has("LIST ACTIVE ACTIVE.TIMES COUNTS DISTRIB.PATS HEADERS MOTD NEWSGROUPS OVERVIEW.FMT"));
    EXPECT_FALSE(has("STARTTLS"));       // no TLS configured
    EXPECT_FALSE(has("AUTHINFO USER SASL"));  // no accounts
    EXPECT_FALSE(has("SASL PLAIN"));
    EXPECT_FALSE(has("MODE-READER"));
}

TEST_F(Reader, ModeReaderSaysPostingAllowed) { EXPECT_EQ(code("MODE READER"), "200"); }

TEST_F(Reader, PostThenReadByNumberAndMessageId) {
    std::string ok = post("local.test", "first", "Line one.\r\n.starts with a dot\r\n..two dots\r\n");
    ASSERT_EQ(ok.substr(0, 3), "240") << ok;
    auto lt = ok.find('<');
    ASSERT_NE(lt, std::string::npos);
    std::string id = ok.substr(lt);
    EXPECT_EQ(c_.command("GROUP local.test"), "211 1 1 1 local.test");
    EXPECT_EQ(c_.command("STAT"), "223 1 " + id);
    c_.send_line("ARTICLE 1");
    EXPECT_EQ(c_.read_line(), "220 1 " + id);
    auto lines = c_.read_block();
    auto has = [&](std::string_view l) { return std::find(lines.begin(), lines.end(), l) != lines.end(); };
    EXPECT_TRUE(has(".starts with a dot"));
    EXPECT_TRUE(has("..two dots"));
    EXPECT_TRUE(has("Path: reader.tidings!.POSTED!not-for-mail"));
    EXPECT_TRUE(has("Xref: reader.tidings local.test:1"));
    EXPECT_TRUE(has("Message-ID: " + id));
    EXPECT_TRUE(has("Organization: Tidings Test Org"));  // node.organization
    c_.send_line("HEAD " + id);
    EXPECT_EQ(c_.read_line(), "221 0 " + id);
    auto head = c_.read_block();
    EXPECT_EQ(std::find(head.begin(), head.end(), "Line one."), head.end());
    c_.send_line("BODY");
    EXPECT_EQ(c_.read_line(), "222 1 " + id);
    EXPECT_EQ(c_.read_block(), (std::vector<std::string>{"Line one.", ".starts with a dot", "..two dots"}));
}

TEST_F(Reader, ArticleErrorCodes) {
    EXPECT_EQ(code("ARTICLE"), "412");
    EXPECT_EQ(code("ARTICLE 1"), "412");
    EXPECT_EQ(code("ARTICLE <nope@example.com>"), "430");
    EXPECT_EQ(code("STAT <nope@example.com>"), "430");
    EXPECT_EQ(code("ARTICLE nonsense"), "501");
    EXPECT_EQ(code("GROUP local.general"), "211");
    EXPECT_EQ(code("ARTICLE"), "420");
    EXPECT_EQ(code("HEAD 5"), "423");
    EXPECT_EQ(code("BODY 5"), "423");
    EXPECT_EQ(code("NEXT"), "420");
    EXPECT_EQ(code("LAST"), "420");
    EXPECT_EQ(code("GROUP no.such.group"), "411");
    EXPECT_EQ(code("LISTGROUP no.such.group"), "411");
}

TEST_F(Reader, GroupLastNextListgroup) {
    for (const char* subject : {"n0", "n1", "n2"}) ASSERT_EQ(post("local.test", subject, "x\r\n").substr(0, 3), "240");
    EXPECT_EQ(c_.command("GROUP local.test"), "211 3 1 3 local.test");
    EXPECT_EQ(code("LAST"), "422");
    EXPECT_EQ(code("NEXT"), "223");
    EXPECT_EQ(code("NEXT"), "223");
    EXPECT_EQ(c_.command("NEXT").substr(0, 3), "421");
    EXPECT_EQ(c_.command("LAST").substr(0, 5), "223 2");
    c_.send_line("LISTGROUP");
    EXPECT_EQ(c_.read_line(), "211 3 1 3 local.test list follows");
    EXPECT_EQ(c_.read_block(), (std::vector<std::string>{"1", "2", "3"}));
    c_.send_line("LISTGROUP local.test 2-");
    EXPECT_EQ(c_.read_line().substr(0, 3), "211");
    EXPECT_EQ(c_.read_block(), (std::vector<std::string>{"2", "3"}));
}

TEST_F(Reader, OverAndHdrAndXpat) {
    ASSERT_EQ(post("local.test", "alpha", "a\r\n").substr(0, 3), "240");
    ASSERT_EQ(post("local.test", "beta", "b\r\nb\r\n", "X-Extra: yes\r\n").substr(0, 3), "240");
    EXPECT_EQ(code("OVER"), "412");
    EXPECT_EQ(code("GROUP local.test"), "211");
    c_.send_line("OVER 1-2");
    EXPECT_EQ(c_.read_line().substr(0, 3), "224");
    auto over = c_.read_block();
    ASSERT_EQ(over.size(), 2u);
    EXPECT_EQ(over[1].substr(0, 8), "2\tbeta\tT");
    EXPECT_EQ(code("OVER 5-9"), "423");
    c_.send_line("XOVER 2");
    EXPECT_EQ(c_.read_line().substr(0, 3), "224");
    EXPECT_EQ(c_.read_block().size(), 1u);
    c_.send_line("HDR Subject 1-");
    EXPECT_EQ(c_.read_line().substr(0, 3), "225");
    EXPECT_EQ(c_.read_block(), (std::vector<std::string>{"1 alpha", "2 beta"}));
    c_.send_line("HDR X-Extra 1-");
    EXPECT_EQ(c_.read_line().substr(0, 3), "225");
    EXPECT_EQ(c_.read_block(), (std::vector<std::string>{"1 ", "2 yes"}));
    c_.send_line("HDR :lines 2");
    EXPECT_EQ(c_.read_line().substr(0, 3), "225");
    EXPECT_EQ(c_.read_block(), (std::vector<std::string>{"2 2"}));
    c_.send_line("XHDR X-Extra 1-2");
    EXPECT_EQ(c_.read_line().substr(0, 3), "221");
    EXPECT_EQ(c_.read_block(), (std::vector<std::string>{"1 (none)", "2 yes"}));
    c_.send_line("XPAT Subject 1- b*");
    EXPECT_EQ(c_.read_line().substr(0, 3), "221");
    EXPECT_EQ(c_.read_block(), (std::vector<std::string>{"2 beta"}));
    c_.send_line("STAT 1");
    std::string stat = c_.read_line();
    std::string id = stat.substr(stat.find('<'));
    c_.send_line("OVER " + id);
    EXPECT_EQ(c_.read_line().substr(0, 3), "224");
    auto one = c_.read_block();
    ASSERT_EQ(one.size(), 1u);
    EXPECT_EQ(one[0].substr(0, 8), "0\talpha\t");
    EXPECT_EQ(code("OVER <nope@example.com>"), "430");
    EXPECT_EQ(code("HDR Subject <nope@example.com>"), "430");
    EXPECT_EQ(code("HDR Subject 7-9"), "423");
}

TEST_F(Reader, ListVariants) {
    c_.send_line("LIST");
    EXPECT_EQ(c_.read_line().substr(0, 3), "215");
    auto active = c_.read_block();
    EXPECT_NE(std::find(active.begin(), active.end(), "local.nopost 0 1 n"), active.end());
    c_.send_line("LIST ACTIVE local.t*");
    EXPECT_EQ(c_.read_line().substr(0, 3), "215");
    EXPECT_EQ(c_.read_block(), (std::vector<std::string>{"local.test 0 1 y"}));
    c_.send_line("LIST NEWSGROUPS local.test");
    EXPECT_EQ(c_.read_line().substr(0, 3), "215");
    EXPECT_EQ(c_.read_block(), (std::vector<std::string>{"local.test\tTesting, testing."}));
    c_.send_line("LIST OVERVIEW.FMT");
    EXPECT_EQ(c_.read_line().substr(0, 3), "215");
    EXPECT_EQ(c_.read_block(), (std::vector<std::string>{"Subject:", "From:", "Date:", "Message-ID:",
                                                         "References:", ":bytes", ":lines", "Xref:full"}));
    c_.send_line("LIST HEADERS");
    EXPECT_EQ(c_.read_line().substr(0, 3), "215");
    EXPECT_EQ(c_.read_block().front(), ":");
    c_.send_line("LIST COUNTS local.test");
    EXPECT_EQ(c_.read_line().substr(0, 3), "215");
    EXPECT_EQ(c_.read_block(), (std::vector<std::string>{"local.test 0 1 0 y"}));
    c_.send_line("LIST ACTIVE.TIMES local.test");
    EXPECT_EQ(c_.read_line().substr(0, 3), "215");
    EXPECT_EQ(c_.read_block().size(), 1u);
    c_.send_line("LIST DISTRIB.PATS");
    EXPECT_EQ(c_.read_line().substr(0, 3), "215");
    EXPECT_TRUE(c_.read_block().empty());
    c_.send_line("LIST MOTD");
    EXPECT_EQ(c_.read_line().substr(0, 3), "215");
    EXPECT_EQ(c_.read_block(), (std::vector<std::string>{"Welcome to the test node.", ".dotted line"}));
    EXPECT_EQ(code("LIST NOSUCHKEYWORD"), "501");
    c_.send_line("NEWGROUPS 19990101 000000 GMT");
    EXPECT_EQ(c_.read_line().substr(0, 3), "231");
    EXPECT_EQ(c_.read_block().size(), 3u);
    c_.send_line("NEWGROUPS 20991231 000000 GMT");
    EXPECT_EQ(c_.read_line().substr(0, 3), "231");
    EXPECT_TRUE(c_.read_block().empty());
    EXPECT_EQ(code("NEWGROUPS yesterday"), "501");
}

TEST_F(Reader, NewnewsByWildmatAndDate) {
    std::string ok = post("local.test", "news", "n\r\n");
    std::string id = ok.substr(ok.find('<'));
    c_.send_line("NEWNEWS local.* 19990101 000000 GMT");
    EXPECT_EQ(c_.read_line().substr(0, 3), "230");
    EXPECT_EQ(c_.read_block(), (std::vector<std::string>{id}));
    c_.send_line("NEWNEWS misc.* 19990101 000000 GMT");
    EXPECT_EQ(c_.read_line().substr(0, 3), "230");
    EXPECT_TRUE(c_.read_block().empty());
    c_.send_line("NEWNEWS * 20991231 000000 GMT");
    EXPECT_EQ(c_.read_line().substr(0, 3), "230");
    EXPECT_TRUE(c_.read_block().empty());
}

TEST_F(Reader, PostRefusals) {
    EXPECT_EQ(c_.command("POST").substr(0, 3), "340");
    c_.send_raw(stuffed("From: a@example.com\r\nSubject: no groups\r\n\r\nbody\r\n"));
    EXPECT_EQ(c_.read_line().substr(0, 3), "441");
    EXPECT_EQ(c_.command("POST").substr(0, 3), "340");
    c_.send_raw(stuffed("From: <<<@@@\r\nNewsgroups: local.test\r\nSubject: bad from\r\n\r\nbody\r\n"));
    EXPECT_EQ(c_.read_line().substr(0, 3), "441");
    EXPECT_EQ(post("no.such.group", "x", "y\r\n").substr(0, 3), "441");
    EXPECT_EQ(post("local.nopost", "x", "y\r\n").substr(0, 3), "441");
    // Over limits.max_article_bytes (4000): read to its end, refused, the session goes on.
    EXPECT_EQ(post("local.test", "big", std::string(100, 'x') + "\r\n" + std::string(6000, 'y') + "\r\n").substr(0, 3), "441");
    EXPECT_EQ(code("DATE"), "111");
    // A Message-ID already present: 441.
    std::string ok = post("local.test", "one", "1\r\n", "Message-ID: <fixed@example.com>\r\n");
    EXPECT_EQ(ok.substr(0, 3), "240") << ok;
    EXPECT_EQ(post("local.test", "two", "2\r\n", "Message-ID: <fixed@example.com>\r\n").substr(0, 3), "441");
}

TEST_F(Reader, EightBitBodyRoundTrips) {
    std::string body = "Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln \xe2\x82\xac\r\n.\r\n..\r\n";
    ASSERT_EQ(post("local.test", "utf8", body).substr(0, 3), "240");
    EXPECT_EQ(code("GROUP local.test"), "211");
    c_.send_line("BODY 1");
    EXPECT_EQ(c_.read_line().substr(0, 3), "222");
    EXPECT_EQ(c_.read_block(), (std::vector<std::string>{"Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln \xe2\x82\xac", ".", ".."}));
}

TEST_F(Reader, LargeOverRangeStreams) {
    // Enough articles that OVER goes out in several chunks.
    for (int i = 0; i < 600; ++i) {
        std::string subject = "subject " + std::to_string(i) + " " + std::string(120, 's');
        c_.send_line("POST");
        c_.send_raw(stuffed(posting("local.general", subject, "b\r\n")));
    }
    for (int i = 0; i < 600; ++i) {
        ASSERT_EQ(c_.read_line().substr(0, 3), "340");
        ASSERT_EQ(c_.read_line().substr(0, 3), "240");
    }
    EXPECT_EQ(code("GROUP local.general"), "211");
    c_.send_line("OVER 1-");
    EXPECT_EQ(c_.read_line().substr(0, 3), "224");
    auto over = c_.read_block();
    ASSERT_EQ(over.size(), 600u);
    EXPECT_EQ(over[599].substr(0, 16), "600\tsubject 599 ");
    EXPECT_EQ(code("DATE"), "111");
}

}  // namespace

namespace {

TEST(ReaderListeners, ReadingOnATransitOnlyListenerIs502) {
    Daemon d(R"([node]
data_dir = "{DATA}"
[[listen]]
address = "127.0.0.1"
port = 0
roles = ["transit"]
[[group]]
name = "local.test"
)");
    ASSERT_TRUE(d.start()) << d.log();
    NntpClient c;
    ASSERT_TRUE(c.connect(d.port()));
    EXPECT_EQ(c.read_line().substr(0, 3), "201");
    EXPECT_EQ(c.command("GROUP local.test").substr(0, 3), "502");
    EXPECT_EQ(c.command("POST").substr(0, 3), "502");
    EXPECT_EQ(c.command("MODE READER").substr(0, 3), "502");
    c.send_line("CAPABILITIES");
    EXPECT_EQ(c.read_line().substr(0, 3), "101");
    auto caps = c.read_block();
    EXPECT_EQ(std::find(caps.begin(), caps.end(), "READER"), caps.end());
}

// limits.max_posts_per_minute: per address for anonymous readers, across connections; past
// it the article is refused with 441 and a retry hint, and counted.
TEST(ReaderLimits, PostingFasterThanTheRateIs441) {
    std::string cfg = reader_config();
    cfg.replace(cfg.find("max_posts_per_minute = 0"), 24, "max_posts_per_minute = 2");
    Daemon d(cfg);
    ASSERT_TRUE(d.start()) << d.log();
    NntpClient a, b;
    ASSERT_TRUE(a.connect(d.port()));
    ASSERT_TRUE(b.connect(d.port()));
    a.read_line();
    b.read_line();
    auto post = [](NntpClient& c, int i) {
        EXPECT_EQ(c.command("POST").substr(0, 3), "340");
        c.send_raw(stuffed(posting("local.test", "rate " + std::to_string(i), "b\r\n")));
        return c.read_line();
    };
    EXPECT_EQ(post(a, 1).substr(0, 3), "240");
    EXPECT_EQ(post(b, 2).substr(0, 3), "240");
    std::string third = post(a, 3);
    EXPECT_EQ(third.substr(0, 3), "441") << third;
    EXPECT_NE(third.find("too fast"), std::string::npos) << third;
    EXPECT_EQ(a.command("DATE").substr(0, 3), "111");  // the session goes on
    EXPECT_NE(d.log().find("reason=rate"), std::string::npos);
}

TEST(ReaderLimits, PastMaxConnectionsIs400AndClose) {
    std::string cfg = reader_config();
    cfg.replace(cfg.find("max_article_bytes"), 0, "max_connections = 2\n");
    Daemon d(cfg);
    ASSERT_TRUE(d.start()) << d.log();
    NntpClient a, b, c;
    ASSERT_TRUE(a.connect(d.port()));
    EXPECT_EQ(a.read_line().substr(0, 3), "200");
    ASSERT_TRUE(b.connect(d.port()));
    EXPECT_EQ(b.read_line().substr(0, 3), "200");
    ASSERT_TRUE(c.connect(d.port()));
    EXPECT_EQ(c.read_line().substr(0, 3), "400");
    EXPECT_TRUE(c.closed_by_server());
}

TEST(ReaderUnsupported, XgtitleAndUnknownCompressionAre503) {
    Daemon d(reader_config());
    ASSERT_TRUE(d.start()) << d.log();
    NntpClient c;
    ASSERT_TRUE(c.connect(d.port()));
    c.read_line();
    EXPECT_EQ(c.command("XGTITLE local.*").substr(0, 3), "503");
    EXPECT_EQ(c.command("COMPRESS SHRINK").substr(0, 3), "503");  // DEFLATE: conformance/test_compress.py
    EXPECT_EQ(c.command("AUTHINFO USER x").substr(0, 3), "502");  // no accounts configured
}

}  // namespace
