// The TLS server context of an NNTP listener (RFC 8143 §3: TLS 1.2 or later).
#pragma once

#include "server/net/net.h"

#include <memory>
#include <string>

namespace tidings::server {

// Certificate chain and key from PEM files, TLS 1.2 or later only, compression off. Throws
// std::exception with the OpenSSL reason when a file is missing or the key does not match the
// certificate: a start-up error.
std::shared_ptr<net::ssl::context> make_tls_context(const std::string& cert_file, const std::string& key_file);

// Makes a server context ask clients for a certificate during the handshake. Any certificate
// is accepted there, self-signed ones included: the caller matches its key (peer_key_pin)
// against the configured peers afterwards, and decides.
void request_client_certificates(net::ssl::context& ctx);

// The client context of an outgoing feed: TLS 1.2 or later, compression off. With `ca_file`
// (PEM CA certificates) the peer's chain is verified during the handshake; without, the
// handshake accepts any certificate and the caller must check the peer's key against its pin
// (peer_key_pin) before sending anything. With `cert_file` and `key_file` (the node identity)
// the context presents that certificate when the server asks for one. Throws with the OpenSSL
// reason for a bad CA file or key.
std::shared_ptr<net::ssl::context> make_client_tls_context(const std::string& ca_file,
                                                           const std::string& cert_file = {},
                                                           const std::string& key_file = {});

// The public-key pin (server/net/identity.h) of the certificate the other end presented on an
// established TLS connection; empty when it presented none.
std::string peer_key_pin(SSL* ssl);

}  // namespace tidings::server
