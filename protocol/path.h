// The Path header (RFC 5536 §3.1.5, RFC 5537 §3.2): syntax, entries, loop check, prepending.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tidings::protocol {

// RFC 5536 §3.1.5 path-identity, and what we accept as our own pathhost: a letter or digit,
// then letters, digits, "-", ".", ":" and "_".
bool is_valid_path_identity(std::string_view id) noexcept;

// nullopt when `value` (a Path body, possibly folded) is acceptable, else a static reason.
// Entries are separated by "!" with optional folding around them (RFC 5536 §3.1.5). We accept
// every printable US-ASCII entry, since relays have written all sorts (INN does the same);
// only an empty Path, blanks inside an entry, and control or 8-bit octets are refused.
// Diagnostic entries of RFC 5537 §3.2.1 (".POSTED", ".SEEN", "!!" producing an empty entry)
// are fine.
std::optional<std::string_view> path_error(std::string_view value) noexcept;

// The entries of a Path body, in order, blanks and folding trimmed, empty ones ("!!") kept out.
// Views point into `value`.
std::vector<std::string_view> path_entries(std::string_view value);

// True when `pathhost` is an entry of the Path (case-insensitive): the article has passed
// through us, or through a peer named so (the loop check before offering it to that peer).
bool path_contains(std::string_view value, std::string_view pathhost) noexcept;

// "pathhost!" + the Path body without leading blanks: what a relaying agent writes
// (RFC 5537 §3.2.1). With an empty body the result is just the pathhost.
std::string prepend_path(std::string_view value, std::string_view pathhost);

}  // namespace tidings::protocol
