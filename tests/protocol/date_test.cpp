#include "protocol/date.h"

#include <gtest/gtest.h>

namespace tidings::protocol {
namespace {

struct DateCase {
    std::string_view text;
    std::int64_t want;  // -1: not a date
};

TEST(Date, ParsesRfc5322AndItsObsoleteForms) {
    const DateCase cases[] = {
        {"Thu, 01 Jan 1970 00:00:00 +0000", 0},
        {"1 Jan 1970 00:00:00 GMT", 0},
        {"Tue, 25 Nov 2026 07:12:00 +0100", 1795590720 - 3600},
        {"Tue, 25 Nov 2026 07:12:00 -0130", 1795590720 + 5400},
        {"25 Nov 2026 07:12 +0000", 1795590720},                 // no seconds
        {"Tue, 25 Nov 26 07:12:00 GMT", 1795590720},             // two-digit year
        {"Sat, 1 Jan 00 00:00:00 GMT", 946684800},
        {"Fri, 1 Jan 99 00:00:00 GMT", 915148800},
        {"Sat, 01 Jan 100 00:00:00 GMT", 946684800},             // three-digit year (+1900)
        {"Tue, 25 Nov 2026 07:12:00 EST", 1795590720 + 5 * 3600},
        {"Tue, 25 Nov 2026 07:12:00 pdt", 1795590720 + 7 * 3600},
        {"Tue, 25 Nov 2026 07:12:00 Z", 1795590720},
        {"Tue, 25 Nov 2026 07:12:00 +0100 (CET)", 1795590720 - 3600},
        {"  Tue,\r\n 25 Nov 2026 07:12:00\r\n +0000  ", 1795590720},
        {"Tue, 25 Nov 2026 07:12:00", 1795590720},               // no zone: read as UTC
        {"Tue, 29 Feb 2028 00:00:00 +0000", 1835395200},          // leap day
        {"Sun, 29 Feb 2027 00:00:00 +0000", -1},
        {"Tue, 25 Nov 2026 24:00:00 +0000", -1},
        {"Tue, 25 Nov 2026 07:60:00 +0000", -1},
        {"Tue, 32 Nov 2026 07:12:00 +0000", -1},
        {"Tue, 25 Foo 2026 07:12:00 +0000", -1},
        {"Tue 25 Nov 2026 07:12:00 +0000", -1},                  // day name without comma
        {"Tue, 25 Nov 2026 07:12:00 +01", -1},
        {"Tue, 25 Nov 2026 07:12:00 XYZ", -1},
        {"Tue, 25 Nov 2026 07:12:00 +0000 junk", -1},
        {"", -1},
        {"yesterday", -1},
    };
    for (const auto& c : cases) {
        auto got = parse_rfc5322_date(c.text);
        if (c.want < 0) {
            EXPECT_FALSE(got) << c.text;
        } else {
            ASSERT_TRUE(got) << c.text;
            EXPECT_EQ(*got, c.want) << c.text;
        }
    }
}

TEST(Date, FormatsRoundTrip) {
    EXPECT_EQ(format_nntp_date(1795590720), "20261125071200");
    EXPECT_EQ(format_rfc5322_date(1795590720), "Wed, 25 Nov 2026 07:12:00 +0000");
    EXPECT_EQ(format_rfc5322_date(0), "Thu, 01 Jan 1970 00:00:00 +0000");
    for (std::int64_t t : {std::int64_t{0}, std::int64_t{951782400}, std::int64_t{1795590720},
                           std::int64_t{-86401}, std::int64_t{4102444799}})
        EXPECT_EQ(parse_rfc5322_date(format_rfc5322_date(t)), t) << t;
    const CivilTime c = civil_from_unix_time(951782400);  // 2000-02-29
    EXPECT_EQ(c.year, 2000);
    EXPECT_EQ(c.month, 2);
    EXPECT_EQ(c.day, 29);
    EXPECT_EQ(unix_time_from_civil(c), 951782400);
}

TEST(Date, NntpDatesWithTwoDigitYears) {
    auto d = parse_nntp_date("260101", "000000");
    ASSERT_TRUE(d);
    EXPECT_TRUE(d->two_digit_year);
    EXPECT_EQ(to_unix_time(*d, 2026), to_unix_time(*parse_nntp_date("20260101", "000000"), 2026));
    d = parse_nntp_date("990101", "000000");  // after the current year: previous century
    EXPECT_EQ(to_unix_time(*d, 2026), to_unix_time(*parse_nntp_date("19990101", "000000"), 2026));
    EXPECT_EQ(to_unix_time(*parse_nntp_date("19700101", "000000"), 2026), 0);
    EXPECT_EQ(to_unix_time(*parse_nntp_date("20240229", "120000"), 2026), 1709208000);
    EXPECT_FALSE(parse_nntp_date("20230229", "000000"));
    EXPECT_FALSE(parse_nntp_date("2024-1-1", "000000"));
    EXPECT_FALSE(parse_nntp_date("20240101", "00000"));
}

}  // namespace
}  // namespace tidings::protocol
