#include "server/net/identity.h"
#include "server/net/durable_file.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>

namespace tidings::server {
namespace {

template <class T, void (*F)(T*)>
struct Deleter {
    void operator()(T* p) const { F(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

std::string openssl_reason() {
    unsigned long e = ERR_get_error();
    char buf[256] = "unknown error";
    if (e) ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    return buf;
}

[[noreturn]] void fail(const std::string& file, const std::string& what) {
    throw std::runtime_error(file + ": " + what);
}

std::string pin_of(X509* cert) {
    unsigned char* der = nullptr;
    const int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
    if (len <= 0) return {};
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(der, static_cast<std::size_t>(len), md);
    OPENSSL_free(der);
    unsigned char b64[4 * ((SHA256_DIGEST_LENGTH + 2) / 3) + 1];
    const int n = EVP_EncodeBlock(b64, md, SHA256_DIGEST_LENGTH);
    return "sha256//" + std::string(reinterpret_cast<char*>(b64), static_cast<std::size_t>(n));
}

Cert read_cert(const std::string& file) {
    Bio bio(BIO_new_file(file.c_str(), "r"));
    if (!bio) fail(file, "cannot open: " + openssl_reason());
    Cert cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) fail(file, "no PEM certificate: " + openssl_reason());
    return cert;
}

Key read_key(const std::string& file) {
    Bio bio(BIO_new_file(file.c_str(), "r"));
    if (!bio) fail(file, "cannot open: " + openssl_reason());
    Key key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!key) fail(file, "no PEM private key: " + openssl_reason());
    return key;
}

std::string to_pem(EVP_PKEY* key) {
    Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || !PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)) return {};
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(n));
}

std::string to_pem(X509* cert) {
    Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || !PEM_write_bio_X509(bio.get(), cert)) return {};
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(n));
}

// A new ECDSA P-256 key and a self-signed certificate for `name`.
void create(const std::string& cert_file, const std::string& key_file, const std::string& name) {
    Key key(EVP_EC_gen("P-256"));
    if (!key) fail(key_file, "cannot make a key: " + openssl_reason());
    Cert cert(X509_new());
    if (!cert) fail(cert_file, "cannot make a certificate: " + openssl_reason());
    X509_set_version(cert.get(), 2);  // v3: extensions
    unsigned char serial[16];
    if (RAND_bytes(serial, sizeof serial) != 1) fail(cert_file, "no random serial: " + openssl_reason());
    serial[0] &= 0x7f;  // a positive INTEGER
    std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>> bn(BN_bin2bn(serial, sizeof serial, nullptr));
    BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get()));
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);  // a peer's clock a little behind
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 20L * 365 * 24 * 3600);
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME* subject = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(name.c_str()), -1, -1, 0);
    X509_set_issuer_name(cert.get(), subject);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
    const std::string san = "DNS:" + name;
    if (X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, san.c_str())) {
        X509_add_ext(cert.get(), ext, -1);
        X509_EXTENSION_free(ext);
    }
    if (!X509_sign(cert.get(), key.get(), EVP_sha256())) fail(cert_file, "cannot sign: " + openssl_reason());
    // The key first: a certificate without its key would be an identity that cannot be used.
    write_file_durably(key_file, to_pem(key.get()), 0600);
    write_file_durably(cert_file, to_pem(cert.get()), 0644);
}

}  // namespace

std::string spki_pin_of_cert(X509* cert) { return cert ? pin_of(cert) : std::string(); }

NodeIdentity load_or_create_identity(const std::string& cert_file, const std::string& key_file,
                                     const std::string& data_dir, const std::string& name) {
    NodeIdentity id{cert_file, key_file, {}, false};
    if (id.cert_file.empty()) {
        const std::string dir = data_dir + "/identity";
        id.cert_file = dir + "/cert.pem";
        id.key_file = dir + "/key.pem";
        std::error_code ec;
        if (!std::filesystem::exists(id.cert_file, ec)) {
            std::filesystem::create_directories(dir, ec);
            if (ec) fail(dir, ec.message());
            ::chmod(dir.c_str(), 0700);
            create(id.cert_file, id.key_file, name.empty() ? std::string("tidings") : name);
            id.created = true;
        }
    }
    Cert cert = read_cert(id.cert_file);
    Key key = read_key(id.key_file);
    if (X509_check_private_key(cert.get(), key.get()) != 1)
        fail(id.key_file, "is not the key of " + id.cert_file);
    id.pin = pin_of(cert.get());
    return id;
}

std::string spki_pin_of_pem(const std::string& pem) {
    Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) return {};
    Cert cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    ERR_clear_error();
    return cert ? pin_of(cert.get()) : std::string();
}

}  // namespace tidings::server
