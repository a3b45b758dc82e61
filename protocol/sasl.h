// SASL PLAIN (RFC 4616) for AUTHINFO SASL (RFC 4643 §2.4): splitting the decoded message.
#pragma once

#include <optional>
#include <string_view>

namespace tidings::protocol {

// RFC 4616 §2: message = [authzid] NUL authcid NUL passwd. Views into the caller's buffer.
struct SaslPlain {
    std::string_view authzid;   // may be empty: act as authcid
    std::string_view authcid;   // may be empty here: the caller refuses it
    std::string_view password;  // may be empty here
};

// The three parts of a decoded (base64_decode) PLAIN message, or nothing unless it holds
// exactly two NULs. Whether the identities are acceptable is the caller's policy.
std::optional<SaslPlain> parse_sasl_plain(std::string_view message) noexcept;

}  // namespace tidings::protocol
