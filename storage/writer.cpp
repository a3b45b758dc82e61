// The writer thread: gathers requests into batches, runs each batch in one write transaction,
// commits, and only then answers every request of the batch (STYLE §6, group commit).
#include "storage/codec.h"
#include "storage/core.h"
#include "storage/write_ops.h"

#include <spdlog/spdlog.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace tidings::storage::detail {

using clock = std::chrono::steady_clock;

// Idle, the writer still wakes for the expiry pass and for a checkpoint of what the journal holds
// (so a restart after a quiet spell replays little); the pass starts when nothing else waits.
Batch Core::take_batch() {
    auto wake = w.next_expiry;
    if (w.journal && w.journal->bytes_in_file()) wake = std::min(wake, w.next_checkpoint);
    auto taken = inbox.take(wake);
    if (taken.batch.empty() && !taken.stopping && clock::now() >= w.next_expiry) {
        w.next_expiry = clock::now() + opts.expiry_interval;
        taken.batch.push_back(make_expiry_op(nullptr));
        taken.batch.push_back(make_compact_op(nullptr));
    }
    return std::move(taken.batch);
}

void Core::run() {
    for (;;) {
        auto batch = take_batch();
        if (batch.empty()) {
            if (inbox.drained()) break;
            maybe_checkpoint(true);
            continue;
        }
        execute(batch);
        maybe_checkpoint(false);
    }
}

