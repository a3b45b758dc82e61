// The per-connection NNTP session: greeting, the command loop and the one dispatcher.
#include "server/session.h"

#include <spdlog/spdlog.h>

#include <ctime>

#include "protocol/command.h"
#include "protocol/status.h"
#include "server/capabilities.h"
#include "server/session_state.h"
#include "server/reader.h"
#include "server/tls.h"
#include "server/transit.h"

namespace tidings::server {
namespace {

namespace st = protocol::status;

#ifndef TIDINGS_VERSION
#define TIDINGS_VERSION "0.1.0"
#endif

const config::Peer* peer_for_address(const config::Config& cfg, const std::string& ip) {
    for (const auto& p : cfg.peers)
        if (config::matches_any(p.hosts, ip)) return &p;
    return nullptr;
}

// What the session may do now; the single source for CAPABILITIES, the greeting and the
// dispatcher, so the three never disagree.
CapabilityState capability_state(const Session& s) {
    CapabilityState c;
    c.ihave = s.may_transit();
    c.streaming = s.may_transit();
    add_reader_capabilities(s, c);  // only what works now: CAPABILITIES must tell the truth
    return c;
}

std::string date_response() {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%d%H%M%S", &tm);
    return protocol::response(st::info_date, buf);
}

std::string help_response() {
    std::string out = protocol::response(st::info_help, "Legal commands");
    for (const auto& spec : protocol::command_table()) {
        out += "  ";
        out += protocol::usage(spec);
        out += "\r\n";
    }
    out += ".\r\n";
    return out;
}

std::string greeting(const Session& s) {
    bool posting = capability_state(s).post;
    return protocol::response(posting ? st::ok_banner_post : st::ok_banner_nopost,
                              s.cfg().node.pathhost + " Tidings " TIDINGS_VERSION " ready" +
                                  (posting ? " (posting ok)" : " (no posting)"));
}

// The one dispatcher: generic checks in a fixed order (lookup, syntax, role), then the family.
awaitable<void> run_command(Session& s, const protocol::ParseResult& parsed) {
    const protocol::Command& cmd = parsed.command;
    ++s.node.counters.commands;
    if (cmd.kind == protocol::Kind::unknown) {
        ++s.node.counters.unknown_commands;
        if (++s.unknown_commands >= s.cfg().limits.max_unknown_commands) {
            // INN closes after 10 unknown commands: a client that speaks another protocol
            // (or a scanner) gets a clear answer instead of an endless 500 loop.
            s.closing = true;
            s.conn->set_close_reason(CloseReason::limit);
            s.conn->push(protocol::response(st::fail_terminating, "Too many unrecognized commands"));
            co_return;
        }
        s.conn->push(protocol::response(parsed.code, parsed.text));
        co_return;
    }
    if (is_transit_command(cmd.kind)) {
        if (!s.may_transit()) {
            // A TAKETHIS body follows whatever we answer (RFC 4644 §2.5): it must be read and
            // dropped, or its lines would be taken for commands.
            if (cmd.kind == protocol::Kind::takethis || (!parsed.ok() && parsed.read_block)) {
                co_await run_transit(s, parsed);  // refuses, reading the article away
                co_return;
            }
            s.conn->push(protocol::response(st::err_access, "You are not a configured peer"));
            co_return;
        }
        co_await run_transit(s, parsed);
        co_return;
    }
    if (is_reader_command(cmd.kind)) {
        co_await run_reader(s, parsed);  // it answers syntax errors too (e.g. 501 vs 423)
        co_return;
    }
    if (!parsed.ok()) {
        s.conn->push(protocol::response(parsed.code, parsed.text));
        co_return;
    }
    switch (cmd.kind) {
        case protocol::Kind::capabilities:
            s.conn->push(capabilities_response(capability_state(s), TIDINGS_VERSION));
            break;
        case protocol::Kind::help:
            s.conn->push(help_response());
            break;
        case protocol::Kind::date:
            s.conn->push(date_response());
            break;
        case protocol::Kind::quit:
            s.closing = true;
            s.conn->set_close_reason(CloseReason::quit);
            s.conn->push(protocol::response(st::ok_quit, "Bye"));
            break;
        default:
            // Known to the protocol, not served by this node yet.
            s.conn->push(protocol::response(st::err_unavailable, "Command not available on this server"));
            break;
    }
}

// Registers the session for limits and shutdown; unregisters on every exit path.
class Registration {
public:
    Registration(NodeContext& node, std::uint64_t id, std::weak_ptr<Connection> conn, std::string ip)
        : node_(node), id_(id), ip_(std::move(ip)) {
        node_.sessions.emplace(id_, std::move(conn));
        ++node_.sessions_per_ip[ip_];
    }
    ~Registration() {
        node_.sessions.erase(id_);
        node_.peer_sessions.erase(id_);
        if (--node_.sessions_per_ip[ip_] <= 0) node_.sessions_per_ip.erase(ip_);
        release_in_flight(node_, id_);
    }
    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;

private:
    NodeContext& node_;
    std::uint64_t id_;
    std::string ip_;
};

}  // namespace

awaitable<void> serve_session(tcp::socket socket, NodeContext& node, ListenerInfo info,
                              std::uint64_t id) {
    boost::system::error_code ec;
    auto remote = socket.remote_endpoint(ec);
    if (ec) co_return;
    // Nagle plus the client's delayed ACK costs ~40 ms per multi-line answer (FACTS.md).
    socket.set_option(tcp::no_delay(true), ec);
    const auto& limits = node.cfg().limits;
    auto conn = std::make_shared<Connection>(std::move(socket),
                                             std::chrono::seconds(limits.idle_timeout_s),
                                             std::chrono::seconds(limits.write_timeout_s));
    conn->start();
    Session s{node, info, id, remote.address().to_string(), conn, LineReader{}};
    s.loopback = remote.address().is_loopback();
    s.anonymous = config::matches_any(s.cfg().readers.anonymous_hosts, s.ip);
    s.peer = info.transit ? peer_for_address(s.cfg(), s.ip) : nullptr;
    Registration reg(node, id, conn, s.ip);
    if (s.peer) node.peer_sessions[id] = s.peer->name;
    spdlog::info("conn={} event=open remote={}:{} listen={}:{}{}{}", id, s.ip, remote.port(),
                 info.address, info.port, s.peer ? " peer=" : "", s.peer ? s.peer->name : "");

    // GCC 12 mis-compiles a co_await inside this if's condition (the callee saw a garbage
    // Session&): the result is taken first.
    const bool tls_ok = co_await begin_implicit_tls(s);
    if (!tls_ok) {
        conn->set_close_reason(CloseReason::refused);  // the TLS handshake failed: no greeting
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
                co_await run_command(s, parsed);
            }
        }
    }
    if (node.stopping) conn->set_close_reason(CloseReason::shutdown);
    co_await conn->finish();  // every owed answer, including pending store acks
    conn->close();
    spdlog::info("conn={} event=close remote={} reason={}", id, s.ip, to_string(conn->close_reason()));
}

}  // namespace tidings::server
