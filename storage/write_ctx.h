// Private to storage/: one write batch as its requests see it — the transaction, the state the
// batch's requests share, and the request interface (Op) the writer runs.
//
// Thread rule: everything here lives on the writer thread, for one batch (one transaction).
// Requests see the store only through WriteCtx: options, transaction, databases, the journal
// record being built — never the writer's or the checkpointer's state.
#pragma once

#include "storage/codec.h"
#include "storage/mdb.h"
#include "storage/types.h"

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tidings::storage::detail {

struct Dbis {
    MDB_dbi meta = 0, articles = 0, history = 0, groups = 0, group_index = 0, overview = 0,
            queues = 0, expiry = 0, prune = 0;
};

// Per-transaction state shared by the operations of one batch.
struct WriteCtx {
    const Options& opts;
    mdb::Txn& txn;
    const Dbis& dbi;
    std::int64_t now;
    // Where this batch's journal record will start: articles' locators point into it. `record_seq`
    // is the seq that record gets (the state names it in meta, see finish()).
    std::uint64_t log_file = 0, log_offset = 0, record_seq = 0;
    std::optional<std::uint64_t> next_seq{};          // loaded lazily from meta
    std::map<std::string, std::int64_t> queue_delta{};  // per-peer count changes
    std::map<std::uint64_t, std::int64_t> file_delta{};  // live articles per journal file
    std::map<std::uint64_t, std::int64_t> file_bytes_delta{};  // and their bytes

    std::uint64_t take_seq();
    // Puts an article's bytes into the batch's journal record; returns where they will be.
    codec::Locator log_article(std::string_view bytes) { return log_article({bytes}); }
    codec::Locator log_article(std::initializer_list<std::string_view> parts);  // joined
    void forget_article(const codec::Locator& at) {
        --file_delta[at.file];
        file_bytes_delta[at.file] -= at.length;
    }
    void finish();  // writes the cached counters and groups back; before commit
    void add_to_counter(const std::string& key, std::int64_t delta);

    // The `groups` records, read once per batch and written back once by finish(): each stored
    // article bumps its groups' counters, and a put per article per group was ~10 % of the
    // writer's time. Every request reads and changes groups only through these.
    GroupInfo* group(std::string_view name);  // nullptr: no such group
    void put_group(const GroupInfo& g);       // create or replace
    void delete_group(std::string_view name);
    // Marks a group returned by group() as changed.
    void touch_group(std::string_view name);

    // (Public only to keep WriteCtx an aggregate: use the functions above.)
    struct CachedGroup {
        std::optional<GroupInfo> info;  // nullopt: absent (or deleted in this batch)
        bool dirty = false;
    };
    std::map<std::string, CachedGroup, std::less<>> groups_{};
    CachedGroup& cached_group(std::string_view name);
};

// One request to the writer. apply() may run more than once (a batch is redone after the map
// grew or after another request's failure), so it must compute its result from the transaction
// alone and reset() must forget a previous attempt. Made on any thread; from post() on, touched
// only by the writer thread.
struct Op {
    virtual ~Op() = default;
    virtual bool is_article() const { return false; }
    virtual std::size_t bytes() const { return 0; }
    virtual void apply(WriteCtx& ctx) = 0;  // throws mdb::Error
    virtual void reset() {}
    // After the commit succeeded: delivers the result; returns false to be queued again (an
    // expiry pass that has more to do).
    virtual bool complete() = 0;
    virtual void fail(StoreStatus why) = 0;  // delivers a failure; exactly once overall
    std::chrono::steady_clock::time_point enqueued{};
};

using Batch = std::vector<std::unique_ptr<Op>>;

}  // namespace tidings::storage::detail
