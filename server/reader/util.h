// Pieces shared by the reader command families (reader_*.cpp): access checks, overview record
// fields, chunked answers. Internal to server/.
#pragma once

#include <array>
#include <chrono>
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

// Fair time: a long walk works in slices of at most walk_slice_items items or walk_slice_time,
// whichever comes first, then lets every other session run (yield_to_others) before the next
// slice. With one I/O thread, this bounds how long one XPAT or NEWNEWS can keep everyone else
// waiting (BENCHMARKS.md, "Hostile load").
inline constexpr std::size_t walk_slice_items = 2000;
inline constexpr std::chrono::microseconds walk_slice_time{2000};

class WalkSlice {
public:
    WalkSlice() : until_(std::chrono::steady_clock::now() + walk_slice_time) {}
    // Counts one item; true once the slice's work or time is spent.
    bool spent();

private:
    std::chrono::steady_clock::time_point until_;
    std::size_t items_ = 0;
};

// Lets every other session with work ready run before this one goes on.
awaitable<void> yield_to_others(Session& s);

// Walks the overview of `group` from `lo` to `hi` in slices: each under its own short
// Snapshot, `line(snap, item, out)` appending what the item contributes (it may use the
// Snapshot only while it runs); whenever `out` reaches chunk_bytes it is sent (send_chunk),
// and when the slice's work or time is spent the walk yields (yield_to_others); either way it
// goes on under a new Snapshot. What is left in `out` at the end is the caller's.
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

// How much of an article a command needs read from disk: all of it (ARTICLE, BODY), its
// headers (HEAD), or only whether it exists (STAT): Found::article is then empty.
enum class Part : std::uint8_t { whole, head, none };

// Resolves an ArticleSelector of type current, number or message_id against the session.
// On failure answers the RFC 3977 code (412, 420, 423, 430) itself and returns nullopt.
// `set_current`: a number lookup makes the article current (ARTICLE/HEAD/BODY/STAT).
std::optional<Found> resolve(Session& s, const storage::Snapshot& snap,
                             const protocol::ArticleSelector& sel, bool set_current, Part part = Part::whole);

// The bytes of article `id` that `part` asks for (empty for Part::none); nullopt when absent.
std::optional<std::string_view> read_part(const storage::Snapshot& snap, std::string_view id, Part part);

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
