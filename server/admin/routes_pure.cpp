// The admin API's routes, standard library only: which resource a request target names, the
// methods each accepts, the Host and bearer-token checks. Pure: no I/O, unit-tested and fuzzed.
#include "server/admin/routes_pure.h"

#include <vector>

#include "protocol/ascii.h"

namespace tidings::server {
namespace {

// Splits "/a/b/c?x" into {"a","b","c"} (query dropped). Empty segments are kept, so "//" or a
// trailing "/" never match a route by accident.
std::vector<std::string> segments(std::string_view target) {
    target = target.substr(0, target.find('?'));
    // RFC 7230 §5.3.2: a server accepts the absolute form (http://host/path) too.
    for (std::string_view scheme : {"http://", "https://"}) {
        if (target.size() >= scheme.size() && protocol::iequals(target.substr(0, scheme.size()), scheme)) {
            auto path = target.find('/', scheme.size());
            target = path == std::string_view::npos ? std::string_view("/") : target.substr(path);
            break;
        }
    }
    std::vector<std::string> out;
    // Any other form (authority, "*", garbage) names no resource: one segment nothing matches.
    if (target.empty() || target[0] != '/') return {std::string()};
    target.remove_prefix(1);
    if (target.empty()) return out;
    for (;;) {
        auto p = target.find('/');
        out.emplace_back(target.substr(0, p));
        if (p == std::string_view::npos) break;
        target.remove_prefix(p + 1);
    }
    return out;
}

Match match_segments(const std::vector<std::string>& s) {
    if (s.empty()) return Match{Route::dashboard, {}, {}};
    if (s.size() == 1) {
        if (s[0] == "healthz") return Match{Route::healthz, {}, {}};
        if (s[0] == "readyz") return Match{Route::readyz, {}, {}};
        if (s[0] == "status") return Match{Route::status, {}, {}};
        if (s[0] == "metrics") return Match{Route::metrics, {}, {}};
        if (s[0] == "groups") return Match{Route::groups, {}, {}};
        if (s[0] == "cancel") return Match{Route::cancel, {}, {}};
        if (s[0] == "reload") return Match{Route::reload, {}, {}};
        if (s[0] == "quarantine") return Match{Route::quarantine, {}, {}};
        if (s[0] == "checkgroups") return Match{Route::checkgroups, {}, {}};
        if (s[0] == "pull") return Match{Route::pull, {}, {}};
        if (s[0] == "peering") return Match{Route::peering, {}, {}};
    }
    if (s.size() == 2 && s[0] == "checkgroups" && s[1] == "apply") return Match{Route::checkgroups_apply, {}, {}};
    if (s.size() == 2 && s[0] == "quarantine" && s[1] == "release") return Match{Route::quarantine_release, {}, {}};
    if (s.size() == 2 && s[0] == "groups" && !s[1].empty()) return Match{Route::group, s[1], {}};
    if (s.size() == 2 && s[0] == "reconcile" && !s[1].empty()) return Match{Route::reconcile, s[1], {}};
    // A proposal's nonce (approve, refuse) or a peering's peer name (withdraw).
    if (s.size() == 3 && s[0] == "peering" && !s[1].empty() &&
        (s[2] == "approve" || s[2] == "refuse" || s[2] == "withdraw"))
        return Match{Route::peering_action, s[1], s[2]};
    if (s.size() == 3 && s[0] == "peers" && !s[1].empty() &&
        (s[2] == "pause" || s[2] == "resume" || s[2] == "flush" || s[2] == "clear"))
        return Match{Route::peer_action, s[1], s[2]};
    return Match{Route::none, {}, {}};
}

// A dotted quad of decimal parts 0-255. Leading zeros ("127.000.000.001") are allowed on
// their own, not inside an IPv6 address (browsers and inet_pton refuse them there).
bool is_ipv4_literal(std::string_view s, bool leading_zeros = true) {
    int parts = 0;
    unsigned value = 0;
    std::size_t digits = 0;
    for (char c : s) {
        if (c == '.') {
            if (digits == 0) return false;
            ++parts;
            digits = 0;
            value = 0;
        } else if (c >= '0' && c <= '9' && digits < 3) {
            if (!leading_zeros && digits == 1 && value == 0) return false;
            ++digits;
            value = value * 10 + static_cast<unsigned>(c - '0');
            if (value > 255) return false;
        } else {
            return false;
        }
    }
    return parts == 3 && digits > 0;
}

bool hex_digit(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// RFC 4291 §2.2 text: eight groups of 1-4 hex digits, or fewer around one "::", the last two
// groups possibly a dotted quad. No zone ("%eth0"): a browser never sends one in Host.
bool is_ipv6_literal(std::string_view s) {
    int groups = 0;
    bool compressed = false;
    if (s.starts_with("::")) {
        compressed = true;
        s.remove_prefix(2);
        if (s.empty()) return true;  // "::"
    } else if (s.starts_with(":")) {
        return false;
    }
    for (;;) {
        auto colon = s.find(':');
        std::string_view group = s.substr(0, colon);
        if (colon == std::string_view::npos && group.find('.') != std::string_view::npos) {
            if (!is_ipv4_literal(group, false)) return false;
            groups += 2;
            break;
        }
        if (group.empty() || group.size() > 4) return false;
        for (char c : group)
            if (!hex_digit(c)) return false;
        ++groups;
        if (colon == std::string_view::npos) break;
        s.remove_prefix(colon + 1);
        if (s.starts_with(":")) {  // "::" inside
            if (compressed) return false;
            compressed = true;
            s.remove_prefix(1);
            if (s.empty()) break;  // "...::" at the end
        } else if (s.empty()) {
            return false;  // a single trailing ':'
        }
    }
    return compressed ? groups <= 7 : groups == 8;
}

}  // namespace

Match match_route(std::string_view target) { return match_segments(segments(target)); }

bool host_header_allowed(bool present, std::string_view host, std::string_view pathhost) {
    if (!present) return true;
    if (!host.empty() && host.front() == '[') {  // "[v6]" or "[v6]:port"
        auto close = host.find(']');
        if (close == std::string_view::npos) return false;
        std::string_view rest = host.substr(close + 1);
        if (!rest.empty() && (rest.front() != ':' || rest.find_first_not_of("0123456789", 1) != std::string_view::npos))
            return false;
        return is_ipv6_literal(host.substr(1, close - 1));
    }
    if (auto colon = host.rfind(':'); colon != std::string_view::npos) {
        if (host.find_first_not_of("0123456789", colon + 1) != std::string_view::npos) return false;
        host = host.substr(0, colon);
    }
    if (host.empty()) return false;
    return is_ipv4_literal(host) || protocol::iequals(host, "localhost") ||
           (!pathhost.empty() && protocol::iequals(host, pathhost));
}

std::string_view allowed_methods(Route r) {
    switch (r) {
        case Route::dashboard:
        case Route::healthz:
        case Route::readyz:
        case Route::status:
        case Route::metrics:
        case Route::quarantine:
        case Route::checkgroups:
        case Route::peering: return "GET, HEAD";
        case Route::group: return "DELETE";
        default: return "POST";
    }
}

bool method_allowed(Route r, std::string_view method) {
    // One list for the Allow header and the check, so the two cannot disagree.
    std::string_view list = allowed_methods(r);
    for (;;) {
        auto comma = list.find(", ");
        if (list.substr(0, comma) == method) return !method.empty();
        if (comma == std::string_view::npos) return false;
        list.remove_prefix(comma + 2);
    }
}

unsigned check_bearer(const AdminAuth& auth, std::string_view header) {
    constexpr std::string_view scheme = "Bearer ";
    if (header.empty()) return 401;
    if (auth.token.empty()) return 403;
    if (header.size() < scheme.size() || !protocol::iequals(header.substr(0, scheme.size()), scheme)) return 401;
    auto given = header.substr(scheme.size());
    // Constant time in the token's length: no early exit on the first differing byte.
    unsigned diff = given.size() != auth.token.size();
    for (std::size_t i = 0; i < auth.token.size(); ++i)
        diff |= static_cast<unsigned char>(auth.token[i]) ^
                static_cast<unsigned char>(i < given.size() ? given[i] : 0);
    return diff == 0 ? 0 : 403;
}

}  // namespace tidings::server
