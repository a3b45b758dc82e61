// Date parsing and formatting for news (RFC 5322 §3.3 and §4.3, RFC 3977 §7.1).
#include "protocol/date.h"
#include "protocol/ascii.h"

#include <cstdio>

namespace tidings::protocol {

std::int64_t unix_time_from_civil(const CivilTime& t) noexcept {
    // Howard Hinnant's days_from_civil: exact for every proleptic Gregorian date.
    std::int64_t y = t.year - (t.month <= 2);
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const std::int64_t yoe = y - era * 400;
    const std::int64_t doy = (153 * (t.month + (t.month > 2 ? -3 : 9)) + 2) / 5 + t.day - 1;
    const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    const std::int64_t days = era * 146097 + doe - 719468;
    return days * 86400 + t.hour * 3600 + t.minute * 60 + t.second;
}

CivilTime civil_from_unix_time(std::int64_t s) noexcept {
    std::int64_t days = s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
    std::int64_t rem = s - days * 86400;
    CivilTime t;
    t.hour = static_cast<int>(rem / 3600);
    t.minute = static_cast<int>(rem / 60 % 60);
    t.second = static_cast<int>(rem % 60);
    days += 719468;
    const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const std::int64_t doe = days - era * 146097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    t.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    t.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    t.year = yoe + era * 400 + (t.month <= 2);
    return t;
}

namespace {


constexpr std::string_view month_names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::string_view day_names[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

// A cursor over the date text that skips CFWS (blanks, CRLF folding, nested comments).
class Scanner {
public:
    explicit Scanner(std::string_view s) : s_(s) {}

    void skip_cfws() noexcept {
        while (i_ < s_.size()) {
            const char c = s_[i_];
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                ++i_;
            } else if (c == '(') {
                int depth = 0;
                while (i_ < s_.size()) {
                    if (s_[i_] == '\\' && i_ + 1 < s_.size()) ++i_;
                    else if (s_[i_] == '(') ++depth;
                    else if (s_[i_] == ')' && --depth == 0) break;
                    ++i_;
                }
                if (i_ < s_.size()) ++i_;
            } else {
                break;
            }
        }
    }
    bool eat(char c) noexcept {
        skip_cfws();
        if (i_ < s_.size() && s_[i_] == c) {
            ++i_;
            return true;
        }
        return false;
    }
    // Digits: returns the count read (at most `max`), value in `out`.
    int number(int max, std::int64_t& out) noexcept {
        skip_cfws();
        int n = 0;
        out = 0;
        while (i_ < s_.size() && n < max && s_[i_] >= '0' && s_[i_] <= '9') {
            out = out * 10 + (s_[i_++] - '0');
            ++n;
        }
        return n;
    }
    std::string_view word() noexcept {
        skip_cfws();
        const std::size_t start = i_;
        while (i_ < s_.size() && ((s_[i_] >= 'A' && s_[i_] <= 'Z') || (s_[i_] >= 'a' && s_[i_] <= 'z')))
            ++i_;
        return s_.substr(start, i_ - start);
    }
    char peek() noexcept {
        skip_cfws();
        return i_ < s_.size() ? s_[i_] : '\0';
    }
    bool at_end() noexcept {
        skip_cfws();
        return i_ == s_.size();
    }
    std::size_t mark() const noexcept { return i_; }
    void reset(std::size_t m) noexcept { i_ = m; }

private:
    std::string_view s_;
    std::size_t i_ = 0;
};

std::optional<int> zone_minutes(std::string_view name) noexcept {
    struct Zone {
        std::string_view name;
        int minutes;
    };
    constexpr Zone zones[] = {{"UT", 0},         {"UTC", 0},        {"GMT", 0},
                              {"Z", 0},          {"EST", -5 * 60},  {"EDT", -4 * 60},
                              {"CST", -6 * 60},  {"CDT", -5 * 60},  {"MST", -7 * 60},
                              {"MDT", -6 * 60},  {"PST", -8 * 60},  {"PDT", -7 * 60}};
    for (const Zone& z : zones)
        if (iequals(name, z.name)) return z.minutes;
    // RFC 5322 §4.3: military zones were defined wrongly in RFC 822; read them as +0000.
    if (name.size() == 1 && ((name[0] >= 'A' && name[0] <= 'Z' && name[0] != 'J') ||
                             (name[0] >= 'a' && name[0] <= 'z' && name[0] != 'j')))
        return 0;
    return std::nullopt;
}

bool days_ok(std::int64_t y, int m, int d) noexcept {
    constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d >= 1 && d <= (m == 2 && leap ? 29 : days[m - 1]);
}

}  // namespace

std::optional<std::int64_t> parse_rfc5322_date(std::string_view text) noexcept {
    Scanner sc(text);
    // Optional day of week and comma.
    const std::size_t start = sc.mark();
    const std::string_view dow = sc.word();
    if (!dow.empty()) {
        bool known = false;
        for (std::string_view d : day_names) known = known || iequals(dow, d);
        if (!known || !sc.eat(',')) return std::nullopt;
    } else {
        sc.reset(start);
    }
    CivilTime t;
    std::int64_t v;
    if (sc.number(2, v) == 0) return std::nullopt;
    t.day = static_cast<int>(v);
    const std::string_view mon = sc.word();
    t.month = 0;
    for (int m = 0; m < 12; ++m)
        if (iequals(mon, month_names[m])) t.month = m + 1;
    if (t.month == 0) return std::nullopt;
    const int year_digits = sc.number(4, v);
    if (year_digits < 2) return std::nullopt;
    if (year_digits == 2) v += v < 50 ? 2000 : 1900;
    else if (year_digits == 3) v += 1900;
    t.year = v;
    if (sc.number(2, v) == 0 || v > 23) return std::nullopt;
    t.hour = static_cast<int>(v);
    if (!sc.eat(':') || sc.number(2, v) == 0 || v > 59) return std::nullopt;
    t.minute = static_cast<int>(v);
    if (sc.eat(':')) {
        if (sc.number(2, v) == 0 || v > 60) return std::nullopt;
        t.second = static_cast<int>(v == 60 ? 59 : v);  // a leap second: close enough
    }
    if (!days_ok(t.year, t.month, t.day)) return std::nullopt;

    int offset = 0;
    const char sign = sc.peek();
    if (sign == '+' || sign == '-') {
        sc.eat(sign);
        std::int64_t hhmm;
        if (sc.number(4, hhmm) != 4 || hhmm % 100 > 59) return std::nullopt;
        offset = static_cast<int>(hhmm / 100 * 60 + hhmm % 100);
        if (sign == '-') offset = -offset;
    } else {
        const std::string_view zone = sc.word();
        if (zone.empty()) {
            // RFC 5322 requires a zone, but dates without one circulate: read them as UTC.
        } else if (auto z = zone_minutes(zone)) {
            offset = *z;
        } else {
            return std::nullopt;
        }
    }
    if (!sc.at_end()) return std::nullopt;
    return unix_time_from_civil(t) - static_cast<std::int64_t>(offset) * 60;
}

std::string format_rfc5322_date(std::int64_t unix_time) {
    const CivilTime t = civil_from_unix_time(unix_time);
    std::int64_t days = unix_time >= 0 ? unix_time / 86400 : -((-unix_time + 86399) / 86400);
    const int wday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s, %02d %s %04lld %02d:%02d:%02d +0000",
                  day_names[wday].data(), t.day, month_names[t.month - 1].data(),
                  static_cast<long long>(t.year), t.hour, t.minute, t.second);
    return buf;
}

