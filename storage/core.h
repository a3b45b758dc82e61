// Private to storage/: the state behind Store and Snapshot — the environment, its databases, the
// reader gate, the writer's inbox and the statistics.
#pragma once

#include "storage/checkpoint.h"
#include "storage/gate.h"
#include "storage/inbox.h"
#include "storage/journal.h"
#include "storage/log_files.h"
#include "storage/mdb.h"
#include "storage/stats.h"
#include "storage/types.h"
#include "storage/unique_function.h"
#include "storage/write_ctx.h"

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
    Batch take_batch();
    void execute(Batch& batch);
    enum class Applied { ok, redo, map_full, failed };
    void defer_if_low_space(std::vector<std::unique_ptr<Op>>& batch);
    Applied apply_batch(WriteCtx& ctx, std::vector<std::unique_ptr<Op>>& batch);
    void deliver(std::vector<std::unique_ptr<Op>>& batch);

    Options opts;
    MDB_env* env = nullptr;
    Dbis dbi;
    mutable Gate gate;
    std::atomic<std::uint64_t> floor_bytes{0};

    Inbox inbox;
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

    Stats stats;
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

}  // namespace tidings::storage::detail
