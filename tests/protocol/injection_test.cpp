#include "protocol/injection.h"

#include <gtest/gtest.h>

#include <string>

#include "protocol/message_id.h"

namespace tidings::protocol {
namespace {

const std::string posted =
    "From: Fred <fred@example.com>\r\nNewsgroups: local.test\r\nSubject: hi\r\n\r\n..body\r\n";
constexpr std::int64_t now = 1795590720;  // Wed, 25 Nov 2026 07:12:00 +0000

TEST(Injection, AddsWhatThePosterLeftOut) {
    const Injection in{"us.example", now, "<new@us.example>", "192.0.2.7"};
    InjectResult r = inject_article(posted, parse_article(posted), in);
    ASSERT_TRUE(r.error.empty()) << r.error;
    EXPECT_EQ(r.message_id, "<new@us.example>");
    EXPECT_EQ(r.text,
              "From: Fred <fred@example.com>\r\nNewsgroups: local.test\r\nSubject: hi\r\n"
              "Path: us.example!.POSTED.192.0.2.7!not-for-mail\r\n"
              "Date: Wed, 25 Nov 2026 07:12:00 +0000\r\n"
              "Message-ID: <new@us.example>\r\n"
              "Injection-Date: Wed, 25 Nov 2026 07:12:00 +0000\r\n"
              "Injection-Info: us.example; posting-host=\"192.0.2.7\"\r\n"
              "\r\n..body\r\n");
    // The result passes the relaying checks a peer will apply.
    EXPECT_FALSE(transit_error(parse_article(r.text), r.message_id));
}

TEST(Injection, KeepsThePostersIdsAndPath) {
    const std::string text = "Path: laptop\r\nMessage-ID: <mine@example.com>\r\n"
                             "Date: Wed, 25 Nov 2026 06:00:00 +0000\r\nXref: x y:1\r\n" + posted;
    InjectResult r = inject_article(text, parse_article(text), {"us.example", now, "<unused@x>", ""});
    ASSERT_TRUE(r.error.empty()) << r.error;
    EXPECT_EQ(r.message_id, "<mine@example.com>");
    ParsedArticle a = parse_article(r.text);
    EXPECT_EQ(a.find("Path")->value, "us.example!.POSTED!laptop");
    EXPECT_EQ(a.find("Date")->value, "Wed, 25 Nov 2026 06:00:00 +0000");
    EXPECT_EQ(a.find("Xref"), nullptr);
    EXPECT_EQ(a.find("Injection-Info")->value, "us.example");
    EXPECT_EQ(a.count("Message-ID"), 1u);
}

TEST(Injection, RefusesWhatAnInjectingAgentMust) {
    const Injection in{"us.example", now, "<new@us.example>", ""};
    const std::string future = "Date: Fri, 27 Nov 2026 08:00:00 +0000\r\n" + posted;
    EXPECT_EQ(inject_article(future, parse_article(future), in).error, "Article is dated in the future");
    const std::string no_subject = "From: a@b\r\nNewsgroups: x\r\n\r\n";
    EXPECT_EQ(inject_article(no_subject, parse_article(no_subject), in).error,
              "Missing \"Subject\" header");
}

TEST(Injection, MessageIdsAreValid) {
    const std::string id = make_message_id("us.example", now, 12345);
    EXPECT_TRUE(is_valid_message_id(id));
    EXPECT_NE(id, make_message_id("us.example", now, 12346));
    EXPECT_TRUE(is_valid_message_id(make_message_id("us.example", -5, 0)));
}

}  // namespace
}  // namespace tidings::protocol
