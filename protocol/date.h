// Dates: RFC 5322 Date headers, RFC 3977 NEWGROUPS/NEWNEWS arguments and DATE answers,
// civil-time arithmetic.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tidings::protocol {

// Broken-down UTC time, proleptic Gregorian.
struct CivilTime {
    std::int64_t year = 1970;
    int month = 1, day = 1, hour = 0, minute = 0, second = 0;
};

// Seconds since 1970-01-01T00:00:00Z. Fields are not range-checked (callers validate).
std::int64_t unix_time_from_civil(const CivilTime& t) noexcept;
CivilTime civil_from_unix_time(std::int64_t seconds) noexcept;

// RFC 3977 §7.3.2 date and time: "yyyymmdd hhmmss" or "yymmdd hhmmss", then optional "GMT".
struct NntpDateTime {
    int year = 0;             // four digits, or 0..99 when two_digit_year
    int month = 0, day = 0, hour = 0, minute = 0, second = 0;
    bool two_digit_year = false;
    bool gmt = false;         // without GMT the time is the server's local time (§7.3.2)
};

// Parses the date and time arguments of NEWGROUPS and NEWNEWS; `gmt` is the optional third
// argument (case-insensitive "GMT"). nullopt on a syntax error or an impossible date.
std::optional<NntpDateTime> parse_nntp_date(std::string_view date, std::string_view time,
                                            std::string_view gmt = {}) noexcept;

// Seconds since the epoch, reading the fields as UTC (a server whose local time is not UTC
// adjusts when !gmt). A two-digit year is taken in the current century when it is not after
// the current year's last two digits, else in the previous one (RFC 3977 §7.3.2).
std::int64_t to_unix_time(const NntpDateTime& when, int current_year) noexcept;

// Parses an RFC 5322 §3.3 date-time, as found in Date, Injection-Date and Expires headers,
// including the obsolete forms of §4.3 that news still carries: two- and three-digit years
// (00-49 → 2000-2049, 50-999 → +1900), named zones (UT, GMT, EST, EDT, CST, CDT, MST, MDT,
// PST, PDT; military letters read as +0000 as §4.3 advises), missing seconds, comments in
// parentheses and extra blanks or folding. The day of week, when present, is not checked
// against the date. Returns seconds since the epoch (UTC), or nullopt when it is not a date.
std::optional<std::int64_t> parse_rfc5322_date(std::string_view text) noexcept;

// "Wed, 25 Nov 2026 07:12:00 +0000": what an injecting agent writes into Date or
// Injection-Date (RFC 5537 §3.5).
std::string format_rfc5322_date(std::int64_t unix_time);

// "20261125071200": the DATE response body (RFC 3977 §7.1), always UTC.
std::string format_nntp_date(std::int64_t unix_time);

}  // namespace tidings::protocol
