// Accept loop with connection admission (total and per-IP limits).
#include "server/nntp/listener.h"

#include <spdlog/spdlog.h>

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
        std::string ip = remote.address().to_string();
        const auto& limits = node.cfg().limits;
        if (node.sessions.size() >= static_cast<std::size_t>(limits.max_connections)) {
            ++node.counters.connections_refused_total_limit;
            spdlog::warn("event=refused remote={} reason=max_connections", ip);
            net::co_spawn(node.io, refuse(std::move(socket), "400 Too many connections\r\n"),
                          net::detached);
            continue;
        }
        if (static_cast<std::uint32_t>(node.sessions_per_ip[ip]) >= limits.max_connections_per_ip) {
            ++node.counters.connections_refused_ip_limit;
            spdlog::warn("event=refused remote={} reason=max_connections_per_ip", ip);
            net::co_spawn(node.io,
                          refuse(std::move(socket), "400 Too many connections from your address\r\n"),
                          net::detached);
            continue;
        }
        ++node.counters.connections_accepted;
        std::uint64_t id = node.next_session_id++;
        net::co_spawn(node.io, serve_session(std::move(socket), node, dispatcher, info, id),
                      [id](std::exception_ptr e) {
                          if (!e) return;
                          // One broken session never takes the process down.
                          try {
                              std::rethrow_exception(e);
                          } catch (const std::exception& ex) {
                              spdlog::error("conn={} event=session_crash what=\"{}\"", id, ex.what());
                          }
                      });
    }
}

}  // namespace tidings::server
