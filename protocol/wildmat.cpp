// Wildmat validation and linear-time matching (RFC 3977 §4), and INN's '@' feed patterns.
#include "protocol/wildmat.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace tidings::protocol {

namespace {

// One character of UTF-8 text: its code point, or for an octet that does not start a valid
// sequence, a value above Unicode's range so that it only equals the same stray octet.
struct Char {
    std::uint32_t code;
    std::size_t length;
};

constexpr std::uint32_t stray_base = 0x110000;

Char decode(std::string_view s, std::size_t at) noexcept {
    const auto b0 = static_cast<unsigned char>(s[at]);
    if (b0 < 0x80) return {b0, 1};
    std::size_t len;
    std::uint32_t code;
    std::uint32_t min;
    if ((b0 & 0xe0) == 0xc0) len = 2, code = b0 & 0x1f, min = 0x80;
    else if ((b0 & 0xf0) == 0xe0) len = 3, code = b0 & 0x0f, min = 0x800;
    else if ((b0 & 0xf8) == 0xf0) len = 4, code = b0 & 0x07, min = 0x10000;
    else return {stray_base + b0, 1};
    if (at + len > s.size()) return {stray_base + b0, 1};
    for (std::size_t i = 1; i < len; ++i) {
        const auto b = static_cast<unsigned char>(s[at + i]);
        if ((b & 0xc0) != 0x80) return {stray_base + b0, 1};
        code = code << 6 | (b & 0x3f);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not valid UTF-8.
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
        return {stray_base + b0, 1};
    return {code, len};
}

constexpr bool is_exact_ascii(unsigned char c) noexcept {
    // RFC 3977 §4.1 wildmat-exact, ASCII part: %x22-29 / %x2B / %x2D-3E / %x40-5A / %x5E-7E.
    return (c >= 0x22 && c <= 0x29) || c == 0x2b || (c >= 0x2d && c <= 0x3e) ||
           (c >= 0x40 && c <= 0x5a) || (c >= 0x5e && c <= 0x7e);
}

}  // namespace

std::optional<std::string> wildmat_error(std::string_view w, bool allow_poison) {
    if (w.empty()) return "empty wildmat";
    std::size_t start = 0;
    while (start <= w.size()) {
        std::size_t end = w.find(',', start);
        if (end == std::string_view::npos) end = w.size();
        std::string_view p = w.substr(start, end - start);
        if (!p.empty() && (p[0] == '!' || (allow_poison && p[0] == '@'))) p.remove_prefix(1);
        if (p.empty()) return "empty pattern in wildmat list";
        for (std::size_t i = 0; i < p.size();) {
            const auto c = static_cast<unsigned char>(p[i]);
            if (c == '*' || c == '?' || is_exact_ascii(c)) {
                ++i;
                continue;
            }
            if (c <= 0x20 || c == 0x7f) return "control character or space in wildmat";
            if (c < 0x80) return "character not allowed inside a wildmat pattern";
            const Char ch = decode(p, i);
            if (ch.code >= stray_base) return "invalid UTF-8 in wildmat";
            i += ch.length;
        }
        start = end + 1;
    }
    return std::nullopt;
}

// One pattern of the list, compiled.
struct Wildmat::Pattern {
    enum class Shape : std::uint8_t {
        any,      // "*"
        exact,    // no wildcard: compare
        prefix,   // literal then one trailing "*": starts_with
        general,  // bit-parallel state set
    };
    Shape shape = Shape::general;
    bool negated = false;
    bool poison = false;
    std::string literal;  // exact, prefix

    // general: items are characters, '?' or '*' (consecutive stars merged). State i means
    // "the first i items have matched"; bit i of word i/64. words = (items + 1 + 63) / 64.
    std::size_t items = 0;
    std::size_t words = 0;
    bool ends_with_star = false;
    std::vector<std::uint64_t> ascii;     // 128 × words: items an ASCII character advances
    std::vector<std::uint64_t> question;  // words: '?' items (advance on any character)
    std::vector<std::uint64_t> star;      // words: '*' items (loop on any character)
    std::vector<std::pair<std::uint32_t, std::size_t>> others;  // non-ASCII literal items

