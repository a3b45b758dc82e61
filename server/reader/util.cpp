// Shared reader helpers: selectors, overview fields, header values, chunked answers.
#include "server/reader/util.h"

#include <algorithm>
#include <cctype>

#include "protocol/article.h"
#include "protocol/overview.h"
#include "protocol/status.h"

namespace tidings::server::reader {

namespace st = protocol::status;

void answer(Session& s, int code, std::string_view text) {
    s.conn->push(protocol::response(code, text));
}

awaitable<void> send_chunk(Session& s, std::string& out) {
    if (out.empty()) co_return;
    s.conn->push(std::move(out));
    out = std::string();
    out.reserve(chunk_bytes + 4096);
    const auto& l = s.cfg().limits;
    co_await s.conn->wait_for_room(l.max_pipeline, std::size_t{l.max_output_kb} << 10);
}

awaitable<void> walk_overview(Session& s, const std::string& group, std::uint64_t lo, std::uint64_t hi,
                              std::string& out, const OverviewLine& line) {
    std::uint64_t next = lo;
    while (next <= hi && next != 0) {  // next wraps to 0 past the last possible number
        bool more = false;
        {
            storage::Snapshot snap(s.node.store);
            snap.overview(group, next, hi, [&](const storage::OverviewItem& it) {
                next = it.number + 1;
                line(snap, it, out);
                more = out.size() >= chunk_bytes;
                return !more;
            });
        }
        if (!more) break;
        co_await send_chunk(s, out);
    }
}

std::array<std::string_view, 8> split_overview(std::string_view record) {
    std::array<std::string_view, 8> f{};
    for (std::size_t i = 0; i < f.size(); ++i) {
        auto tab = record.find('\t');
        f[i] = record.substr(0, tab);
        if (tab == std::string_view::npos) break;
        record.remove_prefix(tab + 1);
    }
    return f;
}

namespace {
bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}
}  // namespace

int overview_field_index(std::string_view field) {
    static constexpr std::string_view names[] = {"Subject", "From", "Date", "Message-ID",
                                                 "References", ":bytes", ":lines", "Xref"};
    for (int i = 0; i < 8; ++i)
        if (iequals(field, names[i])) return i;
    if (iequals(field, "Bytes")) return 5;  // INN's legacy spellings for XHDR
    if (iequals(field, "Lines")) return 6;
    return -1;
}

std::optional<std::string> header_value(std::string_view article, std::string_view name) {
    auto parsed = protocol::parse_article(article_headers(article));
    const auto* f = parsed.find(name);
    if (!f) return std::nullopt;
    std::string out;
    protocol::append_overview_field(out, f->value);
    return out;
}

std::string_view article_headers(std::string_view article) {
    auto end = article.find("\r\n\r\n");
    return end == std::string_view::npos ? article : article.substr(0, end + 2);
}

std::string_view article_body(std::string_view article) {
    auto end = article.find("\r\n\r\n");
    return end == std::string_view::npos ? std::string_view{} : article.substr(end + 4);
}

bool article_readable(const Session& s, const storage::Snapshot& snap, std::string_view message_id) {
    ReaderRights r = reader_rights(s);
    if (!r.read) return false;
    if (r.read_pattern == "*") return true;
    for (const auto& [g, n] : snap.placements(message_id))
        if (may_read_group(r, g)) return true;
    return false;
}

std::optional<Found> resolve(Session& s, const storage::Snapshot& snap,
                             const protocol::ArticleSelector& sel, bool set_current) {
    using T = protocol::ArticleSelector::Type;
    if (sel.type == T::message_id) {
        auto a = snap.article(sel.message_id);
        if (!a || !article_readable(s, snap, sel.message_id)) {
            answer(s, st::fail_message_id, "No article with that message-ID");
            return std::nullopt;
        }
        return Found{0, sel.message_id, *a};
    }
    if (s.group.empty()) {
        answer(s, st::fail_no_group, "No newsgroup selected");
        return std::nullopt;
    }
    if (sel.type == T::current) {
        auto ref = s.article ? snap.by_number(s.group, s.article) : std::nullopt;
        if (!ref) {
            answer(s, st::fail_no_current, "Current article number is invalid");
            return std::nullopt;
        }
        return Found{s.article, ref->message_id, ref->article};
    }
    auto ref = snap.by_number(s.group, sel.range.low);
    if (!ref) {
        answer(s, st::fail_article_number, "No article with that number");
        return std::nullopt;
    }
    if (set_current) s.article = sel.range.low;
    return Found{sel.range.low, ref->message_id, ref->article};
}

}  // namespace tidings::server::reader
