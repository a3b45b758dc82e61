// The one dispatcher: the command table's needs checked in a fixed order, then the handler;
// and the session-level commands (CAPABILITIES, HELP, DATE, QUIT, COMPRESS).
#include "server/nntp/dispatcher.h"

#include <spdlog/spdlog.h>

#include <cctype>
#include <ctime>

#include "protocol/status.h"
#include "server/nntp/auth.h"
#include "server/nntp/capabilities.h"
#include "server/nntp/read_block.h"
#include "server/nntp/starttls.h"

namespace tidings::server {
namespace {

namespace st = protocol::status;
using protocol::Needs;

#ifndef TIDINGS_VERSION
#define TIDINGS_VERSION "0.1.0"
#endif

void push(Session& s, int code, std::string_view text) { s.conn->push(protocol::response(code, text)); }

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

// COMPRESS DEFLATE (RFC 8054 §2.2): 206, then everything after it is compressed both ways.
awaitable<void> run_compress(Session& s, const protocol::ParseResult& parsed) {
    if (s.compress_active) {
        push(s, st::err_access, "DEFLATE compression already active");
        co_return;
    }
    std::string algorithm(parsed.command.argument);
    for (auto& ch : algorithm) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (algorithm != "DEFLATE") {
        push(s, st::err_unavailable, "Compression algorithm not supported");
        co_return;
    }
    push(s, st::ok_compress, "Compression active");
    co_await s.conn->wait_for_room(0, 0);  // the 206 goes out as it is
    // The client may not send more before it sees the 206 (§2.2.2); what it did is compressed.
    s.conn->start_compress(s.reader.pending());
    s.reader.consume(s.reader.pending().size());
    s.compress_active = true;
    spdlog::info("conn={} event=compress remote={}", s.id, s.ip);
}

awaitable<void> run_simple(Session& s, const protocol::ParseResult& parsed) {
    switch (parsed.command.kind) {
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
            push(s, st::ok_quit, "Bye");
            break;
        default:
            break;
    }
    co_return;
}

awaitable<void> run_starttls_command(Session& s, const protocol::ParseResult&) { return run_starttls(s); }

}  // namespace

Refusal check_command(const Session& s, const protocol::ParseResult& parsed) {
    const protocol::CommandSpec* spec = parsed.command.spec;
    const Needs needs = spec ? spec->needs : Needs::none;
    if (has(needs, Needs::transit) && !s.may_transit())
        return {st::err_access, "You are not a configured peer"};
    if (has(needs, Needs::reader) && !s.info.reader)
        return {st::err_access, "Reading is not offered on this port"};
    if (has(needs, Needs::auth) && !reader_rights(s).read)
        return {st::fail_auth_needed, "Authentication required"};
    if (!parsed.ok()) return {parsed.code, parsed.text};
    return {};
}

Dispatcher::Dispatcher() {
    using K = protocol::Kind;
    for (K k : {K::capabilities, K::help, K::date, K::quit}) handle(k, run_simple);
    for (K k : {K::authinfo_user, K::authinfo_pass, K::authinfo_sasl}) handle(k, run_authinfo);
    handle(K::starttls, run_starttls_command);
    handle(K::compress, run_compress);
}

void Dispatcher::handle(protocol::Kind kind, Handler h) { handlers_[static_cast<std::size_t>(kind)] = std::move(h); }

void Dispatcher::on_session_end(SessionEnd f) { session_end_.push_back(std::move(f)); }

void Dispatcher::session_ended(std::uint64_t session_id) const {
    for (const auto& f : session_end_) f(session_id);
}

awaitable<void> Dispatcher::run(Session& s, const protocol::ParseResult& parsed) const {
    const protocol::Command& cmd = parsed.command;
    ++s.node.counters.commands;
    if (cmd.kind == protocol::Kind::unknown) {
        ++s.node.counters.unknown_commands;
        if (++s.unknown_commands >= s.cfg().limits.max_unknown_commands) {
            // INN closes after 10 unknown commands: a client that speaks another protocol
            // (or a scanner) gets a clear answer instead of an endless 500 loop.
            s.closing = true;
            s.conn->set_close_reason(CloseReason::limit);
            push(s, st::fail_terminating, "Too many unrecognized commands");
            co_return;
        }
        push(s, parsed.code, parsed.text);
        co_return;
    }
    Refusal refusal = check_command(s, parsed);
    if (refusal.code != 0) {
        // A TAKETHIS article follows whatever we answer (RFC 4644 §2.5): it must be read and
        // dropped, or its lines would be taken for commands.
        if ((cmd.spec && has(cmd.spec->needs, Needs::block_follows)) || parsed.read_block) {
            std::string dropped;
            if (co_await read_block(s, 0, dropped) == BlockRead::closed) co_return;
        }
        push(s, refusal.code, refusal.text);
        co_return;
    }
    const Handler& h = handlers_[static_cast<std::size_t>(cmd.kind)];
    if (!h) {
        // Known to the protocol, not served by this node.
        push(s, st::err_unavailable, "Command not available on this server");
        co_return;
    }
    co_await h(s, parsed);
}

}  // namespace tidings::server