std::string format_nntp_date(std::int64_t unix_time) {
    const CivilTime t = civil_from_unix_time(unix_time);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04lld%02d%02d%02d%02d%02d", static_cast<long long>(t.year),
                  t.month, t.day, t.hour, t.minute, t.second);
    return buf;
}

namespace {

bool digits_at(std::string_view s, std::size_t at, std::size_t n, int& out) noexcept {
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    out = v;
    return true;
}

int full_year(const NntpDateTime& w, int current_year) noexcept {
    if (!w.two_digit_year) return w.year;
    int y = current_year / 100 * 100 + w.year;
    if (w.year > current_year % 100) y -= 100;
    return y;
}

}  // namespace

std::optional<NntpDateTime> parse_nntp_date(std::string_view date, std::string_view time,
                                            std::string_view gmt) noexcept {
    NntpDateTime w;
    if (date.size() == 8) {
        if (!digits_at(date, 0, 4, w.year)) return std::nullopt;
        date.remove_prefix(4);
    } else if (date.size() == 6) {
        if (!digits_at(date, 0, 2, w.year)) return std::nullopt;
        w.two_digit_year = true;
        date.remove_prefix(2);
    } else {
        return std::nullopt;
    }
    if (!digits_at(date, 0, 2, w.month) || !digits_at(date, 2, 2, w.day)) return std::nullopt;
    if (time.size() != 6 || !digits_at(time, 0, 2, w.hour) || !digits_at(time, 2, 2, w.minute) ||
        !digits_at(time, 4, 2, w.second))
        return std::nullopt;
    if (!gmt.empty()) {
        if (!iequals(gmt, "GMT")) return std::nullopt;
        w.gmt = true;
    }
    // A two-digit year's leap status depends on the century; 2000 and 1900 differ only for 29
    // February of "00", which we accept here and let the arithmetic of to_unix_time carry into 1 March.
    const int check_year = w.two_digit_year ? 2000 + w.year : w.year;
    if (w.month < 1 || w.month > 12 || !days_ok(check_year, w.month, w.day) || w.hour > 23 ||
        w.minute > 59 || w.second > 60)
        return std::nullopt;
    return w;
}

std::int64_t to_unix_time(const NntpDateTime& w, int current_year) noexcept {
    return unix_time_from_civil({full_year(w, current_year), w.month, w.day, w.hour, w.minute, w.second});
}

}  // namespace tidings::protocol
