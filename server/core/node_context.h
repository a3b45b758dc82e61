// What every subsystem of the running node shares: the I/O context, the store, the running
// configuration generation, the counters and the registry of live sessions. Each subsystem
// keeps its own state (transit's in-flight table in transit::Transit, the feeds' senders in
// Feeds, the admin listener in AdminServer, reload's file and log settings in node/); this is
// only what more than one of them reads.
// Everything here is owned and touched by the one I/O thread, except `store` (thread-safe).
#pragma once

#include "server/net/net.h"

#include <spdlog/spdlog.h>

#include <array>
#include <chrono>
#include <ctime>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/config.h"
#include "server/core/group_control.h"
#include "server/core/ingest.h"
#include "server/core/rate_limiter.h"
#include "server/core/store_budget.h"
#include "server/net/connection.h"
#include "server/net/fair_gate.h"
#include "server/core/pending_cancels.h"
#include "server/net/identity.h"
#include "storage/store.h"

namespace tidings::server {

// Counters shown in logs and by the admin API; every refusal and limit is counted.
struct Counters {
    std::uint64_t connections_accepted = 0;
    std::uint64_t connections_refused_total_limit = 0;
    std::uint64_t connections_refused_ip_limit = 0;
    std::uint64_t connections_refused_reserved = 0;  // readers past the slots kept for peers
    std::uint64_t commands = 0;
    std::uint64_t unknown_commands = 0;
    std::uint64_t overlong_lines = 0;
    std::uint64_t idle_timeouts = 0;
    std::uint64_t line_timeouts = 0;  // limits.line_timeout_s: a line or article stalled
    std::uint64_t session_faults = 0;       // a command threw: 403, connection closed (supervision)
    std::uint64_t housekeeping_faults = 0;  // a feed housekeeping round threw (logged, next round runs)
    std::uint64_t walk_yields = 0;    // long reader walks pausing for other sessions (fair time)
    std::uint64_t accepted = 0;   // articles stored from peers
    std::uint64_t deferred = 0;   // articles the store could not take now (436/400)
    std::uint64_t store_backpressure_waits = 0;
    std::map<std::string, std::uint64_t> refused;  // by reason: duplicate, loop, too_big, ...
    // Cancels and Supersedes by "kind/outcome" (cancel/applied, supersede/key_mismatch, ...).
    std::map<std::string, std::uint64_t> withdrawals;
    // Filter rule matches by "rule/action" (spam/reject, binaries/quarantine, ...).
    std::map<std::string, std::uint64_t> filter_matches;
    std::uint64_t quarantine_released = 0;  // by the admin API (POST /quarantine/release)
    // newgroup/rmgroup/checkgroups by "kind/decision" (newgroup/doit, rmgroup/log, ...).
    std::map<std::string, std::uint64_t> group_controls;

    // Articles offered by each configured feeding peer, by outcome.
    struct PeerIncoming {
        std::uint64_t accepted = 0;  // stored durably (239/235)
        std::uint64_t refused = 0;   // not wanted: duplicate or in progress (438/435/431/436)
        std::uint64_t rejected = 0;  // refused for good (439/437): loop, malformed, too big...
        std::uint64_t deferred = 0;  // could not be stored now (400/436 after the offer)
    };
    std::map<std::string, PeerIncoming, std::less<>> incoming_by_peer;

    // Time from an article's last byte received to its durable ack being queued for the
    // peer, as a histogram with the store's commit bounds (entry i: <= bound i; last: above).
    std::array<std::uint64_t, storage::StoreStats::commit_bounds_us.size() + 1> acks_by_latency{};
    std::uint64_t ack_us_sum = 0;
    void observe_ack(std::chrono::microseconds t) {
        auto us = static_cast<std::uint64_t>(t.count());
        const auto& b = storage::StoreStats::commit_bounds_us;
        std::size_t i = 0;
        while (i < b.size() && us > b[i]) ++i;
        ++acks_by_latency[i];
        ack_us_sum += us;
    }
};

// What a listener lets its sessions do.
struct ListenerInfo {
    std::string address;
    std::uint16_t port = 0;  // the bound port (resolved when the config said 0)
    bool reader = true;
    bool transit = true;
    config::Tls tls = config::Tls::none;              // STARTTLS offered, or TLS from the start
    std::shared_ptr<net::ssl::context> tls_context{}; // set when tls != none (server/net/tls_context.h)
    config::ClientCerts client_certs = config::ClientCerts::none;  // asked for in the handshake
};

// One configuration as loaded, with the outgoing feed selection compiled from it. Immutable.
// Sessions and senders hold the generation they started with (a session's peer, limits and
// accounts do not change under it); the last holder frees it.
struct Generation {
    explicit Generation(std::shared_ptr<const config::Config> c)
        : config(std::move(c)), feeds(*config), filters(config->filter) {}
    std::shared_ptr<const config::Config> config;
    FeedTable feeds;
    FilterTable filters;
};
using GenerationPtr = std::shared_ptr<const Generation>;

class NodeContext {
public:
    NodeContext(net::io_context& io, const config::Config& start, storage::Store& store)
        : io(io), store(store) {
        install(std::make_shared<const config::Config>(start));
    }

