// The per-connection NNTP session: greeting, the command loop and the one dispatcher.
#include "server/nntp/session.h"

#include <spdlog/spdlog.h>

#include <ctime>

#include "protocol/command.h"
#include "protocol/status.h"
#include "server/net/address_key.h"
#include "server/net/exception_text.h"
#include "server/nntp/capabilities.h"
#include "server/nntp/peer_attribution.h"
#include "server/nntp/session_state.h"
#include "server/nntp/starttls.h"

namespace tidings::server {
namespace {

namespace st = protocol::status;

#ifndef TIDINGS_VERSION
#define TIDINGS_VERSION "0.1.0"
#endif

std::string greeting(const Session& s) {
    bool posting = capability_state(s).post;
    return protocol::response(posting ? st::ok_banner_post : st::ok_banner_nopost,
                              s.cfg().node.pathhost + " Tidings " TIDINGS_VERSION " ready" +
                                  (posting ? " (posting ok)" : " (no posting)"));
}

// Registers the session for limits and shutdown; unregisters on every exit path.
class Registration {
public:
    // `key`: the address as per-address limits count it (server/net/address_key.h).
    Registration(NodeContext& node, const Dispatcher& dispatcher, std::uint64_t id,
                 std::weak_ptr<Connection> conn, std::string key)
        : node_(node), dispatcher_(dispatcher), id_(id), ip_(std::move(key)) {
        node_.sessions.emplace(id_, std::move(conn));
        ++node_.sessions_per_ip[ip_];
    }
    ~Registration() {
        node_.sessions.erase(id_);
        node_.peer_sessions.erase(id_);
        node_.user_sessions.erase(id_);
        if (--node_.sessions_per_ip[ip_] <= 0) node_.sessions_per_ip.erase(ip_);
        dispatcher_.session_ended(id_);
    }
    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;

private:
    NodeContext& node_;
    const Dispatcher& dispatcher_;
    std::uint64_t id_;
    std::string ip_;
};

}  // namespace

awaitable<void> serve_session(tcp::socket socket, NodeContext& node, const Dispatcher& dispatcher,
                              ListenerInfo info, std::uint64_t id) {
    boost::system::error_code ec;
    auto remote = socket.remote_endpoint(ec);
    if (ec) co_return;
    // Nagle plus the client's delayed ACK costs ~40 ms per multi-line answer (BENCHMARKS.md, "The machine").
    socket.set_option(tcp::no_delay(true), ec);
    const auto& limits = node.cfg().limits;
    auto conn = std::make_shared<Connection>(std::move(socket),
                                             std::chrono::seconds(limits.idle_timeout_s),
                                             std::chrono::seconds(limits.write_timeout_s));
    conn->set_line_timeout(std::chrono::seconds(limits.line_timeout_s));
    conn->start();
    Session s{node, info, id, remote.address().to_string(), conn, LineReader{}};
    s.loopback = remote.address().is_loopback();
    s.anonymous = config::matches_any(s.cfg().readers.anonymous_hosts, s.ip);
    Registration reg(node, dispatcher, id, conn, address_key(remote.address()));
    attribute_peer(s, peer_for_address(s.cfg(), s.ip));
    spdlog::info("conn={} event=open remote={}:{} listen={}:{}{}{}", id, s.ip, remote.port(),
                 info.address, info.port, s.peer ? " peer=" : "", s.peer ? s.peer->name : "");

    // GCC 12 mis-compiles a co_await inside this if's condition (the callee saw a garbage
    // Session&): the result is taken first.
    const bool tls_ok = co_await begin_implicit_tls(s);
    if (!tls_ok) {
        // The handshake failed (no greeting), or the client certificate was refused (502 queued).
        conn->set_close_reason(CloseReason::refused);
    } else if (!s.anonymous && !s.peer && s.cfg().readers.others == config::OthersPolicy::refuse) {
        conn->set_close_reason(CloseReason::refused);
        conn->push(protocol::response(st::err_access, "You have no permission to talk here"));
    } else {
        conn->push(greeting(s));
        while (!s.closing && !node.stopping && !conn->failed()) {
            // Answers owed before reading on: a client that pipelines without reading its
            // answers is paused here (and closed by the write-stall timeout), never buffered
            // for without bound.
            co_await conn->wait_for_room(limits.max_pipeline, std::size_t{limits.max_output_kb} << 10);
            ReadLine in = co_await s.reader.read_line(*conn);
            if (in.kind == ReadKind::closed) {
                if (conn->close_reason() == CloseReason::idle_timeout) {
                    ++node.counters.idle_timeouts;
                    // RFC 3977 §3.1: the server may close an idle connection; say why first.
                    conn->push(protocol::response(st::fail_terminating, "Idle timeout"));
                } else if (conn->close_reason() == CloseReason::line_timeout) {
                    ++node.counters.line_timeouts;
                    conn->push(protocol::response(st::fail_terminating, "Timeout waiting for the rest of the line"));
                }
                break;
            }
            if (in.kind == ReadKind::too_long) {
                ++node.counters.overlong_lines;
                conn->push(protocol::response(st::err_command, "Line too long"));
            } else if (in.kind == ReadKind::nul) {
                conn->push(protocol::response(st::err_syntax, "NUL byte in command line"));
            } else {
                auto parsed = protocol::parse_command(in.line);
                if (parsed.command.kind == protocol::Kind::empty) continue;  // as INN: ignored
                // Supervision: a command that throws (a bug, a store error) ends this
                // connection cleanly — a 403 (RFC 3977 §3.2.1: internal fault), every owed
                // answer, then close — and nothing else. (No co_await in a handler: the
                // fault is taken out first.)
                std::exception_ptr fault;
                try {
                    co_await dispatcher.run(s, parsed);
                } catch (...) {
                    fault = std::current_exception();
                }
                if (fault) {
                    ++node.counters.session_faults;
                    spdlog::error("conn={} event=session_fault command={} what=\"{}\"", id,
                                  protocol::sanitize_for_echo(in.line.substr(0, in.line.find(' '))),
                                  protocol::sanitize_for_echo(exception_text(fault)));
                    // An answer the failed command reserved may never be filled: finish() must
                    // not wait for it.
                    conn->drop_owed_answers();
                    conn->push(protocol::response(st::fail_action, "Internal fault, closing"));
                    conn->set_close_reason(CloseReason::fault);
                    break;
                }
            }
        }
    }
    if (node.stopping) conn->set_close_reason(CloseReason::shutdown);
    co_await conn->finish();  // every owed answer, including pending store acks
    conn->close();
    spdlog::info("conn={} event=close remote={} reason={}", id, s.ip, to_string(conn->close_reason()));
}

}  // namespace tidings::server
