// The node's own identity: a key pair and a certificate. Peers recognise a node by its public
// key (its SPKI pin), not by an address: the basis for pinned TLS peer links. A node whose
// configuration names no identity files gets an ECDSA P-256 key and a self-signed certificate
// on first start, kept in <data_dir>/identity/ and reused on every later start.
#pragma once

#include <string>

struct x509_st;  // OpenSSL's X509

namespace tidings::server {

struct NodeIdentity {
    std::string cert_file;
    std::string key_file;
    std::string pin;       // "sha256//" + base64 SHA-256 of the DER SubjectPublicKeyInfo
    bool created = false;  // made just now
};

// The configured identity (`cert_file` and `key_file` both set), or the one in
// <data_dir>/identity/ — made there first if missing: a new key (file mode 0600) and a
// self-signed certificate for `name` (CN and DNS subjectAltName), valid 20 years. Checks that
// the key belongs to the certificate. Throws std::runtime_error naming the file on failure.
NodeIdentity load_or_create_identity(const std::string& cert_file, const std::string& key_file,
                                     const std::string& data_dir, const std::string& name);

// The pin of a certificate.
std::string spki_pin_of_cert(x509_st* cert);

// The pin of the first certificate in a PEM text ("sha256//BASE64", the form curl's
// --pinnedpubkey takes); empty when the text holds no certificate.
std::string spki_pin_of_pem(const std::string& pem);

}  // namespace tidings::server
