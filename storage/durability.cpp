// The journal behind LMDB, on the writer's side: replaying it at open, handing checkpoints to the
// checkpointer (or taking one synchronously), appending and cutting batch records, and rolling
// LMDB back to checkpoint + journal when the journal fails. Both modes journal every batch;
// relaxed mode only skips the per-batch fdatasync (Options::durable).
#include "storage/core.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace tidings::storage::detail {

using clock = std::chrono::steady_clock;

// Replays one journal record: the puts and deletes of one committed write transaction, applied
// to exactly the state that transaction started from.
void Core::apply_redo(mdb::Txn& txn, std::string_view p) {
    mdb::redo::for_each(p, [&](mdb::redo::Kind kind, MDB_dbi dbi, std::string_view key, std::string_view value) {
        // A blob is an article's bytes: they stay where they are, in this very record.
        if (kind == mdb::redo::put) txn.put(dbi, key, value);
        else if (kind == mdb::redo::del) txn.del(dbi, key);
    });
}

void Core::recover(std::uint64_t after, bool strict) {
    std::uint64_t records = 0;
    // The replay's own commits are not synced either: pin the checkpointed state until the
    // checkpoint below has synced the result, so a power cut during the replay still finds it.
    if (!w.journal) w.journal = std::make_unique<Journal>(opts.dir, opts.journal_file_bytes + opts.batch_max_bytes);
    repin();
    w.journal_seq = Journal::replay(opts.dir, after, [&](std::uint64_t seq, std::string_view payload) {
        for (;;) {  // the map opens at its configured size, which the journal may outgrow
            int rc = 0;
            try {
                mdb::Txn txn(env.handle, 0);
                apply_redo(txn, payload);
                rc = txn.commit();
            } catch (const mdb::Error& e) {
                rc = e.code;
            }
            if (rc == MDB_SUCCESS) break;
            if (rc != MDB_MAP_FULL) throw mdb::Error("journal replay", rc);
            // Growing needs the pin gone: first make what is replayed so far the checkpoint
            // (synced, recorded up to the previous record), so nothing needs protecting.
            auto c = current_state();
            c.seq = seq - 1;
            if ((rc = Journal::sync_files(opts.dir, after))) throw mdb::Error("journal replay: sync", rc);
            if ((rc = checkpointer.record(c))) throw mdb::Error("journal replay: checkpoint", rc);
            checkpointer.release_pins();
            MDB_envinfo info{};
            mdb_env_info(env.handle, &info);
            rc = mdb_env_set_mapsize(env.handle, next_map_size(info.me_mapsize));
            repin();
            if (rc) throw mdb::Error("journal replay: grow", rc);
        }
        ++records;
    }, strict);
    if (records)
        spdlog::info("storage event=journal_replayed records={} last_seq={}", records, w.journal_seq);
    // Replayed records were read from the page cache: a killed process's last records (or, in
    // relaxed mode, its last second) may not be on disk yet, and the checkpoint below will
    // count them — with locators into them.
    if (int rc = Journal::sync_files(opts.dir, after))
        throw std::runtime_error("storage: cannot sync the journal in " + opts.dir + ": " + std::strerror(rc));
    if (int rc = checkpoint_now(true))
        throw std::runtime_error("storage: cannot checkpoint " + opts.dir + ": " + std::strerror(rc));
}

// The state of the last commit: its transaction id and a copy of its meta page, read from the
// page cache before the next commit can overwrite that slot.
Checkpoint Core::current_state() {
    // The state about to be checkpointed holds locators into every record up to journal_seq:
    // in relaxed mode those may not be synced yet.
    if (w.journal && w.journal->is_open() && w.journal->unsynced())
        if (int err = w.journal->sync())
            throw std::runtime_error("storage: cannot sync the journal: " + std::string(std::strerror(err)));
    MDB_envinfo info{};
    MDB_stat st{};
    mdb::check("mdb_env_info", mdb_env_info(env.handle, &info));
    mdb::check("mdb_env_stat", mdb_env_stat(env.handle, &st));
    mdb_filehandle_t fd{};
    mdb::check("mdb_env_get_fd", mdb_env_get_fd(env.handle, &fd));
    Checkpoint c;
    c.seq = w.journal_seq;
    c.txnid = info.me_last_txnid;
    c.meta_page.resize(st.ms_psize);
    auto off = static_cast<off_t>((c.txnid & 1) * st.ms_psize);
    if (::pread(fd, c.meta_page.data(), c.meta_page.size(), off) != static_cast<ssize_t>(c.meta_page.size()))
        throw std::runtime_error("storage: cannot read LMDB's meta page: " + std::string(std::strerror(errno)));
    if (meta_page_txnid(c.meta_page) != c.txnid)
        throw std::runtime_error("storage: LMDB's meta page does not have the expected layout "
                                 "(this build knows LMDB 0.9's)");
    return c;
}

