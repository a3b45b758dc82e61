// The admin HTTP listener ([http]): Boost.Beast on the node's io_context, one small coroutine
// per connection around the pure router (http_router.h). Loopback-only unless configured.
#pragma once

#include "server/net/net.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/admin/http_router.h"
#include "server/admin/context.h"

namespace tidings::server {

// Limits of the admin side (every limit named, with a default): an admin request is small, and a client that does
// not finish one in time is closed. None of it touches the NNTP sessions.
struct AdminLimits {
    std::uint32_t header_bytes = 8 * 1024;   // request line + headers; past it: 431, close
    std::uint32_t body_bytes = 64 * 1024;    // past it: 413, close
    std::chrono::seconds request_timeout{10};  // whole request read, and each response write
    std::chrono::seconds keep_alive_idle{30};  // between requests on one connection
    std::uint32_t max_connections = 32;        // more are closed at once (counted)
};

// The running admin listener. Owned by AdminContext::server; touched on the I/O thread only.
class AdminServer {
public:
    std::string address;
    std::uint16_t port = 0;  // bound port
    // token, token_file and allow_hosts as last applied (start or reload); the rest of
    // [http] is fixed while running.
    config::Http settings;
    AdminAuth auth;
    AdminLimits limits;
    std::unique_ptr<tcp::acceptor> acceptor;
    // Open connections by id, so stop_admin() can close them (never by pointer elsewhere).
    std::unordered_map<std::uint64_t, beast::tcp_stream*> streams;
    std::uint64_t next_id = 1;
    // Counters for /metrics: responses by status code, and closes by reason.
    std::map<unsigned, std::uint64_t> responses;
    std::map<std::string, std::uint64_t> closed;  // timeout, refused_host, too_many, bad_request
};

// Binds [http] and starts accepting. Returns false (after logging event=admin_listen_failed)
// when the bind fails: the NNTP side keeps running without the admin API. Does nothing and
// returns true when [http] enabled = false.
bool start_admin(AdminContext& ctx);

// Applies [http] token, token_file and allow_hosts from `next` (reload): later requests and
// connections use them. Returns the keys that changed, e.g. "http.token".
std::vector<std::string> update_admin_access(AdminServer& admin, const config::Http& next);

// Closes the acceptor and every admin connection (shutdown). Idempotent.
void stop_admin(AdminContext& ctx);

}  // namespace tidings::server
