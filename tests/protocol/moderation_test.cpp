#include "protocol/moderation.h"

#include <gtest/gtest.h>

using namespace tidings::protocol;

TEST(ModeratorAddress, SubstitutesTheGroupWithDashesAndUnescapesPercent) {
    EXPECT_EQ(moderator_address("%s@moderators.isc.org", "comp.lang.c.moderated"),
              "comp-lang-c-moderated@moderators.isc.org");
    EXPECT_EQ(moderator_address("announce-request@example.com", "local.announce"),
              "announce-request@example.com");
    EXPECT_EQ(moderator_address("100%%-%s@x.org", "a.b"), "100%-a-b@x.org");
}

TEST(ModeratorMail, ToFirstInjectionFieldsDroppedBodyUnstuffedLfLines) {
    std::string wire =
        "Path: news.test!.POSTED!not-for-mail\r\n"
        "From: Poster <p@example.org>\r\n"
        "Newsgroups: local.mod,local.test\r\n"
        "Subject: hello\r\n"
        "Injection-Info: news.test;\r\n"
        "\tposting-host=\"127.0.0.1\"\r\n"
        "Message-ID: <1@news.test>\r\n"
        "Date: Wed, 25 Nov 2026 14:00:00 +0000\r\n"
        "Injection-Date: Wed, 25 Nov 2026 14:00:00 +0000\r\n"
        "\r\n"
        "first\r\n"
        "..dotted\r\n"
        "\r\n"
        "last\r\n";
    EXPECT_EQ(moderator_mail(wire, "local-mod@mods.example"),
              "To: local-mod@mods.example\n"
              "From: Poster <p@example.org>\n"
              "Newsgroups: local.mod,local.test\n"
              "Subject: hello\n"
              "Message-ID: <1@news.test>\n"
              "Date: Wed, 25 Nov 2026 14:00:00 +0000\n"
              "\n"
              "first\n"
              ".dotted\n"
              "\n"
              "last\n");
}

TEST(ModeratorMail, HeaderOnlyArticleStillEndsItsLines) {
    EXPECT_EQ(moderator_mail("Subject: x\r\nFrom: a@b", "m@x.org"), "To: m@x.org\nSubject: x\nFrom: a@b\n");
}
