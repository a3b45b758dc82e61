// TLS contexts, STARTTLS and implicit TLS.
#include "server/tls.h"

#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include "protocol/status.h"

namespace tidings::server {

std::shared_ptr<net::ssl::context> make_tls_context(const config::Listener& l) {
    auto ctx = std::make_shared<net::ssl::context>(net::ssl::context::tls_server);
    ctx->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                     net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                     net::ssl::context::no_tlsv1_1 | net::ssl::context::no_compression |
                     net::ssl::context::single_dh_use);
    // RFC 8143 §3: TLS 1.2 or later; belt and braces over the option bits above.
    SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    ctx->use_certificate_chain_file(l.tls_cert);
    ctx->use_private_key_file(l.tls_key, net::ssl::context::pem);
    if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
        throw std::runtime_error("TLS key " + l.tls_key + " does not match certificate " + l.tls_cert);
    return ctx;
}

awaitable<bool> begin_implicit_tls(Session& s) {
    Session* sp = &s;
    bool ok = true;
    if (sp->info.tls == config::Tls::implicit && sp->info.tls_context)
        ok = co_await sp->conn->start_tls(sp->info.tls_context);
    if (!ok) {
        spdlog::debug("conn={} event=tls_failed remote={}", sp->id, sp->ip);
        co_return false;
    }
    sp->tls_active = sp->info.tls == config::Tls::implicit;
    co_return true;
}

bool starttls_available(const Session& s) noexcept {
    return s.info.tls == config::Tls::starttls && s.info.tls_context && !s.tls_active &&
           s.user == nullptr && !s.compress_active;
}

awaitable<void> run_starttls(Session& s) {
    namespace st = protocol::status;
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
    bool ok = co_await s.conn->start_tls(s.info.tls_context);
    if (!ok) {
        spdlog::debug("conn={} event=tls_failed remote={}", s.id, s.ip);
        s.closing = true;
        co_return;
    }
    s.tls_active = true;
    // RFC 4642 §2.2.2: the client must discard what it knew; we forget the selected group too.
    s.group.clear();
    s.article = 0;
    s.pending_user.clear();
    s.user_given = false;
    spdlog::info("conn={} event=starttls remote={}", s.id, s.ip);
}

}  // namespace tidings::server
