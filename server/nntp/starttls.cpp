// STARTTLS (RFC 4642) and implicit-TLS sessions.
#include "server/nntp/starttls.h"

#include <spdlog/spdlog.h>

#include "protocol/status.h"
#include "server/net/tls_context.h"
#include "server/nntp/peer_attribution.h"

namespace tidings::server {
namespace {

namespace st = protocol::status;

// On a listener with client_certs, after the handshake: the key of the client's certificate
// names a [[peer]] (its client_pin) and the session becomes that peer's feed — over an
// attribution by address, a key being the stronger proof. False: refused, with 502 queued
// (a certificate no peer has; none where one is required).
bool identify_client(Session& s) {
    if (s.info.client_certs == config::ClientCerts::none) return true;
    const std::string pin = peer_key_pin(s.conn->ssl());
    const config::Peer* peer = pin.empty() ? nullptr : peer_for_client_pin(s.cfg(), pin);
    if (peer) {
        if (s.peer != peer) {
            s.peer = nullptr;
            attribute_peer(s, peer);
        }
        spdlog::info("conn={} event=client_cert remote={} peer={}", s.id, s.ip, peer->name);
        return true;
    }
    if (pin.empty() && s.info.client_certs == config::ClientCerts::request) return true;
    const char* reason = pin.empty() ? "client_cert_missing" : "client_cert_unknown";
    ++s.node.counters.refused[reason];
    spdlog::warn("conn={} event=refused remote={} reason={} pin={}", s.id, s.ip, reason, pin.empty() ? "-" : pin);
    s.conn->push(protocol::response(st::err_access, pin.empty() ? "A client certificate is required here"
                                                                 : "Client certificate not known here"));
    return false;
}

}  // namespace

awaitable<bool> begin_implicit_tls(Session& s) {
    Session* sp = &s;
    bool ok = true;
    if (sp->info.tls == config::Tls::implicit && sp->info.tls_context)
        ok = co_await sp->conn->start_tls(sp->info.tls_context, std::chrono::seconds(sp->cfg().limits.tls_handshake_timeout_s));
    if (!ok) {
        spdlog::debug("conn={} event=tls_failed remote={}", sp->id, sp->ip);
        co_return false;
    }
    sp->tls_active = sp->info.tls == config::Tls::implicit;
    co_return !sp->tls_active || identify_client(*sp);
}

bool starttls_available(const Session& s) noexcept {
    return s.info.tls == config::Tls::starttls && s.info.tls_context && !s.tls_active &&
           s.user == nullptr && !s.compress_active;
}

awaitable<void> run_starttls(Session& s) {
    if (s.tls_active || s.user || s.compress_active) {
        // RFC 4642 §2.2.2: not after TLS is active, not after authentication; RFC 8054 §2.2.2:
        // not once compression is on.
        s.conn->push(protocol::response(st::err_access, "Already using TLS or compression, or authenticated"));
        co_return;
    }
    if (s.info.tls != config::Tls::starttls || !s.info.tls_context) {
        s.conn->push(protocol::response(580, "TLS not available on this listener"));
        co_return;
    }
    s.conn->push(protocol::response(st::cont_starttls, "Continue with TLS negotiation"));
    co_await s.conn->wait_for_room(0, 0);  // 382 is on the wire, in clear, before the handshake
    // RFC 4642 §2.2.2: anything the client pipelined after STARTTLS came in clear: drop it.
    s.reader.consume(s.reader.pending().size());
    bool ok = co_await s.conn->start_tls(s.info.tls_context, std::chrono::seconds(s.cfg().limits.tls_handshake_timeout_s));
    if (!ok) {
        spdlog::debug("conn={} event=tls_failed remote={}", s.id, s.ip);
        s.closing = true;
        co_return;
    }
    s.tls_active = true;
    if (!identify_client(s)) {
        s.closing = true;
        co_return;
    }
    // RFC 4642 §2.2.2: the client must discard what it knew; we forget the selected group too.
    s.group.clear();
    s.article = 0;
    s.pending_user.clear();
    s.user_given = false;
    spdlog::info("conn={} event=starttls remote={}", s.id, s.ip);
}

}  // namespace tidings::server
