#include "server/reconcile/item_id.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <stdexcept>

namespace tidings::server::reconcile {

std::optional<Salt> parse_salt(std::string_view hex) {
    if (hex.size() != 32) return std::nullopt;
    Salt out{};
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    };
    for (std::size_t i = 0; i < out.size(); ++i) {
        int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out[i] = static_cast<std::uint8_t>(hi * 16 + lo);
    }
    return out;
}

std::string format_salt(const Salt& salt) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s;
    for (auto b : salt) {
        s.push_back(digits[b >> 4]);
        s.push_back(digits[b & 15]);
    }
    return s;
}

Salt random_salt() {
    Salt s{};
    if (RAND_bytes(s.data(), static_cast<int>(s.size())) != 1) throw std::runtime_error("RAND_bytes failed");
    return s;
}

protocol::reconcile::Id item_id(const Salt& salt, std::string_view message_id) {
    // One context per thread, reset per item: EVP_Digest would fetch the algorithm each call.
    thread_local EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    thread_local EVP_MD* sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestInit_ex(ctx, sha256, nullptr);
    EVP_DigestUpdate(ctx, salt.data(), salt.size());
    EVP_DigestUpdate(ctx, message_id.data(), message_id.size());
    EVP_DigestFinal_ex(ctx, digest, &len);
    protocol::reconcile::Id id{};
    std::copy_n(digest, id.size(), id.begin());
    return id;
}

}  // namespace tidings::server::reconcile
