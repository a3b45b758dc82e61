// Base64 (RFC 4648 §4) for AUTHINFO SASL (RFC 4643 §2.4): strict decoding, no line breaks.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tidings::protocol {

// The decoded bytes, or nothing when `text` is not canonical base64: a length that is not a
// multiple of 4, a character outside the alphabet, padding other than one or two final '=',
// or pad bits that are not zero. RFC 4643 §2.4.1's "=" (an empty response) decodes to "".
std::optional<std::string> base64_decode(std::string_view text);
std::string base64_encode(std::string_view bytes);

}  // namespace tidings::protocol
