// Private to storage/: the journal's record format (journal.h) as pure functions over bytes —
// encoding a header, decoding a record, and reading one file's records the way replay does —
// with no file I/O, so the recovery path's parsing is unit-tested and fuzzed (tests/fuzz/
// fuzz_journal.cpp) without a store.
//
// Record: magic(4) length(4) seq(8) file tag(4) crc32c(4), little-endian, then `length` bytes
// of payload. The CRC covers length, seq, tag and payload.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

namespace tidings::storage::detail::journal_format {

inline constexpr std::size_t header_size = 24;
inline constexpr std::uint32_t magic = 0x4e524a54;  // "TJRN" little-endian

struct Record {
    std::uint64_t seq;
    std::string_view payload;  // points into the data it was read from
};

// The header of the record `seq` with `payload` in the file whose tag is `file_tag` (the low
// 32 bits of the file's first seq).
std::array<unsigned char, header_size> encode_header(std::uint64_t seq, std::uint32_t file_tag,
                                                     std::string_view payload) noexcept;

// The intact record of this file (its tag) at `pos` of `data`, if there is one: magic, length
// within the data, CRC over header and payload. Never reads outside `data`.
std::optional<Record> decode_record(std::string_view data, std::size_t pos, std::uint32_t file_tag) noexcept;

// The payload length a record header (header_size bytes) announces, if it starts with the
// magic; unchecked otherwise (decode_record checks the rest).
std::optional<std::uint32_t> payload_length(std::string_view header) noexcept;

// How reading one file's records (scan_file) ended.
enum class ScanEnd : std::uint8_t {
    end,      // at the file's end or a torn, corrupt or stale record, nothing intact after it
    gap,      // an intact record whose seq does not continue the sequence: replay stops there
    damaged,  // (strict only) a damaged record followed by an intact one of this file
};
struct FileScan {
    ScanEnd end = ScanEnd::end;
    std::uint64_t last = 0;      // the last seq delivered (the `last` passed in when none)
    std::size_t good_bytes = 0;  // where the intact records end: the cut for a damaged file
};

// Replay's reading of the contents of journal file `first_seq`: calls fn(seq, payload) for each
// intact record after `last` in order while seqs are consecutive, skipping those at or before
// `last` (already checkpointed) and stopping at the first torn or corrupt record or a recycled
// file's earlier life (a seq below first_seq). A record that is not delivered is never half
// delivered: fn sees whole, CRC-checked payloads only. `strict`: look past the stop for an
// intact record of this file with a later seq (ScanEnd::damaged). fn may throw; the exception
// propagates.
FileScan scan_file(std::string_view data, std::uint64_t first_seq, std::uint64_t last, bool strict,
                   const std::function<void(std::uint64_t, std::string_view)>& fn);

}  // namespace tidings::storage::detail::journal_format
