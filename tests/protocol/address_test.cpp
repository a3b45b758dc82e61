#include "protocol/address.h"

#include <gtest/gtest.h>

using tidings::protocol::mailbox_list_error;

TEST(MailboxList, AcceptsTheFormsPostersUse) {
    for (const char* ok : {
             "fred@example.com",
             "Fred <fred@example.com>",
             "<fred@example.com>",
             "\"Fred, Jr.\" <fred@example.com>",
             "fred@example.com (Fred Bloggs)",
             "Fred (the real one) <fred@example.com> (home)",
             "J\xc3\xb6rg <joerg@example.de>",
             "a@b.example, \"C D\" <c@d.example>",
             "\"odd local\"@example.com",
             "fred+news@[192.0.2.1]",
             "  fred@example.com\r\n ",
             "Fred\r\n <fred@example.com>",
         })
        EXPECT_FALSE(mailbox_list_error(ok)) << ok << ": " << *mailbox_list_error(ok);
}

TEST(MailboxList, RefusesWhatIsNotAnAddress) {
    for (const char* bad : {
             "<<<@@@",
             "",
             "   ",
             "fred",
             "@example.com",
             "fred@",
             "fred@@example.com",
             "Fred <fred@example.com",
             "Fred fred@example.com>",
             "Fred <fred@example.com> trailing",
             "fred..x@example.com",
             ".fred@example.com",
             "fred@example..com",
             "fred@ex ample.com",
             "Fred <>",
             "(unclosed comment fred@example.com",
             "\"unclosed fred@example.com",
             "fred@example.com,",
             "fred@[unclosed",
         })
        EXPECT_TRUE(mailbox_list_error(bad)) << "accepted: " << bad;
}
