// Private to storage/: the state behind Store and Snapshot, in parts by owner — the environment
// (shared by readers and the writer), the inbox, what only the writer thread touches, the
// checkpointer, the statistics — and the writer's and durability's functions that join them.
#pragma once

#include "storage/checkpoint.h"
#include "storage/checkpointer.h"
#include "storage/commit_io.h"
#include "storage/environment.h"
#include "storage/inbox.h"
#include "storage/journal.h"
#include "storage/mdb.h"
#include "storage/stats.h"
#include "storage/types.h"
#include "storage/write_ctx.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

namespace tidings::storage::detail {

// Touched only by the writer thread — and by open and stop, while no writer thread runs.
struct WriterState {
    using clock = std::chrono::steady_clock;
    // The journal (durability.cpp): the commit point, and the article log's writing end.
    std::unique_ptr<Journal> journal;
    std::uint64_t journal_seq = 0;           // last record made durable
    std::uint64_t journal_unckpt_bytes = 0;  // journal bytes since the last checkpoint
    std::string redo;                        // the current batch's changes: its record
    clock::time_point next_checkpoint = clock::time_point::max();
    clock::time_point next_expiry = clock::time_point::max();  // the automatic expiry pass
    clock::time_point next_reopen{};  // the environment is closed after a failure: retry then
};

struct Core {
    // `io`: the commit path's I/O; tests pass one that fails (commit_io.h).
    Core(Options o, std::unique_ptr<CommitIo> io);
    ~Core();

    // core.cpp — the store's life. open_env and close_env run on the Store's thread before the
    // writer starts and after it stopped, and on the writer thread to recover.
    void open_env();             // throws std::runtime_error
    void close_env() noexcept;
    void lock_dir();             // throws when another process has the store
    // After a failed meta-page write LMDB refuses every transaction (MDB_PANIC) until the
    // environment is reopened; the file itself is intact (the old meta page still rules).
    bool reopen_env() noexcept;  // writer thread
    bool grow_map() noexcept;    // writer thread: to next_map_size(); closes the gate meanwhile
    void start();
    void post(std::unique_ptr<Op> op);  // any thread
    void stop();                        // drains and joins

    // durability.cpp — the journal is the commit point, LMDB (MDB_NOSYNC) is synced behind it
    // at checkpoints (checkpointer.h). Writer thread, or open and stop.
    // Replays the journal after record `after`, checkpoints; throws. Not `strict` (no checkpoint
    // file: a new store, or data.mdb restored from a copy): a gap ends the replay with a warning.
    void recover(std::uint64_t after, bool strict = true);
    void apply_redo(mdb::Txn& txn, std::string_view payload);  // throws mdb::Error / runtime_error
    Checkpoint current_state();                 // txnid + meta page of the last commit; throws
    int checkpoint_now(bool repin) noexcept;    // synchronous; 0 or an errno
    void maybe_checkpoint(bool idle);           // hands a checkpoint over when due
    void repin() noexcept;                      // pins the current state as the checkpoint's
    int journal_append(std::string_view redo) noexcept;  // the next record, not synced; 0 or an errno
    // Cuts off a record begun at `offset` that must never be replayed. 0, or the errno when that
    // was not possible and the store went back to checkpoint + journal (recover_after_failure).
    int cut_record(std::uint64_t offset) noexcept;
    void recover_after_failure() noexcept;      // roll back to checkpoint + journal

    // writer.cpp — the writer thread's loop.
    void run();
    Batch take_batch();
    void execute(Batch& batch);
    bool ready_for_batch(Batch& batch);
    // Commits an applied batch and answers it; false when LMDB's map was full (grow and redo).
    bool commit_batch(mdb::Txn& txn, std::uint64_t record_offset, Batch& batch,
                      std::chrono::steady_clock::time_point t0);
    enum class Applied { ok, redo, map_full, failed };
    bool low_on_space();  // statvfs against the floor
    void defer_if_low_space(Batch& batch);
    Applied apply_batch(WriteCtx& ctx, Batch& batch);
    void deliver(Batch& batch);

    const Options opts;                   // fixed at open: any thread
    const std::unique_ptr<CommitIo> io;   // writer and checkpointer threads (stateless in production)
    Environment env;                      // readers on any thread, and the writer (environment.h)
    Stats stats;                          // any thread (stats.h)
    Inbox inbox;                          // any thread posts, the writer takes (inbox.h)
    Checkpointer checkpointer;            // writer and checkpointer threads (checkpointer.h)
    WriterState w;                        // writer thread only
    std::atomic<std::uint64_t> floor_bytes{0};  // any thread sets it; the writer reads it
    int lock_fd = -1;                     // open and destruction only
    std::thread writer;                   // runs run(); start() and stop(), on the Store's thread
};

}  // namespace tidings::storage::detail
