// Cancel-Lock (RFC 8315): checking a cancel's keys against its target's locks, and making
// the lock of a local post and the key of a local cancel from the node's secret (§4).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "protocol/control.h"

namespace tidings::server {

// RFC 8315 §3.5: true when some Cancel-Key element hashes to some Cancel-Lock element of the
// same scheme. Schemes other than sha256 (the mandatory one), sha512 and sha1 are ignored.
bool cancel_key_matches(const std::vector<protocol::CancelElement>& locks,
                        const std::vector<protocol::CancelElement>& keys);

// RFC 8315 §4 with sha256: the c-key of `message_id` for `user` ("" for none), the base64 of
// HMAC-SHA256(secret, user + message_id); and the c-lock of a c-key, the base64 of the SHA-256
// of the c-key's text. Header values: "sha256:" + these.
std::string make_cancel_key(std::string_view secret, std::string_view user, std::string_view message_id);
std::string make_cancel_lock(std::string_view c_key);

// The node's Cancel-Lock secret: `file` if set (at least 32 bytes), else
// <data_dir>/cancel-lock.secret, made (32 random bytes, mode 0600) when missing. Throws with
// the file's name when it cannot be read or made, or is too short.
std::string load_or_create_cancel_secret(const std::string& file, const std::string& data_dir);

}  // namespace tidings::server
