// NNTP response codes as named constants, their standard texts, and response formatting.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tidings::protocol {

// Response codes, grouped by class as in RFC 3977 §3.2 (first digit: 1 informative, 2 ok,
// 3 continue, 4 failure of a well-formed command, 5 error) and named after INN's
// include/inn/nntp.h so that logs and code read the same as INN's.
namespace status {

// 1xx: informative, multi-line help or data follows.
inline constexpr int info_help = 100;          // RFC 3977 §7.2 HELP
inline constexpr int info_capabilities = 101;  // RFC 3977 §5.2 CAPABILITIES
inline constexpr int info_date = 111;          // RFC 3977 §7.1 DATE

// 2xx: the command succeeded.
inline constexpr int ok_banner_post = 200;     // RFC 3977 §5.1: posting allowed
inline constexpr int ok_banner_nopost = 201;   // RFC 3977 §5.1: posting prohibited
inline constexpr int ok_stream = 203;          // RFC 4644 §2.3 MODE STREAM
inline constexpr int ok_quit = 205;            // RFC 3977 §5.4 QUIT
inline constexpr int ok_compress = 206;        // RFC 8054 §2.2 COMPRESS
inline constexpr int ok_group = 211;           // GROUP, LISTGROUP
inline constexpr int ok_list = 215;            // LIST
inline constexpr int ok_article = 220;
inline constexpr int ok_head = 221;
inline constexpr int ok_body = 222;
inline constexpr int ok_stat = 223;            // STAT, LAST, NEXT
inline constexpr int ok_overview = 224;        // OVER, XOVER
inline constexpr int ok_hdr = 225;             // HDR (XHDR, XPAT answer 221)
inline constexpr int ok_newnews = 230;
inline constexpr int ok_newgroups = 231;
inline constexpr int ok_ihave = 235;           // article transferred OK
inline constexpr int ok_check = 238;           // RFC 4644 §2.4: send it
inline constexpr int ok_takethis = 239;        // RFC 4644 §2.5: article transferred OK
inline constexpr int ok_post = 240;
inline constexpr int ok_authinfo = 281;        // RFC 4643 §2.3
inline constexpr int ok_xgtitle = 282;         // INN's XGTITLE
inline constexpr int ok_sasl = 283;            // RFC 4643 §2.4 (with data)
// XRECONCILE (README "Reconciliation"; x9x: RFC 3977 §3.2 leaves them to private extensions).
inline constexpr int ok_reconcile_open = 290;   // item set ready: "290 <items> ..."
inline constexpr int ok_reconcile_round = 291;  // the answer message follows (yEnc block)
inline constexpr int ok_reconcile_send = 292;   // "292 <n> queued" for our feed to you
inline constexpr int ok_reconcile_names = 293;  // "293 <n> Message-IDs follow" (multi-line)

// 3xx: go on, send the rest.
inline constexpr int cont_ihave = 335;         // send the article
inline constexpr int cont_post = 340;          // send the article
inline constexpr int cont_authinfo = 381;      // RFC 4643 §2.3: password required
inline constexpr int cont_starttls = 382;      // RFC 4642 §2.2: continue with TLS
inline constexpr int cont_sasl = 383;          // RFC 4643 §2.4: SASL challenge
inline constexpr int cont_reconcile = 390;     // send the message (yEnc block)

// 4xx: well-formed command, but it failed (maybe only for now).
inline constexpr int fail_terminating = 400;   // service going away: close follows
inline constexpr int fail_wrong_mode = 401;    // RFC 3977 §3.2.1: e.g. "401 MODE-READER"
inline constexpr int fail_action = 403;        // internal fault, try later
inline constexpr int fail_bad_group = 411;     // no such newsgroup
inline constexpr int fail_no_group = 412;      // no newsgroup selected
inline constexpr int fail_no_current = 420;    // current article number is invalid
inline constexpr int fail_next = 421;          // no next article
inline constexpr int fail_prev = 422;          // no previous article
inline constexpr int fail_article_number = 423;  // no article with that number (or range empty)
inline constexpr int fail_message_id = 430;    // no article with that message-ID
inline constexpr int fail_check_defer = 431;   // RFC 4644 §2.4: try again later
inline constexpr int fail_ihave_refuse = 435;  // article not wanted (IHAVE)
inline constexpr int fail_ihave_defer = 436;   // transfer not possible, try again later
inline constexpr int fail_ihave_reject = 437;  // transfer rejected, do not retry
inline constexpr int fail_check_refuse = 438;  // RFC 4644 §2.4: article not wanted
inline constexpr int fail_takethis_reject = 439;  // RFC 4644 §2.5: transfer rejected
inline constexpr int fail_post_auth = 440;     // posting not permitted
inline constexpr int fail_post_reject = 441;   // posting failed
inline constexpr int fail_auth_needed = 480;   // RFC 4643 §2.2: authentication required
inline constexpr int fail_auth_reject = 481;   // RFC 4643 §2.3: authentication failed
inline constexpr int fail_auth_sequence = 482; // RFC 4643 §2.3.1: commands out of sequence
inline constexpr int fail_privacy_needed = 483;  // RFC 4643 §2.2: TLS required first
inline constexpr int fail_reconcile_none = 490;    // XRECONCILE ROUND/SEND/NAMES before OPEN
inline constexpr int fail_reconcile_message = 491; // the message is malformed or over a limit
inline constexpr int fail_reconcile_limit = 492;   // rounds, time or concurrent sets exhausted
inline constexpr int fail_reconcile_nofeed = 493;  // SEND: we have no outgoing feed to you

// 5xx: the command was wrong or is not available.
inline constexpr int err_command = 500;        // unknown command (also an over-long line)
inline constexpr int err_syntax = 501;         // syntax error in arguments
inline constexpr int err_access = 502;         // permanently unavailable here
inline constexpr int err_unavailable = 503;    // feature not supported
inline constexpr int err_base64 = 504;         // RFC 4643 §2.4: base64 encoding error

// The class digit: 1..5, or 0 when `code` is not a three-digit code.
constexpr int code_class(int code) noexcept {
    return code >= 100 && code <= 599 ? code / 100 : 0;
}

}  // namespace status

// A short standard text for `code`, e.g. "Article transferred OK" for 239; a generic text
// ("Unknown status") for codes this module does not name. The view is static.
std::string_view standard_text(int code) noexcept;

// Formats one status line: three digits, a space, `text` (the standard text when empty), CRLF.
// `text` must already be safe (no CR, LF or NUL): pass client bytes through sanitize_for_echo.
// Codes outside 100..599 are a caller bug; they are clamped to 503 rather than sent malformed.
std::string response(int code, std::string_view text = {});

// Same, appending to `out` (no allocation when `out` has capacity).
void append_response(std::string& out, int code, std::string_view text = {});

// Makes client bytes safe to quote back in a response or a log line, as Redis does before
// echoing an unknown command: CR, LF, NUL and every other C0 control or DEL is dropped, bytes
// of 0x80 and above become '?' (they may not be valid UTF-8), and the result is cut to at most
// `max` bytes, the last three of which become "..." when input was cut (when `max` >= 3).
std::string sanitize_for_echo(std::string_view raw, std::size_t max = 80);

}  // namespace tidings::protocol
