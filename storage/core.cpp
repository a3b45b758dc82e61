// The store's life: opening (checkpoint restored, LMDB opened, journal replayed), closing,
// reopening after a failure, growing the map, and starting and stopping the threads.
#include "storage/core.h"
#include "storage/file_io.h"

#include <pthread.h>
#include <spdlog/spdlog.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace tidings::storage::detail {

using clock = std::chrono::steady_clock;

namespace {

Options normalized(Options o) {
    o.batch_max_articles = std::max<std::size_t>(o.batch_max_articles, 1);
    o.batch_max_bytes = std::max<std::size_t>(o.batch_max_bytes, 1);
    return o;
}

}  // namespace

Core::Core(Options o, std::unique_ptr<CommitIo> io)
    : opts(normalized(std::move(o))), io(std::move(io)), env(opts), inbox(opts),
      checkpointer(opts, env, stats, *this->io) {
    floor_bytes = opts.free_space_floor_bytes;
}

Core::~Core() {
    close_env();
    if (lock_fd >= 0) ::close(lock_fd);
}

void Core::lock_dir() {
    if (lock_fd >= 0) return;
    auto path = opts.dir + "/tidings.lock";
    lock_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (lock_fd < 0)
        throw std::runtime_error("storage: cannot open " + path + ": " + std::strerror(errno));
    if (::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(std::exchange(lock_fd, -1));
        throw std::runtime_error("storage: " + opts.dir + " is in use by another process");
    }
}

void Core::open_env() {
    if (int err = make_dirs_durable(opts.dir))
        throw std::runtime_error("storage: cannot create " + opts.dir + ": " + std::strerror(err));
    lock_dir();
    // A checkpoint file means the store ran durable: LMDB's meta pages may name a state newer
    // than what was synced (or a half-written one). Go back to the checkpointed state; the
    // journal brings it forward again below.
    auto checkpoint = read_checkpoint(opts.dir);
    if (checkpoint && !std::filesystem::exists(opts.dir + "/data.mdb"))
        throw std::runtime_error("storage: " + opts.dir + " has a checkpoint but no data.mdb: "
                                 "refusing to replay the journal onto an empty store");
    if (checkpoint) {
        if (int err = restore_meta_pages(opts.dir + "/data.mdb", checkpoint->meta_page))
            throw std::runtime_error("storage: cannot restore the checkpoint in " + opts.dir +
                                     ": " + std::strerror(err));
    }
    const std::uint64_t state_seq = env.open();  // the last journal record in LMDB's state
    MDB_envinfo info{};
    mdb_env_info(env.handle, &info);
    try {
        // Without a checkpoint file (a new store, or a copy of data.mdb made with mdb_copy and
        // restored next to the journal files) the state itself says which record it holds last.
        // Strict only for a durable store with a checkpoint: there a damaged record with intact
        // ones after it cannot be a crash's torn tail. Relaxed mode writes several records
        // between syncs, and a power cut may keep a later one and tear an earlier one.
        recover(checkpoint ? checkpoint->seq : state_seq, checkpoint.has_value() && opts.durable);
    } catch (...) {
        checkpointer.release_pins();
        w.journal.reset();
        env.close();
        throw;
    }
    stats.set_map_bytes(info.me_mapsize, false);
}

void Core::close_env() noexcept {
    checkpointer.release_pins();
    if (w.journal) w.journal->close();
    env.log.clear();  // a recovery may give a file name a new inode (a truncated file, the spare)
    env.close();
}

bool Core::reopen_env() noexcept {
    spdlog::error("storage event=reopen dir={}", opts.dir);
    checkpointer.wait_idle();  // the checkpointer uses the environment and the pins
    env.close_gate();
    close_env();
    bool ok = true;
    try {
        open_env();
    } catch (const std::exception& e) {
        spdlog::critical("storage event=reopen_failed error=\"{}\"", e.what());
        ok = false;
    }
    env.gate.open();
    return ok;
}

bool Core::grow_map() noexcept {
    MDB_envinfo info{};
    mdb_env_info(env.handle, &info);
    std::size_t old_size = info.me_mapsize;
    std::size_t new_size = next_map_size(old_size);
    if (int err = env.reserve_disk(new_size)) {
        spdlog::error("storage event=map_grow_failed to={} error=\"{}\"", new_size, std::strerror(err));
        return false;
    }
    // No read transaction may be open while LMDB remaps — not even the checkpoint's pin, so
    // durable mode first syncs everything (a checkpoint with nothing left to protect).
    if (w.journal) {
        checkpointer.wait_idle();
        if (int err = checkpoint_now(false)) {
            spdlog::error("storage event=map_grow_failed error=\"checkpoint: {}\"", mdb_strerror(err));
            repin();
            return false;
        }
    }
    env.close_gate();
    int rc = mdb_env_set_mapsize(env.handle, new_size);
    if (rc == MDB_SUCCESS) repin();  // before any Snapshot can take the last reader slot
    env.gate.open();
    if (rc) {
        // LMDB 0.9 unmaps the old map before mapping the new one: after a failure the
        // environment cannot be trusted. Reopen it (checkpoint + journal) before going on.
        spdlog::error("storage event=map_grow_failed to={} error=\"{}\"", new_size, mdb_strerror(rc));
        reopen_env();
        return false;
    }
    spdlog::info("storage event=map_grown from={} to={}", old_size, new_size);
    stats.set_map_bytes(new_size, true);
    return true;
}

void Core::start() {
    w.next_expiry = opts.expiry_interval.count() > 0 ? clock::now() + std::chrono::seconds(5)
                                                     : clock::time_point::max();
    if (w.journal) checkpointer.start();
    writer = std::thread([this] {
        (void)pthread_setname_np(pthread_self(), "tidings-writer");  // as top -H and ps -L show it
        run();
    });
}

void Core::post(std::unique_ptr<Op> op) {
    if (auto refused = inbox.post(std::move(op))) refused->fail(StoreStatus::shutting_down);
}

void Core::stop() {
    if (!inbox.begin_stop()) return;
    if (writer.joinable()) writer.join();
    if (checkpointer.running()) {
        // A clean stop leaves LMDB synced and the journal empty: the next start replays nothing.
        checkpointer.wait_idle();
        if (env.handle && w.journal)
            if (int rc = checkpoint_now(false))
                spdlog::error("storage event=checkpoint_failed error=\"{}\"", mdb_strerror(rc));
        checkpointer.stop();
    }
    inbox.mark_stopped();
}

}  // namespace tidings::storage::detail
