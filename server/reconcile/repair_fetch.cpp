#include "server/reconcile/repair_fetch.h"

#include <spdlog/spdlog.h>

#include <deque>

#include "protocol/status.h"
#include "server/pull/ingest_fetched.h"
#include "server/pull/upstream_link.h"
#include "server/pull/work_set.h"
#include "server/reconcile/shared.h"
#include "storage/snapshot.h"

namespace tidings::server {

namespace st = protocol::status;
using namespace std::chrono_literals;

namespace {

// The pull engine's choices (server/pull/run.cpp), for the same reasons: a connection that
// failed this often in a row gives its peer up for the batch; a fetch held this long by one
// peer may be asked of another; a connection with nothing to take looks again this often.
constexpr int max_connect_failures = 3;
constexpr auto hedge_after = 5s;
constexpr auto idle_poll = 20ms;

}  // namespace

struct RepairFetcher::Batch {
    pull::WorkSet work;
    std::vector<std::string> peers;  // the WorkSet's upstream index → peer name
    std::vector<unsigned> live;      // connections per peer
    std::vector<bool> gave_up;       // its connections failed: no more for this batch
    std::vector<std::shared_ptr<net::ssl::context>> tls;
    unsigned storing = 0;            // articles handed to the store, verdict pending
    std::uint64_t hedged_counted = 0;
    bool stop = false;

