#include "server/peering/signer.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <stdexcept>

#include "protocol/base64.h"

namespace tidings::server::peering {

namespace {

struct BioFree {
    void operator()(BIO* b) const { BIO_free(b); }
};
struct KeyFree {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct MdFree {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

std::string der_public_key(EVP_PKEY* key) {
    unsigned char* der = nullptr;
    const int len = i2d_PUBKEY(key, &der);
    if (len <= 0) return {};
    std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
    OPENSSL_free(der);
    return out;
}

std::string pin_of_der(const std::string& der) {
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(der.data()), der.size(), md);
    return "sha256//" + protocol::base64_encode(std::string_view(reinterpret_cast<const char*>(md), sizeof md));
}

}  // namespace

Signer::Signer(const std::string& key_file) {
    std::unique_ptr<BIO, BioFree> bio(BIO_new_file(key_file.c_str(), "r"));
    if (!bio) throw std::runtime_error(key_file + ": cannot read the node key");
    key_ = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
    if (!key_) throw std::runtime_error(key_file + ": no PEM private key");
    const std::string der = der_public_key(key_);
    spki_b64_ = protocol::base64_encode(der);
    pin_ = pin_of_der(der);
}

Signer::~Signer() { EVP_PKEY_free(key_); }

std::string Signer::sign(const std::string& text) const {
    std::unique_ptr<EVP_MD_CTX, MdFree> ctx(EVP_MD_CTX_new());
    std::size_t len = 0;
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(text.data()), text.size()) != 1)
        throw std::runtime_error("peering: signing failed");
    std::string sig(len, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                       reinterpret_cast<const unsigned char*>(text.data()), text.size()) != 1)
        throw std::runtime_error("peering: signing failed");
    sig.resize(len);
    return protocol::base64_encode(sig);
}

std::string pin_of_public_key(const std::string& spki_b64) {
    auto der = protocol::base64_decode(spki_b64);
    return der && !der->empty() ? pin_of_der(*der) : std::string();
}

bool verify(const std::string& spki_b64, const std::string& text, const std::string& signature_b64) {
    auto der = protocol::base64_decode(spki_b64);
    auto sig = protocol::base64_decode(signature_b64);
    if (!der || !sig || der->empty() || sig->empty()) return false;
    const auto* p = reinterpret_cast<const unsigned char*>(der->data());
    std::unique_ptr<EVP_PKEY, KeyFree> key(d2i_PUBKEY(nullptr, &p, static_cast<long>(der->size())));
    if (!key || p != reinterpret_cast<const unsigned char*>(der->data()) + der->size()) return false;
    std::unique_ptr<EVP_MD_CTX, MdFree> ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1) return false;
    return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig->data()), sig->size(),
                            reinterpret_cast<const unsigned char*>(text.data()), text.size()) == 1;
}

}  // namespace tidings::server::peering
