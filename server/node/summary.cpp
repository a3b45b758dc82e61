// Periodic node summary line: deltas of the node counters since the last line.
#include "server/node/summary.h"

#include <spdlog/spdlog.h>

#include "server/admin/view.h"

namespace tidings::server {
namespace {

constexpr std::chrono::seconds summary_period{60};

std::uint64_t refused_total(const Counters& c) {
    std::uint64_t n = 0;
    for (const auto& [reason, k] : c.refused) n += k;
    return n;
}

awaitable<void> summarize(const AdminContext& ctx) {
    NodeContext& node = ctx.node;
    net::steady_timer t(node.io);
    boost::system::error_code ec;
    std::uint64_t accepted = node.counters.accepted, refused = refused_total(node.counters),
                  deferred = node.counters.deferred, commands = node.counters.commands;
    while (!node.stopping) {
        t.expires_after(summary_period);
        co_await t.async_wait(net::redirect_error(use_awaitable, ec));
        if (node.stopping) break;
        const auto& c = node.counters;
        const auto r = refused_total(c);
        if (c.accepted == accepted && r == refused && c.deferred == deferred && c.commands == commands) continue;
        NodeView v = gather_view(ctx);
        std::uint64_t backlog = 0;
        for (const auto& p : v.peers) backlog += p.backlog;
        const double use = v.store.map_bytes ? 100.0 * static_cast<double>(v.store.used_bytes) /
                                                   static_cast<double>(v.store.map_bytes)
                                             : 0.0;
        spdlog::info("event=summary period_s={} connections={} reader={} transit={} accepted={} refused={} "
                     "deferred={} commands={} articles={} map_use_pct={:.1f} backlog={}",
                     summary_period.count(), v.connections, v.reader_connections, v.transit_connections,
                     c.accepted - accepted, r - refused, c.deferred - deferred, c.commands - commands,
                     v.store.articles, use, backlog);
        accepted = c.accepted;
        refused = r;
        deferred = c.deferred;
        commands = c.commands;
    }
}

}  // namespace

void start_summaries(const AdminContext& ctx) {
    net::co_spawn(ctx.node.io, summarize(ctx), net::detached);
}

}  // namespace tidings::server
