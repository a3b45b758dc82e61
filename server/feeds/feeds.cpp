// Outgoing feeds: one PeerFeed per [[peer]] with `outgoing`, its N sender connections
// (feed_connection.cpp), the bounded-backlog policy and the periodic per-peer log line.
#include "server/feeds/feeds.h"
#include "server/net/exception_text.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <ctime>
#include <map>

#include "server/feeds/feed_peer.h"
#include "server/feeds/pause_file.h"

namespace tidings::server {

std::string_view to_string(FeedState s) noexcept {
    switch (s) {
        case FeedState::idle: return "idle";
        case FeedState::connected: return "connected";
        case FeedState::backing_off: return "backing_off";
        case FeedState::paused: return "paused";
    }
    return "?";
}

class FeedSet {
public:
    std::map<std::string, std::shared_ptr<PeerFeed>> peers;
    bool stopping = false;
    bool housekeeping_started = false;
    net::steady_timer* housekeeping = nullptr;
};

namespace {

using namespace std::chrono_literals;
constexpr auto housekeeping_period = 2s;  // the backlog policy runs this often,
constexpr unsigned stats_every = 5;         // and the stats line every 5th time (when changed)
constexpr std::size_t drop_chunk = 10000;  // entries acked away per policy step

// Drops the oldest entries past max_backlog and those older than max_backlog_age_h, through
// the queue API (peek + ack), with a warning saying how many and why.
void enforce_backlog(PeerFeed& f) {
    const auto& p = f.peer;
    auto depth = f.node.store.queue_depth(p.name);
    std::vector<std::uint64_t> drop;
    std::string reason;
    if (p.max_backlog > 0 && depth.entries > p.max_backlog) {
        auto n = std::min<std::uint64_t>(depth.entries - p.max_backlog, drop_chunk);
        for (auto& e : f.node.store.queue_peek(p.name, n)) drop.push_back(e.seq);
        reason = "max_backlog";
    } else if (p.max_backlog_age_h > 0 && depth.entries > 0) {
        auto cutoff = static_cast<std::int64_t>(std::time(nullptr)) - std::int64_t{3600} * p.max_backlog_age_h;
        if (depth.oldest < cutoff) {
            for (auto& e : f.node.store.queue_peek(p.name, drop_chunk)) {
                if (e.enqueued >= cutoff) break;
                drop.push_back(e.seq);
            }
            reason = "max_backlog_age_h";
        }
    }
    if (drop.empty()) return;
    f.stats.dropped += drop.size();
    spdlog::warn("peer={} event=backlog_dropped count={} reason={} backlog={} limit_entries={} limit_age_h={}",
                 p.name, drop.size(), reason, depth.entries, p.max_backlog, p.max_backlog_age_h);
    FeedOutcomes out;
    out.ack = std::move(drop);
    f.settle(std::move(out));
}

struct Tally {
    std::uint64_t offered, accepted, refused, rejected, deferred, skipped, dropped, backlog;
    bool operator==(const Tally&) const = default;
};

Tally counts(const FeedStats& s, std::uint64_t backlog) {
    return {s.offered, s.accepted, s.refused, s.rejected, s.deferred, s.skipped, s.dropped, backlog};
}

// One housekeeping round: backlog policy and retries for every feed, a stats line now and then.
void housekeeping_tick(NodeContext& node, FeedSet& set, std::map<std::string, Tally>& last, unsigned tick) {
    for (auto& [name, f] : set.peers) {
        enforce_backlog(*f);
        f->prune_retries();
        if (tick % stats_every != stats_every - 1) continue;
        auto depth = node.store.queue_depth(name);
        auto now = counts(f->stats, depth.entries);
        if (last.count(name) && last[name] == now) continue;
        last[name] = now;
        spdlog::info("peer={} event=stats state={} connections={} mode={} offered={} accepted={} refused={} "
                     "rejected={} deferred={} skipped={} dropped={} backlog={}",
                     name, to_string(f->stats.state), f->stats.connections_up,
                     f->stats.streaming ? "stream" : "ihave", now.offered, now.accepted, now.refused,
                     now.rejected, now.deferred, now.skipped, now.dropped, depth.entries);
    }
}

awaitable<void> housekeep(NodeContext& node, std::shared_ptr<FeedSet> set) {
    std::map<std::string, Tally> last;
    net::steady_timer t(node.io);
    set->housekeeping = &t;
    boost::system::error_code ec;
    for (unsigned tick = 0; !set->stopping; ++tick) {
        // Supervision: a round that throws is logged and counted; the next one runs as usual
        // (the period is the backoff), so housekeeping never silently stops.
        try {
            housekeeping_tick(node, *set, last, tick);
        } catch (const std::exception& x) {
            ++node.counters.housekeeping_faults;
            spdlog::error("event=housekeeping_fault error=\"{}\"", x.what());
        }
        t.expires_after(housekeeping_period);
        co_await t.async_wait(net::redirect_error(use_awaitable, ec));
    }
    set->housekeeping = nullptr;
}

}  // namespace

namespace {

void start_peer_feed(NodeContext& node, std::map<std::string, FeedStats>& all_stats, FeedSet& set,
                     const config::Peer& p) {
    auto& stats = all_stats[p.name];
    stats.streaming = p.streaming;
    auto f = std::make_shared<PeerFeed>(node, node.generation(), p, stats);
    set.peers[p.name] = f;
    auto depth = node.store.queue_depth(p.name);
    spdlog::info("peer={} event=feed_start host={}:{} connections={} streaming={} takethis_only={} window={} "
                 "backlog={}",
                 p.name, p.outgoing->host, p.outgoing->port, p.connections, p.streaming, p.takethis_only,
                 p.window, depth.entries);
    for (unsigned i = 0; i < std::max<std::uint32_t>(p.connections, 1); ++i)
        net::co_spawn(node.io, feed_peer(f, i), [name = p.name, i](std::exception_ptr e) {
            if (!e) return;
            spdlog::error("peer={} conn={} event=sender_failed error=\"{}\"", name, i, exception_text(e));
        });
}

void ensure_housekeeping(NodeContext& node, const std::shared_ptr<FeedSet>& set) {
    if (set->peers.empty() || set->housekeeping_started) return;
    set->housekeeping_started = true;
    net::co_spawn(node.io, housekeep(node, set), net::detached);
}

}  // namespace

Feeds::Feeds(NodeContext& node) : node_(node) {}

Feeds::~Feeds() { node_.wake_feeds = nullptr; }

void Feeds::start() {
    NodeContext& node = node_;
    auto set = std::make_shared<FeedSet>();
    // Feeds an admin paused stay paused across a restart (until resumed).
    const auto paused = load_paused_feeds(node.cfg().node.data_dir);
    for (const auto& p : node.cfg().peers) {
        if (!p.outgoing) continue;
        start_peer_feed(node, stats_, *set, p);
        if (paused.count(p.name)) {
            set->peers[p.name]->pause();
            spdlog::info("peer={} event=paused reason=\"paused before the restart\"", p.name);
        }
    }
    set_ = set;
    node.wake_feeds = [this] { notify(); };
    ensure_housekeeping(node, set);
}

std::vector<std::string> Feeds::reconcile() {
    NodeContext& node = node_;
    std::vector<std::string> changes;
    auto set = set_;
    if (!set || set->stopping) return changes;
    const auto& peers = node.cfg().peers;
    const auto paused_names = load_paused_feeds(node.cfg().node.data_dir);  // a peer back: still paused
    // Gone, or no longer fed by us: their senders finish the exchange they are in and stop;
    // their queue stays in the store (a later reload or restart that brings them back resumes).
    for (auto it = set->peers.begin(); it != set->peers.end();) {
        auto p = std::find_if(peers.begin(), peers.end(), [&](const auto& q) { return q.name == it->first; });
        if (p == peers.end() || !p->outgoing) {
            spdlog::info("peer={} event=feed_stop reason=reload", it->first);
            it->second->stop();
            changes.push_back("peer " + it->first + ": outgoing feed stopped");
            it = set->peers.erase(it);
        } else {
            ++it;
        }
    }
    for (const auto& p : peers) {
        if (!p.outgoing) continue;
        auto it = set->peers.find(p.name);
        if (it != set->peers.end()) {
            if (it->second->peer == p) continue;  // unchanged: its connections stay up
            bool paused = it->second->paused;
            it->second->stop();
            start_peer_feed(node, stats_, *set, p);
            if (paused) set->peers[p.name]->pause();
            changes.push_back("peer " + p.name + ": outgoing feed restarted with the new settings");
        } else {
            start_peer_feed(node, stats_, *set, p);
            if (paused_names.count(p.name)) set->peers[p.name]->pause();
            changes.push_back("peer " + p.name + ": outgoing feed started");
        }
    }
    ensure_housekeeping(node, set);
    return changes;
}

void Feeds::stop() {
    auto set = set_;
    if (!set) return;
    set->stopping = true;
    if (set->housekeeping) set->housekeeping->cancel();
    for (auto& [name, f] : set->peers) f->stop();
}

void Feeds::notify(const std::vector<std::string>& peers) {
    auto* set = set_.get();
    if (!set) return;
    if (peers.empty()) {
        for (auto& [name, f] : set->peers) f->wake();
        return;
    }
    for (const auto& name : peers)
        if (auto it = set->peers.find(name); it != set->peers.end()) it->second->wake();
}

bool Feeds::pause(const std::string& peer, bool paused) {
    auto* set = set_.get();
    if (!set) return false;
    auto it = set->peers.find(peer);
    if (it == set->peers.end()) return false;
    if (paused == it->second->paused) return true;
    spdlog::info("peer={} event={}", peer, paused ? "paused" : "resumed");
    if (paused) it->second->pause();
    else it->second->resume();
    // Remembered for the next start: the names paused now, plus those of peers not running
    // at the moment (a reload that brings one back finds it still paused).
    const auto& dir = node_.cfg().node.data_dir;
    auto names = load_paused_feeds(dir);
    for (const auto& [name, f] : set->peers) {
        if (f->paused) names.insert(name);
        else names.erase(name);
    }
    if (auto err = save_paused_feeds(dir, names); !err.empty())
        spdlog::warn("peer={} event=pause_not_saved error=\"{}\" note=\"in effect until a restart\"", peer, err);
    return true;
}

}  // namespace tidings::server
