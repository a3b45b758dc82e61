// Tables for `tidingsctl status` and `tidingsctl peers`.
#include "render.h"

#include <algorithm>
#include <cstdio>

namespace tidings::ctl {
namespace {

using nlohmann::json;

bool numeric(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.' || c == '%'; });
}

std::string num(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return "-";
    if (it->is_string()) return it->get<std::string>();
    if (it->is_number_float()) {
        char b[32];
        std::snprintf(b, sizeof b, "%.1f", it->get<double>());
        return b;
    }
    return it->dump();
}

std::string age(std::int64_t s) {
    if (s <= 0) return "-";
    if (s < 120) return std::to_string(s) + "s";
    if (s < 7200) return std::to_string(s / 60) + "m";
    return std::to_string(s / 3600) + "h";
}

}  // namespace

std::string table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
    std::vector<std::size_t> w(header.size());
    for (std::size_t i = 0; i < header.size(); ++i) w[i] = header[i].size();
    for (const auto& r : rows)
        for (std::size_t i = 0; i < r.size() && i < w.size(); ++i) w[i] = std::max(w[i], r[i].size());
    auto line = [&](const std::vector<std::string>& r) {
        std::string out;
        for (std::size_t i = 0; i < w.size(); ++i) {
            std::string c = i < r.size() ? r[i] : "";
            std::string pad(w[i] - c.size(), ' ');
            out += (numeric(c) && i > 0) ? pad + c : c + pad;
            out += i + 1 < w.size() ? "  " : "";
        }
        while (!out.empty() && out.back() == ' ') out.pop_back();
        return out + "\n";
    };
    std::string out = line(header);
    for (const auto& r : rows) out += line(r);
    return out;
}

std::string render_status(const json& s) {
    std::string out;
    const auto& st = s.at("store");
    std::uint64_t refused = 0;
    for (const auto& [k, v] : s.at("incoming").at("refused").items()) refused += v.get<std::uint64_t>();
    char map[64];
    std::snprintf(map, sizeof map, "%.1f%% of %.1f MiB", st.value("map_use", 0.0) * 100,
                  st.value("map_bytes", 0.0) / (1024.0 * 1024.0));
    out += table({"", ""}, {
        {"pathhost", num(s, "pathhost")},
        {"version", num(s, "version")},
        {"uptime", age(s.value("uptime_seconds", std::int64_t{0}))},
        {"ready", s.value("ready", false) ? "yes" : "NO"},
        {"articles", num(st, "articles")},
        {"groups", num(s, "groups")},
        {"map use", map},
        {"accepted", num(s.at("incoming"), "accepted")},
        {"refused", std::to_string(refused)},
        {"deferred", num(s.at("incoming"), "deferred")},
        {"connections", num(s.at("connections"), "total") + " (" + num(s.at("connections"), "reader") + " reader, " +
                            num(s.at("connections"), "transit") + " transit)"},
        {"commit p50/p99", num(st, "commit_p50_us") + "/" + num(st, "commit_p99_us") + " us"},
    });
    std::vector<std::vector<std::string>> rows;
    for (const auto& l : s.at("listeners"))
        rows.push_back({l.value("kind", ""), l.value("address", ""), num(l, "port"), l.value("roles", ""), l.value("tls", "")});
    out += '\n';
    out += table({"LISTENER", "ADDRESS", "PORT", "ROLES", "TLS"}, rows);
    return out;
}

std::string render_peers(const json& s) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& p : s.at("peers")) {
        const auto& o = p.at("outgoing");
        if (o.is_null()) {
            rows.push_back({p.value("name", ""), "incoming only", "-", num(p, "incoming_sessions"), "-", "-", "-", "-", "-", "-", "-"});
            continue;
        }
        rows.push_back({p.value("name", ""), num(o, "state"), num(o, "connections_up"), num(p, "incoming_sessions"),
                        num(o, "offered"), num(o, "accepted"), num(o, "refused"), num(o, "rejected"),
                        num(o, "deferred"), num(o, "backlog"), age(o.value("oldest_age_seconds", std::int64_t{0}))});
    }
    return table({"PEER", "STATE", "CONNS", "IN", "OFFERED", "ACCEPTED", "REFUSED", "REJECTED", "DEFERRED", "BACKLOG", "OLDEST"},
                 rows);
}

std::string render_peering(const json& p) {
    std::string out = "this node: " + p.value("pin", std::string("-")) + " (seek " + p.value("seek", std::string("-")) + ")\n";
    std::vector<std::vector<std::string>> proposals, peerings, candidates;
    for (const auto& x : p.at("proposals"))
        proposals.push_back({x.at("nonce").get<std::string>(), x.at("direction").get<std::string>(), x.at("pathhost").get<std::string>(),
                             x.at("state").get<std::string>(), x.value("decided_by", std::string()).empty() ? "-" : x.value("decided_by", std::string()),
                             x.at("pin").get<std::string>()});
    for (const auto& x : p.at("peerings"))
        peerings.push_back({x.at("name").get<std::string>(), x.at("pathhost").get<std::string>(), x.at("address").get<std::string>(),
                            x.at("via").get<std::string>(), x.at("pin").get<std::string>()});
    for (const auto& x : p.at("candidates"))
        candidates.push_back({x.at("pathhost").get<std::string>(), num(x, "score"), x.at("offers").get<std::string>(),
                              x.at("wants").get<std::string>(), x.at("pin").get<std::string>()});
    out += "\nproposals (approve or refuse by NONCE):\n" + table({"NONCE", "DIRECTION", "PATHHOST", "STATE", "BY", "PIN"}, proposals);
    out += "\npeerings (withdraw by NAME):\n" + table({"NAME", "PATHHOST", "ADDRESS", "VIA", "PIN"}, peerings);
    out += "\ncandidates:\n" + table({"PATHHOST", "SCORE", "OFFERS", "WANTS", "PIN"}, candidates);
    return out;
}

std::string render_pull(const json& s) {
    std::vector<std::vector<std::string>> rows;
    const auto& pull = s.at("pull");
    for (const auto& [name, u] : pull.at("upstreams").items())
        rows.push_back({name, num(u, "state"), num(u, "missing"), num(u, "fetched"), num(u, "rate"), num(u, "eta_seconds"),
                        num(u, "stored"), num(u, "duplicates"), num(u, "unavailable"), num(u, "errors"),
                        u.value("last_error", std::string("-"))});
    std::string out = std::string("pull runs: ") + pull.at("runs").dump() +
                      (pull.value("running", false) ? " (one running)\n" : "\n");
    return out + table({"UPSTREAM", "STATE", "MISSING", "FETCHED", "RATE/S", "ETA_S", "STORED", "DUPLICATES",
                        "UNAVAILABLE", "ERRORS", "LAST_ERROR"},
                       rows);
}

}  // namespace tidings::ctl
