// Private to storage/: the state behind Store and Snapshot — the environment, its databases, the
// reader gate, the writer's inbox and the statistics.
#pragma once

#include "storage/checkpoint.h"
#include "storage/codec.h"
#include "storage/journal.h"
#include "storage/log_files.h"
#include "storage/mdb.h"
#include "storage/types.h"
#include "storage/unique_function.h"

#include <atomic>
#include <chrono>
#include <optional>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tidings::storage::detail {

struct Dbis {
    MDB_dbi meta = 0, articles = 0, history = 0, groups = 0, group_index = 0, overview = 0,
            queues = 0, expiry = 0, prune = 0;
};

// Readers pass the gate for the life of a read transaction; the writer closes it to change the
// map size, which LMDB allows only with no transaction open in the process (mdb.c unmaps).
// Not a std::shared_mutex: glibc's rwlock prefers readers and could starve the writer.
class Gate {
public:
    void enter() {
        std::unique_lock lk(m_);
        cv_.wait(lk, [&] { return !closed_; });
        ++readers_;
    }
    void leave() {
        std::lock_guard lk(m_);
        if (--readers_ == 0) cv_.notify_all();
    }
    void close() {
        std::unique_lock lk(m_);
        closed_ = true;
        cv_.wait(lk, [&] { return readers_ == 0; });
    }
    // Closes the gate if every reader leaves within `patience`; otherwise opens it again and
    // returns false. The writer retries: a thread that opens a second Snapshot while holding one
    // (or calls stats()) would otherwise wait at the closed gate for itself, forever.
    bool close_within(std::chrono::milliseconds patience) {
        std::unique_lock lk(m_);
        closed_ = true;
        if (cv_.wait_for(lk, patience, [&] { return readers_ == 0; })) return true;
        closed_ = false;
        cv_.notify_all();
        return false;
    }
    void open() {
        std::lock_guard lk(m_);
        closed_ = false;
        cv_.notify_all();
    }

private:
    std::mutex m_;
    std::condition_variable cv_;
    int readers_ = 0;
    bool closed_ = false;
};

struct Core;

// Per-transaction state shared by the operations of one batch.
struct WriteCtx {
    Core& core;
    mdb::Txn& txn;
    const Dbis& dbi;
    std::int64_t now;
    std::optional<std::uint64_t> next_seq{};          // loaded lazily from meta
    std::map<std::string, std::int64_t> queue_delta{};  // per-peer count changes
    std::map<std::uint64_t, std::int64_t> file_delta{};  // live articles per journal file
    std::map<std::uint64_t, std::int64_t> file_bytes_delta{};  // and their bytes
    // Where this batch's journal record will start: articles' locators point into it.
    std::uint64_t log_file = 0, log_offset = 0;

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
// alone and reset() must forget a previous attempt.
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

struct Core {
    explicit Core(Options o);
    ~Core();

    // env.cpp
    void open_env();                 // throws std::runtime_error
    void close_env() noexcept;
    // After a failed meta-page write LMDB refuses every transaction (MDB_PANIC) until the
    // environment is reopened; the file itself is intact (the old meta page still rules).
    bool reopen_env() noexcept;
    bool grow_map() noexcept;        // to next_map_size(); closes the gate meanwhile
    void close_gate() noexcept;      // waits for readers, retrying (never deadlocks a reader)
    bool low_on_space();             // statvfs against the floor
    int reserve_disk(std::size_t bytes) noexcept;  // write_map: fallocate the data file
    std::chrono::seconds retention_for(std::string_view group) const;

    // durability.cpp — durable mode: the journal is the commit point, LMDB (MDB_NOSYNC) is synced
    // at checkpoints; see checkpoint.h. All but the checkpointer thread's loop run on the writer
    // thread (or in open/stop, when it is not running).
    void lock_dir();                            // throws when another process has the store
    // Replays the journal after record `after`, checkpoints; throws. Not `strict` (no checkpoint
    // file: a new store, or data.mdb restored from a copy): a gap ends the replay with a warning.
    void recover(std::uint64_t after, bool strict = true);
    void apply_redo(mdb::Txn& txn, std::string_view payload);  // throws mdb::Error / runtime_error
    Checkpoint current_state();                 // txnid + meta page of the last commit; throws
    int checkpoint_now(bool repin) noexcept;    // synchronous; 0 or an errno
    void maybe_checkpoint(bool idle);           // starts a background checkpoint when due
    void checkpointer_loop();
    void wait_checkpoint_idle();
    void release_pins() noexcept;
    void repin() noexcept;                      // pins the current state as the checkpoint's
    bool pinned();                              // a checkpointed state is pinned
    int record_checkpoint(const Checkpoint& c) noexcept;  // sync data file, write checkpoint
    int journal_append(std::string_view redo) noexcept;  // the next record, not synced; 0 or an errno
    // Cuts off a record begun at `offset` that must never be replayed. 0, or the errno when that
    // was not possible and the store went back to checkpoint + journal (recover_after_failure).
    int cut_record(std::uint64_t offset) noexcept;
    // Deletes journal files a checkpoint (seq, its pinned state `state`) no longer needs: all
    // their records checkpointed, no live article in them.
    void remove_dead_files(MDB_txn* state, std::uint64_t seq) noexcept;
    void recover_after_failure() noexcept;      // roll back to checkpoint + journal

