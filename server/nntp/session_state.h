// The state of one NNTP session, shared by the dispatcher and the command handlers (nntp/,
// reader/, transit/). Lives in the session coroutine's frame.
#pragma once

#include "server/core/node_context.h"
#include "server/net/connection.h"
#include "server/net/line_reader.h"

#include <memory>
#include <string>

namespace tidings::server {

struct Session {
    NodeContext& node;
    ListenerInfo info;
    std::uint64_t id;
    std::string ip;
    std::shared_ptr<Connection> conn;
    LineReader reader;
    bool loopback = false;
    bool anonymous = false;               // in readers.anonymous_hosts
    const config::Peer* peer = nullptr;   // the configured peer it is attributed to (by address,
                                          // or by auth_user: server/nntp/peer_attribution.h), else null
    bool streaming = false;               // MODE STREAM was given
    std::uint32_t unknown_commands = 0;
    bool closing = false;

    // Reader state (reader/, server/nntp/auth.cpp, server/nntp/starttls.cpp).
    std::string group{};                    // current newsgroup; empty: none selected
    std::uint64_t article = 0;              // current article number; 0: invalid
    const config::User* user = nullptr;     // authenticated account (AUTHINFO USER/PASS)
    std::string pending_user{};             // AUTHINFO USER given, PASS awaited
    bool user_given = false;
    std::uint32_t auth_failures = 0;        // failed logins on this connection (nntp/auth.cpp)
    bool tls_active = false;                // STARTTLS done or an implicit-TLS listener
    bool compress_active = false;           // COMPRESS DEFLATE done (RFC 8054)

    // The configuration generation the session started with (held here, so kept alive while
    // the session runs): a reload changes what new sessions get, never the rules under a
    // running one.
    GenerationPtr generation = node.generation();
    const config::Config& cfg() const { return *generation->config; }
    // Transit commands are open to configured peers on a transit listener.
    bool may_transit() const { return info.transit && peer != nullptr; }
};

}  // namespace tidings::server
