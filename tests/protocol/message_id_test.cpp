#include "protocol/message_id.h"

#include <gtest/gtest.h>

#include <string>

namespace tidings::protocol {
namespace {

struct IdCase {
    std::string id;
    bool nntp_ok;
    bool strict_ok;
};

TEST(MessageId, TableOfCases) {
    const IdCase cases[] = {
        {"<a@b>", true, true},
        {"<part1.part2@example.com>", true, true},
        {"<a@[127.0.0.1]>", true, true},
        {"<x!#$%&'*+-/=?^_`{|}~@y>", true, true},
        {"<>", false, false},
        {"<a>", true, false},              // no '@'
        {"<a@b@c>", true, false},
        {"<a..b@c>", true, false},
        {"<.a@c>", true, false},
        {"<a.@c>", true, false},
        {"<@c>", true, false},
        {"<a@>", true, false},
        {"<a@b.>", true, false},
        {"<a@[b]c>", true, false},
        {"<a\"b@c>", true, false},
        {"<a>b@c>", false, false},         // '>' inside
        {"<a b@c>", false, false},         // space
        {"<a\tb@c>", false, false},
        {"<a@b> ", false, false},
        {" <a@b>", false, false},
        {"a@b", false, false},
        {"<a@b", false, false},
        {"<caf\xc3\xa9@b>", false, false},  // 8-bit
        {std::string("<a\0b@c>", 7), false, false},
        {"<" + std::string(247, 'a') + "@b>", false, false},  // 251 octets
        {"<" + std::string(246, 'a') + "@b>", true, true},    // 250 octets
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.id);
        EXPECT_EQ(is_valid_message_id(c.id, MessageIdRules::nntp), c.nntp_ok);
        EXPECT_EQ(is_valid_message_id(c.id, MessageIdRules::strict), c.strict_ok);
        if (!c.strict_ok) {
            EXPECT_TRUE(message_id_error(c.id).has_value());
        }
    }
}

TEST(MessageId, ErrorNamesTheProblem) {
    EXPECT_EQ(message_id_error("<a>b@c>").value(), "message-ID has '>' before its end");
    EXPECT_EQ(message_id_error("<a@b").value(), "message-ID must end with '>'");
}

}  // namespace
}  // namespace tidings::protocol
