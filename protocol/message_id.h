// Message-ID syntax: the NNTP argument form (RFC 3977 §3.6) and the article form (RFC 5536).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace tidings::protocol {

// RFC 3977 §3.6 and RFC 5536 §3.1.3: at most 250 octets, brackets included.
inline constexpr std::size_t max_message_id = 250;

enum class MessageIdRules : std::uint8_t {
    // RFC 3977 §3.6, what a command argument must be: 3-250 octets, begins with "<", ends with
    // ">" and has no other ">", printable US-ASCII only (0x21-0x7E: no space, no 8-bit).
    nntp,
    // RFC 5536 §3.1.3 on top of `nntp`: "<" dot-atom-text "@" (dot-atom-text / no-fold-literal)
    // ">", the form INN's IsValidMessageID checks before accepting an article. Rejects ids such
    // as "<a..b@c>", "<@c>" or "<a@b@c>" that old software still generates.
    strict,
};

// nullopt when `id` (brackets included, nothing around it) is valid under `rules`, else a
// short static reason, e.g. "message-ID must end with '>'". Never echoes the input.
std::optional<std::string_view> message_id_error(std::string_view id,
                                                 MessageIdRules rules = MessageIdRules::strict) noexcept;

inline bool is_valid_message_id(std::string_view id,
                                MessageIdRules rules = MessageIdRules::strict) noexcept {
    return !message_id_error(id, rules).has_value();
}

}  // namespace tidings::protocol
