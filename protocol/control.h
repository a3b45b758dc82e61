// Control messages and withdrawals, parsed (RFC 5537 §5, RFC 8315 §2): pure, no policy.
// What an arriving article asks of one already here: a cancel (Control: cancel <id>, §5.3) or a
// replacement (Supersedes: <id>, §5.4). And the Cancel-Lock / Cancel-Key elements that decide
// whether it may (server/core/cancel_lock.h does the hashing).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/article.h"

namespace tidings::protocol {

// RFC 5537 §5: "Control: verb arguments". The verb is lower-cased; arguments are the unfolded
// rest, split at blanks.
struct ControlCommand {
    std::string verb;
    std::vector<std::string> arguments;
};
// nullopt when there is no Control header or it has no verb.
std::optional<ControlCommand> control_command(const ParsedArticle& a);

enum class WithdrawalKind : std::uint8_t { cancel, supersede };
struct Withdrawal {
    WithdrawalKind kind = WithdrawalKind::cancel;
    std::string target;  // a syntactically valid Message-ID (RFC 3977 §3.6 form)
};
// The article another one withdraws: `Control: cancel <id>` (a control message, which takes
// precedence) or `Supersedes: <id>`. nullopt when neither is there, or the id is malformed
// (then the article is an ordinary one: nothing is withdrawn).
std::optional<Withdrawal> withdrawal_of(const ParsedArticle& a);

// RFC 8315 §2: one element of a Cancel-Lock or Cancel-Key field, "scheme:base64". The scheme
// is lower-cased; `value` is the base64 text as written (not decoded).
struct CancelElement {
    std::string scheme;
    std::string value;
};
// Every element of every field named `name` ("Cancel-Lock" or "Cancel-Key"), in order.
// Malformed elements (no colon, empty scheme or value, characters outside base64) are skipped:
// RFC 8315 §3.5 ignores what it cannot use. At most `max_elements` are returned.
std::vector<CancelElement> cancel_elements(const ParsedArticle& a, std::string_view name,
                                           std::size_t max_elements = 64);

}  // namespace tidings::protocol
