// OVER/XOVER, HDR/XHDR and XPAT (RFC 3977 §8.3, §8.5; RFC 2980 §2.6, §2.9). Ranges stream in
// chunks, each built under its own short Snapshot, with back-pressure between chunks, so a
// 100,000-article OVER never builds its whole answer in memory.
#include "server/reader/util.h"

#include <vector>

#include "protocol/status.h"
#include "protocol/wildmat.h"

namespace tidings::server::reader {

namespace st = protocol::status;
using Type = protocol::ArticleSelector::Type;

namespace {

// Where an overview-ish command reads: a group's number range, or one article by id.
struct Span {
    std::uint64_t low = 0, high = 0;
};

// The range to serve for a current/number/range selector; answers 412/420 itself.
std::optional<Span> range_of(Session& s, const protocol::ArticleSelector& sel) {
    if (s.group.empty()) {
        answer(s, st::fail_no_group, "No newsgroup selected");
        return std::nullopt;
    }
    if (sel.type == Type::current) {
        if (!s.article) {
            answer(s, st::fail_no_current, "Current article number is invalid");
            return std::nullopt;
        }
        return Span{s.article, s.article};
    }
    return Span{sel.range.low, sel.range.high};
}

// The value of field `idx` (overview_field_index) or header `name` for one article.
std::string field_value(std::string_view record, int idx, std::string_view article,
                        std::string_view name, bool& present) {
    present = true;
    if (idx >= 0) {
        std::string_view v = split_overview(record)[idx];
        if (idx == 7 && v.starts_with("Xref: ")) v.remove_prefix(6);
        present = !v.empty();
        return std::string(v);
    }
    auto h = header_value(article, name);
    present = h.has_value();
    return h ? *h : std::string();
}

// The overview record of an article by id: from its first placement.
std::optional<std::string> record_by_id(const storage::Snapshot& snap, std::string_view id) {
    std::optional<std::string> out;
    for (const auto& [g, n] : snap.placements(id)) {
        snap.overview(g, n, n, [&](const storage::OverviewItem& it) {
            out = std::string(it.record);
            return false;
        });
        if (out) break;
    }
    return out;
}

// Streams `first`, then what `line` appends for each article of the selected range, then ".",
// in chunks of about chunk_bytes, each built under its own Snapshot, waiting for the socket in
// between. Answers 412/420/423 itself when there is no group, no current article, or no
// article in the range. `line(snap, item, out)` may use the Snapshot only while it runs.
template <class Line>
awaitable<void> stream_range(Session& s, const protocol::ArticleSelector& sel, std::string first, Line line) {
    auto span = range_of(s, sel);
    if (!span) co_return;
    std::string out;
    bool any = false;
    // Nothing is sent before the first item (a chunk fills only with items), so the first line
    // can still be the status line — or an error when there is no item at all.
    co_await walk_overview(s, s.group, span->low, span->high, out,
                           [&](const storage::Snapshot& snap, const storage::OverviewItem& it, std::string& o) {
                               if (!any) {
                                   any = true;
                                   o = first;
                               }
                               line(snap, it, o);
                           });
    if (!any) {
        if (sel.type == Type::current) answer(s, st::fail_no_current, "Current article number is invalid");
        else answer(s, st::fail_article_number, "No articles in that range");
        co_return;
    }
    out += ".\r\n";
    s.conn->push(std::move(out));
}

}  // namespace

awaitable<void> run_over(Session& s, const protocol::Command& c) {
    if (c.target.type == Type::message_id) {
        std::string out;
        {
            storage::Snapshot snap(s.node.store);
            auto rec = snap.has_article(c.target.message_id) && article_readable(s, snap, c.target.message_id)
                           ? record_by_id(snap, c.target.message_id)
                           : std::nullopt;
            if (!rec) {
                answer(s, st::fail_message_id, "No article with that message-ID");
                co_return;
            }
            // RFC 3977 §8.3.2: the number is 0 when the article was asked for by message-ID.
            out = protocol::response(st::ok_overview, "Overview information follows") + "0\t" + *rec + "\r\n.\r\n";
        }
        s.conn->push(std::move(out));
        co_return;
    }
    co_await stream_range(s, c.target, protocol::response(st::ok_overview, "Overview information follows"),
                          [](const storage::Snapshot&, const storage::OverviewItem& it, std::string& out) {
                              out += std::to_string(it.number);
                              out += '\t';
                              out += it.record;
                              out += "\r\n";
                          });
}

namespace {

// What HDR, XHDR and XPAT print, and how.
struct HeaderQuery {
    bool hdr = false;   // HDR: 225, empty value when absent; else XHDR/XPAT: 221, "(none)"
    bool xpat = false;  // only lines whose value matches one of `patterns`
    int idx = -1;       // overview field, or -1: from the article's headers
    std::string_view field;
    std::vector<std::string> patterns;

