#include "storage/checkpoint_format.h"

#include "storage/crc32c.h"

#include <cstring>

namespace tidings::storage::detail {

namespace {

constexpr char magic[8] = {'T', 'D', 'C', 'K', 'P', 'T', '0', '1'};
constexpr std::size_t header_size = 32;  // magic(8) seq(8) txnid(8) page size(4) crc(4)
constexpr std::size_t meta_txnid_offset = 144;

std::uint64_t get64(const char* p) { std::uint64_t v; std::memcpy(&v, p, 8); return v; }
std::uint32_t get32(const char* p) { std::uint32_t v; std::memcpy(&v, p, 4); return v; }

}  // namespace

std::string encode_checkpoint(const Checkpoint& c) {
    std::string data(magic, 8);
    data.append(reinterpret_cast<const char*>(&c.seq), 8);
    data.append(reinterpret_cast<const char*>(&c.txnid), 8);
    auto psize = static_cast<std::uint32_t>(c.meta_page.size());
    data.append(reinterpret_cast<const char*>(&psize), 4);
    std::uint32_t crc = crc32c(c.meta_page, crc32c(data));
    data.append(reinterpret_cast<const char*>(&crc), 4);
    data += c.meta_page;
    return data;
}

std::optional<Checkpoint> decode_checkpoint(std::string_view data) {
    if (data.size() < header_size || std::memcmp(data.data(), magic, 8) != 0) return std::nullopt;
    std::uint32_t psize = get32(data.data() + 24);
    if (data.size() != header_size + psize || psize < 512) return std::nullopt;
    std::string_view body(data.data() + header_size, psize);
    if (crc32c(body, crc32c(data.substr(0, 28))) != get32(data.data() + 28)) return std::nullopt;
    Checkpoint c;
    c.seq = get64(data.data() + 8);
    c.txnid = get64(data.data() + 16);
    c.meta_page = std::string(body);
    if (meta_page_txnid(c.meta_page) != c.txnid) return std::nullopt;
    return c;
}

std::uint64_t meta_page_txnid(std::string_view page) noexcept {
    if (page.size() < meta_txnid_offset + 8) return 0;
    return get64(page.data() + meta_txnid_offset);
}

}  // namespace tidings::storage::detail