    void compile(std::string_view body);
    bool matches(std::string_view text) const noexcept;

private:
    bool run(std::string_view text, std::uint64_t* state, std::uint64_t* next,
             std::uint64_t* adv) const noexcept;
};

namespace {
constexpr std::uint32_t item_star = 0xffffffffu;
constexpr std::uint32_t item_question = 0xfffffffeu;
}  // namespace

void Wildmat::Pattern::compile(std::string_view body) {
    std::vector<std::uint32_t> seq;
    bool wild = false;
    bool stray = false;
    for (std::size_t i = 0; i < body.size();) {
        if (body[i] == '*') {
            if (seq.empty() || seq.back() != item_star) seq.push_back(item_star);
            wild = true;
            ++i;
        } else if (body[i] == '?') {
            seq.push_back(item_question);
            wild = true;
            ++i;
        } else {
            const Char ch = decode(body, i);
            seq.push_back(ch.code);
            stray = stray || ch.code >= stray_base;
            i += ch.length;
        }
    }
    if (!wild) {
        shape = Shape::exact;
        literal = body;
        return;
    }
    if (seq.size() == 1 && seq[0] == item_star) {
        shape = Shape::any;
        return;
    }
    const std::size_t first_wild = body.find_first_of("*?");
    // starts_with agrees with character matching only when the literal has no stray octet
    // (a stray lead octet could be the start of a longer character in the text).
    if (!stray && first_wild == body.size() - 1 && body.back() == '*') {
        shape = Shape::prefix;
        literal = body.substr(0, first_wild);
        return;
    }
    shape = Shape::general;
    items = seq.size();
    words = (items + 1 + 63) / 64;
    ends_with_star = seq.back() == item_star;
    ascii.assign(128 * words, 0);
    question.assign(words, 0);
    star.assign(words, 0);
    for (std::size_t i = 0; i < items; ++i) {
        const std::uint64_t bit = std::uint64_t{1} << (i % 64);
        const std::size_t w = i / 64;
        if (seq[i] == item_star) star[w] |= bit;
        else if (seq[i] == item_question) question[w] |= bit;
        else if (seq[i] < 128) ascii[seq[i] * words + w] |= bit;
        else others.emplace_back(seq[i], i);
    }
    // '?' advances on every character: fold it into each ASCII row once, here.
    for (std::size_t c = 0; c < 128; ++c)
        for (std::size_t w = 0; w < words; ++w) ascii[c * words + w] |= question[w];
}

bool Wildmat::Pattern::matches(std::string_view text) const noexcept {
    switch (shape) {
    case Shape::any:
        return true;
    case Shape::exact:
        return text == literal;
    case Shape::prefix:
        return text.size() >= literal.size() && text.compare(0, literal.size(), literal) == 0;
    case Shape::general:
        break;
    }
    constexpr std::size_t small = 8;  // patterns up to 511 items run without allocating
    if (words <= small) {
        std::array<std::uint64_t, small> a, b, c;
        return run(text, a.data(), b.data(), c.data());
    }
    std::vector<std::uint64_t> buf;
    try {
        buf.resize(3 * words);
    } catch (...) {
        return false;  // absurd pattern and no memory: match nothing rather than throw
    }
    return run(text, buf.data(), buf.data() + words, buf.data() + 2 * words);
}

// Shift-And over characters: next = ((state & advances(c)) << 1) | (state & star), then the
// epsilon step of each star (a star may match nothing). Consecutive stars were merged, so one
// epsilon step reaches every state a star can skip to.
bool Wildmat::Pattern::run(std::string_view text, std::uint64_t* state, std::uint64_t* next,
                           std::uint64_t* adv) const noexcept {
    auto close = [&](std::uint64_t* s) {
        std::uint64_t carry = 0;
        for (std::size_t w = 0; w < words; ++w) {
            const std::uint64_t y = s[w] & star[w];
            s[w] |= (y << 1) | carry;
            carry = y >> 63;
        }
    };
    const std::size_t final_word = items / 64;
    const std::uint64_t final_bit = std::uint64_t{1} << (items % 64);

    std::fill(state, state + words, 0);
    state[0] = 1;
    close(state);
    for (std::size_t i = 0; i < text.size();) {
        // A trailing star that is reached matches whatever is left.
        if (ends_with_star && (state[final_word] & final_bit)) return true;
        const std::uint64_t* row;
        const auto b = static_cast<unsigned char>(text[i]);
        if (b < 0x80) {
            row = &ascii[b * words];
            ++i;
        } else {
            const Char ch = decode(text, i);
            i += ch.length;
            std::copy(question.begin(), question.end(), adv);
            for (const auto& [code, item] : others)
                if (code == ch.code) adv[item / 64] |= std::uint64_t{1} << (item % 64);
            row = adv;
        }
        std::uint64_t carry = 0, alive = 0;
        for (std::size_t w = 0; w < words; ++w) {
            const std::uint64_t x = state[w] & row[w];
            next[w] = (x << 1) | carry | (state[w] & star[w]);
            carry = x >> 63;
            alive |= next[w];
        }
        if (alive == 0) return false;
        close(next);
        std::swap(state, next);
    }
    return (state[final_word] & final_bit) != 0;
}

Wildmat::Wildmat(std::string_view w, bool allow_poison) {
    std::size_t start = 0;
    while (start <= w.size()) {
        std::size_t end = w.find(',', start);
        if (end == std::string_view::npos) end = w.size();
        std::string_view body = w.substr(start, end - start);
        Pattern p;
        if (!body.empty() && body[0] == '!') {
            p.negated = true;
            body.remove_prefix(1);
        } else if (allow_poison && !body.empty() && body[0] == '@') {
            p.negated = p.poison = true;
            body.remove_prefix(1);
        }
        p.compile(body);
        patterns_.push_back(std::move(p));
        start = end + 1;
    }
}

Wildmat::Wildmat(const Wildmat&) = default;
Wildmat::Wildmat(Wildmat&&) noexcept = default;
Wildmat& Wildmat::operator=(const Wildmat&) = default;
Wildmat& Wildmat::operator=(Wildmat&&) noexcept = default;
Wildmat::~Wildmat() = default;

WildmatResult Wildmat::match(std::string_view text) const noexcept {
    // The last matching pattern decides, so look from the end and stop at the first match.
    for (auto it = patterns_.rbegin(); it != patterns_.rend(); ++it) {
        if (!it->matches(text)) continue;
        if (it->poison) return WildmatResult::poison;
        return it->negated ? WildmatResult::no_match : WildmatResult::match;
    }
    return WildmatResult::no_match;
}

bool wildmat_match(std::string_view wildmat, std::string_view text) {
    if (wildmat == "*") return true;
    return Wildmat(wildmat).matches(text);
}

FeedPatternResult feed_match(const Wildmat& pattern, std::span<const std::string_view> groups) noexcept {
    bool any = false;
    for (std::string_view g : groups) {
        switch (pattern.match(g)) {
        case WildmatResult::poison:
            return FeedPatternResult::poisoned;
        case WildmatResult::match:
            any = true;
            break;
        case WildmatResult::no_match:
            break;
        }
    }
    return any ? FeedPatternResult::matched : FeedPatternResult::not_matched;
}

FeedPatternResult feed_match(const Wildmat& pattern, std::string_view newsgroups) noexcept {
    bool any = false;
    std::size_t start = 0;
    while (start <= newsgroups.size()) {
        std::size_t end = newsgroups.find(',', start);
        if (end == std::string_view::npos) end = newsgroups.size();
        std::string_view g = newsgroups.substr(start, end - start);
        while (!g.empty() && (g.front() == ' ' || g.front() == '\t' || g.front() == '\r' || g.front() == '\n'))
            g.remove_prefix(1);
        while (!g.empty() && (g.back() == ' ' || g.back() == '\t' || g.back() == '\r' || g.back() == '\n'))
            g.remove_suffix(1);
        if (!g.empty()) {
            const WildmatResult r = pattern.match(g);
            if (r == WildmatResult::poison) return FeedPatternResult::poisoned;
            if (r == WildmatResult::match) any = true;
        }
        start = end + 1;
    }
    return any ? FeedPatternResult::matched : FeedPatternResult::not_matched;
}

}  // namespace tidings::protocol
