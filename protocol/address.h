// RFC 5322 §3.4 mailbox lists, as a poster's From header carries them (RFC 5536 §3.1.2): a
// practical check, not a full parser. Pure; no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tidings::protocol {

// Why `value` (a From field body, possibly folded) is not a list of mailboxes — each
// `addr-spec` or `[display-name] <addr-spec>`, comments allowed — or nullopt when it is.
// addr-spec is local@domain: local a dot-atom or a quoted string, domain a dot-atom or a
// [literal]. Octets above 127 are accepted in display names, comments and atoms (RFC 6532).
std::optional<std::string> mailbox_list_error(std::string_view value);

}  // namespace tidings::protocol
