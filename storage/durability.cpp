// Durable mode: the journal is the commit point and LMDB (opened MDB_NOSYNC) is synced behind it
// at checkpoints. journal.h and checkpoint.h describe the files; storage/README.md the design.
#include "storage/core.h"

#include <spdlog/spdlog.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <set>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace tidings::storage::detail {

using clock = std::chrono::steady_clock;

void Core::lock_dir() {
    if (lock_fd >= 0) return;
    auto path = opts.dir + "/tidings.lock";
    lock_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock_fd < 0)
        throw std::runtime_error("storage: cannot open " + path + ": " + std::strerror(errno));
    if (::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(std::exchange(lock_fd, -1));
        throw std::runtime_error("storage: " + opts.dir + " is in use by another process");
    }
}

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
    if (!journal) journal = std::make_unique<Journal>(opts.dir, opts.journal_file_bytes + opts.batch_max_bytes);
    repin();
    journal_seq = Journal::replay(opts.dir, after, [&](std::uint64_t seq, std::string_view payload) {
        for (;;) {  // the map opens at its configured size, which the journal may outgrow
            int rc = 0;
            try {
                mdb::Txn txn(env, 0);
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
            if ((rc = record_checkpoint(c))) throw mdb::Error("journal replay: checkpoint", rc);
            release_pins();
            MDB_envinfo info{};
            mdb_env_info(env, &info);
            rc = mdb_env_set_mapsize(env, next_map_size(info.me_mapsize));
            repin();
            if (rc) throw mdb::Error("journal replay: grow", rc);
        }
        ++records;
    }, strict);
    if (records)
        spdlog::info("storage event=journal_replayed records={} last_seq={}", records, journal_seq);
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
    if (journal && journal->is_open() && journal->unsynced())
        if (int err = journal->sync())
            throw std::runtime_error("storage: cannot sync the journal: " + std::string(std::strerror(err)));
    MDB_envinfo info{};
    MDB_stat st{};
    mdb::check("mdb_env_info", mdb_env_info(env, &info));
    mdb::check("mdb_env_stat", mdb_env_stat(env, &st));
    mdb_filehandle_t fd{};
    mdb::check("mdb_env_get_fd", mdb_env_get_fd(env, &fd));
    Checkpoint c;
    c.seq = journal_seq;
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
        if (int rc = record_checkpoint(c)) return rc;
        journal_unckpt_bytes = 0;
        if (!journal->is_open())
            if (int rc = journal->start(c.seq + 1)) return rc;
        {
            MDB_txn* state = nullptr;  // nothing commits meanwhile: the current state is c
            if (mdb_txn_begin(env, nullptr, MDB_RDONLY, &state) == MDB_SUCCESS) {
                remove_dead_files(state, c.seq);
                mdb_txn_abort(state);
            }
        }
        release_pins();
        if (repin) this->repin();
        next_checkpoint = clock::now() + opts.checkpoint_interval;
        return 0;
    } catch (const mdb::Error& e) {
        return e.code;
    } catch (const std::exception& e) {
        spdlog::error("storage event=checkpoint_failed error=\"{}\"", e.what());
        return EIO;
    }
}

void Core::repin() noexcept {
    if (!journal || !env) return;
    std::lock_guard lk(ckpt_m);
    if (pin_done) return;
    if (int rc = mdb_txn_begin(env, nullptr, MDB_RDONLY, &pin_done)) {
        pin_done = nullptr;
        spdlog::error("storage event=pin_failed error=\"{}\"", mdb_strerror(rc));
    }
}

// Syncs the data file, then records `c` as the checkpoint. A failed sync is final (see
// data_sync_failed): the caller gets EIO from then on.
int Core::record_checkpoint(const Checkpoint& c) noexcept {
    {
        std::lock_guard lk(ckpt_m);
        if (data_sync_failed) return EIO;
    }
    int rc = opts.sync_fault ? opts.sync_fault() : 0;
    if (!rc) rc = mdb_env_sync(env, 1);
    if (rc) {
        std::lock_guard lk(ckpt_m);
        data_sync_failed = true;
        spdlog::critical("storage event=data_sync_failed error=\"{}\" note=\"no more checkpoints; "
                         "the journal keeps every batch; restart tidingsd to rebuild\"", mdb_strerror(rc));
        return rc;
    }
    return write_checkpoint(opts.dir, c);
}

bool Core::pinned() {
    std::lock_guard lk(ckpt_m);
    return pin_done != nullptr;
}

void Core::release_pins() noexcept {
    std::lock_guard lk(ckpt_m);
    if (pin_done) mdb_txn_abort(std::exchange(pin_done, nullptr));
    if (pin_job) mdb_txn_abort(std::exchange(pin_job, nullptr));
}