    net::io_context& io;
    storage::Store& store;

    // The running configuration generation. A reload installs a new one (server/node/reload.h);
    // the old one lives on only while a session or sender still holds it.
    const GenerationPtr& generation() const { return current_; }
    const config::Config& cfg() const { return *current_->config; }
    const FeedTable& feeds() const { return current_->feeds; }
    void install(std::shared_ptr<const config::Config> next) {
        current_ = std::make_shared<const Generation>(std::move(next));
        bodies.set_capacity(cfg().limits.max_body_hashes);
        for (const auto& p : current_->filters.problems()) spdlog::error("event=filter_problem problem=\"{}\"", p);
    }
    // What the filter rules of the running generation need to judge an article now.
    Filtering filtering() {
        return Filtering{current_->filters, bodies, static_cast<std::int64_t>(std::time(nullptr))};
    }
    // Article bodies seen lately, for [[filter.rule]] min_body_copies (server/core/filter.h).
    BodyHistory bodies;
    // checkgroups diffs waiting for the admin, and serials seen (server/core/group_control.h).
    CheckgroupsDiffs checkgroups;
    const std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    bool stopping = false;
    Counters counters;
    // Article bytes handed to the writer and not yet committed (transit and POST wait on it).
    StoreBudget store_budget;
    // POSTs per user or address (limits.max_posts_per_minute).
    RateLimiter post_rate;
    // Failed logins per address and per user name (limits.max_auth_failures a minute each).
    RateLimiter auth_failures;
    // Password checks (crypt(3) off the I/O thread, two at once), queued fairly by address
    // ("address:" + address_key): the address with the fewest failed logins goes first.
    FairGate password_checks{2, [this](const std::string& address) {
        return std::uint64_t{auth_failures.spent(address, cfg().limits.max_auth_failures, RateLimiter::Clock::now())};
    }};

    // Live sessions by id (never by pointer elsewhere: a session may end at any co_await): the socket lets shutdown
    // end a session's reading so it finishes its current command and leaves.
    std::unordered_map<std::uint64_t, std::weak_ptr<Connection>> sessions;
    std::unordered_map<std::string, int> sessions_per_ip;  // by address_key (IPv6: per /64)
    std::uint64_t next_session_id = 1;
    // Sessions attributed to a configured peer (by address at the start, or by the peer's
    // auth_user after AUTHINFO), by session id: /status counts them as transit sessions and a
    // reload that removes the peer ends them. Set only through nntp's attribute_peer().
    std::unordered_map<std::uint64_t, std::string> peer_sessions;
    // Sessions logged in with AUTHINFO, by session id: the [[user]] name (a reload that removes
    // or changes the account ends them).
    std::unordered_map<std::uint64_t, std::string> user_sessions;

    // The node's key pair and certificate (start-up loads or makes it; server/net/identity.h).
    NodeIdentity identity;
    // The secret of the Cancel-Lock of local posts (server/core/cancel_lock.h); set at start.
    std::string cancel_lock_secret;
    // Cancels judged `key` whose target has not arrived yet (server/core/withdraw.h).
    PendingCancels pending_cancels;

    // The bound NNTP listeners (start-up fills it; the admin API reports it).
    std::vector<ListenerInfo> listeners;

    // Wakes the outgoing feeds' idle senders after the store committed articles queued for
    // them (transit's and POST's store completions). Set by the feeds when they start; the
    // senders also poll, so an unset hook delays an article, never loses it.
    std::function<void()> wake_feeds;

private:
    GenerationPtr current_;
};

}  // namespace tidings::server
