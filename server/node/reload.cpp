// Live reload: validate, diff against the running configuration, apply the safe parts.
#include "server/node/reload.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <ctime>
#include <map>

#include "server/admin/http_server.h"
#include "server/node/logging.h"

namespace tidings::server {
namespace {

char flag_of(config::GroupStatus s) { return config::to_string(s)[0]; }

// [node] keys other than the log settings are fixed at start (pathhost is in every stored
// Xref, data_dir is the open store).
bool node_fixed_keys_differ(config::Node a, config::Node b) {
    a.log_level = b.log_level;
    a.log_format = b.log_format;
    return !(a == b);
}

void apply_groups(NodeContext& node, ReloadState& state, const config::Config& next, ReloadResult& r) {
    std::map<std::string, config::GroupStatus> running;
    for (const auto& g : state.groups) running[g.name] = g.status;
    for (const auto& g : next.groups) {
        auto it = running.find(g.name);
        if (it != running.end() && it->second == g.status) continue;
        const char flag = flag_of(g.status);
        // Creating an existing group is refused by the store, so "new in the file" is also
        // safe for a group the admin created by hand meanwhile: only its flag is set.
        node.store.create_group(g.name, flag, "config", static_cast<std::int64_t>(std::time(nullptr)),
                                [](bool) {});
        node.store.set_group_flag(g.name, flag, [name = g.name, flag](bool ok) {
            if (!ok) spdlog::warn("event=reload_group_failed group={} flag={}", name, flag);
        });
        r.applied.push_back("group " + g.name + ": " + (it == running.end() ? "created" : "flag") + " " + flag);
    }
    state.groups = next.groups;
    // The quarantine group's name is fixed while the node runs (readers are kept out of it by
    // name); the first quarantine rule a reload adds makes it, ahead of any article on the
    // single writer.
    const auto& running_filter = node.cfg().filter;
    if (next.filter.quarantines() && !running_filter.quarantines()) {
        node.store.create_group(running_filter.quarantine_group, 'n', "filter",
                                static_cast<std::int64_t>(std::time(nullptr)), [](bool) {});
        r.applied.push_back("filter.quarantine_group: " + running_filter.quarantine_group);
    }
}

template <class E>
std::string name_of(E e) {
    return std::string(config::to_string(e));
}

void apply_log_settings(ReloadState& state, const config::Config& next, ReloadResult& r) {
    if (next.node.log_level == state.log_level && next.node.log_format == state.log_format) return;
    setup_logging(name_of(next.node.log_level), name_of(next.node.log_format));
    if (next.node.log_level != state.log_level)
        r.applied.push_back(std::string("node.log_level: ") + name_of(state.log_level) +
                            " -> " + name_of(next.node.log_level));
    if (next.node.log_format != state.log_format)
        r.applied.push_back(std::string("node.log_format: ") + name_of(state.log_format) +
                            " -> " + name_of(next.node.log_format));
    state.log_level = next.node.log_level;
    state.log_format = next.node.log_format;
}

// The sections that changed in the file but only a restart applies.
void note_restart_needed(const config::Config& cur, const config::Config& next, ReloadResult& r) {
    auto check = [&r](bool differ, const char* section) {
        if (differ) r.restart_needed.emplace_back(section);
    };
    check(node_fixed_keys_differ(cur.node, next.node), "node");
    check(!(cur.storage == next.storage), "storage");
    check(cur.listeners != next.listeners, "listen");
    check(!(cur.expire == next.expire), "expire");
    check(cur.filter.quarantine_group != next.filter.quarantine_group, "filter.quarantine_group");
    // The admin listener's access rules are applied; where it listens is fixed.
    check(cur.http.enabled != next.http.enabled || cur.http.address != next.http.address ||
              cur.http.port != next.http.port,
          "http");
}

// The next generation: the file's configuration, with the sections only a restart can change
// kept as they run (pathhost is in every stored Xref, the store and listeners are open).
std::shared_ptr<config::Config> next_generation(const config::Config& cur, const config::Config& next) {
    auto merged = std::make_shared<config::Config>(next);
    merged->node = cur.node;
    merged->node.log_level = next.node.log_level;
    merged->node.log_format = next.node.log_format;
    merged->storage = cur.storage;
    merged->listeners = cur.listeners;
    merged->expire = cur.expire;
    merged->filter.quarantine_group = cur.filter.quarantine_group;
    merged->http.enabled = cur.http.enabled;
    merged->http.address = cur.http.address;
    merged->http.port = cur.http.port;
    return merged;
}

// Ends (after the command they are in) the sessions whose rights the reload narrowed or
// removed: an incoming peer's sessions when the peer is gone or its settings changed, and the
// sessions logged in as a [[user]] that is gone or changed. Running sessions otherwise keep
// the generation they started with; these reconnect (or log in again) under the new one.
// Returns how many were ended.
std::size_t end_changed_sessions(NodeContext& node, const config::Config& cur, const config::Config& next) {
    auto changed = [](const auto& now, const auto& then, const std::string& name) {
        auto find = [&](const auto& list) {
            return std::find_if(list.begin(), list.end(), [&](const auto& x) { return x.name == name; });
        };
        auto a = find(now), b = find(then);
        return b == then.end() || a == now.end() || !(*a == *b);
    };
    std::vector<std::uint64_t> end;
    for (const auto& [sid, name] : node.peer_sessions)
        if (changed(cur.peers, next.peers, name)) end.push_back(sid);
    for (const auto& [sid, name] : node.user_sessions)
        if (changed(cur.users, next.users, name)) end.push_back(sid);
    std::size_t ended = 0;
    for (auto sid : end)
        if (auto it = node.sessions.find(sid); it != node.sessions.end())
            if (auto conn = it->second.lock()) {
                conn->set_close_reason(CloseReason::shutdown);
                conn->stop_reading();
                ++ended;
            }
    return ended;
}

void log_outcome(const ReloadState& state, const ReloadResult& r) {
    std::string applied, restart;
    for (const auto& a : r.applied) applied += (applied.empty() ? "" : "; ") + a;
    for (const auto& s : r.restart_needed) restart += (restart.empty() ? "" : ",") + s;
    spdlog::info("event=reload file={} applied=\"{}\" restart_needed={}", state.config_path,
                 applied.empty() ? "nothing" : applied, restart.empty() ? "none" : restart);
    if (!r.restart_needed.empty())
        spdlog::warn("event=reload_partial restart_needed={} note=\"these sections changed in the file "
                     "but keep their running values until tidingsd restarts\"",
                     restart);
}

}  // namespace

ReloadResult reload_config(NodeContext& node, ReloadState& state, Feeds& feeds, AdminServer* admin) {
    ReloadResult r;
    if (state.config_path.empty()) {
        r.errors.push_back("tidingsd was started without --config: there is no file to reload");
        spdlog::warn("event=reload_refused reason=no_config_file");
        return r;
    }
    auto loaded = config::load_file(state.config_path);
    if (!loaded.config) {
        r.errors = std::move(loaded.errors);
        for (const auto& e : r.errors) spdlog::error("event=reload_rejected error=\"{}\"", e);
        spdlog::error("event=reload_rejected file={} errors={} note=\"running configuration unchanged\"",
                      state.config_path, r.errors.size());
        return r;
    }
    const config::Config& next = *loaded.config;
    const GenerationPtr running = node.generation();  // kept alive past install() below
    const config::Config& cur = *running->config;
    apply_log_settings(state, next, r);
    apply_groups(node, state, next, r);
    if (admin)
        for (auto& key : update_admin_access(*admin, next.http)) r.applied.push_back(key + ": updated");
    note_restart_needed(cur, next, r);

    // Peers, accounts, limits and reader rules take effect now, for new sessions: running
    // sessions keep the generation they started with.
    const bool peers_changed = cur.peers != next.peers;
    if (!(cur.limits == next.limits)) r.applied.emplace_back("limits: for new connections");
    if (!(cur.readers == next.readers)) r.applied.emplace_back("readers: for new connections");
    if (!(cur.moderation == next.moderation)) r.applied.emplace_back("moderation: for new connections");
    if (!(cur.peering == next.peering)) r.applied.emplace_back("peering: from the next scan");
    if (cur.users != next.users) r.applied.emplace_back("user: for new logins");
    // Transit and POST judge each article with the running generation's rules: new ones
    // apply from the next article on, in every session.
    if (cur.filter.rules != next.filter.rules)
        r.applied.push_back("filter: " + std::to_string(next.filter.rules.size()) + " rules, from the next article");
    node.install(next_generation(cur, next));
    if (peers_changed) {
        for (auto& change : feeds.reconcile()) r.applied.push_back(std::move(change));
        r.applied.emplace_back("peer: incoming rules for new connections");
    }
    if (peers_changed || cur.users != next.users)
        if (std::size_t ended = end_changed_sessions(node, cur, next))
            r.applied.push_back("sessions of removed or changed peers and users ended: " + std::to_string(ended));
    log_outcome(state, r);
    return r;
}

}  // namespace tidings::server
