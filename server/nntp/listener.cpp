// Accept loop with connection admission (total, reserved-for-peers and per-address limits).
#include "server/nntp/listener.h"
#include "server/net/exception_text.h"

#include <spdlog/spdlog.h>

#include "server/net/address_key.h"
#include "server/nntp/peer_attribution.h"
#include "server/nntp/session.h"

namespace tidings::server {
namespace {

// RFC 3977 §5.1.1: 400 may be sent instead of a greeting when the service is unavailable.
awaitable<void> refuse(tcp::socket socket, std::string text) {
    beast::tcp_stream stream(std::move(socket));
    stream.expires_after(std::chrono::seconds(5));
    boost::system::error_code ec;
    co_await net::async_write(stream, net::buffer(text), net::redirect_error(use_awaitable, ec));
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
}

// Whether a new connection from `addr` may have a session; the 400 text (counted and logged)
// when not. The last limits.peer_reserved_connections slots are kept for configured peers, so
// that idle readers can never lock a feed out; a peer is known here by address only (one that
// authenticates as its auth_user counts as a reader until then).
const char* admit(NodeContext& node, const ListenerInfo& info, const net::ip::address& addr) {
    const auto& limits = node.cfg().limits;
    const std::string ip = addr.to_string();
    const bool peer = info.transit && peer_for_address(node.cfg(), ip) != nullptr;
    const std::size_t open = node.sessions.size();
    if (open >= limits.max_connections) {
        ++node.counters.connections_refused_total_limit;
        spdlog::warn("event=refused remote={} reason=max_connections", ip);
        return "400 Too many connections\r\n";
    }
    if (!peer && open + limits.peer_reserved_connections >= limits.max_connections) {
        ++node.counters.connections_refused_reserved;
        spdlog::warn("event=refused remote={} reason=peer_reserved_connections", ip);
        return "400 Too many connections\r\n";
    }
    auto per = node.sessions_per_ip.find(address_key(addr));
    if (per != node.sessions_per_ip.end() && static_cast<std::uint32_t>(per->second) >= limits.max_connections_per_ip) {
        ++node.counters.connections_refused_ip_limit;
        spdlog::warn("event=refused remote={} reason=max_connections_per_ip", ip);
        return "400 Too many connections from your address\r\n";
    }
    return nullptr;
}

}  // namespace

awaitable<void> accept_connections(tcp::acceptor& acceptor, NodeContext& node,
                                   const Dispatcher& dispatcher, ListenerInfo info) {
    for (;;) {
        boost::system::error_code ec;
        tcp::socket socket =
            co_await acceptor.async_accept(net::redirect_error(use_awaitable, ec));
        if (ec) {
            if (node.stopping || ec == net::error::operation_aborted) co_return;
            // EMFILE and friends: back off briefly instead of spinning.
            spdlog::warn("event=accept_error listen={}:{} error=\"{}\"", info.address, info.port,
                         ec.message());
            net::steady_timer t(node.io, std::chrono::milliseconds(100));
            co_await t.async_wait(net::redirect_error(use_awaitable, ec));
            continue;
        }
        auto remote = socket.remote_endpoint(ec);
        if (ec) continue;  // already gone
        if (const char* refusal = admit(node, info, remote.address())) {
            net::co_spawn(node.io, refuse(std::move(socket), refusal), net::detached);
            continue;
        }
        ++node.counters.connections_accepted;
        std::uint64_t id = node.next_session_id++;
        net::co_spawn(node.io, serve_session(std::move(socket), node, dispatcher, info, id),
                      [id](std::exception_ptr e) {
                          if (!e) return;
                          // One broken session never takes the process down.
                          spdlog::error("conn={} event=session_crash what=\"{}\"", id, exception_text(e));
                      });
    }
}

}  // namespace tidings::server
