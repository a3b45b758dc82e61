// Syntax checks for configuration values: each returns nullopt when valid, else a reason.
//
// Reasons never repeat the value; the caller quotes it (with quote()) once, in front.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <span>
#include <string_view>

#include "config/config.h"
#include "config/schema.h"

namespace tidings::config {

// RFC 5536 §3.1.5 path-identity: (ALPHA / DIGIT) *(ALPHA / DIGIT / "-" / "." / ":" / "_").
std::optional<std::string> pathhost_error(std::string_view pathhost);
// Dot-separated labels of letters, digits and '-' (usable as a Message-ID right-hand side).
std::optional<std::string> domain_error(std::string_view domain);
// Peer names: [A-Za-z0-9._-]+, at most 64 characters.
std::optional<std::string> peer_name_error(std::string_view name);
// AUTHINFO user names: 1-64 printable ASCII characters other than space and ':'.
std::optional<std::string> user_name_error(std::string_view name);
// crypt(3) prefixes we accept: "$y$" (yescrypt) and "$6$" (SHA-512-crypt); prefix only.
std::optional<std::string> password_hash_error(std::string_view hash);
// A moderator submission address (INN's moderators file): one local@domain of printable ASCII
// without space or mail specials, '%' only in one "%s" (the group) or as "%%". It goes into a
// To: line and a mailer's argument, so anything that could start another header or address
// is refused here.
std::optional<std::string> mail_address_error(std::string_view address);
// A public-key pin: "sha256//" and the base64 of 32 bytes (43 characters and "=").
std::optional<std::string> spki_pin_error(std::string_view pin);
// A command line split at runs of spaces (no quoting: the mailer is run without a shell).
std::vector<std::string> split_command(std::string_view command);
// RFC 5536 §3.2.4 dist-name: ALPHA / DIGIT, then ALPHA / DIGIT / "+" / "-" / "_"; not "all".
std::optional<std::string> distribution_error(std::string_view dist);

// "host:port" or "[ipv6]:port", port 1-65535; host a DNS name or IP literal.
struct HostPortParse {
    std::optional<HostPort> value;
    std::string error;  // set when value is nullopt
};
HostPortParse parse_host_port(std::string_view text);

// `s` in double quotes, control characters and '"' escaped, cut to 64 characters: safe to
// print in an error line whatever the file held.
std::string quote(std::string_view s);

// The syntax check of a string value by its schema kind: nullopt when valid, else the whole
// reason, naming the value quoted ("bad wildmat \"a b\": ..."). Password hashes are never
// echoed. For list kinds (distributions, pathhost_list) `value` is one element. Other
// kinds that are not strings, and Kind::string, always pass. Kind::newsgroup is a group we
// will create: protocol::new_newsgroup_name_error (protocol/newsgroup.h) decides.
std::optional<std::string> value_error(Kind kind, std::string_view value);

// " (host names are not resolved; give an IP address)" when `v`, refused as an address,
// looks like a host name, else "". INN's incoming.conf takes names; we never resolve, so
// the config's meaning cannot depend on DNS at start-up.
std::string host_name_hint(std::string_view v);

// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

// " (did you mean \"x\"?)" for the candidate at most two edits from `word`, else "".
std::string did_you_mean(std::string_view word, std::span<const std::string> candidates);

}  // namespace tidings::config