// Syncs LMDB, records the checkpoint and deletes the journal files it made dead (and opens the
// journal's first file after a start). No background checkpoint may be running. repin=false
// leaves no read transaction open (the map is about to grow; the caller pins again after).
int Core::checkpoint_now(bool repin) noexcept {
    try {
        auto c = current_state();
        if (int rc = checkpointer.record(c)) return rc;
        w.journal_unckpt_bytes = 0;
        if (!w.journal->is_open())
            if (int rc = w.journal->start(c.seq + 1)) return rc;
        {
            MDB_txn* state = nullptr;  // nothing commits meanwhile: the current state is c
            if (mdb_txn_begin(env.handle, nullptr, MDB_RDONLY, &state) == MDB_SUCCESS) {
                checkpointer.remove_dead_files(state, c.seq);
                mdb_txn_abort(state);
            }
        }
        checkpointer.release_pins();
        if (repin) this->repin();
        w.next_checkpoint = clock::now() + opts.checkpoint_interval;
        return 0;
    } catch (const mdb::Error& e) {
        return e.code;
    } catch (const std::exception& e) {
        spdlog::error("storage event=checkpoint_failed error=\"{}\"", e.what());
        return EIO;
    }
}

void Core::repin() noexcept {
    if (w.journal) checkpointer.pin();
}

// After a batch (or when idle): hands a checkpoint to the checkpointer thread when the interval
// passed or the journal file grew big, and no checkpoint is running.
void Core::maybe_checkpoint(bool idle) {
    if (!w.journal) return;
    auto now = clock::now();
    if (now < w.next_checkpoint && w.journal_unckpt_bytes < opts.checkpoint_journal_bytes) return;
    // From here on every early return moves the deadline: the idle writer sleeps until it.
    w.next_checkpoint = now + opts.checkpoint_interval;
    if (!env.handle || (idle && w.journal_unckpt_bytes == 0)) return;  // down, or nothing new
    auto status = checkpointer.status();
    if (status.sync_failed) return;
    if (status.busy) {  // the last one is still syncing: look again soon
        w.next_checkpoint = now + opts.checkpoint_interval / 4;
        return;
    }
    try {
        auto c = current_state();
        MDB_txn* pin = nullptr;
        mdb::check("mdb_txn_begin", mdb_txn_begin(env.handle, nullptr, MDB_RDONLY, &pin));
        w.journal_unckpt_bytes = 0;
        checkpointer.hand_over(std::move(c), pin);
    } catch (const std::exception& e) {
        spdlog::error("storage event=checkpoint_failed error=\"{}\"", e.what());
    }
}

int Core::cut_record(std::uint64_t offset) noexcept {
    // After a failed sync (relaxed mode: at a checkpoint or a rotation) what was written since
    // the last good sync may be lost too: only checkpoint + the synced part can be trusted.
    int err = w.journal->failed() ? EIO : w.journal->truncate(offset);
    if (!err) return 0;
    if (!w.journal->failed())
        spdlog::critical("storage event=journal_truncate_failed error=\"{}\"", std::strerror(err));
    recover_after_failure();
    return err;
}

int Core::journal_append(std::string_view changes) noexcept {
    return w.journal->append(w.journal_seq + 1, changes);
}

// The journal could not make a batch durable, but LMDB already holds it: roll LMDB back to the
// checkpoint and replay the journal up to its last durable record — the batch's own record,
// if any of it reached the file, is cut off first.
void Core::recover_after_failure() noexcept {
    spdlog::error("storage event=recover reason=journal_failure dir={}", opts.dir);
    checkpointer.wait_idle();
    env.close_gate();
    std::uint64_t good = w.journal ? w.journal->good_bytes() : 0;
    int rc = w.journal ? w.journal->truncate(good) : 0;
    close_env();
    if (rc) {
        spdlog::critical("storage event=recover_failed error=\"journal: {}\"", std::strerror(rc));
    } else {
        try {
            open_env();
        } catch (const std::exception& e) {
            spdlog::critical("storage event=recover_failed error=\"{}\"", e.what());
        }
    }
    env.gate.open();
}

}  // namespace tidings::storage::detail
