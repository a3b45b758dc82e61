#include "storage/journal_format.h"

#include "storage/crc32c.h"

#include <cstring>

namespace tidings::storage::detail::journal_format {

namespace {

void put32(unsigned char* p, std::uint32_t v) { std::memcpy(p, &v, 4); }
void put64(unsigned char* p, std::uint64_t v) { std::memcpy(p, &v, 8); }
std::uint32_t get32(const char* p) { std::uint32_t v; std::memcpy(&v, p, 4); return v; }
std::uint64_t get64(const char* p) { std::uint64_t v; std::memcpy(&v, p, 8); return v; }

const std::string_view magic_bytes(reinterpret_cast<const char*>(&magic), 4);  // little-endian hosts

}  // namespace

std::array<unsigned char, header_size> encode_header(std::uint64_t seq, std::uint32_t file_tag,
                                                     std::string_view payload) noexcept {
    std::array<unsigned char, header_size> h{};
    put32(h.data(), magic);
    put32(h.data() + 4, static_cast<std::uint32_t>(payload.size()));
    put64(h.data() + 8, seq);
    put32(h.data() + 16, file_tag);
    std::uint32_t crc = crc32c(std::string_view(reinterpret_cast<const char*>(h.data() + 4), 16));
    put32(h.data() + 20, crc32c(payload, crc));
    return h;
}

std::optional<Record> decode_record(std::string_view data, std::size_t pos, std::uint32_t file_tag) noexcept {
    if (pos > data.size() || data.size() - pos < header_size) return std::nullopt;
    const char* h = data.data() + pos;
    if (get32(h) != magic) return std::nullopt;
    std::uint32_t len = get32(h + 4);
    if (data.size() - pos - header_size < len) return std::nullopt;
    std::string_view payload(h + header_size, len);
    std::uint32_t crc = crc32c(std::string_view(h + 4, 16));
    if (crc32c(payload, crc) != get32(h + 20)) return std::nullopt;
    // A recycled file still holds its earlier life's records after the new ones: they carry
    // another file's tag (and older seqs), and end this file.
    if (get32(h + 16) != file_tag) return std::nullopt;
    return Record{get64(h + 8), payload};
}

std::optional<std::uint32_t> payload_length(std::string_view header) noexcept {
    if (header.size() < header_size || get32(header.data()) != magic) return std::nullopt;
    return get32(header.data() + 4);
}

FileScan scan_file(std::string_view data, std::uint64_t first_seq, std::uint64_t last, bool strict,
                   const std::function<void(std::uint64_t, std::string_view)>& fn) {
    const auto file_tag = static_cast<std::uint32_t>(first_seq);
    FileScan scan;
    scan.last = last;
    // A torn or corrupt record ends this file; the caller still reads the next file, and its
    // records count only if they continue the sequence (a recovery starts a new file right
    // after the last intact record).
    std::size_t pos = 0;
    while (auto r = decode_record(data, pos, file_tag)) {
        if (r->seq < first_seq) break;  // a recycled file's earlier life
        pos += header_size + r->payload.size();
        if (r->seq <= scan.last) continue;  // already in the checkpoint
        if (r->seq != scan.last + 1) {
            scan.end = ScanEnd::gap;
            scan.good_bytes = pos - header_size - r->payload.size();
            return scan;
        }
        fn(r->seq, r->payload);
        scan.last = r->seq;
    }
    scan.good_bytes = pos;
    // A record whose header announces more bytes than the file has is the torn last write:
    // nothing can follow it, and what lies in its extent is its own payload — which may hold
    // anything, a well-formed record of this file included (an article's bytes; found by
    // tests/fuzz/fuzz_journal.cpp), so it is not searched.
    const auto torn_length = data.size() - pos >= header_size ? payload_length(data.substr(pos, header_size)) : std::nullopt;
    if (torn_length && pos + header_size + *torn_length > data.size()) return scan;
    // Where this file ends early otherwise, an intact record of its own further on means a
    // damaged one in the middle (a durable journal syncs each record before the next is
    // written, so a crash can only tear the last).
    if (strict && pos < data.size())
        for (auto at = data.find(magic_bytes, pos + 1); at != std::string_view::npos; at = data.find(magic_bytes, at + 1))
            if (auto r = decode_record(data, at, file_tag); r && r->seq > scan.last) {
                scan.end = ScanEnd::damaged;
                return scan;
            }
    return scan;
}

}  // namespace tidings::storage::detail::journal_format
