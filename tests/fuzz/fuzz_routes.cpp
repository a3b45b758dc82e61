// Fuzzes the admin API's pure request checks (server/admin/routes_pure.h): route matching, the
// method check, the Host check (DNS rebinding) and the bearer-token check. Input: fields
// separated by newlines — target, method, Host, Authorization, configured token, pathhost.
#include <arpa/inet.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/ascii.h"
#include "server/admin/routes_pure.h"

using namespace tidings::server;
using tidings::protocol::iequals;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

bool same(const Match& a, const Match& b) { return a.route == b.route && a.arg == b.arg && a.action == b.action; }

// The path a match came from, rebuilt.
std::string path_of(const Match& m) {
    switch (m.route) {
        case Route::dashboard: return "/";
        case Route::healthz: return "/healthz";
        case Route::readyz: return "/readyz";
        case Route::status: return "/status";
        case Route::metrics: return "/metrics";
        case Route::groups: return "/groups";
        case Route::cancel: return "/cancel";
        case Route::reload: return "/reload";
        case Route::group: return "/groups/" + m.arg;
        case Route::peer_action: return "/peers/" + m.arg + "/" + m.action;
        case Route::quarantine: return "/quarantine";
        case Route::quarantine_release: return "/quarantine/release";
        case Route::checkgroups: return "/checkgroups";
        case Route::checkgroups_apply: return "/checkgroups/apply";
        case Route::pull: return "/pull";
        case Route::reconcile: return "/reconcile/" + m.arg;
        case Route::peering: return "/peering";
        case Route::peering_action: return "/peering/" + m.arg + "/" + m.action;
        case Route::none: break;
    }
    return "";
}

// The oracle: an IPv4 dotted quad (decimal parts 0-255), an IPv6 address in brackets,
// localhost or the pathhost; each with an optional ":port" of digits.
bool ipv4(std::string_view s) {
    int parts = 0;
    while (true) {
        auto dot = s.find('.');
        auto part = s.substr(0, dot);
        if (part.empty() || part.size() > 3 || part.find_first_not_of("0123456789") != std::string_view::npos) return false;
        if (std::stoi(std::string(part)) > 255) return false;
        ++parts;
        if (dot == std::string_view::npos) break;
        s.remove_prefix(dot + 1);
    }
    return parts == 4;
}
bool ipv6(std::string_view s) {
    std::array<unsigned char, 16> buf{};
    return inet_pton(AF_INET6, std::string(s).c_str(), buf.data()) == 1 && s.find('\0') == std::string_view::npos;
}
bool names_this_server(std::string_view host, std::string_view pathhost) {
    std::string_view name = host;
    if (!host.empty() && host.front() == '[') {
        auto close = host.find(']');
        if (close == std::string_view::npos) return false;
        auto port = host.substr(close + 1);
        if (!port.empty() && (port[0] != ':' || port.find_first_not_of("0123456789", 1) != std::string_view::npos))
            return false;
        return ipv6(host.substr(1, close - 1));
    }
    if (auto colon = host.rfind(':'); colon != std::string_view::npos) {
        if (host.find_first_not_of("0123456789", colon + 1) != std::string_view::npos) return false;
        name = host.substr(0, colon);
    }
    return ipv4(name) || iequals(name, "localhost") || (!pathhost.empty() && iequals(name, pathhost));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    std::array<std::string_view, 6> f{};
    for (auto& field : f) {
        auto nl = in.find('\n');
        field = in.substr(0, nl);
        in = nl == std::string_view::npos ? std::string_view{} : in.substr(nl + 1);
    }
    const auto [target, method, host, authorization, token, pathhost] = f;

    // Routes: a match names its canonical path, which matches the same; the query and the
    // absolute form change nothing.
    const Match m = match_route(target);
    if (m.route != Route::none) {
        check(same(match_route(path_of(m)), m));
        check(m.arg.find_first_of("/?") == std::string::npos);
        if (m.route == Route::group || m.route == Route::peer_action) check(!m.arg.empty());
        if (m.route == Route::peer_action) check(m.action == "pause" || m.action == "resume" || m.action == "flush" || m.action == "clear");
        else check(m.action.empty());
    } else {
        check(m.arg.empty() && m.action.empty());
    }
    if (target.find('?') == std::string_view::npos) {
        check(same(match_route(std::string(target) + "?x=/status"), m));
        if (!target.empty() && target[0] == '/') check(same(match_route("http://localhost:8119" + std::string(target)), m));
    }

    // Methods: exactly the ones the Allow header lists.
    for (Route r : {Route::dashboard, Route::healthz, Route::readyz, Route::status, Route::metrics, Route::groups,
                    Route::group, Route::cancel, Route::peer_action, Route::reload, Route::quarantine,
                    Route::quarantine_release, Route::checkgroups, Route::checkgroups_apply, Route::pull, Route::reconcile, Route::peering, Route::peering_action, Route::none}) {
        const std::string list = ", " + std::string(allowed_methods(r)) + ", ";
        const bool listed = !method.empty() && method.find(',') == std::string_view::npos &&
                            list.find(", " + std::string(method) + ", ") != std::string::npos;
        check(method_allowed(r, method) == listed);
        if (listed) check(method == "GET" || method == "HEAD" || method == "POST" || method == "DELETE");
    }

    // Host: only IP literals, localhost and the pathhost (no DNS rebinding through any other name).
    check(host_header_allowed(false, host, pathhost));
    const bool allowed = host_header_allowed(true, host, pathhost);
    check(allowed == names_this_server(host, pathhost));

    // Bearer: 0 only for the configured, non-empty token; a request without it is never let in.
    const AdminAuth auth{std::string(token), {}};
    const unsigned verdict = check_bearer(auth, authorization);
    check(verdict == 0 || verdict == 401 || verdict == 403);
    if (verdict == 0) {
        check(!token.empty() && authorization.size() == 7 + token.size());
        check(iequals(authorization.substr(0, 7), "Bearer ") && authorization.substr(7) == token);
    }
    if (authorization.empty()) check(verdict == 401);
    if (!token.empty()) check(check_bearer(auth, "Bearer " + std::string(token)) == 0);
    if (token.empty()) check(verdict != 0);
    return 0;
}
