// The TLS server context of a listener.
#include "server/net/tls_context.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "server/net/identity.h"

#include <stdexcept>

namespace tidings::server {

std::shared_ptr<net::ssl::context> make_tls_context(const std::string& cert_file, const std::string& key_file) {
    auto ctx = std::make_shared<net::ssl::context>(net::ssl::context::tls_server);
    ctx->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                     net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                     net::ssl::context::no_tlsv1_1 | net::ssl::context::no_compression |
                     net::ssl::context::single_dh_use);
    // RFC 8143 §3: TLS 1.2 or later; belt and braces over the option bits above.
    SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    ctx->use_certificate_chain_file(cert_file);
    ctx->use_private_key_file(key_file, net::ssl::context::pem);
    if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
        throw std::runtime_error("TLS key " + key_file + " does not match certificate " + cert_file);
    return ctx;
}

void request_client_certificates(net::ssl::context& ctx) {
    // Without a session id context OpenSSL refuses to resume sessions of a context that
    // verifies clients.
    static const unsigned char id_context[] = "tidings-nntp";
    SSL_CTX_set_session_id_context(ctx.native_handle(), id_context, sizeof id_context - 1);
    SSL_CTX_set_verify(ctx.native_handle(), SSL_VERIFY_PEER,
                       [](int, X509_STORE_CTX*) { return 1; });  // the pin decides, later
}

std::shared_ptr<net::ssl::context> make_client_tls_context(const std::string& ca_file, const std::string& cert_file,
                                                           const std::string& key_file) {
    auto ctx = std::make_shared<net::ssl::context>(net::ssl::context::tls_client);
    ctx->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                     net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                     net::ssl::context::no_tlsv1_1 | net::ssl::context::no_compression);
    SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    if (!ca_file.empty()) {
        ctx->load_verify_file(ca_file);
        ctx->set_verify_mode(net::ssl::verify_peer);
    } else {
        ctx->set_verify_mode(net::ssl::verify_none);  // the pin decides, after the handshake
    }
    if (!cert_file.empty() && !key_file.empty()) {
        ctx->use_certificate_chain_file(cert_file);
        ctx->use_private_key_file(key_file, net::ssl::context::pem);
    }
    return ctx;
}

std::string peer_key_pin(SSL* ssl) {
    X509* cert = SSL_get1_peer_certificate(ssl);
    if (!cert) return {};
    std::string pin = spki_pin_of_cert(cert);
    X509_free(cert);
    return pin;
}

}  // namespace tidings::server
