// Cancel-Lock (RFC 8315) with OpenSSL's hashes.
#include "server/core/cancel_lock.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "protocol/base64.h"
#include "server/net/durable_file.h"

namespace tidings::server {
namespace {

const EVP_MD* digest_of(std::string_view scheme) {
    if (scheme == "sha256") return EVP_sha256();
    if (scheme == "sha512") return EVP_sha512();
    if (scheme == "sha1") return EVP_sha1();  // RFC 8315 §2: allowed, deprecated
    return nullptr;
}

std::string hash_base64(const EVP_MD* md, std::string_view text) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest(text.data(), text.size(), out, &n, md, nullptr);
    return protocol::base64_encode(std::string_view(reinterpret_cast<const char*>(out), n));
}

}  // namespace

bool cancel_key_matches(const std::vector<protocol::CancelElement>& locks,
                        const std::vector<protocol::CancelElement>& keys) {
    for (const auto& k : keys) {
        const EVP_MD* md = digest_of(k.scheme);
        if (!md) continue;
        const std::string lock = hash_base64(md, k.value);
        for (const auto& l : locks)
            if (l.scheme == k.scheme && l.value == lock) return true;
    }
    return false;
}

std::string make_cancel_key(std::string_view secret, std::string_view user, std::string_view message_id) {
    const std::string data = std::string(user) + std::string(message_id);
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &n);
    return protocol::base64_encode(std::string_view(reinterpret_cast<const char*>(out), n));
}

std::string make_cancel_lock(std::string_view c_key) { return hash_base64(EVP_sha256(), c_key); }

std::string load_or_create_cancel_secret(const std::string& file, const std::string& data_dir) {
    const std::string path = file.empty() ? data_dir + "/cancel-lock.secret" : file;
    if (file.empty() && ::access(path.c_str(), F_OK) != 0) {
        unsigned char bytes[32];
        if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("no random bytes for " + path);
        write_file_durably(path, std::string(reinterpret_cast<const char*>(bytes), sizeof bytes), 0600);
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": " + std::strerror(errno));
    std::ostringstream s;
    s << in.rdbuf();
    std::string secret = s.str();
    // RFC 8315 §4: at least as long as the hash's output.
    if (secret.size() < 32) throw std::runtime_error(path + ": a Cancel-Lock secret needs at least 32 bytes");
    return secret;
}

}  // namespace tidings::server
