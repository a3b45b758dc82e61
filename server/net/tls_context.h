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

}  // namespace tidings::server
