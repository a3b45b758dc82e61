// Private to storage/: the byte layout of every key and value in the store (schema version 1).
// Integers in keys are big-endian so LMDB's byte order is numeric order; in values, too, for
// one rule everywhere.
#pragma once

#include "storage/types.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tidings::storage::codec {

inline constexpr std::uint32_t schema_version = 2;

void put_u64(std::string& out, std::uint64_t v);
void put_u32(std::string& out, std::uint32_t v);
void put_u16(std::string& out, std::uint16_t v);
std::uint64_t get_u64(std::string_view in, std::size_t at) noexcept;  // caller checked the size
std::uint32_t get_u32(std::string_view in, std::size_t at) noexcept;
std::uint16_t get_u16(std::string_view in, std::size_t at) noexcept;

// group_index / overview key: name NUL number(8). NUL sorts below every name character, so one
// group's entries are contiguous and in number order.
std::string number_key(std::string_view group, std::uint64_t number);
std::string group_prefix(std::string_view group);  // name NUL
// Splits a number_key; nullopt when malformed.
std::optional<std::pair<std::string_view, std::uint64_t>> split_number_key(std::string_view key);

// queue key: peer NUL seq(8)
inline std::string queue_key(std::string_view peer, std::uint64_t seq) { return number_key(peer, seq); }
std::string queue_value(std::int64_t enqueued, std::uint32_t attempts, std::string_view message_id);
QueueEntry decode_queue(std::uint64_t seq, std::string_view value);
std::string queue_count_key(std::string_view peer);  // in the meta database

// expiry / prune key: time(8) seq(8), value: message-id. The sequence (the store-wide counter
// that also numbers queue entries) makes every insert land at the right edge of the tree: keyed
// by time + Message-ID, the thousands of entries sharing one second went to random leaves and
// cost a durable commit ~one extra page per article (measured: ~20 % of throughput).
std::string time_key(std::int64_t when, std::uint64_t seq);
std::int64_t key_time(std::string_view key);

std::string history_value(HistoryEntry e);
std::optional<HistoryEntry> decode_history(std::string_view v);

// groups value: low(8) high(8) count(8) flag(1) created(8) creator
std::string group_value(const GroupInfo& g);
std::optional<GroupInfo> decode_group(std::string_view name, std::string_view v);

// articles value: meta_len(4) meta locator,
// meta = arrival(8) expires(8) expiry_seq(8) n(2) {len(2) name num(8)}*
// The article's bytes are not in LMDB: they sit in a journal record (the article log, see
// journal.h), and the locator says where — file (its first seq) (8), offset (8), length (4) —
// and what: the bytes' CRC-32C (4), checked on every read, so a damaged file or a stale locator
// (a reader racing the reuse of a deleted file) never serves another article's bytes.
struct ArticleMeta {
    std::int64_t arrival = 0;
    std::int64_t expires = 0;  // 0: never
    std::uint64_t expiry_seq = 0;  // with `expires`, the key of its expiry entry
    std::vector<std::pair<std::string, std::uint64_t>> placements;
};
struct Locator {
    std::uint64_t file = 0;    // the journal file's first seq
    std::uint64_t offset = 0;  // of the article's first byte in that file
    std::uint32_t length = 0;
    std::uint32_t crc = 0;  // crc32c of the bytes
};
std::string locator_bytes(const Locator& at);
std::string article_value(const ArticleMeta& meta, std::string_view locator);
std::optional<ArticleMeta> decode_article_meta(std::string_view v);
std::optional<std::string_view> article_tail(std::string_view v);  // the encoded locator
std::optional<Locator> article_locator(std::string_view v);

// meta keys of a journal file's live articles: their count, "seg:" file(8), and their bytes,
// "segb:" file(8) (what compaction weighs against the file's size)
std::string segment_count_key(std::uint64_t file);
std::string segment_bytes_key(std::uint64_t file);
inline constexpr std::string_view segment_count_prefix = "seg:";
inline constexpr std::string_view segment_bytes_prefix = "segb:";

}  // namespace tidings::storage::codec
