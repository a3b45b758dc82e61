// Pieces shared by the reader command families (reader_*.cpp): access checks, overview record
// fields, chunked answers. Internal to server/.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "protocol/command.h"
#include "server/nntp/auth.h"
#include "server/net/net.h"
#include "server/nntp/session_state.h"
#include "storage/snapshot.h"

namespace tidings::server::reader {

// Big answers (OVER, LISTGROUP, LIST ACTIVE, NEWNEWS) go out in pieces of about this size,
// each built under its own short Snapshot (storage/snapshot.h: short read transactions, never held across a client write).
inline constexpr std::size_t chunk_bytes = 64u << 10;

void answer(Session& s, int code, std::string_view text = {});

// Pushes `out` and waits until the connection has room again; `out` is left empty.
awaitable<void> send_chunk(Session& s, std::string& out);

// Walks the overview of `group` from `lo` to `hi` in chunks: each chunk under its own short
// Snapshot, `line(snap, item, out)` appending what the item contributes (it may use the
// Snapshot only while it runs); whenever `out` reaches chunk_bytes it is sent (send_chunk) and
// the walk goes on under a new Snapshot. What is left in `out` at the end is the caller's.
using OverviewLine = std::function<void(const storage::Snapshot&, const storage::OverviewItem&, std::string&)>;
awaitable<void> walk_overview(Session& s, const std::string& group, std::uint64_t lo, std::uint64_t hi,
                              std::string& out, const OverviewLine& line);

// The eight fields of an overview record (storage::OverviewItem::record), per
// protocol::overview_fmt: Subject, From, Date, Message-ID, References, :bytes, :lines, Xref.
// Missing trailing fields are empty.
std::array<std::string_view, 8> split_overview(std::string_view record);

// Index into split_overview for an HDR field name ("subject", ":bytes", "Xref", ...), or -1
// when the field is not in the overview (then it comes from the article's headers).
int overview_field_index(std::string_view field);

// The value of header `name` in a wire-form article, unfolded, TAB/CR/LF made spaces;
// nullopt when absent.
std::optional<std::string> header_value(std::string_view article, std::string_view name);

// The header section (through the CRLF that ends the last field) and the body of a wire-form
// article; both still dot-stuffed wire text.
std::string_view article_headers(std::string_view article);
std::string_view article_body(std::string_view article);

// An article found for ARTICLE/HEAD/BODY/STAT/HDR...: its number (0 when looked up by
// message-ID), id and wire bytes (views into the Snapshot).
struct Found {
    std::uint64_t number = 0;
    std::string_view message_id;
    std::string_view article;
};

// Resolves an ArticleSelector of type current, number or message_id against the session.
// On failure answers the RFC 3977 code (412, 420, 423, 430) itself and returns nullopt.
// `set_current`: a number lookup makes the article current (ARTICLE/HEAD/BODY/STAT).
std::optional<Found> resolve(Session& s, const storage::Snapshot& snap,
                             const protocol::ArticleSelector& sel, bool set_current);

// True when the article may be read by this session (filed in a readable group, or the
// session may read every group).
bool article_readable(const Session& s, const storage::Snapshot& snap, std::string_view message_id);

// Handlers, one family per file.
awaitable<void> run_group(Session& s, const protocol::Command& c);       // group.cpp
awaitable<void> run_listgroup(Session& s, const protocol::Command& c);
awaitable<void> run_last_next(Session& s, const protocol::Command& c);
awaitable<void> run_article(Session& s, const protocol::Command& c);     // article.cpp
awaitable<void> run_over(Session& s, const protocol::Command& c);        // over.cpp
awaitable<void> run_hdr(Session& s, const protocol::Command& c);
awaitable<void> run_list(Session& s, const protocol::Command& c);        // list.cpp
awaitable<void> run_newgroups(Session& s, const protocol::Command& c);
awaitable<void> run_newnews(Session& s, const protocol::Command& c);
awaitable<void> run_post(Session& s, const protocol::Command& c);        // post.cpp

}  // namespace tidings::server::reader
