// GROUP, LISTGROUP, LAST, NEXT (RFC 3977 §6.1): selecting a group and moving in it.
#include "server/reader/util.h"

#include "protocol/overview.h"
#include "protocol/status.h"

namespace tidings::server::reader {

namespace st = protocol::status;

namespace {

std::string group_line(const storage::GroupInfo& g) {
    return std::to_string(g.count) + " " + std::to_string(g.low) + " " + std::to_string(g.high) + " " + g.name;
}

// The group if it exists and this session may read it; else answers 411.
std::optional<storage::GroupInfo> readable_group(Session& s, const storage::Snapshot& snap,
                                                 std::string_view name) {
    auto g = snap.group(name);
    if (!g || !may_read_group(reader_rights(s), name)) {
        answer(s, st::fail_bad_group, "No such newsgroup");
        return std::nullopt;
    }
    return g;
}

}  // namespace

awaitable<void> run_group(Session& s, const protocol::Command& c) {
    storage::Snapshot snap(s.node.store);
    auto g = readable_group(s, snap, c.group);
    if (!g) co_return;
    s.group = g->name;
    s.article = g->count ? g->low : 0;
    answer(s, st::ok_group, group_line(*g));
}

awaitable<void> run_listgroup(Session& s, const protocol::Command& c) {
    std::string name(c.group.empty() ? std::string_view(s.group) : c.group);
    if (name.empty()) {
        answer(s, st::fail_no_group, "No newsgroup selected");
        co_return;
    }
    protocol::Range range{1, protocol::open_range_end};
    if (c.target.type == protocol::ArticleSelector::Type::range) range = c.target.range;
    std::string out;
    {
        storage::Snapshot snap(s.node.store);
        auto g = readable_group(s, snap, name);
        if (!g) co_return;
        s.group = g->name;
        s.article = g->count ? g->low : 0;
        out = protocol::response(st::ok_group, group_line(*g) + " list follows");
        range.low = std::max(range.low, g->low);
        range.high = std::min(range.high, g->high);
    }
    // The numbers stream in chunks, each under a fresh short Snapshot.
    co_await walk_overview(s, s.group, range.low, range.high, out,
                           [](const storage::Snapshot&, const storage::OverviewItem& it, std::string& o) {
                               o += std::to_string(it.number);
                               o += "\r\n";
                           });
    out += ".\r\n";
    s.conn->push(std::move(out));
}

awaitable<void> run_last_next(Session& s, const protocol::Command& c) {
    const bool next = c.kind == protocol::Kind::next;
    if (s.group.empty()) {
        answer(s, st::fail_no_group, "No newsgroup selected");
        co_return;
    }
    storage::Snapshot snap(s.node.store);
    if (!s.article || !snap.message_id_at(s.group, s.article)) {
        answer(s, st::fail_no_current, "Current article number is invalid");
        co_return;
    }
    auto g = snap.group(s.group);
    std::optional<std::pair<std::uint64_t, std::string>> found;
    auto take = [&](const storage::OverviewItem& it) {
        found.emplace(it.number, std::string(split_overview(it.record)[3]));
        return !next;  // NEXT: the first one; LAST: keep the last one of the window
    };
    if (next) {
        if (g && s.article < g->high) snap.overview(s.group, s.article + 1, g->high, take);
    } else if (g) {
        // Backwards in windows: numbers are dense in practice, so the first window hits.
        std::uint64_t hi = s.article - 1;
        while (!found && hi >= g->low && hi > 0) {
            std::uint64_t lo = hi >= g->low + 256 ? hi - 256 : g->low;
            snap.overview(s.group, lo, hi, take);
            if (lo == g->low) break;
            hi = lo - 1;
        }
    }
    if (!found) {
        if (next) answer(s, st::fail_next, "No next article in this group");
        else answer(s, st::fail_prev, "No previous article in this group");
        co_return;
    }
    s.article = found->first;
    answer(s, st::ok_stat, std::to_string(found->first) + " " + found->second);
}

}  // namespace tidings::server::reader
