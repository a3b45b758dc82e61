// Wildmat matching and validation (RFC 3977 §4), plus INN-style feed patterns with '@'.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tidings::protocol {

// Checks the syntax of a wildmat (RFC 3977 §4.1): a comma-separated list of patterns, each
// optionally prefixed by '!' (and by '@' when `allow_poison`, INN's newsfeeds "poison"
// marker), each made of '*', '?' and wildmat-exact characters: printable US-ASCII except
// '!', '*', ',', '?', '[', '\', ']', or valid UTF-8 beyond ASCII. Without `allow_poison` an
// '@' is an ordinary character ("@a" matches the text "@a"). A leading '!' on the first
// pattern is accepted, as INN does, though RFC 3977's grammar lists it only after a comma.
// Returns nullopt when valid, else a short human-readable reason (no raw input echoed).
std::optional<std::string> wildmat_error(std::string_view wildmat, bool allow_poison = false);

enum class WildmatResult : std::uint8_t {
    no_match,  // no pattern matched, or the last one that matched was negated ('!')
    match,     // the last pattern that matched was a positive one
    poison,    // the last pattern that matched was an '@' one (only with allow_poison)
};

// A wildmat compiled once for hot loops (LIST ACTIVE over every group, feeds over every
// article). RFC 3977 §4: the last pattern that matches decides; '*' matches any run of
// characters, '?' exactly one character, where a character is one UTF-8 sequence of the text
// (an octet that does not start a valid sequence counts as one character by itself, as in
// INN's uwildmat). Matching is case-sensitive.
//
// Cost: O(length of text × patterns) for patterns under 64 characters (longer ones add one
// machine word per 64): each pattern runs as a bit-parallel state set (Shift-And), never by
// backtracking, so "*a*a*a*a*a*b" against a long name costs one pass. Literal patterns,
// "prefix*" and "*" take shortcuts.
//
// The constructor never fails: check wildmat_error first. An invalid wildmat is matched as
// if every odd character were a literal. Immutable after construction: share freely between
// threads.
class Wildmat {
public:
    explicit Wildmat(std::string_view wildmat, bool allow_poison = false);

    WildmatResult match(std::string_view text) const noexcept;
    bool matches(std::string_view text) const noexcept { return match(text) == WildmatResult::match; }

    struct Pattern;  // implementation detail, defined in wildmat.cpp

    Wildmat(const Wildmat&);
    Wildmat(Wildmat&&) noexcept;
    Wildmat& operator=(const Wildmat&);
    Wildmat& operator=(Wildmat&&) noexcept;
    ~Wildmat();

private:
    std::vector<Pattern> patterns_;  // in the wildmat's order
};

// One-shot match of `text` against `wildmat` ('@' is an ordinary character here).
bool wildmat_match(std::string_view wildmat, std::string_view text);

enum class FeedPatternResult : std::uint8_t {
    not_matched,  // no group of the article is in the peer's subscription
    matched,      // some group is, and none is poisoned: send the article
    poisoned,     // some group's last matching pattern is '@': never send this article
};

// INN newsfeeds semantics (doc/pod/newsfeeds.pod): an article goes to a peer when any of its
// groups matches the peer's pattern, unless any of its groups matches an '@' pattern (as the
// last pattern that matches it), in which case the whole crosspost is withheld.
// `pattern` should be built with allow_poison = true.
FeedPatternResult feed_match(const Wildmat& pattern, std::span<const std::string_view> groups) noexcept;

// The same over a Newsgroups header body ("a.b,c.d", blanks around commas ignored).
FeedPatternResult feed_match(const Wildmat& pattern, std::string_view newsgroups) noexcept;

}  // namespace tidings::protocol
