// Signing and checking peering messages (protocol/peering.h) with node keys: ECDSA (or any key
// OpenSSL's EVP_DigestSign takes) over SHA-256. A message carries its signer's public key; its
// pin — "sha256//" + base64 SHA-256 of the DER SubjectPublicKeyInfo — is the same string as
// the node's TLS pin (server/net/identity.h), so the key that signs an announcement is the key
// its TLS listener presents.
#pragma once

#include <memory>
#include <string>

struct evp_pkey_st;

namespace tidings::server::peering {

class Signer {
public:
    // Reads the PEM private key; throws std::runtime_error naming the file.
    explicit Signer(const std::string& key_file);
    ~Signer();
    Signer(const Signer&) = delete;
    Signer& operator=(const Signer&) = delete;

    const std::string& public_key() const { return spki_b64_; }  // base64 DER SPKI
    const std::string& pin() const { return pin_; }
    std::string sign(const std::string& text) const;  // base64 signature

private:
    evp_pkey_st* key_ = nullptr;
    std::string spki_b64_, pin_;
};

// The pin of a base64 DER SubjectPublicKeyInfo; empty when it is not base64.
std::string pin_of_public_key(const std::string& spki_b64);

// True when `signature_b64` is `spki_b64`'s signature of `text`.
bool verify(const std::string& spki_b64, const std::string& text, const std::string& signature_b64);

}  // namespace tidings::server::peering
