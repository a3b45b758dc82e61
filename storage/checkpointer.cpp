// The checkpointer thread: syncs LMDB behind the journal, records the checkpoint, moves the pin
// and deletes the journal files no state needs any more (checkpointer.h).
#include "storage/checkpointer.h"

#include "storage/codec.h"
#include "storage/journal.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <set>
#include <utility>

namespace tidings::storage::detail {

using clock = std::chrono::steady_clock;

void Checkpointer::start() {
    thread_ = std::thread([this] {
        (void)pthread_setname_np(pthread_self(), "tidings-ckpt");  // as top -H and ps -L show it
        loop();
    });
}

void Checkpointer::stop() {
    if (!thread_.joinable()) return;
    {
        std::lock_guard lk(m_);
        quit_ = true;
        cv_.notify_all();
    }
    thread_.join();
}

Checkpointer::Status Checkpointer::status() {
    std::lock_guard lk(m_);
    return {busy_, sync_failed_};
}

void Checkpointer::hand_over(Checkpoint c, MDB_txn* pin) {
    std::lock_guard lk(m_);
    job_ = std::move(c);
    pin_job_ = pin;
    busy_ = true;
    cv_.notify_all();
}

void Checkpointer::wait_idle() {
    std::unique_lock lk(m_);
    cv_.wait(lk, [&] { return !busy_; });
}

bool Checkpointer::pinned() {
    std::lock_guard lk(m_);
    return pin_done_ != nullptr;
}

void Checkpointer::pin() noexcept {
    if (!env_.handle) return;
    std::lock_guard lk(m_);
    if (pin_done_) return;
    if (int rc = mdb_txn_begin(env_.handle, nullptr, MDB_RDONLY, &pin_done_)) {
        pin_done_ = nullptr;
        spdlog::error("storage event=pin_failed error=\"{}\"", mdb_strerror(rc));
    }
}

void Checkpointer::release_pins() noexcept {
    std::lock_guard lk(m_);
    if (pin_done_) mdb_txn_abort(std::exchange(pin_done_, nullptr));
    if (pin_job_) mdb_txn_abort(std::exchange(pin_job_, nullptr));
}

bool Checkpointer::sync_failed() {
    std::lock_guard lk(m_);
    return sync_failed_;
}

int Checkpointer::record(const Checkpoint& c) noexcept {
    {
        std::lock_guard lk(m_);
        if (sync_failed_) return EIO;
    }
    if (int rc = io_.sync_data(env_.handle)) {
        std::lock_guard lk(m_);
        sync_failed_ = true;
        spdlog::critical("storage event=data_sync_failed error=\"{}\" note=\"no more checkpoints; "
                         "the journal keeps every batch; restart tidingsd to rebuild\"", mdb_strerror(rc));
        return rc;
    }
    return write_checkpoint(opts_.dir, c);
}

void Checkpointer::loop() {
    std::unique_lock lk(m_);
    for (;;) {
        cv_.wait(lk, [&] { return quit_ || (busy_ && pin_job_); });
        if (quit_) return;
        Checkpoint job = job_;
        lk.unlock();
        auto t0 = clock::now();
        int rc = record(job);
        if (!rc) remove_dead_files(pin_job_, job.seq);  // pin_job_ is the checkpointed state
        auto took = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - t0);
        lk.lock();
        if (rc) {
            spdlog::error("storage event=checkpoint_failed error=\"{}\"", mdb_strerror(rc));
            mdb_txn_abort(std::exchange(pin_job_, nullptr));
        } else {
            if (pin_done_) mdb_txn_abort(pin_done_);
            pin_done_ = std::exchange(pin_job_, nullptr);
            spdlog::debug("storage event=checkpoint seq={} ms={}", job.seq, took.count());
            stats_.record_checkpoint(took);
        }
        busy_ = false;
        cv_.notify_all();
        if (opts_.prepare_spare && !rc) {
            lk.unlock();
            Journal::prepare_spare(opts_.dir, opts_.journal_file_bytes);
            lk.lock();
        }
    }
}

void Checkpointer::remove_dead_files(MDB_txn* state, std::uint64_t seq) noexcept {
    try {
        auto files = Journal::files(opts_.dir);
        std::set<std::uint64_t> dead;
        for (auto it = files.begin(); it != files.end(); ++it) {
            auto next = std::next(it);
            // Needed while a record in it is not checkpointed (the current file has no
            // successor), or while an article of the checkpointed state lives in it.
            if (next == files.end() || next->first > seq + 1) break;
            auto key = codec::segment_count_key(it->first);
            MDB_val k{key.size(), key.data()}, v{};
            int rc = mdb_get(state, env_.dbi.meta, &k, &v);
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
        stats_.set_journal_files(kept, bytes);
        if (dead.empty()) return;
        Journal::remove(opts_.dir, dead);
        for (auto f : dead) env_.log.forget(f);  // after: a reader cannot reopen them by name now
        spdlog::debug("storage event=journal_files_removed count={}", dead.size());
    } catch (const std::exception& e) {
        spdlog::error("storage event=journal_cleanup_failed error=\"{}\"", e.what());
    }
}

}  // namespace tidings::storage::detail
