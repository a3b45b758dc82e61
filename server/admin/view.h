// What the admin API shows, gathered once per request from the node (I/O thread) and the
// store (short read transactions), then rendered as /status JSON or /metrics text.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "server/feeds/feed_stats.h"
#include "server/admin/context.h"
#include "storage/types.h"

namespace tidings::server {

class AdminServer;

struct PeerView {
    std::string name;
    std::uint32_t incoming_sessions = 0;  // open sessions attributed to it
    std::optional<config::HostPort> outgoing;
    config::Tls tls = config::Tls::none;  // of the outgoing feed
    bool auth = false;                    // the outgoing feed logs in (auth_file)
    bool compress = false;                // it asks for COMPRESS DEFLATE
    std::optional<FeedStats> feed;        // when it has an outgoing feed that started
    std::uint64_t backlog = 0;            // entries in its outgoing queue
    std::int64_t oldest_age_s = 0;        // age of the head entry; 0 when empty
};

struct ListenerView {
    std::string kind;   // "nntp" or "http"
    std::string address;
    std::uint16_t port = 0;
    std::string roles;  // "reader,transit", "reader", "transit", "admin"
    std::string tls;    // "none", "starttls", "implicit"
};

struct NodeView {
    std::string version;
    std::string pathhost;
    std::string data_dir;
    std::string identity_pin;   // server/net/identity.h
    std::string identity_cert;
    double uptime_s = 0;
    std::int64_t started_unix = 0;
    bool ready = false;  // store open, listeners bound, not stopping
    std::vector<ListenerView> listeners;
    storage::StoreStats store;
    std::uint64_t groups = 0;
    // Open NNTP sessions by what they may do: those attributed to a configured peer (by address
    // or auth_user, NodeContext::peer_sessions) are transit sessions, the others reader sessions.
    std::uint64_t connections = 0, reader_connections = 0, transit_connections = 0;
    Counters counters;
    std::size_t pending_cancels = 0;            // cancels waiting for their target
    std::uint64_t pending_cancels_dropped = 0;
    std::size_t filter_bodies = 0;              // body hashes kept for min_body_copies
    std::uint64_t filter_bodies_forgotten = 0;  // dropped for limits.max_body_hashes
    std::uint64_t quarantined = 0;              // articles in filter.quarantine_group now
    std::vector<PeerView> peers;
    // [[upstream]] pulling (server/pull/pulls.h): per upstream, and the runs so far.
    std::map<std::string, UpstreamStats> upstreams;
    bool pull_running = false;
    std::map<std::string, PeerReconcileStats> reconciles;
    ServedReconcileStats reconcile_served;
    RepairFetchStats reconcile_repair;
    PeeringStats peering;
    std::uint64_t peering_candidates = 0, peering_pending = 0, peering_links = 0;
    std::uint64_t pull_runs = 0;
};

// Reads everything shown; call on the I/O thread.
NodeView gather_view(const AdminContext& ctx);

// GET /status body (README "Operations" documents the fields).
nlohmann::json status_json(const NodeView& v);

// GET /quarantine body: the quarantine group's newest articles (at most 1,000), newest first:
// number, message_id, subject, from, date, bytes.
nlohmann::json quarantine_json(const AdminContext& ctx);

// GET /checkgroups body: the checkgroups diffs waiting for the admin, oldest first.
nlohmann::json checkgroups_json(const AdminContext& ctx);
// GET /peering: this node's pin, candidates, proposals, peerings and counters.
nlohmann::json peering_json(const AdminContext& ctx);

// GET /metrics body: Prometheus text exposition format 0.0.4.
std::string metrics_text(const NodeView& v, const AdminServer* admin);

// GET / body: the self-contained dashboard (no external resources).
std::string_view dashboard_html() noexcept;

}  // namespace tidings::server