    // The peer's index, added on first sight; max_upstreams when there is no room.
    unsigned index_of(const std::string& name) {
        for (unsigned u = 0; u < peers.size(); ++u)
            if (peers[u] == name) return u;
        if (peers.size() >= pull::WorkSet::max_upstreams) return pull::WorkSet::max_upstreams;
        peers.push_back(name);
        live.push_back(0);
        gave_up.push_back(false);
        tls.emplace_back();
        return static_cast<unsigned>(peers.size() - 1);
    }
    unsigned connections() const {
        unsigned n = 0;
        for (auto l : live) n += l;
        return n;
    }
};

RepairFetcher::~RepairFetcher() {
    if (batch_) batch_->stop = true;
}

void RepairFetcher::stop() {
    stopping_ = true;
    if (batch_) batch_->stop = true;
}

void RepairFetcher::want(const std::string& peer, const std::vector<std::string>& ids) {
    if (stopping_ || ids.empty()) return;
    if (!batch_) {
        batch_ = std::make_shared<Batch>();
        ++stats_.batches;
        stats_.state = "fetching";
    }
    auto b = batch_;
    const unsigned u = b->index_of(peer);
    if (u >= pull::WorkSet::max_upstreams) {
        spdlog::warn("event=reconcile_fetch_full peer={} ids={} reason=\"more than {} peers in one batch\"", peer,
                     ids.size(), pull::WorkSet::max_upstreams);
    } else {
        storage::Snapshot snap(node_.store);
        for (const auto& id : ids) {
            if (snap.history(id)) continue;
            const std::size_t before = b->work.size();
            b->work.add(id, u);
            stats_.wanted_total += b->work.size() - before;
            ++stats_.offers_total;
        }
        b->gave_up[u] = false;  // it has new ids: try it again
    }
    stats_.pending = b->work.unresolved();
    staff(b);
    settle(b);
}

// Connections for every peer that could help and has none.
void RepairFetcher::staff(const std::shared_ptr<Batch>& b) {
    if (b->stop) return;
    const unsigned per_peer = std::max<std::uint32_t>(1, node_.cfg().reconcile.fetch_connections);
    for (unsigned u = 0; u < b->peers.size(); ++u) {
        if (b->live[u] || b->gave_up[u] || !b->work.could_help(u)) continue;
        for (unsigned c = 0; c < per_peer; ++c) {
            ++b->live[u];
            net::co_spawn(node_.io, connection(b, u, c), net::detached);
        }
    }
}

// A batch with no connection and nothing being stored is over; ids it could not resolve are
// found again by the next reconciliation.
void RepairFetcher::settle(const std::shared_ptr<Batch>& b) {
    if (b->connections() || b->storing || batch_ != b) return;
    if (b->work.unresolved())
        spdlog::warn("event=reconcile_fetch_incomplete unresolved={} unavailable={}", b->work.unresolved(),
                     b->work.unavailable());
    batch_.reset();
    stats_.pending = 0;
    stats_.state = "idle";
}

void RepairFetcher::outcome(const std::shared_ptr<Batch>& b, unsigned u, const std::string& id, Fetched f) {
    switch (f) {
        case Fetched::stored:
            ++stats_.stored_total;
            ++stats_.stored_from[b->peers[u]];
            b->work.done(id);
            break;
        case Fetched::duplicate:
            ++stats_.duplicate_total;  // a feed (or a hedged copy) brought it first
            b->work.done(id);
            break;
        case Fetched::refused:
            ++stats_.refused_total;
            b->work.done(id);
            break;
        case Fetched::bad:
        case Fetched::not_now:
            ++stats_.unavailable_total;
            b->work.failed(id, u);
            break;
    }
    stats_.hedged_total += b->work.hedged() - b->hedged_counted;
    b->hedged_counted = b->work.hedged();
    if (batch_ == b) stats_.pending = b->work.unresolved();
}

void RepairFetcher::error(const std::string& peer, unsigned index, const std::string& what) {
    ++stats_.errors_total;
    stats_.last_error = peer + ": " + what;
    spdlog::warn("event=reconcile_fetch_error peer={} conn={} error=\"{}\"", peer, index, what);
}

awaitable<void> RepairFetcher::connection(std::shared_ptr<Batch> b, unsigned u, unsigned index) {
    const std::string name = b->peers[u];
    GenerationPtr gen = node_.generation();
    const config::Peer* peer = nullptr;
    for (const auto& p : gen->config->peers)
        if (p.name == name && p.outgoing) peer = &p;
    std::unique_ptr<feed::Link> link;
    int failures = 0;
    std::uint64_t counted = 0;  // of link->bytes_read
    const std::size_t max_article = gen->config->limits.max_article_bytes;
    const config::Upstream endpoint = peer ? reconcile::as_endpoint(*peer) : config::Upstream{};
    if (!peer) error(name, index, "no longer a peer with outgoing");
    while (peer && !b->stop) {
        if (!link) {
            if (failures >= max_connect_failures || !b->work.could_help(u)) break;
            if (failures) {
                net::steady_timer pause(node_.io, std::chrono::seconds(1 << std::min(failures - 1, 5)));
                boost::system::error_code ec;
                co_await pause.async_wait(net::redirect_error(use_awaitable, ec));
            }
            link = std::make_unique<feed::Link>(node_.io);
            counted = 0;
            std::string why = co_await pull::open_upstream(node_.io, endpoint, node_.identity, b->tls[u], *link);
            if (!why.empty()) {
                error(name, index, why);
                link.reset();
                ++failures;
                continue;
            }
        }
        std::deque<std::string> asked;
        bool broken = false;
        while (!b->stop) {
            const auto now = std::chrono::steady_clock::now();
            {
                // What a feed (ours, or the peer's run queueing to it) delivered meanwhile is
                // not fetched again: after a partition both ends repair the same gap.
                storage::Snapshot snap(node_.store);
                while (asked.size() < endpoint.window) {
                    auto id = b->work.take(u, now, hedge_after);
                    if (!id) break;
                    if (snap.history(*id)) {
                        ++stats_.arrived_total;
                        b->work.done(*id);
                        continue;
                    }
                    link->out += "ARTICLE " + *id + "\r\n";
                    asked.push_back(std::move(*id));
                }
            }
            if (asked.empty()) {
                if (b->work.finished() || !b->work.could_help(u)) break;
                net::steady_timer idle(node_.io, idle_poll);
                boost::system::error_code ec;
                co_await idle.async_wait(net::redirect_error(use_awaitable, ec));
                continue;
            }
            if (!co_await link->flush()) {
                error(name, index, "connection lost");
                broken = true;
                break;
            }
            const std::string id = asked.front();
            asked.pop_front();
            pull::ArticleAnswer a = co_await pull::read_article_answer(*link, max_article);
            stats_.bytes_total += link->bytes_read - counted;
            counted = link->bytes_read;
            if (a.kind == pull::ArticleAnswer::Kind::article) {
                failures = 0;
                ++b->storing;
                std::function<void(Fetched)> done = [this, b, u, id](Fetched f) {
                    --b->storing;
                    outcome(b, u, id, f);
                    staff(b);  // a bad copy goes back to the others, who may have stopped
                    settle(b);
                };
                ingest_fetched(node_, node_.generation(), name, id, std::move(a.text), std::move(done));
                continue;
            }
            if (a.kind == pull::ArticleAnswer::Kind::missing) {  // 430: not (or no longer) there
                ++stats_.unavailable_total;
                b->work.failed(id, u);
                continue;
            }
            error(name, index, "ARTICLE " + protocol::sanitize_for_echo(id) + ": " + a.why);
            b->work.failed(id, u);
            broken = true;
            break;
        }
        for (const auto& id : asked) b->work.retry(id, u);
        if (!broken) break;
        link.reset();
        ++failures;
    }
    if (link) {
        link->out = "QUIT\r\n";
        (void)co_await link->flush();
        stats_.bytes_total += link->bytes_read - counted;
    }
    if (failures >= max_connect_failures || !peer) b->gave_up[u] = true;
    --b->live[u];
    staff(b);  // what it gave back may be for peers whose connections have ended
    settle(b);
}

}  // namespace tidings::server
