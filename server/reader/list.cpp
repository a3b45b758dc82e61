// LIST and its keywords (RFC 3977 §7.6, RFC 6048), NEWGROUPS and NEWNEWS (RFC 3977 §7.3-7.4).
#include "server/reader/util.h"

#include <ctime>
#include <algorithm>
#include <vector>

#include "protocol/overview.h"
#include "protocol/status.h"
#include "protocol/wildmat.h"

namespace tidings::server::reader {

namespace st = protocol::status;
using protocol::ListKind;

namespace {

char flag_of(const storage::GroupInfo& g) { return g.flag ? g.flag : 'y'; }

std::string_view description_of(const config::Config& cfg, std::string_view name) {
    for (const auto& g : cfg.groups)
        if (g.name == name) return g.description;
    return {};
}

// Every readable group matching `wildmat` (all when empty), one line each from `fmt`, after
// `first` and before the final ".". A full Usenet active file has tens of thousands of groups:
// they are walked in slices (WalkSlice) under short Snapshots, sent in chunks, yielding to
// other sessions between slices.
template <class Fmt>
awaitable<void> send_group_lines(Session& s, std::string_view wildmat, std::string first, Fmt fmt) {
    ReaderRights r = reader_rights(s);
    std::optional<protocol::Wildmat> w;
    if (!wildmat.empty()) w.emplace(wildmat);
    std::string out = std::move(first);
    std::string from;  // where the next slice starts (empty: at the first group)
    for (;;) {
        bool spent = false;
        std::string next;  // the first group the slice did not do; empty when all are done
        {
            storage::Snapshot snap(s.node.store);
            WalkSlice slice;
            snap.for_each_group(
                [&](const storage::GroupInfo& g) {
                    if (spent) {
                        next = g.name;
                        return false;
                    }
                    if ((!w || w->matches(g.name)) && may_read_group(r, g.name)) fmt(out, g);
                    spent = out.size() >= chunk_bytes || slice.spent();
                    return true;
                },
                from);
        }
        if (next.empty()) break;
        from = std::move(next);
        if (out.size() >= chunk_bytes) co_await send_chunk(s, out);
        else co_await yield_to_others(s);
    }
    out += ".\r\n";
    s.conn->push(std::move(out));
}

std::int64_t when_of(const protocol::NntpDateTime& d) {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::int64_t t = protocol::to_unix_time(d, tm.tm_year + 1900);
    if (!d.gmt) {
        // RFC 3977 §7.3.2: without GMT the date is the server's local time.
        std::tm local{};
        localtime_r(&now, &local);
        t -= local.tm_gmtoff;
    }
    return t;
}

std::string active_line(const storage::GroupInfo& g) {
    return g.name + " " + std::to_string(g.high) + " " + std::to_string(g.low) + " " + flag_of(g) + "\r\n";
}

// The TOML text has LF line ends: each line goes out with CRLF, dot-stuffed (RFC 6048 §2.5).
std::string motd_lines(std::string_view motd) {
    std::string text;
    std::string_view rest = motd;
    while (!rest.empty()) {
        auto nl = rest.find('\n');
        std::string_view l = rest.substr(0, nl);
        if (l.ends_with('\r')) l.remove_suffix(1);
        text.append(l);
        text += "\r\n";
        if (nl == std::string_view::npos) break;
        rest.remove_prefix(nl + 1);
    }
    std::string out;
    protocol::dot_stuff_append(text, out);
    return out;
}

}  // namespace

awaitable<void> run_list(Session& s, const protocol::Command& c) {
    const protocol::ListSpec* spec = c.list;
    std::string first = protocol::response(st::ok_list, "Information follows");
    std::string body;
    switch (spec ? spec->kind : ListKind::active) {
        case ListKind::active:
            co_await send_group_lines(s, c.wildmat, std::move(first), [](std::string& out, const storage::GroupInfo& g) {
                out += active_line(g);
            });
            co_return;
        case ListKind::active_times:
            co_await send_group_lines(s, c.wildmat, std::move(first), [](std::string& out, const storage::GroupInfo& g) {
                out += g.name + " " + std::to_string(g.created) + " " +
                       (g.creator.empty() ? std::string("news") : g.creator) + "\r\n";
            });
            co_return;
        case ListKind::counts:
            co_await send_group_lines(s, c.wildmat, std::move(first), [](std::string& out, const storage::GroupInfo& g) {
                out += g.name + " " + std::to_string(g.high) + " " + std::to_string(g.low) + " " +
                       std::to_string(g.count) + " " + flag_of(g) + "\r\n";
            });
            co_return;
        case ListKind::newsgroups: {
            // The generation is held for the walk: descriptions stay valid across its yields.
            GenerationPtr gen = s.node.generation();
            const config::Config& cfg = *gen->config;
            co_await send_group_lines(s, c.wildmat, std::move(first), [&cfg](std::string& out, const storage::GroupInfo& g) {
                std::string_view d = description_of(cfg, g.name);
                out += g.name + "\t" + std::string(d.empty() ? "?" : d) + "\r\n";
            });
            co_return;
        }
        case ListKind::overview_fmt:
            for (auto f : protocol::overview_fmt) {
                body += f;
                body += "\r\n";
            }
            break;
        case ListKind::headers:
            // RFC 3977 §8.6: ":" means any header may be asked for; plus the metadata items.
            body = ":\r\n:bytes\r\n:lines\r\n";
            break;
        case ListKind::distrib_pats:
            break;  // none configured: an empty list (RFC 6048 §3.2)
        case ListKind::motd: {
            const std::string& motd = s.cfg().node.motd;
            if (motd.empty()) {
                answer(s, st::err_unavailable, "No message of the day");
                co_return;
            }
            body = motd_lines(motd);
            break;
        }
        default:
            answer(s, st::err_unavailable, "That LIST keyword is not supported");
            co_return;
    }
    first += body;
    first += ".\r\n";
    s.conn->push(std::move(first));
}

awaitable<void> run_newgroups(Session& s, const protocol::Command& c) {
    std::int64_t since = when_of(c.date);
    co_await send_group_lines(s, {}, protocol::response(st::ok_newgroups, "New newsgroups follow"),
                              [since](std::string& out, const storage::GroupInfo& g) {
                                  if (g.created >= since) out += active_line(g);
                              });
}

// Articles that arrived since the date in groups matching the wildmat. The store indexes
// arrival only in history, so this walks each matching group's overview (in slices) and asks
// history for the arrival time: cost grows with the groups' sizes, as INN's does without its
// overview-by-date. Memory does not: a crossposted article is listed once, under the first of
// its groups (in name order, the order of the walk) that the command covers, so nothing sent
// needs remembering.
awaitable<void> run_newnews(Session& s, const protocol::Command& c) {
    if (!s.cfg().readers.allow_newnews) {  // 502: not for this client, ever (RFC 3977 §3.2.1)
        s.conn->push(protocol::response(st::err_access, "NEWNEWS command disabled by administrator"));
        co_return;
    }
    std::int64_t since = when_of(c.date);
    ReaderRights r = reader_rights(s);
    protocol::Wildmat w(c.wildmat);
    std::vector<storage::GroupInfo> groups;  // name order
    {
        storage::Snapshot snap(s.node.store);
        snap.for_each_group([&](const storage::GroupInfo& g) {
            if (w.matches(g.name) && may_read_group(r, g.name) && g.count) groups.push_back(g);
            return true;
        });
    }
    auto covered = [&](std::string_view name) {
        auto it = std::lower_bound(groups.begin(), groups.end(), name,
                                   [](const storage::GroupInfo& g, std::string_view n) { return g.name < n; });
        return it != groups.end() && it->name == name;
    };
    std::string out = protocol::response(st::ok_newnews, "New news follows");
    for (const auto& g : groups)
        co_await walk_overview(s, g.name, g.low, g.high, out,
                               [&](const storage::Snapshot& snap, const storage::OverviewItem& it, std::string& o) {
                                   std::string_view id = split_overview(it.record)[3];
                                   auto h = snap.history(id);
                                   if (!h || h->when < since) return;
                                   // Listed under its first covered group only.
                                   for (const auto& [pg, n] : snap.placements(id))
                                       if (pg < g.name && covered(pg)) return;
                                   o += id;
                                   o += "\r\n";
                               });
    out += ".\r\n";
    s.conn->push(std::move(out));
}

}  // namespace tidings::server::reader
