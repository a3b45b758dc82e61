// NNTP commands: the table of what each command is, and the parser from a line to a typed
// command or a precise failure (RFC 3977, 4642, 4643, 4644, 6048, 8054, legacy X commands).
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "protocol/date.h"

namespace tidings::protocol {

enum class Kind : std::uint8_t {
    empty,    // a blank line: not a command; INN ignores it without an answer (innd/nc.c)
    unknown,  // not in the table: 500
    // RFC 3977
    article, body, head, stat, group, listgroup, last, next, over, hdr, list, newgroups,
    newnews, post, ihave, date, help, quit, capabilities, mode_reader,
    // RFC 4643 (AUTHINFO), RFC 4644 (streaming), RFC 4642 (STARTTLS), RFC 8054 (COMPRESS)
    authinfo_user, authinfo_pass, authinfo_sasl, mode_stream, check, takethis, starttls,
    compress,
    // Legacy commands still sent by readers (RFC 2980)
    xover, xhdr, xpat, xgtitle,
    // Tidings' range-based reconciliation between peers (README "Reconciliation")
    xreconcile_open, xreconcile_round, xreconcile_send, xreconcile_names,
};
inline constexpr std::size_t kind_count = static_cast<std::size_t>(Kind::xreconcile_names) + 1;

// What a command needs; the server's one dispatcher (server/nntp/dispatcher.h) checks these,
// in its fixed order, before any handler runs.
enum class Needs : std::uint8_t {
    none = 0,
    reader = 1 << 0,         // a reading listener: else 502
    transit = 1 << 1,        // a configured peer on a transit listener: else 502
    auth = 1 << 2,           // the right to read (anonymous host or signed-in user): else 480
    block_follows = 1 << 3,  // a multi-line block follows the command line whatever the answer
                             // (TAKETHIS, RFC 4644 §2.5): read and dropped before a refusal
};
constexpr Needs operator|(Needs a, Needs b) noexcept {
    return static_cast<Needs>(static_cast<std::uint8_t>(a) | static_cast<std::uint8_t>(b));
}
constexpr bool has(Needs set, Needs flag) noexcept {
    return (static_cast<std::uint8_t>(set) & static_cast<std::uint8_t>(flag)) != 0;
}

struct CommandSpec {
    std::string_view verb;            // upper case; matched case-insensitively
    std::string_view subverb;         // second keyword of MODE READER, AUTHINFO USER...; else ""
    Kind kind;
    std::uint8_t min_args, max_args;  // arguments after the verb (and subverb)
    Needs needs;
    std::string_view syntax;          // "message-ID" -> HELP line "IHAVE message-ID"
};

// The whole table, in HELP order. Static storage.
std::span<const CommandSpec> command_table() noexcept;
// Case-insensitive lookup; subverb is ignored for one-word commands. nullptr when absent.
const CommandSpec* find_command(std::string_view verb, std::string_view subverb = {}) noexcept;
// The first entry for `verb` whatever its subverb (MODE, AUTHINFO: the parser then reads the
// subverb). nullptr when the verb is unknown.
const CommandSpec* find_verb(std::string_view verb) noexcept;
// "IHAVE message-ID", "MODE READER", "LIST [keyword [wildmat|argument]]": for HELP and 501.
std::string usage(const CommandSpec& spec);

// LIST keywords (RFC 3977 §7.6, RFC 6048).
enum class ListKind : std::uint8_t {
    active, active_times, counts, distrib_pats, distributions, headers, moderators, motd,
    newsgroups, overview_fmt, subscriptions,
};
enum class ListArg : std::uint8_t {
    none,     // no argument allowed
    wildmat,  // optional wildmat
    headers,  // optional "MSGID" or "RANGE" (RFC 3977 §8.6)
};
struct ListSpec {
    std::string_view keyword;  // upper case
    ListKind kind;
    ListArg arg;
};
std::span<const ListSpec> list_table() noexcept;
const ListSpec* find_list_keyword(std::string_view keyword) noexcept;

// Article numbers: RFC 3977 §6 allows 1 to 2^31-1, but we take up to 16 digits (the limit
// RFC 3977's grammar allows in ranges) so that 64-bit-numbering servers interoperate.
using ArticleNumber = std::uint64_t;
inline constexpr ArticleNumber open_range_end = std::numeric_limits<ArticleNumber>::max();

// "n" (low == high), "n-" (high == open_range_end), "n-m" (m < n is valid syntax: empty range).
struct Range {
    ArticleNumber low = 0;
    ArticleNumber high = 0;
};

// What ARTICLE, BODY, HEAD, STAT, OVER, XOVER, HDR, XHDR and XPAT are about.
struct ArticleSelector {
    enum class Type : std::uint8_t {
        current,     // no argument: the current article
        number,      // ARTICLE/BODY/HEAD/STAT n: range.low == range.high == n
        range,       // OVER/HDR/XOVER/XHDR/XPAT/LISTGROUP: n, n-, n-m
        message_id,  // <id>
    };
    Type type = Type::current;
    Range range;
    std::string_view message_id;
};

// One parsed command. Every view points into the line given to parse_command and lives as
// long as that buffer does. Fields not listed for a kind are empty / default.
struct Command {
    Kind kind = Kind::unknown;
    const CommandSpec* spec = nullptr;  // static; null for empty and unknown
    ArticleSelector target;        // ARTICLE BODY HEAD STAT OVER XOVER HDR XHDR XPAT; LISTGROUP range
    std::string_view message_id;   // IHAVE CHECK TAKETHIS (valid per RFC 3977 §3.6)
    std::string_view group;        // GROUP, LISTGROUP (optional)
    std::string_view wildmat;      // NEWNEWS, LIST argument, XGTITLE; XPAT: the pattern(s), the
                                   // rest of the line (space-separated wildmats, RFC 2980 §2.9)
    std::string_view field;        // HDR XHDR XPAT: header name or metadata item (":bytes")
    std::string_view argument;     // AUTHINFO USER/PASS value (rest of the line: inner blanks
                                   // kept, trailing ones dropped),
                                   // AUTHINFO SASL mechanism, CAPABILITIES keyword, COMPRESS
                                   // algorithm, LIST HEADERS variant (MSGID or RANGE)
    std::string_view initial_response;  // AUTHINFO SASL optional initial response
    const ListSpec* list = nullptr;     // LIST: the keyword (ACTIVE when none was given)
    NntpDateTime date;                  // NEWGROUPS, NEWNEWS
    // XRECONCILE OPEN wildmat since until salt: the window [since, until) in unix seconds of
    // the articles' Date, and the 32 hex digits salting the item hashes. wildmat as above.
    std::int64_t since = 0, until = 0;
    std::string_view salt;
};

struct ParseResult {
    Command command;          // on failure, kind (and spec) still say which command it was
    int code = 0;             // 0: parsed. Else the answer: 500, 501, or for transit commands
                              // with a bad or missing message-ID, as INN answers (innd/nc.c):
                              // IHAVE 435, CHECK 438, TAKETHIS 439 (after the article)
    std::string text;         // on failure: the response text, safe to send (already sanitized);
                              // for 438/439 it is the offending message-ID as RFC 4644 wants it
    bool read_block = false;  // on failure: a block follows anyway (TAKETHIS, RFC 4644 §2.5):
                              // read and drop it, then answer code + text
    bool ok() const noexcept { return code == 0; }
};

// Parses one command line (without its CRLF, as next_line returns it). Verbs and keywords are
// case-insensitive; arguments are separated by runs of SP or TAB (RFC 3977 §3.1), and leading
// or trailing blanks are ignored. Control octets (including NUL and lone CR) make the line a
// syntax error; 8-bit octets are allowed in arguments (UTF-8 group names and wildmats).
// Never throws except std::bad_alloc for the failure text.
ParseResult parse_command(std::string_view line);

// The pieces, for reuse (config/, tests). Each returns nullopt on a syntax error.
std::optional<ArticleNumber> parse_article_number(std::string_view s) noexcept;
std::optional<Range> parse_range(std::string_view s) noexcept;

}  // namespace tidings::protocol
