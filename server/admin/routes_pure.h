// The admin API's routes without Beast: which resource a request target names, the methods each
// accepts, the Host check and the bearer-token check. Standard library only, so the fuzzers
// (tests/fuzz/fuzz_routes.cpp) build it without Asio or Beast; routes.h adds Beast's verbs.
#pragma once

#include <string>
#include <string_view>

namespace tidings::server {

// The resources; what matches none is a 404.
enum class Route {
    dashboard, healthz, readyz, status, metrics, groups, group, cancel, peer_action, reload,
    quarantine, quarantine_release, checkgroups, checkgroups_apply, pull, reconcile, peering, peering_action, none
};

struct Match {
    Route route = Route::none;
    std::string arg;     // group or peer name, or a peering proposal's nonce
    std::string action;  // pause | resume | flush | clear; approve | refuse | withdraw
};

// The route a request target names: origin form "/a/b?query" (query ignored) or absolute form
// "http://host/a/b" (RFC 7230 §5.3.2); any other form, an empty segment ("//", a trailing "/")
// or an unknown path is Route::none.
Match match_route(std::string_view target);

// The Allow header value for a route's 405, and whether `method` (case-sensitive, RFC 7230
// §3.1.1) is one of the methods it lists.
std::string_view allowed_methods(Route r);
bool method_allowed(Route r, std::string_view method);

// Whether a request's Host header names this server: an IP literal ("127.0.0.1:8119",
// "[::1]": a dotted quad of parts up to 255, an RFC 4291 address in brackets), "localhost" or
// the node's pathhost (any case, with or without a port). Anything else is refused, so that a
// web page whose name an attacker points at 127.0.0.1 (DNS rebinding) cannot read /status from
// a browser on this machine. `present` false (an HTTP/1.0 request without Host): allowed, no
// browser sends one.
bool host_header_allowed(bool present, std::string_view host, std::string_view pathhost);

// Who may change things, fixed when the admin listener starts (and at each reload).
struct AdminAuth {
    std::string token;  // [http] token, or the first line of token_file; empty: mutations disabled
    std::string token_problem;  // why there is no token (for the 403 text), e.g. unreadable file
};

// Compares a request's "Authorization: Bearer <token>" with `auth` in constant time (in the
// token's length). 0: allowed; 401: no credentials given (or another scheme); 403: wrong token,
// or no token configured.
unsigned check_bearer(const AdminAuth& auth, std::string_view authorization_header);

}  // namespace tidings::server