// After a batch (or when idle): hands a checkpoint to the checkpointer thread when the interval
// passed or the journal file grew big, and no checkpoint is running.
void Core::maybe_checkpoint(bool idle) {
    if (!journal) return;
    auto now = clock::now();
    if (now < next_checkpoint && journal_unckpt_bytes < opts.checkpoint_journal_bytes) return;
    // From here on every early return moves the deadline: the idle writer sleeps until it.
    next_checkpoint = now + opts.checkpoint_interval;
    if (!env || (idle && journal_unckpt_bytes == 0)) return;  // down, or nothing new
    {
        std::lock_guard lk(ckpt_m);
        if (data_sync_failed) return;
        if (ckpt_busy) {  // the last one is still syncing: look again soon
            next_checkpoint = now + opts.checkpoint_interval / 4;
            return;
        }
    }
    try {
        auto c = current_state();
        MDB_txn* pin = nullptr;
        mdb::check("mdb_txn_begin", mdb_txn_begin(env, nullptr, MDB_RDONLY, &pin));
        journal_unckpt_bytes = 0;
        std::lock_guard lk(ckpt_m);
        ckpt_job = std::move(c);
        pin_job = pin;
        ckpt_busy = true;
        ckpt_cv.notify_all();
    } catch (const std::exception& e) {
        spdlog::error("storage event=checkpoint_failed error=\"{}\"", e.what());
    }
}

void Core::checkpointer_loop() {
    std::unique_lock lk(ckpt_m);
    for (;;) {
        ckpt_cv.wait(lk, [&] { return ckpt_quit || (ckpt_busy && pin_job); });
        if (ckpt_quit) return;
        Checkpoint job = ckpt_job;
        lk.unlock();
        auto t0 = clock::now();
        int rc = record_checkpoint(job);
        if (!rc) remove_dead_files(pin_job, job.seq);  // pin_job is the checkpointed state
        auto took = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - t0);
        lk.lock();
        if (rc) {
            spdlog::error("storage event=checkpoint_failed error=\"{}\"", mdb_strerror(rc));
            mdb_txn_abort(std::exchange(pin_job, nullptr));
        } else {
            if (pin_done) mdb_txn_abort(pin_done);
            pin_done = std::exchange(pin_job, nullptr);
            spdlog::debug("storage event=checkpoint seq={} ms={}", job.seq, took.count());
            stats.record_checkpoint(took);
        }
        ckpt_busy = false;
        ckpt_cv.notify_all();
        if (opts.prepare_spare && !rc) {
            lk.unlock();
            Journal::prepare_spare(opts.dir, opts.journal_file_bytes);
            lk.lock();
        }
    }
}

void Core::wait_checkpoint_idle() {
    std::unique_lock lk(ckpt_m);
    ckpt_cv.wait(lk, [&] { return !ckpt_busy; });
}

void Core::remove_dead_files(MDB_txn* state, std::uint64_t seq) noexcept {
    try {
        auto files = Journal::files(opts.dir);
        std::set<std::uint64_t> dead;
        for (auto it = files.begin(); it != files.end(); ++it) {
            auto next = std::next(it);
            // Needed while a record in it is not checkpointed (the current file has no
            // successor), or while an article of the checkpointed state lives in it.
            if (next == files.end() || next->first > seq + 1) break;
            auto key = codec::segment_count_key(it->first);
            MDB_val k{key.size(), key.data()}, v{};
            int rc = mdb_get(state, dbi.meta, &k, &v);
            if (rc == MDB_NOTFOUND) dead.insert(it->first);
            else if (rc) throw mdb::Error("mdb_get", rc);
        }
        // The files that stay, for stats() (here, off the I/O thread that serves /status).
        std::uint64_t kept = 0, bytes = 0;
        for (const auto& [first, path] : files) {
            if (dead.count(first)) continue;
            std::error_code ec;
            auto size = std::filesystem::file_size(path, ec);
            ++kept;
            if (!ec) bytes += size;
        }
        stats.set_journal_files(kept, bytes);
        if (dead.empty()) return;
        Journal::remove(opts.dir, dead);
        for (auto f : dead) log.forget(f);  // after: a reader cannot reopen them by name now
        spdlog::debug("storage event=journal_files_removed count={}", dead.size());
    } catch (const std::exception& e) {
        spdlog::error("storage event=journal_cleanup_failed error=\"{}\"", e.what());
    }
}

int Core::cut_record(std::uint64_t offset) noexcept {
    // After a failed sync (relaxed mode: at a checkpoint or a rotation) what was written since
    // the last good sync may be lost too: only checkpoint + the synced part can be trusted.
    int err = journal->failed() ? EIO : journal->truncate(offset);
    if (!err) return 0;
    if (!journal->failed())
        spdlog::critical("storage event=journal_truncate_failed error=\"{}\"", std::strerror(err));
    recover_after_failure();
    return err;
}

int Core::journal_append(std::string_view changes) noexcept {
    return journal->append(journal_seq + 1, changes);
}

// The journal could not make a batch durable, but LMDB already holds it: roll LMDB back to the
// checkpoint and replay the journal up to its last durable record — the batch's own record,
// if any of it reached the file, is cut off first.
void Core::recover_after_failure() noexcept {
    spdlog::error("storage event=recover reason=journal_failure dir={}", opts.dir);
    wait_checkpoint_idle();
    close_gate();
    std::uint64_t good = journal ? journal->good_bytes() : 0;
    int rc = journal ? journal->truncate(good) : 0;
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
    gate.open();
}

}  // namespace tidings::storage::detail
