// Admin changes: store requests awaited on the I/O thread, and the outgoing-feed controls.
#include "server/admin/actions.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <ctime>
#include <optional>

#include "protocol/message_id.h"
#include "protocol/newsgroup.h"
#include "protocol/status.h"
#include "protocol/article.h"
#include "protocol/control.h"
#include "server/core/group_control.h"
#include "server/core/ingest.h"
#include "server/core/store_wait.h"
#include "server/core/withdraw.h"
#include "server/feeds/feeds.h"
#include "storage/snapshot.h"
#include "server/admin/http_server.h"

namespace tidings::server {
namespace {

// The same for a store request's StoreResult.
struct StoreWaiter {
    explicit StoreWaiter(net::io_context& io) : io(io), timer(io, net::steady_timer::time_point::max()) {}
    net::io_context& io;
    net::steady_timer timer;
    std::optional<storage::StoreStatus> result;
    std::string text;  // the article handed back (for a group control message's run)
};

}  // namespace

awaitable<ActionResult> admin_create_group(AdminContext& ctx, std::string name, char flag) {
    NodeContext& node = ctx.node;
    if (flag != 'y' && flag != 'n' && flag != 'm') co_return ActionResult{400, "flag must be y, n or m"};
    // The one rule for names we create (config's [[group]] too): RFC 5536 §3.1.4 components.
    if (auto why = protocol::new_newsgroup_name_error(name))
        co_return ActionResult{400, "invalid group name: " + std::string(*why)};
    auto shown = protocol::sanitize_for_echo(name);
    auto w = std::make_shared<Waiter>(node.io);
    node.store.create_group(name, flag, "admin", static_cast<std::int64_t>(std::time(nullptr)), completion(w));
    bool ok = co_await wait_for(w);
    if (!ok) co_return ActionResult{409, "group exists or the name is invalid: " + shown};
    spdlog::info("event=admin_newgroup group={} flag={}", shown, flag);
    co_return ActionResult{201, "created " + shown};
}

awaitable<ActionResult> admin_remove_group(AdminContext& ctx, std::string name) {
    NodeContext& node = ctx.node;
    auto shown = protocol::sanitize_for_echo(name);
    // Removing it would leave quarantined articles in no group, readable by id.
    if (name == node.cfg().filter.quarantine_group)
        co_return ActionResult{409, "the quarantine group cannot be removed: " + shown};
    auto w = std::make_shared<Waiter>(node.io);
    node.store.remove_group(name, completion(w));
    bool ok = co_await wait_for(w);
    if (!ok) co_return ActionResult{404, "no such group: " + shown};
    spdlog::info("event=admin_rmgroup group={}", shown);
    co_return ActionResult{200, "removed " + shown};
}

awaitable<ActionResult> admin_cancel(AdminContext& ctx, std::string message_id) {
    NodeContext& node = ctx.node;
    auto shown = protocol::sanitize_for_echo(message_id);
    if (!protocol::is_valid_message_id(message_id)) co_return ActionResult{400, "not a Message-ID: " + shown};
    auto w = std::make_shared<Waiter>(node.io);
    node.store.cancel(message_id, completion(w));
    bool ok = co_await wait_for(w);
    if (!ok) co_return ActionResult{404, "not stored here: " + shown};
    spdlog::info("event=admin_cancel id={}", shown);
    co_return ActionResult{200, "cancelled " + shown};
}

awaitable<ActionResult> admin_release(AdminContext& ctx, std::string message_id) {
    NodeContext& node = ctx.node;
    const auto& cfg = node.cfg();
    auto shown = protocol::sanitize_for_echo(message_id);
    if (!protocol::is_valid_message_id(message_id)) co_return ActionResult{400, "not a Message-ID: " + shown};
    storage::StoreRequest req;
    std::optional<WithdrawalPlan> withdrawal;
    bool group_control = false;
    {
        storage::Snapshot snap(node.store);
        const auto placements = snap.placements(message_id);
        const bool quarantined = std::any_of(placements.begin(), placements.end(),
                                             [&](const auto& p) { return p.first == cfg.filter.quarantine_group; });
        auto text = quarantined ? snap.article(message_id) : std::nullopt;
        if (!text) co_return ActionResult{404, "not in quarantine: " + shown};
        const auto a = protocol::parse_article(*text);
        const auto* ng = a.find("Newsgroups");
        const std::string newsgroups = ng ? protocol::unfold(ng->value) : std::string();
        for (auto g : protocol::split_newsgroups(newsgroups)) {
            if (g == cfg.filter.quarantine_group) continue;
            auto info = snap.group(g);
            if (!info) continue;
            // RFC 5537 §3.5: a post to a moderated group needs Approved; quarantine held it
            // before that check, so release does not skip it.
            if (info->flag == 'm' && !a.find("Approved"))
                co_return ActionResult{409, "moderated group " + protocol::sanitize_for_echo(g) +
                                                " and no Approved header: " + shown};
            if (std::find(req.groups.begin(), req.groups.end(), g) == req.groups.end()) req.groups.emplace_back(g);
        }
        withdrawal = plan_withdrawal(cfg.control, a, snap);
        if (withdrawal && withdrawal->what.kind == protocol::WithdrawalKind::cancel)
            file_control_message(req.groups, snap, "cancel");
        if (is_group_control(a)) {
            group_control = true;
            file_control_message(req.groups, snap, protocol::control_command(a)->verb);
        }
        if (req.groups.empty() && !cfg.storage.junk_unwanted && !group_control)
            co_return ActionResult{409, "none of its groups is carried: " + shown};
        // Queued for the peers that want it now; its Path names where it came from, so it does
        // not go back there. The stored Xref is replaced by the writer (xref_at unset).
        index_article(req, a, *text, message_id, newsgroups, node.feeds(), nullptr,
                      static_cast<std::int64_t>(std::time(nullptr)));
        req.article = std::string(*text);
    }
    // Only if it is still in quarantine when the writer gets to it (two releases at once: one
    // wins, the other is a duplicate).
    req.replace_from = cfg.filter.quarantine_group;
    auto w = std::make_shared<StoreWaiter>(node.io);
    node.store.submit(std::move(req), [w](storage::StoreResult r) {
        std::string text = std::move(r.request.article);
        net::post(w->io, [w, status = r.status, text = std::move(text)]() mutable {
            w->result = status;
            w->text = std::move(text);
            w->timer.cancel();
        });
    });
    while (!w->result) {
        boost::system::error_code ec;
        co_await w->timer.async_wait(net::redirect_error(use_awaitable, ec));
    }
    if (*w->result == storage::StoreStatus::duplicate) co_return ActionResult{404, "not in quarantine any more: " + shown};
    if (*w->result != storage::StoreStatus::stored)
        co_return ActionResult{503, "not released: " + std::string(storage::to_string(*w->result))};
    // What the article asks of others happens once it is out, as if it had just arrived.
    if (withdrawal) apply_withdrawal(node, *withdrawal, message_id, "release");
    if (group_control) net::co_spawn(node.io, run_group_control(node, message_id, std::move(w->text), "release"), net::detached);
    if (node.wake_feeds) node.wake_feeds();
    ++node.counters.quarantine_released;
    spdlog::info("event=quarantine_release id={}", shown);
    co_return ActionResult{200, "released " + shown};
}

ActionResult admin_peer_action(AdminContext& ctx, const std::string& peer, const std::string& action) {
    NodeContext& node = ctx.node;
    const config::Peer* p = nullptr;
    for (const auto& q : node.cfg().peers)
        if (q.name == peer) p = &q;
    auto shown = protocol::sanitize_for_echo(peer);
    if (!p) return {404, "no such peer: " + shown};
    if (!p->outgoing) return {404, "peer has no outgoing feed: " + shown};
    if (action == "flush") {
        // Wakes idle senders now; a sender backing off after a failed connect keeps its timer.
        ctx.feeds.notify({p->name});
        spdlog::info("peer={} event=admin_flush", p->name);
        return {200, "flushed " + shown};
    }
    if (action == "clear") {
        // Drops the backlog (INN: removing the peer's batch file), up to clear_chunk entries per
        // request so one request holds bounded memory; the answer says how many remain.
        constexpr std::size_t clear_chunk = 200000;
        auto depth = node.store.queue_depth(p->name);
        std::vector<std::uint64_t> seqs;
        for (const auto& e : node.store.queue_peek(p->name, clear_chunk)) seqs.push_back(e.seq);
        const std::size_t n = seqs.size();
        node.store.queue_ack(p->name, std::move(seqs), [](std::size_t) {});
        spdlog::info("peer={} event=admin_clear entries={}", p->name, n);
        return {200, "cleared " + std::to_string(n) + " of " + std::to_string(depth.entries) + " queued for " + shown};
    }
    // pause: the connections finish their exchange and close; the queue keeps filling.
    // Kept in <data_dir>/paused-feeds: a paused feed stays paused across a restart.
    const bool pause = action == "pause";
    if (!ctx.feeds.pause(p->name, pause)) return {404, "peer's outgoing feed is not running: " + shown};
    spdlog::info("peer={} event=admin_{}", p->name, action);
    return {200, (pause ? "paused " : "resumed ") + shown};
}

}  // namespace tidings::server