    // writer.cpp
    void start();
    void post(std::unique_ptr<Op> op);
    void stop();  // drains and joins
    void run();
    std::vector<std::unique_ptr<Op>> take_batch();
    void execute(std::vector<std::unique_ptr<Op>>& batch);
    enum class Applied { ok, redo, map_full, failed };
    void defer_if_low_space(std::vector<std::unique_ptr<Op>>& batch);
    Applied apply_batch(WriteCtx& ctx, std::vector<std::unique_ptr<Op>>& batch);
    void deliver(std::vector<std::unique_ptr<Op>>& batch);
    void record_commit(std::chrono::microseconds took, std::size_t batch_size);

    Options opts;
    MDB_env* env = nullptr;
    Dbis dbi;
    mutable Gate gate;
    std::atomic<std::uint64_t> floor_bytes{0};

    std::mutex inbox_m;
    std::condition_variable inbox_cv;
    std::deque<std::unique_ptr<Op>> inbox;
    bool stopping = false;  // guarded by inbox_m
    bool stopped = false;   // guarded by inbox_m: the writer has exited
    std::thread writer;
    std::chrono::steady_clock::time_point next_expiry;

    // Read transactions are reused (mdb_txn_reset / mdb_txn_renew, as lmdb.h advises) rather
    // than allocated per Snapshot. Pooled handles are reset: they pin no pages and do not stop
    // the map from growing.
    MDB_txn* acquire_read() const;       // throws mdb::Error
    void release_read(MDB_txn*) const noexcept;
    void drain_read_pool() const noexcept;  // before mdb_env_close
    mutable std::mutex read_pool_m;
    mutable std::vector<MDB_txn*> read_pool;

    mutable std::mutex stats_m;
    StoreStats stats;
    std::vector<std::uint32_t> commit_us;  // ring of the last 4096 commit latencies
    std::size_t commit_pos = 0;
    std::uint64_t batch_total = 0;
    std::uint64_t commit_ordinal = 0;  // writer only
    std::chrono::steady_clock::time_point next_reopen{};  // writer: store closed after a failure

    // Durable mode (durability.cpp).
    int lock_fd = -1;
    std::unique_ptr<Journal> journal;      // writer only
    std::uint64_t journal_seq = 0;         // writer: last record made durable
    std::uint64_t journal_unckpt_bytes = 0;  // writer: journal bytes since the last checkpoint
    LogFiles log;                          // article bytes, for readers (any thread)
    std::string redo;                      // writer: the batch's changes
    std::chrono::steady_clock::time_point next_checkpoint = std::chrono::steady_clock::time_point::max();
    std::thread checkpointer;
    std::mutex ckpt_m;
    std::condition_variable ckpt_cv;
    bool ckpt_busy = false, ckpt_quit = false;  // guarded by ckpt_m
    Checkpoint ckpt_job;                        // guarded by ckpt_m
    MDB_txn* pin_job = nullptr;   // read txn pinning the state being checkpointed (ckpt_m)
    MDB_txn* pin_done = nullptr;  // read txn pinning the last recorded checkpoint (ckpt_m)
    // A failed sync of the data file: Linux reports a writeback error once and marks the pages
    // clean, so a later sync "succeeds" without them. From then on no checkpoint is recorded
    // (the last good one stays pinned and the journal keeps everything after it) until a
    // restart rebuilds LMDB from checkpoint + journal. Guarded by ckpt_m.
    bool data_sync_failed = false;
};

// The map size after one growth step: double, at most +1 GiB.
std::size_t next_map_size(std::size_t current) noexcept;

std::unique_ptr<Op> make_expiry_op(unique_function<void(ExpiryStats)> done);

// Removes one (group, number) placement: index, overview and the group's counters.
void remove_placement(WriteCtx& ctx, std::string_view group, std::uint64_t number);

}  // namespace tidings::storage::detail
