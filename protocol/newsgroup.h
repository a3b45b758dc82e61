// Newsgroup names: the one check used by article parsing, the configuration and the admin API.
//
// Two questions, one place:
// - newsgroup_name_error: is this a newsgroup name at all? Used on what others send us
//   (Newsgroups headers of posts and relayed articles), where a bad name makes the article
//   malformed.
// - new_newsgroup_name_error: may we create a group of this name ([[group]] in the
//   configuration, the admin API)? The same syntax plus the names RFC 5536 §3.1.4 reserves.
//
// The syntax is RFC 5536 §3.1.4, widened to UTF-8 as NNTP allows:
//   newsgroup-name = component *( "." component )
//   component      = 1*component-char
//   component-char = ALPHA / DIGIT / "+" / "-" / "_"  /  non-ASCII UTF-8 (see below)
// RFC 5536's grammar is ASCII only, but RFC 3977 §9.8 defines an NNTP newsgroup-name as
// 1*wildmat-exact, which takes any UTF-8 character, and groups with such names are carried
// (INN accepts any octet but white space, ':', '!' and '/' in ctlinnd newgroup). So a component
// character may also be a well-formed UTF-8 sequence (no overlong form, surrogate or code point
// past U+10FFFF), except C1 controls, Unicode spaces and line or paragraph separators, and the
// invisible format characters that make two names look alike (soft hyphen, zero-width and
// bidirectional controls, byte order mark). Names are compared octet for octet: no case folding,
// no Unicode normalisation.
//
// Length: at most max_newsgroup_name octets, the limit the admin API has always applied (the
// store keeps names of up to 255). RFC 5536 sets no limit; INN's ctlinnd newgroup stops near 230.
//
// Uppercase letters, all-digit components and components starting with '+', '-' or '_' are
// only discouraged for new names (RFC 5536 §3.1.4 "SHOULD NOT") and are accepted everywhere.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace tidings::protocol {

// Longest newsgroup name we accept, in octets.
inline constexpr std::size_t max_newsgroup_name = 250;

// nullopt when `name` (nothing around it: no blanks, no comma) is a newsgroup name, else a
// short static reason such as "empty component in newsgroup name". Never echoes the input.
// Reasons: "empty newsgroup name", "longer than 250 octets", "empty component in newsgroup
// name", "newsgroup names use letters, digits, '+', '-', '_' and dots" (another ASCII octet),
// "invalid UTF-8 in newsgroup name", "control, space or invisible character in newsgroup name"
// (a refused non-ASCII character).
std::optional<std::string_view> newsgroup_name_error(std::string_view name) noexcept;

inline bool is_valid_newsgroup_name(std::string_view name) noexcept {
    return !newsgroup_name_error(name).has_value();
}

// newsgroup_name_error, then the names we refuse to create. RFC 5536 §3.1.4 reserves a first
// component "example" and the name "poster" (MUST NOT name a newsgroup), and lists names with
// special meanings in some software: any component "all" (a wildcard) or "ctl" (control
// messages, as B News filed them) — refused too, as son-of-1036 did. Its other special names
// ("control", "junk", "to") stay allowed: INN's own active file carries control.* and junk, and
// an admin moving from INN may list them. Extra reasons: "component \"all\" or \"ctl\" is
// reserved", "the \"example\" hierarchy is reserved", "\"poster\" is reserved".
std::optional<std::string_view> new_newsgroup_name_error(std::string_view name) noexcept;

inline bool is_valid_new_newsgroup_name(std::string_view name) noexcept {
    return !new_newsgroup_name_error(name).has_value();
}

}  // namespace tidings::protocol
