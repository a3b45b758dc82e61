// The running node: configuration, store, listeners and the registry of live sessions.
// Everything here is owned and touched by the one I/O thread, except `store` (thread-safe) and
// `store_acks`, which the store's writer thread pushes into.
#pragma once

#include "server/net.h"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <map>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "config/config.h"
#include "server/connection.h"
#include "server/feed_stats.h"
#include "server/ingest.h"
#include "server/store_acks.h"
#include "storage/store.h"

namespace tidings::server {

class FeedSet;  // server/feeds.cpp
class AdminServer;  // server/http_server.h

// Counters shown in logs now and by the admin API later; every refusal and limit is counted.
struct Counters {
    std::uint64_t connections_accepted = 0;
    std::uint64_t connections_refused_total_limit = 0;
    std::uint64_t connections_refused_ip_limit = 0;
    std::uint64_t commands = 0;
    std::uint64_t unknown_commands = 0;
    std::uint64_t overlong_lines = 0;
    std::uint64_t idle_timeouts = 0;
    std::uint64_t accepted = 0;   // articles stored from peers
    std::uint64_t deferred = 0;   // articles the store could not take now (436/400)
    std::uint64_t store_backpressure_waits = 0;
    std::map<std::string, std::uint64_t> refused;  // by reason: duplicate, loop, too_big, ...

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
    std::shared_ptr<net::ssl::context> tls_context{}; // set when tls != none (server/tls.cpp)
};

class NodeContext {
public:
    NodeContext(net::io_context& io, const config::Config& start, storage::Store& store)
        : io(io), store(store) {
        install(std::make_shared<const config::Config>(start));
        log_level = start.node.log_level;
        log_format = start.node.log_format;
        groups = start.groups;
    }

    net::io_context& io;
    storage::Store& store;

    // The running configuration and the outgoing feed selection compiled from it. A reload
    // installs a new generation (server/admin_reload.cpp); earlier ones stay alive, because
    // sessions and senders keep pointers into the generation they started with (a session's
    // peer, limits and accounts do not change under it; a new session gets the new ones).
    const config::Config& cfg() const { return *generations_.back(); }
    const FeedTable& feeds() const { return *feed_tables_.back(); }
    void install(std::shared_ptr<const config::Config> next) {
        feed_tables_.push_back(std::make_shared<const FeedTable>(*next));
        generations_.push_back(std::move(next));
    }
    const std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    bool stopping = false;
    Counters counters;

    // Live sessions by id (never by pointer elsewhere, STYLE.md §4): the socket lets shutdown
    // end a session's reading so it finishes its current command and leaves.
    std::unordered_map<std::uint64_t, std::weak_ptr<Connection>> sessions;
    std::unordered_map<std::string, int> sessions_per_ip;
    std::uint64_t next_session_id = 1;

    // Message-IDs being received or stored right now, with the session that has them (INN's
    // WIP table): a second peer's CHECK gets 431 and its IHAVE 436 meanwhile. A CHECK answered
    // 238 only promises an article (`body` false): the promise lapses after
    // check_claim_hold, and a TAKETHIS that brings the article from elsewhere takes it over.
    struct InFlight {
        std::uint64_t session = 0;
        std::chrono::steady_clock::time_point since{};
        bool body = false;  // the article is being received or stored (IHAVE 335, TAKETHIS)
    };
    std::unordered_map<std::string, InFlight> in_flight;
    // Article bytes handed to the store writer and not yet answered (back-pressure).
    std::uint64_t store_bytes_in_flight = 0;
    // Transit articles' store outcomes, handed back from the writer thread in batches.
    StoreAcks store_acks{io, [this](StoreAck& a) { deliver_store_ack(*this, a); }};
    // Refused ids handed to the writer for history and not yet committed.
    std::unordered_set<std::string> being_remembered;

    // Outgoing feeds (server/feeds.cpp): per-peer state and counters by peer name, and the
    // senders themselves (opaque here; set by start_feeds).
    std::map<std::string, FeedStats> feed_stats;
    std::shared_ptr<FeedSet> feed_set;

    // Admin API (server/http_*.cpp, admin_*.cpp): the bound NNTP listeners it reports, the
    // admin listener (null when [http] is off or its bind failed), and what a reload may
    // change while running — the file it re-reads, the log settings and the configured groups
    // as last applied.
    std::vector<ListenerInfo> listeners;
    std::shared_ptr<AdminServer> admin;
    std::string config_path;  // empty: started with the embedded default
    config::LogLevel log_level{};
    config::LogFormat log_format{};
    std::vector<config::Group> groups;

    // Sessions identified as a configured peer's feed, by session id: a reload that removes
    // the peer ends them.
    std::unordered_map<std::uint64_t, std::string> peer_sessions;

private:
    std::vector<std::shared_ptr<const config::Config>> generations_;
    std::vector<std::shared_ptr<const FeedTable>> feed_tables_;
};

// Runs the node until SIGTERM/SIGINT; returns the process exit status. SIGHUP reloads
// `config_path` (server/admin_reload.h); empty: started from the embedded default.
int run_node(const config::Config& cfg, const std::string& config_path = {});

}  // namespace tidings::server
