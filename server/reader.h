// The reader service (RFC 3977 reading and posting, RFC 4643 AUTHINFO, RFC 4642 STARTTLS,
// RFC 6048 LIST keywords, legacy X commands): the session's dispatcher hands these here.
#pragma once

#include "protocol/command.h"
#include "server/capabilities.h"
#include "server/net.h"
#include "server/session_state.h"

namespace tidings::server {

// True for the commands handled by run_reader.
bool is_reader_command(protocol::Kind k) noexcept;

// Runs one reader command; answers through s.conn (in order).
awaitable<void> run_reader(Session& s, const protocol::ParseResult& parsed);

// Adds what the reader service offers this session now to a CAPABILITIES state.
void add_reader_capabilities(const Session& s, CapabilityState& c);

}  // namespace tidings::server
