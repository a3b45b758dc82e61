// Newsgroup-name checks (RFC 5536 §3.1.4 with UTF-8 components); rules in newsgroup.h.
#include "protocol/newsgroup.h"

namespace tidings::protocol {
namespace {

constexpr std::string_view bad_ascii =
    "newsgroup names use letters, digits, '+', '-', '_' and dots";
constexpr std::string_view bad_utf8 = "invalid UTF-8 in newsgroup name";
constexpr std::string_view bad_unicode = "control, space or invisible character in newsgroup name";

constexpr bool is_component_ascii(unsigned char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '-' || c == '_';
}

// Non-ASCII code points refused in a name: they print as nothing or as a blank, so two names
// that differ only by them look identical in a newsreader's group list (and bidirectional
// overrides reorder what follows). ZWNJ and ZWJ (U+200C, U+200D) are allowed: Persian and Indic
// words need them, and IDNA 2008 permits them in context too.
struct Range {
    char32_t first, last;
};
constexpr Range refused[] = {
    {0x0080, 0x009F},  // C1 controls
    {0x00A0, 0x00A0},  // no-break space
    {0x00AD, 0x00AD},  // soft hyphen
    {0x1680, 0x1680},  // ogham space mark
    {0x180E, 0x180E},  // Mongolian vowel separator
    {0x2000, 0x200B},  // en quad .. hair space, zero-width space
    {0x200E, 0x200F},  // left-to-right and right-to-left marks
    {0x2028, 0x202F},  // line and paragraph separators, bidi embeddings and overrides, narrow nbsp
    {0x205F, 0x2064},  // medium mathematical space, word joiner, invisible operators
    {0x2066, 0x206F},  // bidi isolates, deprecated format characters
    {0x3000, 0x3000},  // ideographic space
    {0xFEFF, 0xFEFF},  // byte order mark, zero-width no-break space
};

constexpr bool is_refused(char32_t cp) noexcept {
    for (const Range& r : refused)
        if (cp >= r.first && cp <= r.last) return true;
    return false;
}

// Decodes one UTF-8 sequence at the start of `s` (whose first octet is >= 0x80). Returns its
// length, or 0 if it is not well-formed: RFC 3629 §4's table, which excludes overlong forms,
// surrogates (U+D800-DFFF) and code points past U+10FFFF.
std::size_t decode_utf8(std::string_view s, char32_t& cp) noexcept {
    auto at = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    unsigned char c = at(0);
    std::size_t len;
    unsigned char lo = 0x80, hi = 0xBF;  // range of the second octet
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2, cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, cp = c & 0x0F;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, cp = c & 0x07;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else {
        return 0;  // a continuation octet, C0/C1 (overlong) or F5-FF
    }
    if (s.size() < len || at(1) < lo || at(1) > hi) return 0;
    for (std::size_t i = 1; i < len; ++i) {
        if ((at(i) & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (at(i) & 0x3F);
    }
    return len;
}

// Calls f(component) for each dot-separated component, empty ones included; stops at the
// first reason f returns.
template <class F>
std::optional<std::string_view> each_component(std::string_view name, F f) noexcept {
    std::size_t start = 0;
    while (true) {
        std::size_t dot = name.find('.', start);
        std::size_t len = dot == std::string_view::npos ? dot : dot - start;
        std::string_view comp = name.substr(start, len);
        if (auto why = f(comp)) return why;
        if (dot == std::string_view::npos) return std::nullopt;
        start = dot + 1;
    }
}

std::optional<std::string_view> component_error(std::string_view comp) noexcept {
    if (comp.empty()) return "empty component in newsgroup name";
    for (std::size_t i = 0; i < comp.size();) {
        auto c = static_cast<unsigned char>(comp[i]);
        if (c < 0x80) {
            if (!is_component_ascii(c)) return bad_ascii;
            ++i;
            continue;
        }
        char32_t cp = 0;
        std::size_t len = decode_utf8(comp.substr(i), cp);
        if (len == 0) return bad_utf8;
        if (is_refused(cp)) return bad_unicode;
        i += len;
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string_view> newsgroup_name_error(std::string_view name) noexcept {
    if (name.empty()) return "empty newsgroup name";
    static_assert(max_newsgroup_name == 250, "the reason below names the limit");
    if (name.size() > max_newsgroup_name) return "longer than 250 octets";
    return each_component(name, component_error);
}

std::optional<std::string_view> new_newsgroup_name_error(std::string_view name) noexcept {
    if (auto why = newsgroup_name_error(name)) return why;
    if (name == "poster") return "\"poster\" is reserved";
    if (name == "example" || name.starts_with("example."))
        return "the \"example\" hierarchy is reserved";
    return each_component(name, [](std::string_view comp) -> std::optional<std::string_view> {
        if (comp == "all" || comp == "ctl") return "component \"all\" or \"ctl\" is reserved";
        return std::nullopt;
    });
}

}  // namespace tidings::protocol
