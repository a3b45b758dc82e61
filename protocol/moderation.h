// Forwarding an unapproved post to a moderator (RFC 5537 §3.5 step 5 and §3.5.1): the
// submission address and the mail message. The mailer itself is the server's business.
#pragma once

#include <string>
#include <string_view>

namespace tidings::protocol {

// The submission address from a configured pattern (INN's moderators file): "%s" becomes
// `group` with every '.' changed to '-', "%%" a single '%'. The pattern is assumed valid
// (config::mail_address_error).
std::string moderator_address(std::string_view pattern, std::string_view group);

// The mail for the moderator: "To: <address>" first, then the injected article `wire` (CRLF
// lines, dot-stuffed, no terminator) with the fields only injection adds removed (Path,
// Injection-Date, Injection-Info, Xref — the moderator's approved post is injected anew; Date
// and Message-ID stay, so the approved article keeps the id the poster was told), the body
// unstuffed, every line ended by LF as a local mailer expects.
std::string moderator_mail(std::string_view wire, std::string_view address);

}  // namespace tidings::protocol