    explicit HeaderQuery(const protocol::Command& c)
        : hdr(c.kind == protocol::Kind::hdr), xpat(c.kind == protocol::Kind::xpat),
          idx(overview_field_index(c.field)), field(c.field) {
        std::string_view w = xpat ? c.wildmat : std::string_view{};
        while (!w.empty()) {  // XPAT's patterns: the rest of the line, blank-separated
            auto sp = w.find_first_of(" \t");
            if (sp != 0) patterns.emplace_back(w.substr(0, sp));
            if (sp == std::string_view::npos) break;
            w.remove_prefix(sp + 1);
        }
    }
    std::string first_line() const {
        return protocol::response(hdr ? st::ok_hdr : st::ok_head,
                                  hdr ? "Headers follow" : protocol::sanitize_for_echo(field) + " fields follow");
    }
    void line(std::string& out, std::string_view key, const std::string& v, bool present) const {
        if (xpat) {
            bool match = false;
            for (const auto& p : patterns) match = match || protocol::wildmat_match(p, v);
            if (!match) return;
        }
        out += key;
        out += ' ';
        if (present || hdr) out += v;
        else out += "(none)";
        out += "\r\n";
    }
};

}  // namespace

// HDR (225, "n value"), XHDR (221, "n value", "(none)" when absent, "<id> value" by id) and
// XPAT (221, only the lines whose value matches one of the patterns).
awaitable<void> run_hdr(Session& s, const protocol::Command& c) {
    const HeaderQuery q(c);
    if (c.target.type == Type::message_id) {
        std::string out;
        {
            storage::Snapshot snap(s.node.store);
            auto a = snap.article_head(c.target.message_id);
            if (!a || !article_readable(s, snap, c.target.message_id)) {
                answer(s, st::fail_message_id, "No article with that message-ID");
                co_return;
            }
            std::string rec = q.idx >= 0 ? record_by_id(snap, c.target.message_id).value_or("") : "";
            bool present = false;
            std::string v = field_value(rec, q.idx, *a, q.field, present);
            out = q.first_line();
            q.line(out, q.hdr ? std::string_view("0") : c.target.message_id, v, present);
            out += ".\r\n";
        }
        s.conn->push(std::move(out));
        co_return;
    }
    const std::string group = s.group;
    co_await stream_range(s, c.target, q.first_line(),
                          [&q, &group](const storage::Snapshot& snap, const storage::OverviewItem& it, std::string& out) {
                              std::string_view art;
                              if (q.idx < 0) {
                                  // Headers only: a few KiB per article, not the article.
                                  auto id = snap.message_id_at(group, it.number);
                                  auto head = id ? snap.article_head(*id) : std::nullopt;
                                  if (!head) return;
                                  art = *head;
                              }
                              bool present = false;
                              std::string v = field_value(it.record, q.idx, art, q.field, present);
                              q.line(out, std::to_string(it.number), v, present);
                          });
}

}  // namespace tidings::server::reader
