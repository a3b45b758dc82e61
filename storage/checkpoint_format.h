// Private to storage/: the checkpoint file's format (checkpoint.h) as pure functions over bytes,
// with no file I/O, so that start-up's parsing of it is unit-tested and fuzzed (tests/fuzz/
// fuzz_journal.cpp) without a store.
//
// File: magic "TDCKPT01"(8) seq(8) txnid(8) page size(4) crc32c(4), host byte order, then the
// meta page (page-size bytes). The CRC covers the first 28 bytes and the page.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tidings::storage::detail {

struct Checkpoint {
    std::uint64_t seq = 0;    // last journal record included
    std::uint64_t txnid = 0;  // LMDB transaction id of the synced state
    std::string meta_page;    // LMDB's meta page of that state, page-size bytes
};

// The file's bytes for `c`.
std::string encode_checkpoint(const Checkpoint& c);
// The checkpoint the bytes hold, or nothing when they are damaged: short, long (a trailing
// byte counts), wrong magic or CRC, a page under 512 bytes, or a page whose txnid is not the
// recorded one. Never reads outside `data`.
std::optional<Checkpoint> decode_checkpoint(std::string_view data);

// LMDB 0.9's on-disk meta page: a 16-byte page header (pgno first), then MDB_meta, whose
// mm_txnid sits at byte 144 of the page (magic, version, address, mapsize, two 48-byte MDB_db,
// last_pg). The writer checks the txnid it reads here against mdb_env_info before trusting a
// copy, so a different layout is caught at start, not at recovery. 0 for a shorter page.
std::uint64_t meta_page_txnid(std::string_view page) noexcept;

}  // namespace tidings::storage::detail
