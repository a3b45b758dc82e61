// The one dispatcher: protocol/command_table.cpp says what each command needs
// (role, authentication, a block that follows); run() checks it in a fixed order and is the
// only place that answers 500/400 (unknown), 502 (wrong role), 480 (authentication first) and
// syntax errors; handlers registered by each service (reader, transit) only do their command.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "protocol/command.h"
#include "server/net/net.h"
#include "server/nntp/session_state.h"

namespace tidings::server {

class Dispatcher {
public:
    using Handler = std::function<awaitable<void>(Session&, const protocol::ParseResult&)>;
    using SessionEnd = std::function<void(std::uint64_t session_id)>;

    // The session-level commands (CAPABILITIES, HELP, DATE, QUIT, AUTHINFO, STARTTLS, COMPRESS)
    // are registered here; the services add theirs.
    Dispatcher();

    // Registers the handler of `kind` (replacing any). A known command without a handler is
    // answered 503 (not available on this server).
    void handle(protocol::Kind kind, Handler h);
    // Called with the session id when a session ends, after its last answer.
    void on_session_end(SessionEnd f);

    // Runs one parsed command line: lookup (unknown: 500, and 400 with close after
    // limits.max_unknown_commands), role (reader commands need a reading listener, transit
    // commands a configured peer on a transit listener: 502), authentication (480 until the
    // session may read), syntax (the parser's code and text), then the handler. A command
    // whose block follows whatever the answer (TAKETHIS, RFC 4644 §2.5) has its block read and
    // dropped before a refusal.
    awaitable<void> run(Session& s, const protocol::ParseResult& parsed) const;
    void session_ended(std::uint64_t session_id) const;

private:
    std::array<Handler, protocol::kind_count> handlers_{};
    std::vector<SessionEnd> session_end_;
};

// Why a command is refused before its handler: its status code and text, or code 0 when it
// may run. Pure (no I/O): the dispatcher's generic checks, in their order, after lookup.
struct Refusal {
    int code = 0;
    std::string text;
};
Refusal check_command(const Session& s, const protocol::ParseResult& parsed);

}  // namespace tidings::server
