// Which configured peer a session speaks for: one rule used at session start (by address),
// after a TLS handshake (by the key of the client certificate), after AUTHINFO (by the peer's
// auth_user), by /status (transit sessions are the attributed
// ones) and by reload (a removed peer's sessions end).
#pragma once

#include <string_view>

#include "config/config.h"
#include "server/nntp/session_state.h"

namespace tidings::server {

// The first peer whose `hosts` contain `ip`, or null.
const config::Peer* peer_for_address(const config::Config& cfg, std::string_view ip);
// The peer whose `auth_user` is `user`, or null.
const config::Peer* peer_for_user(const config::Config& cfg, std::string_view user);

// The peer whose `client_pin` is `pin` (a client certificate's key), or null.
const config::Peer* peer_for_client_pin(const config::Config& cfg, std::string_view pin);

// Makes `peer` the session's peer and records it in NodeContext::peer_sessions. Only on a
// transit listener, and only when the session has no peer yet (the address decides first).
void attribute_peer(Session& s, const config::Peer* peer);

}  // namespace tidings::server
