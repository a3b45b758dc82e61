// Gathering the node's state for the admin API, and the /status JSON rendering of it.
#include "server/admin/view.h"

#include <ctime>

#include "server/admin/http_server.h"
#include "storage/snapshot.h"

#ifndef TIDINGS_VERSION
#define TIDINGS_VERSION "0.1.0"
#endif

namespace tidings::server {
namespace {

std::string roles_of(const ListenerInfo& l) {
    if (l.reader && l.transit) return "reader,transit";
    return l.reader ? "reader" : "transit";
}

std::string_view tls_name(config::Tls t) {
    switch (t) {
        case config::Tls::none: return "none";
        case config::Tls::starttls: return "starttls";
        case config::Tls::implicit: return "implicit";
    }
    return "none";
}

// Sessions by role, and per peer, as the sessions were attributed (server/nntp/peer_attribution.h).
void count_sessions(const NodeContext& node, NodeView& v, std::map<std::string, std::uint32_t>& per_peer) {
    for (const auto& [id, weak] : node.sessions) {
        if (weak.expired()) continue;
        ++v.connections;
        if (auto p = node.peer_sessions.find(id); p != node.peer_sessions.end()) {
            ++v.transit_connections;
            ++per_peer[p->second];
        } else {
            ++v.reader_connections;
        }
    }
}

}  // namespace

NodeView gather_view(const AdminContext& ctx) {
    const NodeContext& node = ctx.node;
    NodeView v;
    v.version = TIDINGS_VERSION;
    v.pathhost = node.cfg().node.pathhost;
    v.data_dir = node.cfg().node.data_dir;
    v.identity_pin = node.identity.pin;
    v.identity_cert = node.identity.cert_file;
    auto up = std::chrono::steady_clock::now() - node.started;
    v.uptime_s = std::chrono::duration<double>(up).count();
    v.started_unix = static_cast<std::int64_t>(std::time(nullptr)) - static_cast<std::int64_t>(v.uptime_s);
    v.ready = !node.stopping && !node.listeners.empty();
    if (ctx.reconciliation) {
        v.reconciles = ctx.reconciliation->stats();
        v.reconcile_served = ctx.reconciliation->served();
        v.reconcile_repair = ctx.reconciliation->repair();
    }
    if (ctx.peering) {
        v.peering = ctx.peering->stats();
        v.peering_candidates = ctx.peering->candidates().size();
        v.peering_links = ctx.peering->links().size();
        for (const auto& p : ctx.peering->proposals()) v.peering_pending += p.incoming && p.state == "pending";
    }
    if (ctx.pulls) {
        v.upstreams = ctx.pulls->stats();
        v.pull_running = ctx.pulls->running();
        v.pull_runs = ctx.pulls->runs();
    }
    for (const auto& l : node.listeners)
        v.listeners.push_back({"nntp", l.address, l.port, roles_of(l), std::string(tls_name(l.tls))});
    if (ctx.server) v.listeners.push_back({"http", ctx.server->address, ctx.server->port, "admin", "none"});
    v.store = node.store.stats();
    v.groups = v.store.groups;
    std::map<std::string, std::uint32_t> per_peer;
    count_sessions(node, v, per_peer);
    v.counters = node.counters;
    v.pending_cancels = node.pending_cancels.size();
    v.pending_cancels_dropped = node.pending_cancels.dropped();
    v.filter_bodies = node.bodies.size();
    v.filter_bodies_forgotten = node.bodies.forgotten();
    {
        storage::Snapshot snap(node.store);
        if (auto g = snap.group(node.cfg().filter.quarantine_group)) v.quarantined = g->count;
    }
    const auto now = static_cast<std::int64_t>(std::time(nullptr));
    for (const auto& p : node.cfg().peers) {
        PeerView pv;
        pv.name = p.name;
        pv.incoming_sessions = per_peer[p.name];
        pv.outgoing = p.outgoing;
        pv.tls = p.tls;
        pv.auth = !p.auth_file.empty();
        pv.compress = p.compress;
        if (auto it = ctx.feeds.stats().find(p.name); it != ctx.feeds.stats().end()) pv.feed = it->second;
        if (p.outgoing) {
            auto d = node.store.queue_depth(p.name);
            pv.backlog = d.entries;
            pv.oldest_age_s = d.entries ? std::max<std::int64_t>(0, now - d.oldest) : 0;
        }
        v.peers.push_back(std::move(pv));
    }
    return v;
}

// One flat function on purpose: it is the /status document itself, field by field in the order
// README "Operations" documents them.
nlohmann::json status_json(const NodeView& v) {
    using nlohmann::json;
    json j;
    j["version"] = v.version;
    j["pathhost"] = v.pathhost;
    j["data_dir"] = v.data_dir;
    j["identity"] = {{"pin", v.identity_pin}, {"cert", v.identity_cert}};
    j["uptime_seconds"] = static_cast<std::int64_t>(v.uptime_s);
    j["started_unix"] = v.started_unix;
    j["ready"] = v.ready;
    j["listeners"] = json::array();
    for (const auto& l : v.listeners)
        j["listeners"].push_back(
            {{"kind", l.kind}, {"address", l.address}, {"port", l.port}, {"roles", l.roles}, {"tls", l.tls}});
    const auto& s = v.store;
    j["store"] = {{"articles", s.articles},
                  {"history", s.history},
                  {"map_bytes", s.map_bytes},
                  {"used_bytes", s.used_bytes},
                  {"map_use", s.map_bytes ? static_cast<double>(s.used_bytes) / static_cast<double>(s.map_bytes) : 0.0},
                  {"map_grows", s.map_grows},
                  {"commits", s.commits},
                  {"commit_failures", s.commit_failures},
                  {"checkpoints", s.checkpoints},
                  {"last_checkpoint_ms", s.last_checkpoint_ms},
                  {"checkpoints_stopped", s.checkpoints_stopped},
                  {"journal_files", s.journal_files},
                  {"journal_bytes", s.journal_bytes},
                  {"deferred_low_space", s.deferred_low_space},
                  {"commit_p50_us", s.commit_p50_us},
                  {"commit_p99_us", s.commit_p99_us},
                  {"commit_max_us", s.commit_max_us},
                  {"mean_batch_size", s.mean_batch_size}};
    j["groups"] = v.groups;
    j["connections"] = {{"total", v.connections}, {"reader", v.reader_connections}, {"transit", v.transit_connections}};
    const auto& c = v.counters;
    j["incoming"] = {{"accepted", c.accepted},
                     {"deferred", c.deferred},
                     {"refused", c.refused},
                     {"commands", c.commands},
                     {"unknown_commands", c.unknown_commands},
                     {"overlong_lines", c.overlong_lines},
                     {"idle_timeouts", c.idle_timeouts},
                     {"line_timeouts", c.line_timeouts},
                     {"connections_accepted", c.connections_accepted},
                     {"withdrawals", c.withdrawals},
                     {"pending_cancels", v.pending_cancels},
                     {"group_controls", c.group_controls},
                     {"filter", {{"matches", c.filter_matches},
                                 {"quarantined", v.quarantined},
                                 {"released", c.quarantine_released},
                                 {"bodies_remembered", v.filter_bodies},
                                 {"bodies_forgotten", v.filter_bodies_forgotten}}},
                     {"connections_refused", {{"max_connections", c.connections_refused_total_limit},
                                              {"max_connections_per_ip", c.connections_refused_ip_limit},
                                              {"peer_reserved_connections", c.connections_refused_reserved}}},
                     {"store_backpressure_waits", c.store_backpressure_waits}};
    json up = json::object();
    for (const auto& [name, u] : v.upstreams) {
        // A rough ETA from this run's rate so far: what is missing and not fetched yet.
        const std::int64_t elapsed = (u.state == "idle" ? u.last_end : static_cast<std::int64_t>(std::time(nullptr))) - u.last_start;
        const double rate = elapsed > 0 ? static_cast<double>(u.fetched) / static_cast<double>(elapsed) : 0.0;
        json o{{"state", u.state}, {"runs", u.runs}, {"last_start_unix", u.last_start}, {"last_end_unix", u.last_end},
               {"missing", u.missing}, {"fetched", u.fetched}, {"rate", rate},
               {"stored", u.stored_total}, {"duplicates", u.duplicate_total}, {"refused", u.refused_total},
               {"unavailable", u.unavailable_total}, {"errors", u.errors_total}, {"bytes", u.bytes_total}};
        if (u.state != "idle" && rate > 0 && u.missing > u.fetched)
            o["eta_seconds"] = static_cast<double>(u.missing - u.fetched) / rate;
        if (!u.last_error.empty()) o["last_error"] = u.last_error;
        up[name] = std::move(o);
    }
    j["pull"] = {{"running", v.pull_running}, {"runs", v.pull_runs}, {"upstreams", std::move(up)}};
    json rec = json::object();
    for (const auto& [name, r] : v.reconciles) {
        json o{{"state", r.state}, {"runs", r.runs}, {"failures", r.failures}, {"last_start_unix", r.last_start},
               {"last_end_unix", r.last_end}, {"items", r.items}, {"rounds", r.rounds},
               {"they_lacked", r.they_lacked}, {"we_lacked", r.we_lacked}, {"bytes_sent", r.bytes_sent},
               {"bytes_received", r.bytes_received}, {"queued_to_them", r.queued_to_them_total},
               {"queued_by_them", r.queued_by_them_total}, {"asked", r.asked_total}, {"bytes", r.bytes_total},
               {"items_total", r.items_total}, {"method", r.method}};
        if (!r.last_error.empty()) o["last_error"] = r.last_error;
        rec[name] = std::move(o);
    }
    const auto& sv = v.reconcile_served;
    j["reconcile"] = {{"peers", std::move(rec)},
                      {"served", {{"sessions", sv.sessions}, {"active", sv.active}, {"rounds", sv.rounds},
                                  {"refused", sv.refused}, {"queued", sv.queued}, {"named", sv.named},
                                  {"bytes_in", sv.bytes_in}, {"bytes_out", sv.bytes_out}}}};
    const auto& rp = v.reconcile_repair;
    json from = json::object();
    for (const auto& [name, n] : rp.stored_from) from[name] = n;
    json repair{{"state", rp.state}, {"batches", rp.batches}, {"pending", rp.pending}, {"wanted", rp.wanted_total},
                {"offers", rp.offers_total}, {"stored", rp.stored_total}, {"duplicates", rp.duplicate_total}, {"arrived", rp.arrived_total},
                {"refused", rp.refused_total}, {"unavailable", rp.unavailable_total}, {"hedged", rp.hedged_total},
                {"errors", rp.errors_total}, {"bytes", rp.bytes_total}, {"stored_from", std::move(from)}};
    if (!rp.last_error.empty()) repair["last_error"] = rp.last_error;
    j["reconcile"]["repair"] = std::move(repair);
    j["peers"] = json::array();
    for (const auto& p : v.peers) {
        json pj{{"name", p.name}, {"incoming_sessions", p.incoming_sessions}};
        if (p.outgoing) {
            json o{{"host", p.outgoing->host}, {"port", p.outgoing->port}, {"backlog", p.backlog},
                   {"oldest_age_seconds", p.oldest_age_s}};
            if (p.feed) {
                const auto& f = *p.feed;
                o["state"] = std::string(to_string(f.state));
                if (f.state == FeedState::backing_off)
                    o["retry_at_unix"] = std::chrono::duration_cast<std::chrono::seconds>(
                                             f.retry_at.time_since_epoch()).count();
                o["connections_up"] = f.connections_up;
                o["mode"] = f.streaming ? "stream" : "ihave";
                o["offered"] = f.offered;
                o["accepted"] = f.accepted;
                o["refused"] = f.refused;
                o["rejected"] = f.rejected;
                o["deferred"] = f.deferred;
                o["skipped"] = f.skipped;
                o["dropped"] = f.dropped;
                o["faults"] = f.faults;
                o["tls"] = std::string(config::to_string(p.tls));
                o["tls_failures"] = f.tls_failures;
                o["auth"] = p.auth;
                o["compress"] = p.compress;
                o["bytes_sent"] = f.bytes_sent;
                o["wire_bytes_sent"] = f.wire_bytes_sent;
                o["auth_failures"] = f.auth_failures;
                if (!f.last_error.empty()) o["last_error"] = f.last_error;
            } else {
                o["state"] = "idle";
            }
            pj["outgoing"] = std::move(o);
        } else {
            pj["outgoing"] = nullptr;
        }
        j["peers"].push_back(std::move(pj));
    }
    return j;
}

nlohmann::json quarantine_json(const AdminContext& ctx) {
    using nlohmann::json;
    const NodeContext& node = ctx.node;
    const std::string& group = node.cfg().filter.quarantine_group;
    json j{{"group", group}, {"count", 0}, {"articles", json::array()}};
    storage::Snapshot snap(node.store);
    auto g = snap.group(group);
    if (!g) return j;
    j["count"] = g->count;
    constexpr std::uint64_t shown = 1000;
    const std::uint64_t lo = g->high >= shown ? std::max(g->low, g->high - shown + 1) : g->low;
    std::vector<json> items;
    snap.overview(group, lo, g->high, [&](const storage::OverviewItem& o) {
        // subject, from, date, message-id, references, bytes, lines, xref (RFC 3977 §8.3.2).
        std::vector<std::string_view> f;
        std::string_view rec = o.record;
        for (std::size_t at; (at = rec.find('\t')) != std::string_view::npos; rec.remove_prefix(at + 1))
            f.push_back(rec.substr(0, at));
        f.push_back(rec);
        f.resize(8);
        items.push_back({{"number", o.number}, {"message_id", f[3]}, {"subject", f[0]}, {"from", f[1]},
                         {"date", f[2]}, {"bytes", f[5]}});
        return true;
    });
    for (auto it = items.rbegin(); it != items.rend(); ++it) j["articles"].push_back(std::move(*it));
    return j;
}

nlohmann::json checkgroups_json(const AdminContext& ctx) {
    using nlohmann::json;
    json out = json::array();
    auto lines = [](const std::vector<protocol::GroupLine>& v) {
        json a = json::array();
        for (const auto& g : v) a.push_back({{"name", g.name}, {"description", g.description}, {"moderated", g.moderated}});
        return a;
    };
    for (const auto& d : ctx.node.checkgroups.all())
        out.push_back({{"id", d.id}, {"message_id", d.message_id}, {"sender", d.sender}, {"rule", d.rule},
                       {"received_unix", d.received}, {"scope", d.scope}, {"add", lines(d.add)},
                       {"remove", d.remove}, {"moderate", lines(d.moderate)}});
    return json{{"diffs", out}};
}

}  // namespace tidings::server

