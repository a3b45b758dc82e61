// GET /metrics: the node's counters and gauges in the Prometheus text exposition format
// (version 0.0.4): one # HELP and # TYPE per family, units in names, `_total` for counters.
#include "server/admin/view.h"

#include <spdlog/fmt/fmt.h>

#include "server/admin/http_server.h"

namespace tidings::server {
namespace {

// Label values: backslash, double quote and newline escaped (exposition format).
std::string label(std::string_view v) {
    std::string out;
    for (char c : v) {
        if (c == '\\' || c == '"') out += '\\', out += c;
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

class Exposition {
public:
    void family(std::string_view name, std::string_view type, std::string_view help) {
        out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
    }
    void sample(std::string_view name, std::string_view labels, double value) {
        if (labels.empty()) out_ += fmt::format("{} {}\n", name, value);
        else out_ += fmt::format("{}{{{}}} {}\n", name, labels, value);
    }
    void sample(std::string_view name, std::string_view labels, std::uint64_t value) {
        if (labels.empty()) out_ += fmt::format("{} {}\n", name, value);
        else out_ += fmt::format("{}{{{}}} {}\n", name, labels, value);
    }
    std::string take() { return std::move(out_); }

private:
    std::string out_;
};

void node_families(Exposition& e, const NodeView& v) {
    e.family("tidings_build_info", "gauge", "Version of the running tidingsd (value is always 1).");
    e.sample("tidings_build_info", fmt::format("version=\"{}\",pathhost=\"{}\"", label(v.version), label(v.pathhost)),
             std::uint64_t{1});
    e.family("tidings_uptime_seconds", "gauge", "Seconds since tidingsd started.");
    e.sample("tidings_uptime_seconds", "", v.uptime_s);
    e.family("tidings_ready", "gauge", "1 when the store is open and the listeners are up.");
    e.sample("tidings_ready", "", std::uint64_t{v.ready ? 1u : 0u});
}

void incoming_families(Exposition& e, const NodeView& v) {
    const auto& c = v.counters;
    e.family("tidings_received_articles_total", "counter",
             "Articles offered to this node by peers, by result (accepted = stored durably).");
    e.sample("tidings_received_articles_total", "result=\"accepted\"", c.accepted);
    e.sample("tidings_received_articles_total", "result=\"deferred\"", c.deferred);
    std::uint64_t refused = 0;
    for (const auto& [reason, n] : c.refused) refused += n;
    e.sample("tidings_received_articles_total", "result=\"refused\"", refused);
    e.family("tidings_refusals_total", "counter", "Refused offers, posts and logins by reason.");
    for (const auto& [reason, n] : c.refused)
        e.sample("tidings_refusals_total", fmt::format("reason=\"{}\"", label(reason)), n);
    e.family("tidings_withdrawals_total", "counter",
             "Cancels and Supersedes by kind and outcome (applied, waiting for the target, ignored, "
             "no_key, no_lock, key_mismatch, ...): one per decision ([[control.rule]]).");
    for (const auto& [what, n] : c.withdrawals) {
        const auto slash = what.find('/');
        e.sample("tidings_withdrawals_total",
                 fmt::format("kind=\"{}\",outcome=\"{}\"", label(what.substr(0, slash)), label(what.substr(slash + 1))), n);
    }
    e.family("tidings_pending_cancels", "gauge", "Cancels kept until their target arrives (limits.max_pending_cancels).");
    e.sample("tidings_pending_cancels", "", std::uint64_t{v.pending_cancels});
    e.family("tidings_pending_cancels_dropped_total", "counter",
             "Pending cancels forgotten to stay within limits.max_pending_cancels.");
    e.sample("tidings_pending_cancels_dropped_total", "", v.pending_cancels_dropped);
    e.family("tidings_filter_matches_total", "counter",
             "Articles a [[filter.rule]] matched, by rule and action (reject, quarantine, accept).");
    for (const auto& [what, n] : c.filter_matches) {
        const auto slash = what.rfind('/');
        e.sample("tidings_filter_matches_total",
                 fmt::format("rule=\"{}\",action=\"{}\"", label(what.substr(0, slash)), label(what.substr(slash + 1))), n);
    }
    e.family("tidings_group_controls_total", "counter",
             "newgroup, rmgroup and checkgroups by kind and decision (doit, log, drop, mail) ([[control.group_rule]]).");
    for (const auto& [what, n] : c.group_controls) {
        const auto slash = what.find('/');
        e.sample("tidings_group_controls_total",
                 fmt::format("kind=\"{}\",decision=\"{}\"", label(what.substr(0, slash)), label(what.substr(slash + 1))), n);
    }
    e.family("tidings_quarantined_articles", "gauge", "Articles in filter.quarantine_group.");
    e.sample("tidings_quarantined_articles", "", v.quarantined);
    e.family("tidings_quarantine_released_total", "counter", "Quarantined articles released by the admin API.");
    e.sample("tidings_quarantine_released_total", "", c.quarantine_released);
    e.family("tidings_filter_bodies_forgotten_total", "counter",
             "Body hashes forgotten to stay within limits.max_body_hashes (min_body_copies counts less).");
    e.sample("tidings_filter_bodies_forgotten_total", "", v.filter_bodies_forgotten);
    e.family("tidings_commands_total", "counter", "NNTP commands received.");
    e.sample("tidings_commands_total", "", c.commands);
    e.family("tidings_session_faults_total", "counter",
             "Commands that failed with an internal fault (answered 403, connection closed).");
    e.sample("tidings_session_faults_total", "", c.session_faults);
    e.family("tidings_housekeeping_faults_total", "counter",
             "Feed housekeeping rounds that failed with an internal fault (logged; the next round runs).");
    e.sample("tidings_housekeeping_faults_total", "", c.housekeeping_faults);
    e.family("tidings_walk_yields_total", "counter",
             "Times a long reader walk (OVER, HDR, XPAT, LISTGROUP, NEWNEWS, LIST) paused for other sessions.");
    e.sample("tidings_walk_yields_total", "", c.walk_yields);
    e.family("tidings_limit_hits_total", "counter", "Limit hits by limit.");
    e.sample("tidings_limit_hits_total", "limit=\"max_connections\"", c.connections_refused_total_limit);
    e.sample("tidings_limit_hits_total", "limit=\"max_connections_per_ip\"", c.connections_refused_ip_limit);
    e.sample("tidings_limit_hits_total", "limit=\"peer_reserved_connections\"", c.connections_refused_reserved);
    e.sample("tidings_limit_hits_total", "limit=\"idle_timeout\"", c.idle_timeouts);
    e.sample("tidings_limit_hits_total", "limit=\"line_timeout\"", c.line_timeouts);
    e.sample("tidings_limit_hits_total", "limit=\"line_length\"", c.overlong_lines);
    e.sample("tidings_limit_hits_total", "limit=\"unknown_commands\"", c.unknown_commands);
    e.sample("tidings_limit_hits_total", "limit=\"store_backpressure\"", c.store_backpressure_waits);
    e.family("tidings_connections_accepted_total", "counter", "NNTP connections accepted.");
    e.sample("tidings_connections_accepted_total", "", c.connections_accepted);
    e.family("tidings_connections", "gauge", "Open NNTP sessions by role.");
    e.sample("tidings_connections", "role=\"reader\"", v.reader_connections);
    e.sample("tidings_connections", "role=\"transit\"", v.transit_connections);
}

void peer_incoming_families(Exposition& e, const NodeView& v) {
    e.family("tidings_peer_received_articles_total", "counter",
             "Articles offered by each feeding peer, by result (accepted = stored durably; refused = "
             "duplicate or in progress; rejected = refused for good; deferred = not stored now).");
    for (const auto& [peer, in] : v.counters.incoming_by_peer) {
        const std::pair<const char*, std::uint64_t> rows[] = {
            {"accepted", in.accepted}, {"refused", in.refused}, {"rejected", in.rejected},
            {"deferred", in.deferred}};
        for (const auto& [result, n] : rows)
            e.sample("tidings_peer_received_articles_total",
                     fmt::format("peer=\"{}\",result=\"{}\"", label(peer), result), n);
    }
}

void peering_families(Exposition& e, const NodeView& v) {
    const auto& p = v.peering;
    e.family("tidings_peering_messages_total", "counter",
             "Peering messages read from the announcement group and acted on, by kind of action.");
    const std::pair<const char*, std::uint64_t> acted[] = {{"announced", p.announced}, {"proposal_received", p.proposed},
                                                           {"approved", p.approved}, {"accepted", p.accepted},
                                                           {"refused", p.refused}, {"withdrawn", p.withdrawn}};
    for (const auto& [what, n] : acted) e.sample("tidings_peering_messages_total", fmt::format("action=\"{}\"", what), n);
    e.family("tidings_peering_rejected_total", "counter",
             "Peering messages not acted on, by reason (malformed, forged, replay, expired, rate, unsolicited, not_for_us).");
    for (const auto& [reason, n] : p.rejected)
        e.sample("tidings_peering_rejected_total", fmt::format("reason=\"{}\"", label(reason)), n);
    e.family("tidings_peering_candidates", "gauge", "Announced nodes we are not peered with.");
    e.sample("tidings_peering_candidates", "", v.peering_candidates);
    e.family("tidings_peering_proposals_pending", "gauge", "Proposals waiting for the admin.");
    e.sample("tidings_peering_proposals_pending", "", v.peering_pending);
    e.family("tidings_peering_links", "gauge", "Peerings made through peering (in peering.peers_file).");
    e.sample("tidings_peering_links", "", v.peering_links);
}

void reconcile_families(Exposition& e, const NodeView& v) {
    e.family("tidings_reconcile_runs_total", "counter", "Reconciliations we started with each peer, by result.");
    for (const auto& [name, r] : v.reconciles) {
        e.sample("tidings_reconcile_runs_total", fmt::format("peer=\"{}\",result=\"ok\"", label(name)), r.runs - r.failures - (r.state != "idle" ? 1 : 0));
        e.sample("tidings_reconcile_runs_total", fmt::format("peer=\"{}\",result=\"failed\"", label(name)), r.failures);
    }
    e.family("tidings_reconcile_differences", "gauge", "What the last reconciliation with each peer found missing, by side.");
    for (const auto& [name, r] : v.reconciles) {
        e.sample("tidings_reconcile_differences", fmt::format("peer=\"{}\",lacking=\"peer\"", label(name)), r.they_lacked);
        e.sample("tidings_reconcile_differences", fmt::format("peer=\"{}\",lacking=\"us\"", label(name)), r.we_lacked);
    }
    e.family("tidings_reconcile_bytes_total", "counter", "Bytes of XRECONCILE exchanges we started with each peer.");
    for (const auto& [name, r] : v.reconciles)
        e.sample("tidings_reconcile_bytes_total", fmt::format("peer=\"{}\"", label(name)), r.bytes_total);
    e.family("tidings_reconcile_last_end_seconds", "gauge", "Unix time the last reconciliation with each peer ended.");
    for (const auto& [name, r] : v.reconciles)
        e.sample("tidings_reconcile_last_end_seconds", fmt::format("peer=\"{}\"", label(name)), static_cast<double>(r.last_end));
    e.family("tidings_reconcile_served_sessions_total", "counter", "XRECONCILE sessions peers opened with us.");
    e.sample("tidings_reconcile_served_sessions_total", "", v.reconcile_served.sessions);
    e.family("tidings_reconcile_served_refused_total", "counter", "XRECONCILE sessions refused or ended by a limit.");
    e.sample("tidings_reconcile_served_refused_total", "", v.reconcile_served.refused);
    e.family("tidings_reconcile_served_queued_total", "counter", "Articles queued to peers' feeds at their XRECONCILE SEND.");
    e.sample("tidings_reconcile_served_queued_total", "", v.reconcile_served.queued);
    e.family("tidings_reconcile_served_named_total", "counter", "Message-IDs named to peers at their XRECONCILE NAMES.");
    e.sample("tidings_reconcile_served_named_total", "", v.reconcile_served.named);
    const auto& rp = v.reconcile_repair;
    e.family("tidings_reconcile_repair_articles_total", "counter",
             "Ids the repair fetcher resolved, by outcome (duplicate: fetched, but a feed or another copy came "
             "first; arrived: a feed delivered it before it was asked for).");
    const std::pair<const char*, std::uint64_t> rows[] = {{"stored", rp.stored_total}, {"duplicate", rp.duplicate_total},
                                                          {"arrived", rp.arrived_total},
                                                          {"refused", rp.refused_total}, {"unavailable", rp.unavailable_total}};
    for (const auto& [outcome, n] : rows)
        e.sample("tidings_reconcile_repair_articles_total", fmt::format("outcome=\"{}\"", outcome), n);
    e.family("tidings_reconcile_repair_wanted_total", "counter", "Distinct ids runs found we lack and handed to the fetcher.");
    e.sample("tidings_reconcile_repair_wanted_total", "", rp.wanted_total);
    e.family("tidings_reconcile_repair_offers_total", "counter", "(id, peer) pairs handed to the fetcher: ids several peers have count once per peer.");
    e.sample("tidings_reconcile_repair_offers_total", "", rp.offers_total);
    e.family("tidings_reconcile_repair_pending", "gauge", "Ids of the current repair batch not yet resolved.");
    e.sample("tidings_reconcile_repair_pending", "", rp.pending);
}

void pull_families(Exposition& e, const NodeView& v) {
    e.family("tidings_pull_articles_total", "counter",
             "Articles pulled from each [[upstream]], by outcome (stored; duplicate = another copy came "
             "first; refused by our rules; unavailable = 430 or a bad copy).");
    for (const auto& [name, u] : v.upstreams) {
        const std::pair<const char*, std::uint64_t> rows[] = {{"stored", u.stored_total},
                                                              {"duplicate", u.duplicate_total},
                                                              {"refused", u.refused_total},
                                                              {"unavailable", u.unavailable_total}};
        for (const auto& [outcome, n] : rows)
            e.sample("tidings_pull_articles_total", fmt::format("upstream=\"{}\",outcome=\"{}\"", label(name), outcome), n);
    }
    e.family("tidings_pull_errors_total", "counter", "Failed or dropped connections to each [[upstream]].");
    for (const auto& [name, u] : v.upstreams)
        e.sample("tidings_pull_errors_total", fmt::format("upstream=\"{}\"", label(name)), u.errors_total);
    e.family("tidings_pull_bytes_total", "counter", "Bytes read from each [[upstream]].");
    for (const auto& [name, u] : v.upstreams)
        e.sample("tidings_pull_bytes_total", fmt::format("upstream=\"{}\"", label(name)), u.bytes_total);
    e.family("tidings_pull_runs_total", "counter", "Pull runs started.");
    e.sample("tidings_pull_runs_total", "", v.pull_runs);
}

void peer_families(Exposition& e, const NodeView& v) {
    e.family("tidings_articles_total", "counter",
             "Articles sent to each outgoing peer, by result (offered counts every offer).");
    for (const auto& p : v.peers) {
        if (!p.feed) continue;
        const auto& f = *p.feed;
        const std::pair<const char*, std::uint64_t> rows[] = {
            {"offered", f.offered},   {"accepted", f.accepted}, {"refused", f.refused},
            {"rejected", f.rejected}, {"deferred", f.deferred}, {"skipped", f.skipped},
            {"dropped", f.dropped}};
        for (const auto& [result, n] : rows)
            e.sample("tidings_articles_total", fmt::format("peer=\"{}\",result=\"{}\"", label(p.name), result), n);
    }
    e.family("tidings_peer_sender_faults_total", "counter",
             "Outgoing connections ended by an internal fault (logged; the sender starts over after its backoff).");
    for (const auto& p : v.peers)
        if (p.feed) e.sample("tidings_peer_sender_faults_total", fmt::format("peer=\"{}\"", label(p.name)), p.feed->faults);
    e.family("tidings_peer_link_failures_total", "counter",
             "Outgoing connections to each peer dropped before any news was sent, by cause (tls: "
             "handshake, certificate or pin; auth: auth_file unreadable or the login refused).");
    for (const auto& p : v.peers) {
        if (!p.feed) continue;
        e.sample("tidings_peer_link_failures_total", fmt::format("peer=\"{}\",cause=\"tls\"", label(p.name)),
                 p.feed->tls_failures);
        e.sample("tidings_peer_link_failures_total", fmt::format("peer=\"{}\",cause=\"auth\"", label(p.name)),
                 p.feed->auth_failures);
    }
    e.family("tidings_peer_sent_bytes_total", "counter",
             "Bytes sent on each outgoing feed: layer=\"nntp\" as NNTP, layer=\"wire\" after COMPRESS "
             "DEFLATE (before TLS); the two are equal on an uncompressed feed.");
    for (const auto& p : v.peers) {
        if (!p.feed) continue;
        e.sample("tidings_peer_sent_bytes_total", fmt::format("peer=\"{}\",layer=\"nntp\"", label(p.name)),
                 p.feed->bytes_sent);
        e.sample("tidings_peer_sent_bytes_total", fmt::format("peer=\"{}\",layer=\"wire\"", label(p.name)),
                 p.feed->wire_bytes_sent);
    }
    e.family("tidings_peer_incoming_sessions", "gauge", "Open sessions from each peer's addresses.");
    for (const auto& p : v.peers)
        e.sample("tidings_peer_incoming_sessions", fmt::format("peer=\"{}\"", label(p.name)),
                 std::uint64_t{p.incoming_sessions});
    e.family("tidings_peer_connections_up", "gauge", "Outgoing connections up per peer.");
    e.family("tidings_peer_up", "gauge", "1 when at least one outgoing connection to the peer is up.");
    e.family("tidings_backlog_articles", "gauge", "Articles queued for each outgoing peer.");
    e.family("tidings_backlog_oldest_age_seconds", "gauge", "Age of the oldest article queued for each peer.");
    for (const auto& p : v.peers) {
        if (!p.outgoing) continue;
        auto l = fmt::format("peer=\"{}\"", label(p.name));
        std::uint64_t up = p.feed ? p.feed->connections_up : 0;
        e.sample("tidings_peer_connections_up", l, up);
        e.sample("tidings_peer_up", l, std::uint64_t{up > 0 ? 1u : 0u});
        e.sample("tidings_backlog_articles", l, p.backlog);
        e.sample("tidings_backlog_oldest_age_seconds", l, static_cast<std::uint64_t>(p.oldest_age_s));
    }
}

using storage::StoreStats;

// A Prometheus histogram from per-bucket counts (storage keeps them non-cumulative): cumulative
// _bucket{le} lines, +Inf, _sum and _count. A bound divided by `divisor` is in the family's unit
// (dividing, not multiplying by 1e-6, keeps "0.0001" from printing as "9.999999999999999e-05").
template <std::size_t N>
void histogram(Exposition& e, std::string_view name, std::string_view help, const std::array<std::uint32_t, N>& bounds,
               const std::array<std::uint64_t, N + 1>& counts, double sum, double divisor) {
    e.family(name, "histogram", help);
    const auto bucket = fmt::format("{}_bucket", name);
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < N; ++i) {
        cumulative += counts[i];
        e.sample(bucket, fmt::format("le=\"{}\"", static_cast<double>(bounds[i]) / divisor), cumulative);
    }
    cumulative += counts[N];
    e.sample(bucket, "le=\"+Inf\"", cumulative);
    e.sample(fmt::format("{}_sum", name), "", sum);
    e.sample(fmt::format("{}_count", name), "", cumulative);
}

void store_families(Exposition& e, const NodeView& v) {
    const auto& s = v.store;
    e.family("tidings_store_articles", "gauge", "Articles present in the store.");
    e.sample("tidings_store_articles", "", s.articles);
    e.family("tidings_store_history_entries", "gauge", "Refused, cancelled or expired ids remembered.");
    e.sample("tidings_store_history_entries", "", s.history);
    e.family("tidings_store_groups", "gauge", "Newsgroups carried.");
    e.sample("tidings_store_groups", "", v.groups);
    e.family("tidings_store_map_bytes", "gauge", "Current LMDB map size.");
    e.sample("tidings_store_map_bytes", "", s.map_bytes);
    e.family("tidings_store_used_bytes", "gauge", "Bytes of the map in use (pages in use times page size).");
    e.sample("tidings_store_used_bytes", "", s.used_bytes);
    e.family("tidings_store_map_use_ratio", "gauge", "used_bytes / map_bytes.");
    e.sample("tidings_store_map_use_ratio", "",
             s.map_bytes ? static_cast<double>(s.used_bytes) / static_cast<double>(s.map_bytes) : 0.0);
    e.family("tidings_store_map_grows_total", "counter", "Times the map was grown.");
    e.sample("tidings_store_map_grows_total", "", s.map_grows);
    e.family("tidings_store_commits_total", "counter", "Write transactions committed.");
    e.sample("tidings_store_commits_total", "", s.commits);
    e.family("tidings_store_commit_failures_total", "counter", "Write transactions that failed to commit.");
    e.sample("tidings_store_commit_failures_total", "", s.commit_failures);
    e.family("tidings_store_checkpoints_total", "counter",
             "Durable mode: times LMDB was synced behind the journal (about once a second under writes).");
    e.sample("tidings_store_checkpoints_total", "", s.checkpoints);
    e.family("tidings_store_last_checkpoint_seconds", "gauge", "How long the last checkpoint's sync took.");
    e.sample("tidings_store_last_checkpoint_seconds", "", static_cast<double>(s.last_checkpoint_ms) / 1e3);
    e.family("tidings_store_checkpoints_stopped", "gauge",
             "1 after a failed sync of the data file: no more checkpoints, the journal grows; restart tidingsd.");
    e.sample("tidings_store_checkpoints_stopped", "", s.checkpoints_stopped ? 1.0 : 0.0);
    e.family("tidings_store_journal_files", "gauge", "Journal files (they hold the articles' bytes).");
    e.sample("tidings_store_journal_files", "", s.journal_files);
    e.family("tidings_store_journal_bytes", "gauge", "Total size of the journal files: the article log (as of the last checkpoint).");
    e.sample("tidings_store_journal_bytes", "", s.journal_bytes);
    e.family("tidings_store_deferred_low_space_total", "counter", "Requests deferred for lack of disk space.");
    e.sample("tidings_store_deferred_low_space_total", "", s.deferred_low_space);
    histogram(e, "tidings_store_commit_duration_seconds", "Group commit time: transaction, then the journal's fdatasync in durable mode.",
              StoreStats::commit_bounds_us, s.commits_by_duration, static_cast<double>(s.commit_us_sum) / 1e6, 1e6);
    histogram(e, "tidings_store_batch_size", "Requests per write transaction (group commit).",
              StoreStats::batch_bounds, s.commits_by_batch_size, static_cast<double>(s.batch_size_sum), 1.0);
    // The same over the last 4096 commits only: what the dashboard shows.
    e.family("tidings_store_recent_commit_duration_seconds", "gauge",
             "Commit time over the last 4096 commits, by quantile (1 = max).");
    e.sample("tidings_store_recent_commit_duration_seconds", "quantile=\"0.5\"", static_cast<double>(s.commit_p50_us) / 1e6);
    e.sample("tidings_store_recent_commit_duration_seconds", "quantile=\"0.99\"", static_cast<double>(s.commit_p99_us) / 1e6);
    e.sample("tidings_store_recent_commit_duration_seconds", "quantile=\"1\"", static_cast<double>(s.commit_max_us) / 1e6);
}

void admin_families(Exposition& e, const AdminServer* admin) {
    if (!admin) return;
    e.family("tidings_http_responses_total", "counter", "Admin API responses by status code.");
    for (const auto& [code, n] : admin->responses)
        e.sample("tidings_http_responses_total", fmt::format("code=\"{}\"", code), n);
    e.family("tidings_http_closed_total", "counter", "Admin connections closed early, by reason.");
    for (const auto& [why, n] : admin->closed)
        e.sample("tidings_http_closed_total", fmt::format("reason=\"{}\"", label(why)), n);
}

}  // namespace

std::string metrics_text(const NodeView& v, const AdminServer* admin) {
    Exposition e;
    node_families(e, v);
    incoming_families(e, v);
    peer_incoming_families(e, v);
    pull_families(e, v);
    reconcile_families(e, v);
    peering_families(e, v);
    peer_families(e, v);
    store_families(e, v);
    histogram(e, "tidings_ack_latency_seconds",
              "Time from an article's last byte to its durable 239/235 being queued for the peer.",
              StoreStats::commit_bounds_us, v.counters.acks_by_latency,
              static_cast<double>(v.counters.ack_us_sum) / 1e6, 1e6);
    admin_families(e, admin);
    return e.take();
}

}  // namespace tidings::server
