// The per-connection NNTP session: greeting, the command loop and the one dispatcher.
#include "server/session.h"

#include <spdlog/spdlog.h>

#include <ctime>

#include "protocol/command.h"
#include "protocol/status.h"
#include "server/capabilities.h"
#include "server/line_reader.h"

namespace tidings::server {
namespace {

namespace st = protocol::status;

#ifndef TIDINGS_VERSION
#define TIDINGS_VERSION "0.1.0"
#endif

struct Session {
    NodeContext& node;
    ListenerInfo info;
    std::uint64_t id;
    std::string ip;
    bool loopback = false;
    bool anonymous = false;  // in readers.anonymous_hosts: reads and posts without AUTHINFO
    std::uint32_t unknown_commands = 0;
    bool closing = false;
};

bool in_any(const std::vector<config::Cidr>& cidrs, const std::string& ip) {
    for (const auto& c : cidrs)
        if (c.contains(ip)) return true;
    return false;
}

// What the session may do now; the single source for CAPABILITIES, the greeting and the
// dispatcher, so the three never disagree.
CapabilityState capability_state(const Session& s) {
    CapabilityState c;
    // Reader commands and POST arrive with the reader issue; until then READER/POST are not
    // advertised, because CAPABILITIES must only list what works.
    (void)s;
    return c;
}

awaitable<bool> send(beast::tcp_stream& stream, const Session& s, std::string_view data) {
    boost::system::error_code ec;
    stream.expires_after(std::chrono::seconds(s.node.cfg.limits.write_timeout_s));
    co_await net::async_write(stream, net::buffer(data.data(), data.size()),
                              net::redirect_error(use_awaitable, ec));
    co_return !ec;
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

// Runs one parsed command; returns the bytes to send (possibly multi-line).
std::string dispatch(Session& s, const protocol::ParseResult& parsed) {
    const protocol::Command& cmd = parsed.command;
    ++s.node.counters.commands;
    if (cmd.kind == protocol::Kind::unknown) {
        ++s.node.counters.unknown_commands;
        if (++s.unknown_commands >= s.node.cfg.limits.max_unknown_commands) {
            // INN closes after 10 unknown commands: a client that speaks another protocol
            // (or a scanner) gets a clear answer instead of an endless 500 loop.
            s.closing = true;
            return protocol::response(st::fail_terminating, "Too many unrecognized commands");
        }
        return protocol::response(parsed.code, parsed.text);
    }
    if (!parsed.ok()) return protocol::response(parsed.code, parsed.text);
    switch (cmd.kind) {
        case protocol::Kind::capabilities:
            return capabilities_response(capability_state(s), TIDINGS_VERSION);
        case protocol::Kind::help:
            return help_response();
        case protocol::Kind::date:
            return date_response();
        case protocol::Kind::quit:
            s.closing = true;
            return protocol::response(st::ok_quit, "Bye");
        default:
            // Known to the protocol, not yet served by this node (later issues add them).
            return protocol::response(st::err_unavailable, "Command not available on this server");
    }
}

std::string greeting(const Session& s) {
    const auto& pathhost = s.node.cfg.node.pathhost;
    bool posting = capability_state(s).post;
    return protocol::response(posting ? st::ok_banner_post : st::ok_banner_nopost,
                              pathhost + " Tidings " TIDINGS_VERSION " ready" +
                                  (posting ? " (posting ok)" : " (no posting)"));
}

// Registers the session for limits and shutdown; unregisters on every exit path.
class Registration {
public:
    Registration(NodeContext& node, std::uint64_t id, tcp::socket& socket, std::string ip)
        : node_(node), id_(id), ip_(std::move(ip)) {
        node_.sessions.emplace(id_, &socket);
        ++node_.sessions_per_ip[ip_];
    }
    ~Registration() {
        node_.sessions.erase(id_);
        if (--node_.sessions_per_ip[ip_] <= 0) node_.sessions_per_ip.erase(ip_);
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
    beast::tcp_stream stream(std::move(socket));
    Session s{node, info, id, remote.address().to_string()};
    s.loopback = remote.address().is_loopback();
    s.anonymous = in_any(node.cfg.readers.anonymous_hosts, s.ip);
    Registration reg(node, id, stream.socket(), s.ip);
    spdlog::info("conn={} event=open remote={}:{} listen={}:{}", id, s.ip, remote.port(),
                 info.address, info.port);

    const auto idle = std::chrono::seconds(node.cfg.limits.idle_timeout_s);
    LineReader reader;
    std::string why = "quit";
    if (!s.anonymous && node.cfg.readers.others == config::OthersPolicy::refuse && !info.transit) {
        co_await send(stream, s, protocol::response(st::err_access, "You have no permission to talk here"));
        why = "refused";
    } else if (co_await send(stream, s, greeting(s))) {
        while (!s.closing && !node.stopping) {
            ReadLine in = co_await reader.read_line(stream, idle);
            std::string out;
            if (in.kind == ReadKind::closed) {
                if (reader.last_error == beast::error::timeout) {
                    ++node.counters.idle_timeouts;
                    why = "idle_timeout";
                    // RFC 3977 §3.1: the server may close an idle connection; say why first.
                    co_await send(stream, s, protocol::response(st::fail_terminating, "Idle timeout"));
                } else {
                    why = node.stopping ? "shutdown" : "eof";
                }
                break;
            }
            if (in.kind == ReadKind::too_long) {
                ++node.counters.overlong_lines;
                out = protocol::response(st::err_command, "Line too long");
            } else if (in.kind == ReadKind::nul) {
                out = protocol::response(st::err_syntax, "NUL byte in command line");
            } else {
                auto parsed = protocol::parse_command(in.line);
                if (parsed.command.kind == protocol::Kind::empty) continue;  // as INN: ignored
                out = dispatch(s, parsed);
            }
            if (!co_await send(stream, s, out)) {
                why = "write_error";
                break;
            }
        }
    }
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    spdlog::info("conn={} event=close remote={} reason={}", id, s.ip, why);
}

}  // namespace tidings::server
