// Wildmat matching and validation (RFC 3977 §4), plus INN-style feed patterns with '@'.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tidings::protocol {

// Checks the syntax of a wildmat: a comma-separated list of patterns, each optionally
// prefixed by '!' (and by '@' when `allow_poison`, INN's newsfeeds "poison" marker).
// Returns nullopt when valid, else a short human-readable reason (no raw input echoed).
std::optional<std::string> wildmat_error(std::string_view wildmat, bool allow_poison = false);

}  // namespace tidings::protocol
