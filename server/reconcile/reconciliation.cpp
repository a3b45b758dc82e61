// The initiator's side of XRECONCILE and the schedule; the responder is in served.cpp.
#include "server/reconcile/reconciliation.h"

#include "protocol/status.h"
#include "protocol/yenc_block.h"
#include "server/core/store_wait.h"
#include "server/feeds/feed_link.h"
#include "server/feeds/feeds.h"
#include "server/net/off_thread.h"
#include "server/nntp/dispatcher.h"
#include "server/pull/ingest_fetched.h"
#include "server/pull/upstream_link.h"
#include "protocol/date.h"
#include "protocol/message_id.h"
#include "protocol/overview.h"
#include "protocol/wildmat.h"
#include "storage/snapshot.h"

#include <unordered_set>
#include "server/reconcile/shared.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <limits>

namespace tidings::server {

namespace st = protocol::status;
namespace rc = protocol::reconcile;
using reconcile::build_set_off_thread;
using reconcile::enqueue_for;
using reconcile::as_endpoint;

namespace {

// Articles younger than this are left out of the window: they may still be in flight.
constexpr std::int64_t settle_s = 60;

std::int64_t now_s() { return static_cast<std::int64_t>(std::time(nullptr)); }

// One run's connection and what it counts.
struct Exchange {
    feed::Link link;
    std::uint64_t sent = 0;
    explicit Exchange(net::io_context& io) : link(io) {}
};

// Sends x.link.out (set by the caller: gcc 12 mishandles by-value string parameters of
// coroutines) and reads the answer.
awaitable<std::optional<feed::Reply>> exchange(Exchange& x) {
    x.sent += x.link.out.size();
    if (!co_await x.link.flush()) co_return std::nullopt;
    auto reply = co_await x.link.read_reply();
    co_return reply;
}

std::string answer_text(const std::optional<feed::Reply>& r) {
    return r ? feed::printable(r->line) : std::string("connection lost");
}

// XRECONCILE ROUND or SEND: the 390, then `bytes` as a yEnc block; the final answer.
awaitable<std::optional<feed::Reply>> with_block(Exchange& x, const std::string& verb, const std::string& bytes) {
    x.link.out = verb;
    auto r = co_await exchange(x);
    if (!r || r->code != st::cont_reconcile) co_return r;
    x.link.out = protocol::yenc_encode_block(bytes) + ".\r\n";
    auto done = co_await exchange(x);
    co_return done;
}

// Bytes of one OVER answer we accept (a range of over_range articles).
constexpr std::size_t max_over_bytes = 64u << 20;
constexpr std::uint64_t over_range = 10000;

// For a peer without XRECONCILE: the Message-IDs it has in the window, into `theirs` (at most
// `cap`). NEWNEWS over the window when the peer allows it (RFC 3977 §7.4), read line by line;
// when it refuses, every group we carry that matches, by GROUP and OVER over its whole range
// (§6.1.1, §8.3), keeping the records whose Date is in the window. Empty, or why it failed.
awaitable<std::string> list_theirs(NodeContext& node, const GenerationPtr& gen, const reconcile::Window& w,
                                   std::size_t cap, PeerReconcileStats& stats, Exchange& x,
                                   std::unordered_set<std::string>& theirs) {
    const std::string too_many = "the peer lists more than " + std::to_string(cap) +
                                 " ids (our window's items plus max_differences)";
    const std::string when = protocol::format_nntp_date(w.since);
    x.link.out = "NEWNEWS " + w.wildmat + " " + when.substr(0, 8) + " " + when.substr(8) + " GMT\r\n";
    auto listed = co_await exchange(x);
    if (!listed) co_return "NEWNEWS: connection lost";
    if (listed->code == st::ok_newnews) {
        stats.method = "newnews";
        for (;;) {
            auto line = co_await x.link.read_reply();
            if (!line) co_return "NEWNEWS: the list was cut off";
            if (line->line == ".") co_return std::string();
            if (theirs.size() >= cap) co_return too_many;
            if (protocol::is_listed_message_id(line->line)) theirs.insert(std::move(line->line));
        }
    }
    spdlog::info("event=reconcile_newnews_refused reply=\"{}\" fallback=over", feed::printable(listed->line));
    stats.method = "over";
    std::vector<std::string> groups;
    {
        protocol::Wildmat want(w.wildmat);
        storage::Snapshot snap(node.store);
        snap.for_each_group([&](const storage::GroupInfo& g) {
            if (g.name != gen->config->filter.quarantine_group && want.matches(g.name)) groups.push_back(g.name);
            return true;
        });
    }
    std::string verb = "OVER ";
    for (const auto& group : groups) {
        x.link.out = "GROUP " + group + "\r\n";
        auto r = co_await exchange(x);
        if (!r) co_return "GROUP: connection lost";
        if (r->code == st::fail_bad_group) continue;  // it does not carry that group
        std::uint64_t count = 0, low = 0, high = 0;
        if (r->code != st::ok_group || std::sscanf(r->line.c_str(), "211 %lu %lu %lu", &count, &low, &high) != 3)
            co_return "GROUP " + group + ": " + answer_text(r);
        for (std::uint64_t lo = low; count && lo <= high;) {
            const std::uint64_t hi = std::min(high, lo + over_range - 1);
            x.link.out = verb + std::to_string(lo) + "-" + std::to_string(hi) + "\r\n";
            r = co_await exchange(x);
            if (!r) co_return "OVER: connection lost";
            if ((r->code == st::err_command || r->code == st::err_unavailable) && verb == "OVER ") {
                verb = "XOVER ";  // RFC 2980's name, for servers older than RFC 3977
                continue;
            }
            lo = hi + 1;
            if (r->code == st::fail_article_number) continue;  // 423: nothing in the range
            if (r->code != st::ok_overview) co_return verb + group + ": " + answer_text(r);
            auto block = co_await x.link.read_block(max_over_bytes);
            if (!block) co_return verb + group + ": answer lost or over " + std::to_string(max_over_bytes) + " bytes";
            for (std::size_t at = 0; at < block->size();) {
                std::size_t eol = block->find("\r\n", at);
                if (eol == std::string::npos) eol = block->size();
                auto o = protocol::parse_overview_line(std::string_view(*block).substr(at, eol - at));
                at = eol + 2;
                if (!o) continue;
                auto date = protocol::parse_rfc5322_date(o->date);
                if (!date || *date < w.since || *date >= w.until) continue;
                if (theirs.size() >= cap) co_return too_many;
                theirs.emplace(o->message_id);
            }
        }
    }
    co_return std::string();
}

// For a peer without XRECONCILE (INN): its list against our set (list_theirs; the peer must let
// us read, as INN's readers.conf does for a host it lists). What it lacks is queued to our feed
// to it; what we lack goes to the repair fetcher. Costs the whole id list, unlike XRECONCILE.
awaitable<std::string> reconcile_by_lists(NodeContext& node, const GenerationPtr& gen, const config::Peer& peer,
                                          const config::Reconcile& cfg, PeerReconcileStats& stats, Exchange& x,
                                          RepairFetcher& fetcher) {
    stats.method = "newnews";
    x.link.out = "MODE READER\r\n";
    auto mode = co_await exchange(x);
    if (!mode || (mode->code != st::ok_banner_post && mode->code != st::ok_banner_nopost))
        co_return "the peer offers no XRECONCILE, and MODE READER failed: " + answer_text(mode);
    reconcile::Window w;
    w.wildmat = cfg.groups;
    w.until = now_s() - settle_s;
    w.since = std::max<std::int64_t>(0, w.until - std::int64_t{cfg.window_days} * 86400);
    w.salt = reconcile::random_salt();
    stats.state = "building";
    auto set = co_await build_set_off_thread(node, w);
    if (set->too_many) co_return "too many articles in the window";
    stats.items = set->names.size();
    stats.items_total += stats.items;
    stats.state = "exchanging";
    std::unordered_set<std::string> theirs;
    std::string why = co_await list_theirs(node, gen, w, set->names.size() + cfg.max_differences, stats, x, theirs);
    if (!why.empty()) co_return why;
    std::vector<std::string> lacking, wanted;
    for (const auto& name : set->names)
        if (!theirs.count(name)) lacking.push_back(name);
    {
        storage::Snapshot snap(node.store);
        for (const auto& id : theirs)
            if (!snap.history(id)) wanted.push_back(id);
    }
    if (wanted.size() > cfg.max_differences) wanted.resize(cfg.max_differences);
    stats.they_lacked = lacking.size();
    stats.we_lacked = wanted.size();
    stats.state = "repairing";
    if (!lacking.empty()) stats.queued_to_them_total += co_await enqueue_for(node, peer.name, std::move(lacking));
    stats.asked_total += wanted.size();
    fetcher.want(peer.name, wanted);
    x.link.out = "QUIT\r\n";
    co_await exchange(x);
    co_return std::string();
}

// The whole run against one peer; empty on success, else why it stopped.
awaitable<std::string> reconcile_with(NodeContext& node, const GenerationPtr& gen, const config::Peer& peer,
                                      const config::Reconcile& cfg, PeerReconcileStats& stats, Exchange& x,
                                      RepairFetcher& fetcher) {
    std::shared_ptr<net::ssl::context> tls;
    const config::Upstream endpoint = as_endpoint(peer);
    std::string why = co_await pull::open_upstream(node.io, endpoint, node.identity, tls, x.link, /*mode_reader=*/false);
    if (!why.empty()) co_return why;
    x.link.out = "CAPABILITIES\r\n";
    auto caps = co_await exchange(x);
    if (!caps || caps->code != st::info_capabilities) co_return "CAPABILITIES: " + answer_text(caps);
    auto list = co_await x.link.read_block(64 * 1024);
    if (!list) co_return "CAPABILITIES: connection lost";
    if (list->find("\r\nXRECONCILE") == std::string::npos && !list->starts_with("XRECONCILE")) {
        auto why = co_await reconcile_by_lists(node, gen, peer, cfg, stats, x, fetcher);
        co_return why;
    }
    stats.method = "xreconcile";

    stats.state = "building";
    reconcile::Window w;
    w.wildmat = cfg.groups;
    w.until = now_s() - settle_s;
    w.since = std::max<std::int64_t>(0, w.until - std::int64_t{cfg.window_days} * 86400);
    w.salt = reconcile::random_salt();
    auto set = co_await build_set_off_thread(node, w);
    if (set->too_many) co_return "too many articles in the window";
    stats.items = set->set.size();
    stats.items_total += stats.items;

    stats.state = "exchanging";
    x.link.out = "XRECONCILE OPEN " + w.wildmat + " " + std::to_string(w.since) + " " + std::to_string(w.until) +
                 " " + reconcile::format_salt(w.salt) + "\r\n";
    auto open = co_await exchange(x);
    if (!open || open->code != st::ok_reconcile_open) co_return "XRECONCILE OPEN: " + answer_text(open);
    const rc::Limits limits = reconcile::limits_of(cfg);
    rc::Reconciler reconciler(set->set, rc::Reconciler::Role::initiator, limits);
    rc::Differences diff;
    std::string message = reconciler.initiate();
    const std::string round_verb = "XRECONCILE ROUND\r\n", send_verb = "XRECONCILE SEND\r\n",
                      names_verb = "XRECONCILE NAMES\r\n";
    const auto started = std::chrono::steady_clock::now();
    for (stats.rounds = 0;;) {
        if (stats.rounds >= cfg.max_rounds || std::chrono::steady_clock::now() - started > std::chrono::seconds(cfg.max_seconds))
            co_return "round or time limit reached";
        ++stats.rounds;
        auto r = co_await with_block(x, round_verb, message);
        if (!r || r->code != st::ok_reconcile_round) co_return "XRECONCILE ROUND: " + answer_text(r);
        auto block = co_await x.link.read_block(2 * limits.max_input_bytes);
        if (!block) co_return "XRECONCILE ROUND: answer lost or too big";
        auto bytes = protocol::yenc_decode_block(*block);
        if (!bytes) co_return "XRECONCILE ROUND: the answer is not a yEnc block";
        auto next = reconciler.step(*bytes, &diff);
        if (next.error != rc::Error::none) co_return "the peer's message: " + std::string(rc::to_string(next.error));
        if (next.done) break;
        message = std::move(next.out);
    }
    stats.they_lacked = diff.have.size();
    stats.we_lacked = diff.need.size();

    stats.state = "repairing";
    if (!diff.have.empty()) {
        std::vector<std::string> names;
        for (auto i : diff.have) names.push_back(set->names[i]);
        stats.queued_to_them_total += co_await enqueue_for(node, peer.name, std::move(names));
    }
    if (!diff.need.empty()) {
        std::string ids;
        for (auto s : diff.need)
            for (int k = static_cast<int>(rc::short_id_bytes) - 1; k >= 0; --k) ids.push_back(static_cast<char>(s >> (8 * k)));
        // NAMES: the Message-IDs, fetched from every peer that has them (repair_fetch.h). A peer
        // without NAMES (an older Tidings) queues them to its feed to us instead (SEND).
        auto r = co_await with_block(x, names_verb, ids);
        if (r && r->code == st::ok_reconcile_names) {
            auto block = co_await x.link.read_block(diff.need.size() * 256 + 1024);
            if (!block) co_return "XRECONCILE NAMES: the list was cut off or too long";
            std::vector<std::string> names;
            for (std::size_t at = 0; at < block->size();) {
                std::size_t eol = block->find("\r\n", at);
                if (eol == std::string::npos) eol = block->size();
                std::string_view line(block->data() + at, eol - at);
                at = eol + 2;
                if (protocol::is_listed_message_id(line)) names.emplace_back(line);
            }
            stats.asked_total += names.size();
            fetcher.want(peer.name, names);
        } else if (r && (r->code == st::err_command || r->code == st::err_syntax)) {
            r = co_await with_block(x, send_verb, ids);
            if (!r || r->code != st::ok_reconcile_send) co_return "XRECONCILE SEND: " + answer_text(r);
            stats.queued_by_them_total += std::strtoull(r->id.c_str(), nullptr, 10);
        } else {
            co_return "XRECONCILE NAMES: " + answer_text(r);
        }
    }
    x.link.out = "QUIT\r\n";
    co_await exchange(x);
    co_return std::string();
}

}  // namespace

Reconciliation::Reconciliation(NodeContext& node) : node_(node), fetcher_(std::make_unique<RepairFetcher>(node)) {}
Reconciliation::~Reconciliation() = default;

void Reconciliation::install(Dispatcher& d) {
    using K = protocol::Kind;
    d.handle(K::xreconcile_open, [this](Session& s, const protocol::ParseResult& p) {
        return reconcile::serve_open(sessions_, served_, s, p);
    });
    d.handle(K::xreconcile_round, [this](Session& s, const protocol::ParseResult&) { return reconcile::serve_round(sessions_, served_, s); });
    d.handle(K::xreconcile_send, [this](Session& s, const protocol::ParseResult&) { return reconcile::serve_send(sessions_, served_, s); });
    d.handle(K::xreconcile_names, [this](Session& s, const protocol::ParseResult&) { return reconcile::serve_names(sessions_, served_, s); });
    d.on_session_end([this](std::uint64_t id) {
        sessions_.erase(id);
        served_.active = sessions_.size();
    });
}

void Reconciliation::start() {
    if (started_) return;
    started_ = true;
    wake_ = std::make_unique<net::steady_timer>(node_.io);
    net::co_spawn(node_.io, schedule(), net::detached);
}

void Reconciliation::stop() {
    stopping_ = true;
    fetcher_->stop();
    if (wake_) wake_->cancel();
}

bool Reconciliation::run_now(const std::string& peer) {
    for (const auto& p : node_.cfg().peers)
        if (p.name == peer && p.outgoing) {
            asked_[peer] = true;
            if (wake_) wake_->cancel();
            return true;
        }
    return false;
}

awaitable<void> Reconciliation::schedule() {
    using namespace std::chrono_literals;
    while (!stopping_) {
        GenerationPtr gen = node_.generation();
        std::int64_t now = now_s();
        for (const auto& p : gen->config->peers) {
            if (!p.outgoing || running_[p.name]) continue;
            // Unset next_due_ (0): due at once, so a start-up (a reconnection after any outage
            // of ours) begins with a run.
            bool due = asked_[p.name] || (p.reconcile && next_due_[p.name] <= now);
            // A feed that connected again since we last looked: the outage may have cost it
            // articles (a backlog dropped by max_backlog or max_backlog_age_h, or a restart).
            if (feeds_ && p.reconcile) {
                auto it = feeds_->stats().find(p.name);
                std::uint64_t connects = it == feeds_->stats().end() ? 0 : it->second.connects;
                auto& seen = connects_seen_[p.name];
                if (connects > seen) {
                    if (seen > 0) {
                        due = true;
                        spdlog::info("event=reconcile_due peer={} reason=feed_reconnected", p.name);
                    }
                    seen = connects;
                }
            }
            if (!due) continue;
            asked_[p.name] = false;
            running_[p.name] = true;
            net::co_spawn(node_.io, run_peer(p.name), net::detached);
        }
        wake_->expires_after(1s);
        boost::system::error_code ec;
        co_await wake_->async_wait(net::redirect_error(use_awaitable, ec));
    }
}

awaitable<void> Reconciliation::run_peer(std::string name) {
    GenerationPtr gen = node_.generation();
    const config::Peer* peer = nullptr;
    for (const auto& p : gen->config->peers)
        if (p.name == name) peer = &p;
    PeerReconcileStats& stats = stats_[name];
    if (!peer || !peer->outgoing) {
        running_[name] = false;
        co_return;
    }
    ++stats.runs;
    stats.state = "connecting";  // with runs, in one step: a reader never sees the new count idle
    stats.last_start = now_s();
    Exchange x(node_.io);
    std::string why;
    try {
        why = co_await reconcile_with(node_, gen, *peer, gen->config->reconcile, stats, x, *fetcher_);
    } catch (const std::exception& e) {
        why = e.what();
    }
    boost::system::error_code ec;
    x.link.stream.socket().close(ec);
    stats.bytes_sent = x.sent;
    stats.bytes_received = x.link.bytes_read;
    stats.bytes_total += x.sent + x.link.bytes_read;
    stats.last_end = now_s();
    stats.last_error = why;
    stats.state = "idle";
    if (!why.empty()) {
        ++stats.failures;
        spdlog::warn("event=reconcile_failed peer={} error=\"{}\"", name, why);
    } else {
        spdlog::info("event=reconcile peer={} method={} items={} rounds={} they_lacked={} we_lacked={} bytes_sent={} "
                     "bytes_received={}",
                     name, stats.method, stats.items, stats.rounds, stats.they_lacked, stats.we_lacked, stats.bytes_sent,
                     stats.bytes_received);
    }
    // Next: interval_s after a success (never when 0); after failures, the peer's retry_s,
    // doubled with each failure in a row up to an hour (a peer down for long is not hammered;
    // its feed's reconnection starts a run at once anyway).
    const std::int64_t never = std::numeric_limits<std::int64_t>::max();
    std::int64_t interval = gen->config->reconcile.interval_s ? std::int64_t{gen->config->reconcile.interval_s} : never;
    std::uint32_t& failed = failures_in_a_row_[name];
    failed = why.empty() ? 0 : failed + 1;
    const std::int64_t backoff = std::min<std::int64_t>(std::int64_t{peer->retry_s} << std::min<std::uint32_t>(failed, 11), 3600);
    next_due_[name] = why.empty() ? (interval == never ? never : stats.last_end + interval)
                                  : stats.last_end + std::min<std::int64_t>(interval, backoff / 2);
    running_[name] = false;
}

}  // namespace tidings::server