namespace tidings::server {

nlohmann::json peering_json(const AdminContext& ctx) {
    using nlohmann::json;
    json j{{"enabled", ctx.peering != nullptr}};
    if (!ctx.peering) return j;
    const Peering& p = *ctx.peering;
    j["pin"] = p.pin();
    j["seek"] = config::to_string(ctx.node.cfg().peering.seek);
    if (!p.announcement().empty()) j["announcement"] = p.announcement();
    j["candidates"] = json::array();
    for (const auto& [pin, c] : p.candidates())
        j["candidates"].push_back({{"pin", c.pin}, {"pathhost", c.pathhost}, {"addresses", c.addresses},
                                   {"offers", c.offers}, {"wants", c.wants}, {"capacity", c.capacity},
                                   {"contact", c.contact}, {"score", c.score}, {"message_id", c.message_id},
                                   {"reachable", c.reachable < 0 ? json(nullptr) : json(c.reachable == 1)},
                                   {"issued_unix", c.issued},
                                   {"expires_unix", c.expires}});
    j["proposals"] = json::array();
    for (const auto& x : p.proposals())
        j["proposals"].push_back({{"nonce", x.nonce}, {"direction", x.incoming ? "incoming" : "outgoing"},
                                  {"pin", x.pin}, {"pathhost", x.pathhost}, {"addresses", x.addresses},
                                  {"offers", x.offers}, {"wants", x.wants}, {"contact", x.contact},
                                  {"received_unix", x.received}, {"expires_unix", x.expires}, {"state", x.state},
                                  {"decided_by", x.decided_by}});
    j["peerings"] = json::array();
    for (const auto& l : p.links())
        j["peerings"].push_back({{"name", l.name}, {"pin", l.pin}, {"pathhost", l.pathhost}, {"address", l.address},
                                 {"since_unix", l.since}, {"via", l.via}});
    const auto& s = p.stats();
    j["counters"] = {{"scanned", s.scanned}, {"announced", s.announced}, {"proposals_received", s.proposed},
                     {"approved", s.approved}, {"accepted", s.accepted}, {"refused", s.refused},
                     {"withdrawn", s.withdrawn}, {"rejected", s.rejected}};
    if (!s.last_error.empty()) j["last_error"] = s.last_error;
    return j;
}

}  // namespace tidings::server
