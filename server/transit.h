// Transit commands from feeding peers: IHAVE (RFC 3977 §6.3.2), MODE STREAM, CHECK and
// TAKETHIS (RFC 4644), pipelined, with answers in order and acks only after a durable commit.
#pragma once

#include "protocol/command.h"
#include "server/net.h"
#include "server/session_state.h"

namespace tidings::server {

// True for the commands handled here.
bool is_transit_command(protocol::Kind k) noexcept;

// Runs one transit command (the dispatcher has already checked that the session may feed).
// Reads the article that follows IHAVE/TAKETHIS from the session's reader.
awaitable<void> run_transit(Session& s, const protocol::ParseResult& parsed);

// Answers owed to peers by the in-flight table when a session ends (drops its reservations).
void release_in_flight(NodeContext& node, std::uint64_t session_id);

}  // namespace tidings::server
