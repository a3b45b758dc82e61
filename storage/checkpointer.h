// Private to storage/: the checkpointer thread, and the checkpoint state it shares with the writer.
//
// A checkpoint syncs LMDB's data file behind the journal and records which journal record the
// synced state includes (checkpoint.h); until the next one is recorded, a read transaction pins
// that state so LMDB never reuses its pages. The writer thread hands a checkpoint over (with a
// pin of the state to sync) and goes on committing; this thread syncs, records it, deletes the
// journal files it made dead and makes its pin the checkpoint's.
//
// Thread rules: every member below is guarded by m_. The writer thread calls hand_over(),
// wait_idle(), pin() and release_pins(); record() and remove_dead_files() run on either thread.
// The checkpointer uses env.handle only while busy: the writer neither closes nor grows the
// environment before wait_idle() returned.
#pragma once

#include "storage/checkpoint.h"
#include "storage/commit_io.h"
#include "storage/environment.h"
#include "storage/stats.h"
#include "storage/types.h"

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

namespace tidings::storage::detail {

class Checkpointer {
public:
    Checkpointer(const Options& opts, Environment& env, Stats& stats, CommitIo& io)
        : opts_(opts), env_(env), stats_(stats), io_(io) {}
    ~Checkpointer() { stop(); }
    Checkpointer(const Checkpointer&) = delete;
    Checkpointer& operator=(const Checkpointer&) = delete;

    // The Store's thread, around the writer's life: starts the thread; stops it (after
    // wait_idle) and joins.
    void start();
    bool running() const noexcept { return thread_.joinable(); }
    void stop();

    // Writer thread.
    struct Status {
        bool busy = false;         // a checkpoint is being synced
        bool sync_failed = false;  // see sync_failed()
    };
    Status status();
    // Gives the thread checkpoint `c`, pinned by the read transaction `pin` (taken over).
    void hand_over(Checkpoint c, MDB_txn* pin);
    void wait_idle();
    bool pinned();           // a checkpointed state is pinned
    void pin() noexcept;     // pins the current state as the checkpoint's (when none is)
    void release_pins() noexcept;

    // Either thread: syncs the data file, then records `c`. 0 or an errno; EIO for good after a
    // failed sync (see sync_failed()).
    int record(const Checkpoint& c) noexcept;
    // Either thread: deletes journal files a checkpoint (seq, its pinned state `state`) no longer
    // needs — all their records checkpointed, no live article in them.
    void remove_dead_files(MDB_txn* state, std::uint64_t seq) noexcept;

    // Any thread. A sync of the data file failed: Linux reports a writeback error once and
    // marks the pages clean, so a later sync "succeeds" without them. From then on no
    // checkpoint is recorded (the last good one stays pinned and the journal keeps everything
    // after it) until a restart rebuilds LMDB from checkpoint + journal.
    bool sync_failed();

private:
    void loop();

    const Options& opts_;
    Environment& env_;
    Stats& stats_;
    CommitIo& io_;
    std::thread thread_;
    std::mutex m_;
    std::condition_variable cv_;
    bool busy_ = false, quit_ = false;
    Checkpoint job_;
    MDB_txn* pin_job_ = nullptr;   // read txn pinning the state being checkpointed
    MDB_txn* pin_done_ = nullptr;  // read txn pinning the last recorded checkpoint
    bool sync_failed_ = false;
};

}  // namespace tidings::storage::detail
