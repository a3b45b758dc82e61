// TLS for NNTP sessions: STARTTLS (RFC 4642, updated by RFC 8143) and implicit-TLS listeners
// (the port-563 style). The listener's context is made by server/net/tls_context.h.
#pragma once

#include <memory>

#include "config/config.h"
#include "protocol/command.h"
#include "server/net/net.h"
#include "server/nntp/session_state.h"

namespace tidings::server {

// For an implicit-TLS listener, runs the handshake before the greeting. True when the session
// may go on (TLS is up, or the listener does not use implicit TLS). With client_certs, the
// client's certificate may make the session a peer's; an unknown certificate (or none where
// one is required) is refused: false, with a 502 queued instead of the greeting.
awaitable<bool> begin_implicit_tls(Session& s);

// STARTTLS (RFC 4642 §2.2): 382, then the handshake; 502 when TLS is already active or the
// client has authenticated, 580 when this listener has no TLS configured.
awaitable<void> run_starttls(Session& s);

// True when STARTTLS may be offered to this session now (CAPABILITIES).
bool starttls_available(const Session& s) noexcept;

}  // namespace tidings::server
