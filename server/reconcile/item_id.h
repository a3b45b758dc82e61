// An article's reconciliation item (protocol/reconcile.h): its id is the first 16 bytes of
// SHA-256(salt || Message-ID), with the session's salt, so ids cannot be chosen in advance by
// whoever injects articles; its time is the article's Date in unix seconds.
#pragma once

#include "protocol/reconcile.h"

#include <array>
#include <optional>
#include <string_view>

namespace tidings::server::reconcile {

using Salt = std::array<std::uint8_t, 16>;

// 32 lower-case hex digits (XRECONCILE OPEN's salt) to bytes; nullopt when malformed.
std::optional<Salt> parse_salt(std::string_view hex);
std::string format_salt(const Salt& salt);
Salt random_salt();

protocol::reconcile::Id item_id(const Salt& salt, std::string_view message_id);

}  // namespace tidings::server::reconcile
