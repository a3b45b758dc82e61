// WriteCtx: the state one write batch's requests share — sequence numbers, the journal record's
// article bytes, and the counters and group records written back once before the commit.
#include "storage/write_ctx.h"

#include "storage/crc32c.h"
#include "storage/journal.h"

#include <algorithm>
#include <cerrno>

namespace tidings::storage::detail {

std::uint64_t WriteCtx::take_seq() {
    if (!next_seq) {
        auto v = txn.get(dbi.meta, "next_seq");
        next_seq = v && v->size() == 8 ? codec::get_u64(*v, 0) : 1;
    }
    return (*next_seq)++;
}

codec::Locator WriteCtx::log_article(std::initializer_list<std::string_view> parts) {
    auto* r = txn.redo();
    if (!r) throw mdb::Error("article log", EINVAL);  // every write transaction records its redo
    auto at = mdb::redo::add_blob(*r, parts);
    std::size_t size = 0;
    std::uint32_t crc = 0;
    for (auto p : parts) {
        size += p.size();
        crc = crc32c(p, crc);
    }
    ++file_delta[log_file];
    file_bytes_delta[log_file] += static_cast<std::int64_t>(size);
    return codec::Locator{log_file, log_offset + Journal::header_size + at, static_cast<std::uint32_t>(size), crc};
}

WriteCtx::CachedGroup& WriteCtx::cached_group(std::string_view name) {
    auto it = groups_.find(name);
    if (it != groups_.end()) return it->second;
    CachedGroup c;
    if (auto rec = txn.get(dbi.groups, name)) c.info = codec::decode_group(name, *rec);
    return groups_.emplace(std::string(name), std::move(c)).first->second;
}

GroupInfo* WriteCtx::group(std::string_view name) {
    // A name LMDB cannot hold as a key is no group (as in Snapshot::group), not an error that
    // would abort and redo the whole batch.
    if (name.empty() || name.size() > 511) return nullptr;
    auto& c = cached_group(name);
    return c.info ? &*c.info : nullptr;
}

void WriteCtx::put_group(const GroupInfo& g) {
    auto& c = cached_group(g.name);
    c.info = g;
    c.dirty = true;
}

void WriteCtx::delete_group(std::string_view name) {
    auto& c = cached_group(name);
    c.info.reset();
    c.dirty = true;
}

void WriteCtx::touch_group(std::string_view name) { cached_group(name).dirty = true; }

void WriteCtx::finish() {
    for (auto& [name, c] : groups_) {
        if (!c.dirty) continue;
        if (c.info) txn.put(dbi.groups, name, codec::group_value(*c.info));
        else txn.del(dbi.groups, name);
        c.dirty = false;
    }
    for (const auto& [file, delta] : file_delta) add_to_counter(codec::segment_count_key(file), delta);
    for (const auto& [file, delta] : file_bytes_delta) add_to_counter(codec::segment_bytes_key(file), delta);
    if (next_seq) {
        std::string v;
        codec::put_u64(v, *next_seq);
        txn.put(dbi.meta, "next_seq", v);
    }
    for (const auto& [peer, delta] : queue_delta) add_to_counter(codec::queue_count_key(peer), delta);
    // The state records which journal record it is: a copy of data.mdb (mdb_copy) restored
    // without a checkpoint file replays the journal from the record after this one.
    if (auto* r = txn.redo(); r && !r->empty()) {
        std::string v;
        codec::put_u64(v, record_seq);
        txn.put(dbi.meta, "journal_seq", v);
    }
}

// A counter in meta (8 bytes; absent = 0, never below 0, deleted at 0).
void WriteCtx::add_to_counter(const std::string& key, std::int64_t delta) {
    if (delta == 0) return;
    auto v = txn.get(dbi.meta, key);
    std::int64_t n = v && v->size() == 8 ? static_cast<std::int64_t>(codec::get_u64(*v, 0)) : 0;
    n = std::max<std::int64_t>(0, n + delta);
    if (n == 0) {
        txn.del(dbi.meta, key);
    } else {
        std::string s;
        codec::put_u64(s, static_cast<std::uint64_t>(n));
        txn.put(dbi.meta, key, s);
    }
}

}  // namespace tidings::storage::detail