namespace {

bool is_space_error(int rc) { return rc == ENOSPC || rc == EDQUOT; }

void fail_all(Batch& ops, int rc) {
    for (auto& op : ops) {
        if (!op) continue;
        op->fail(is_space_error(rc) && op->is_article() ? StoreStatus::deferred : StoreStatus::failed);
        op.reset();
    }
}

// A temporary failure: articles `deferred` (peers offer them again), other requests `failed`.
void defer_all(Batch& ops) {
    for (auto& op : ops)
        if (op) op->fail(op->is_article() ? StoreStatus::deferred : StoreStatus::failed);
    ops.clear();
}

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

bool Core::low_on_space() {
    struct statvfs st {};
    if (statvfs(opts.dir.c_str(), &st) != 0) return false;  // cannot tell: let the commit decide
    std::uint64_t avail = static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;
    return avail < floor_bytes.load(std::memory_order_relaxed);
}

// Disk below the floor: refuse new articles (a temporary failure) but let cancels, expiry and
// queue acks through — they are what frees space.
void Core::defer_if_low_space(Batch& batch) {
    if (!low_on_space()) return;
    std::size_t n = 0;
    for (auto& op : batch) {
        if (op->is_article()) {
            op->fail(StoreStatus::deferred);
            op.reset();
            ++n;
        }
    }
    std::erase(batch, nullptr);
    stats.count_deferred_low_space(n);
}

// Runs every request of the batch in `ctx`. On a failure the transaction is unusable (LMDB
// marks it failed): the failing request is answered and removed, and the caller redoes the rest.
Core::Applied Core::apply_batch(WriteCtx& ctx, Batch& batch) {
    for (auto& op : batch) {
        try {
            op->apply(ctx);
        } catch (const mdb::Error& e) {
            if (e.code == MDB_MAP_FULL) return Applied::map_full;
            spdlog::error("storage event=request_failed error=\"{}\"", e.what());
            op->fail(is_space_error(e.code) && op->is_article() ? StoreStatus::deferred
                                                                : StoreStatus::failed);
            op.reset();
            return Applied::redo;
        } catch (const std::exception& e) {
            spdlog::error("storage event=request_failed error=\"{}\"", e.what());
            op->fail(StoreStatus::failed);
            op.reset();
            return Applied::redo;
        }
    }
    try {
        ctx.finish();
    } catch (const mdb::Error& e) {
        if (e.code == MDB_MAP_FULL) return Applied::map_full;
        spdlog::error("storage event=batch_failed error=\"{}\"", e.what());
        fail_all(batch, e.code);
        return Applied::failed;
    }
    return Applied::ok;
}

// Brings the environment, the checkpoint's pin and the journal file to where a batch can commit;
// false when they cannot be, after answering the whole batch.
bool Core::ready_for_batch(Batch& batch) {
    if (!env.handle) {  // a previous reopen failed: keep refusing, try again once a second
        auto now = clock::now();
        if (now < w.next_reopen || !reopen_env()) {
            if (now >= w.next_reopen) w.next_reopen = now + std::chrono::seconds(1);
            defer_all(batch);
            return false;
        }
    }
    if (w.journal && !checkpointer.pinned()) {
        // Commits without the checkpoint's pin could reuse its pages: a crash would then
        // restore a damaged state. Try again; meanwhile articles are a temporary failure.
        repin();
        if (!checkpointer.pinned()) {
            defer_all(batch);
            return false;
        }
    }
    if (!w.journal->is_open() || w.journal->bytes_in_file() >= opts.journal_file_bytes) {
        // Relaxed mode: the old file's unsynced records must reach the disk before the next
        // file starts (a later sync reaches only that one). If they cannot, what the old file
        // holds past its last good sync may be gone: roll LMDB back to the checkpoint and the
        // synced records, as after a failed batch sync, and carry on in a new file — retrying
        // the sync could only fail again (Journal::sync) and would wedge the writer.
        if (w.journal->is_open() && w.journal->unsynced()) {
            if (int err = io->sync_journal(*w.journal)) {
                spdlog::error("storage event=journal_failed at=rotation error=\"{}\"", std::strerror(err));
                stats.count_commit_failure();
                recover_after_failure();
                defer_all(batch);
                return false;
            }
        }
        if (int err = w.journal->start(w.journal_seq + 1)) {
            spdlog::error("storage event=journal_rotate_failed error=\"{}\"", std::strerror(err));
            fail_all(batch, err);
            return false;
        }
    }
    return true;
}

void Core::execute(Batch& batch) {
    defer_if_low_space(batch);
    for (int attempt = 0; !batch.empty(); ++attempt) {
        if (attempt > 64) {  // a logic error keeps poisoning the batch: give up on it
            spdlog::error("storage event=batch_abandoned size={}", batch.size());
            fail_all(batch, EIO);
            return;
        }
        if (!ready_for_batch(batch)) return;
        auto t0 = clock::now();
        mdb::Txn txn;
        int rc = mdb::Txn::begin(env.handle, 0, txn);
        if (rc == MDB_PANIC && reopen_env()) rc = mdb::Txn::begin(env.handle, 0, txn);
        if (rc) {
            spdlog::error("storage event=txn_begin_failed error=\"{}\"", mdb_strerror(rc));
            fail_all(batch, rc);
            return;
        }
        w.redo.clear();
        txn.record_into(&w.redo);
        WriteCtx ctx{.opts = opts, .txn = txn, .dbi = env.dbi, .now = unix_now(),
                     .log_file = w.journal->first_seq(), .log_offset = w.journal->bytes_in_file(),
                     .record_seq = w.journal_seq + 1};
        Applied applied = apply_batch(ctx, batch);
        if (applied == Applied::failed) return;
        if (applied == Applied::ok) {
            if (commit_batch(txn, ctx.log_offset, batch, t0)) return;
            applied = Applied::map_full;
        }
        // Redo: drop the transaction, forget the requests' first attempt, grow if full, and run
        // the batch again (without a request that failed).
        txn.abort();
        std::erase(batch, nullptr);
        for (auto& op : batch) op->reset();
        if (applied == Applied::map_full && !grow_map()) {
            fail_all(batch, ENOSPC);  // temporary: articles are deferred, as for a full disk
            return;
        }
    }
}

// The record (with the articles' bytes) is written before LMDB commits, so a reader that sees a
// locator finds the bytes; it is synced after, and the batch counts only then (an empty redo
// list — only duplicates — changed nothing: nothing to write). The commit and the sync go
// through `io` (commit_io.h).
bool Core::commit_batch(mdb::Txn& txn, std::uint64_t record_offset, Batch& batch,
                        clock::time_point t0) {
    const bool logged = !w.redo.empty();
    if (int err = logged ? journal_append(w.redo) : 0) {
        spdlog::error("storage event=journal_failed size={} error=\"{}\"", batch.size(), std::strerror(err));
        txn.abort();
        (void)cut_record(record_offset);
        stats.count_commit_failure();
        fail_all(batch, err);
        return true;
    }
    int rc = io->commit(txn);  // into the page cache only (MDB_NOSYNC)
    if (rc == MDB_SUCCESS) {
        if (int err = logged && opts.durable ? io->sync_journal(*w.journal) : 0) {
            spdlog::error("storage event=journal_failed size={} error=\"{}\"", batch.size(), std::strerror(err));
            stats.count_commit_failure();
            // Roll LMDB back first: a reader woken by the failure must not still see it.
            recover_after_failure();
            fail_all(batch, err);
            return true;
        }
        if (logged) {
            ++w.journal_seq;
            w.journal_unckpt_bytes += w.redo.size() + Journal::header_size;
        }
        stats.record_commit(std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - t0),
                            batch.size());
        deliver(batch);
        return true;
    }
    // LMDB refused the commit: its record must not be replayed either.
    if (logged) {
        if (int err = cut_record(record_offset)) {
            fail_all(batch, err);
            return true;
        }
    }
    if (rc == MDB_MAP_FULL) return false;
    spdlog::error("storage event=commit_failed size={} error=\"{}\"", batch.size(), mdb_strerror(rc));
    stats.count_commit_failure();
    fail_all(batch, rc);
    return true;
}

// After the commit returned: answer each request; an unfinished expiry pass goes back to the
// inbox behind whatever is waiting (or reports and stops at shutdown).
void Core::deliver(Batch& batch) {
    Batch again;
    for (auto& op : batch) {
        try {
            if (!op->complete()) again.push_back(std::move(op));
        } catch (const std::exception& e) {
            spdlog::error("storage event=completion_threw error=\"{}\"", e.what());
        }
    }
    if (again.empty()) return;
    for (auto& op : inbox.requeue(std::move(again))) op->fail(StoreStatus::shutting_down);
}

}  // namespace tidings::storage::detail
