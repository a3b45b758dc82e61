// Overview records (RFC 3977 §8.3-8.4), the :bytes and :lines metadata (§8.1), and Xref.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "protocol/article.h"
#include "protocol/dot_stuffing.h"

namespace tidings::protocol {

// LIST OVERVIEW.FMT (RFC 3977 §8.4): the fields of every record, in order, after the article
// number. Xref is sent in full ("Xref: server group:n ...") as INN does.
inline constexpr std::string_view overview_fmt[] = {
    "Subject:", "From:", "Date:", "Message-ID:", "References:", ":bytes", ":lines", "Xref:full",
};

struct ArticleMetrics {
    std::uint64_t bytes = 0;  // RFC 3977 §8.1.1: octets of the article with CRLF line ends,
                              // headers, empty line and body, without dot-stuffing
    std::uint64_t lines = 0;  // RFC 3977 §8.1.2: lines in the body (a last line without CRLF
                              // counts too)
};

// Measures `text` (the article as read, without the final ".\r\n") in the given form; for
// wire text the stuffing dots are not counted. `article` must be parse_article(text).
ArticleMetrics measure_article(std::string_view text, const ParsedArticle& article, BlockMode form) noexcept;

// One group and the article's number in it.
struct XrefEntry {
    std::string_view group;
    std::uint64_t number;
};

// The Xref body: "pathhost group:number group:number ..." (RFC 5536 §3.2.14).
std::string build_xref(std::string_view pathhost, std::span<const XrefEntry> entries);

// Appends `value` as one overview field: unfolded (RFC 5322 §2.2.3), then every TAB, CR, LF
// and NUL replaced by a space (RFC 3977 §8.3.2), leading and trailing blanks dropped.
void append_overview_field(std::string& out, std::string_view value);

// The overview record of an article, *without* its leading article number and TAB: the
// number differs per group of a crosspost, so OVER writes "<number>\t<record>\r\n" (with
// dot-stuffing: a record can start with "." only through its Subject, never here since the
// number comes first). Fields per overview_fmt; a missing header gives an empty field; the
// Xref field is "Xref: " + xref_value, or empty when xref_value is.
std::string build_overview(const ParsedArticle& article, ArticleMetrics metrics,
                           std::string_view xref_value);

// One "<...>" token with no blank or angle bracket inside: how another server's listings
// (OVER, HDR, NEWNEWS) name an article. Looser than the Message-ID grammar on purpose: old ids
// that break it still travel.
bool is_listed_message_id(std::string_view s) noexcept;

// What a puller needs of one line of another server's OVER/XOVER answer (RFC 3977 §8.3.2:
// "number TAB Subject TAB From TAB Date TAB Message-ID TAB References TAB :bytes TAB :lines",
// the first seven fields in that fixed order, more may follow). Views into `line`.
struct OverviewLine {
    std::uint64_t number = 0;
    std::string_view date;
    std::string_view message_id;
    std::uint64_t bytes = 0;  // 0 when the field is empty or not a number (some servers)
};
// nullopt: no article number, fewer than six TABs, or a Message-ID field that is not one
// "<...>" token.
std::optional<OverviewLine> parse_overview_line(std::string_view line) noexcept;

// One line of another server's "HDR Message-ID" answer (RFC 3977 §8.5.2: "number SP value"),
// or XHDR's (RFC 2980, the same shape): the cheapest way to learn which ids a range holds.
// nullopt unless it is a positive number, one space and one "<...>" token.
struct HdrIdLine {
    std::uint64_t number = 0;
    std::string_view message_id;
};
std::optional<HdrIdLine> parse_hdr_id_line(std::string_view line) noexcept;

}  // namespace tidings::protocol
