// The article model: header parsing over the article's text, and the checks an article must
// pass to be relayed (RFC 5536) or injected (RFC 5537 §3.5).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/message_id.h"

namespace tidings::protocol {

struct HeaderField {
    std::string_view name;   // as written, case kept, without the colon
    std::string_view value;  // the field body: blanks after the colon dropped, folding (CRLF
                             // followed by SP or TAB) kept, final CRLF dropped. See unfold().
    std::string_view raw;    // the whole field as in the text, name to final CRLF inclusive
};

// An article's header section split into fields. Views point into the text given to
// parse_article and live as long as it does.
//
// The text is the article as BlockReader returns it, in wire (dot-stuffed) or unstuffed form,
// without the final ".\r\n": the header section parses the same in both, since no header line
// starts with "." (a field name starting with "." would keep its stuffing dot in wire form).
// Lines end at CRLF only (the BlockReader policy).
struct ParsedArticle {
    std::vector<HeaderField> fields;  // in order of appearance, duplicates included
    std::string_view headers;         // the header section: every field's raw bytes
    std::string_view body;            // after the empty line; empty when there is none
    bool has_separator = false;       // an empty line ended the header section
    // The first structural problem, or empty. One of: "control character in header",
    // "continuation line before any header", "malformed header field name",
    // "missing empty line between headers and body", "no header fields".
    std::string_view error;

    // The first field named `name` (case-insensitive), or nullptr.
    const HeaderField* find(std::string_view name) const noexcept;
    std::size_t count(std::string_view name) const noexcept;
};

// Splits `text` into header fields and body. Never fails: problems are reported in `error`.
// A text without an empty line is all headers (RFC 5322 §3.5: the body is optional); a line
// that is not a header field ends the header section early, and `error` says so: INN rejects
// such articles as well, with "437 No colon-space in ... header".
ParsedArticle parse_article(std::string_view text);

// RFC 5322 §2.2.3 unfolding: removes each CRLF that is followed by SP or TAB, and trims
// blanks at both ends.
std::string unfold(std::string_view value);

// A single-instance header that appears twice (RFC 5322 §3.6, RFC 5536 §3), or nullopt.
// The returned view is a static name in canonical case ("Message-ID").
std::optional<std::string_view> duplicate_header(const ParsedArticle& article) noexcept;

// The groups of a Newsgroups value, split at commas, blanks and folding trimmed; empty
// entries skipped. Views point into `value`.
std::vector<std::string_view> split_newsgroups(std::string_view value);

// nullopt when `value` (a Newsgroups body) lists at least one group and every group is a
// valid name (protocol/newsgroup.h: is_valid_newsgroup_name), else a static reason.
std::optional<std::string_view> newsgroups_error(std::string_view value) noexcept;

// Why a relayed article (IHAVE, TAKETHIS) is refused, or nullopt: the text of a 437/439
// answer or a log line, with no raw article bytes in it. Checks, in order: structure; the
// six required headers of RFC 5536 §3.1 (Date, From, Message-ID, Newsgroups, Path, Subject),
// present and not blank; no duplicated single-instance header; Message-ID syntax under
// `rules`, and equal to `offered_id` when one is given (the id of IHAVE/TAKETHIS);
// Newsgroups, Path and Date syntax. Policy (date cut-off, groups carried, Path loops) is the
// server's.
std::optional<std::string> transit_error(const ParsedArticle& article,
                                         std::string_view offered_id = {},
                                         MessageIdRules rules = MessageIdRules::strict);

// Why a POSTed article is refused, or nullopt: the text of a 441 answer. RFC 5537 §3.5: the
// poster must supply From, Newsgroups and Subject; Date, Message-ID and Path may be absent
// (the injecting agent adds them) but must be valid when present; an article that already
// carries Injection-Info has been injected before and is refused.
std::optional<std::string> posting_error(const ParsedArticle& article);

// The article text with its headers rewritten for storage on this server: "pathhost!"
// prepended to the Path body (RFC 5537 §3.2.1), every Xref field dropped, and
// "Xref: <xref_value>" appended to the header section when xref_value is not empty. The
// rest (empty line, body) is copied unchanged, in whatever form (wire or unstuffed) `text`
// is. `article` must be parse_article(text). An article without Path keeps none: adding one
// (for POST, RFC 5537 §3.5) is the caller's decision. `header_end`, when given, receives the
// offset where the header section's last line (the Xref line, if any) ends.
std::string rewrite_for_storage(std::string_view text, const ParsedArticle& article,
                                std::string_view pathhost, std::string_view xref_value,
                                std::size_t* header_end = nullptr);

}  // namespace tidings::protocol
