#include "protocol/status.h"

#include <gtest/gtest.h>

namespace tidings::protocol {
namespace {

TEST(Status, CodesHaveTheirRfcValues) {
    EXPECT_EQ(status::ok_takethis, 239);
    EXPECT_EQ(status::fail_check_defer, 431);
    EXPECT_EQ(status::fail_ihave_refuse, 435);
    EXPECT_EQ(status::fail_check_refuse, 438);
    EXPECT_EQ(status::fail_takethis_reject, 439);
    EXPECT_EQ(status::err_command, 500);
    EXPECT_EQ(status::code_class(status::cont_ihave), 3);
    EXPECT_EQ(status::code_class(42), 0);
}

TEST(Status, StandardTextKnowsEveryNamedCode) {
    for (int code : {100, 101, 111, 200, 201, 203, 205, 206, 211, 215, 220, 221, 222, 223, 224,
                     225, 230, 231, 235, 238, 239, 240, 281, 282, 283, 335, 340, 381, 382, 383,
                     400, 401, 403, 411, 412, 420, 421, 422, 423, 430, 431, 435, 436, 437, 438,
                     439, 440, 441, 480, 481, 482, 483, 500, 501, 502, 503, 504})
        EXPECT_NE(standard_text(code), "Unknown status") << code;
    EXPECT_EQ(standard_text(239), "Article transferred OK");
    EXPECT_EQ(standard_text(299), "Unknown status");
}

TEST(Status, ResponseAppendsCrlf) {
    EXPECT_EQ(response(239, "<a@b>"), "239 <a@b>\r\n");
    EXPECT_EQ(response(205), "205 Bye!\r\n");
    EXPECT_EQ(response(7, "x"), "503 x\r\n");
    std::string out = "pre";
    append_response(out, 431, "<x@y>");
    EXPECT_EQ(out, "pre431 <x@y>\r\n");
}

struct EchoCase {
    std::string_view raw;
    std::size_t max;
    std::string_view want;
};

TEST(Status, SanitizeForEchoStripsAndTruncates) {
    const EchoCase cases[] = {
        {"hello", 80, "hello"},
        {std::string_view("a\r\nb\0c", 6), 80, "abc"},
        {"tab\there", 80, "tabhere"},
        {"del\x7f!", 80, "del!"},
        {"caf\xc3\xa9", 80, "caf??"},
        {"0123456789", 10, "0123456789"},
        {"0123456789A", 10, "0123456..."},
        {"0123456789", 2, "01"},
        {"", 5, ""},
        {"\r\n\r\n", 5, ""},
    };
    for (const auto& c : cases) EXPECT_EQ(sanitize_for_echo(c.raw, c.max), c.want) << c.raw;
}

}  // namespace
}  // namespace tidings::protocol
