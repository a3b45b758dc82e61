// Opening, closing and growing the LMDB environment; disk-space and retention policy.
#include "storage/codec.h"
#include "storage/file_io.h"
#include "storage/core.h"

#include <spdlog/spdlog.h>
#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace tidings::storage::detail {

namespace {

constexpr std::size_t grow_step_cap = std::size_t{1} << 30;

[[noreturn]] void fail_open(const std::string& dir, const std::string& what, int rc) {
    throw std::runtime_error("storage: cannot open store in " + dir + ": " + what + ": " +
                             mdb_strerror(rc));
}

Options normalized(Options o) {
    o.batch_max_articles = std::max<std::size_t>(o.batch_max_articles, 1);
    o.batch_max_bytes = std::max<std::size_t>(o.batch_max_bytes, 1);
    return o;
}

}  // namespace

Core::Core(Options o) : opts(normalized(std::move(o))), inbox(opts), log(opts.dir) {
    floor_bytes = opts.free_space_floor_bytes;
}

Core::~Core() {
    close_env();
    if (lock_fd >= 0) ::close(lock_fd);
}

void Core::open_env() {
    std::error_code ec;
    std::filesystem::create_directories(opts.dir, ec);
    if (ec) throw std::runtime_error("storage: cannot create " + opts.dir + ": " + ec.message());
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
    std::uint64_t state_seq = 0;  // the last journal record in LMDB's state (meta journal_seq)
    int rc = mdb_env_create(&env);
    if (rc) fail_open(opts.dir, "mdb_env_create", rc);
    mdb_env_set_maxdbs(env, 16);
    // Snapshots, up to 64 pooled read handles and the checkpoint pins share these slots; a pin
    // that cannot get one would leave the checkpointed state unprotected.
    mdb_env_set_maxreaders(env, 1024);
    mdb_env_set_mapsize(env, std::max<std::size_t>(opts.initial_map_bytes, 1 << 20));
    // MDB_NOTLS: read transactions belong to Snapshots, not to OS threads. MDB_NORDAHEAD: reads
    // are random by id; readahead would only evict useful pages.
    // MDB_NOSYNC in both modes: durable mode syncs the journal per batch and LMDB at checkpoints.
    unsigned flags = MDB_NOTLS | MDB_NORDAHEAD | MDB_NOSYNC | (opts.write_map ? MDB_WRITEMAP : 0u);
    rc = mdb_env_open(env, opts.dir.c_str(), flags, 0644);
    if (rc) {
        mdb_env_close(std::exchange(env, nullptr));
        fail_open(opts.dir, "mdb_env_open", rc);
    }
    try {
        mdb::Txn txn(env, 0);
        auto open_db = [&](const char* name, MDB_dbi& out) {
            mdb::check(name, mdb_dbi_open(txn.handle(), name, MDB_CREATE, &out));
        };
        open_db("meta", dbi.meta);
        open_db("articles", dbi.articles);
        open_db("history", dbi.history);
        open_db("groups", dbi.groups);
        open_db("group_index", dbi.group_index);
        open_db("overview", dbi.overview);
        open_db("queues", dbi.queues);
        open_db("expiry", dbi.expiry);
        open_db("prune", dbi.prune);
        if (auto v = txn.get(dbi.meta, "schema_version")) {
            if (v->size() == 4 && codec::get_u32(*v, 0) == 1)
                throw std::runtime_error("storage: " + opts.dir + " was written by an older Tidings "
                                         "(schema 1: article bytes inside LMDB); this build keeps "
                                         "them in the journal files (schema 2) and cannot convert "
                                         "it: start with an empty data directory");
            if (v->size() != 4 || codec::get_u32(*v, 0) != codec::schema_version)
                throw std::runtime_error("storage: " + opts.dir +
                                         " has an unknown schema version (this build reads " +
                                         std::to_string(codec::schema_version) + ")");
            if (auto j = txn.get(dbi.meta, "journal_seq"); j && j->size() == 8)
                state_seq = codec::get_u64(*j, 0);
        } else {
            std::string s;
            codec::put_u32(s, codec::schema_version);
            txn.put(dbi.meta, "schema_version", s);
        }
        mdb::check("mdb_txn_commit", txn.commit());
    } catch (const mdb::Error& e) {
        mdb_env_close(std::exchange(env, nullptr));
        fail_open(opts.dir, e.what(), e.code);
    } catch (...) {
        mdb_env_close(std::exchange(env, nullptr));
        throw;
    }
    // LMDB syncs its files, not the directory that names them: make a new store's directory
    // entries durable too, before the first acknowledgement can depend on them.
    fsync_dir(opts.dir);
    MDB_envinfo info{};
    mdb_env_info(env, &info);
    if (int err = reserve_disk(info.me_mapsize)) {
        mdb_env_close(std::exchange(env, nullptr));
        fail_open(opts.dir, "fallocate", err);
    }
    try {
        // Without a checkpoint file (a new store, or a copy of data.mdb made with mdb_copy and
        // restored next to the journal files) the state itself says which record it holds last.
        // Strict only for a durable store with a checkpoint: there a damaged record with intact
        // ones after it cannot be a crash's torn tail. Relaxed mode writes several records
        // between syncs, and a power cut may keep a later one and tear an earlier one.
        recover(checkpoint ? checkpoint->seq : state_seq, checkpoint.has_value() && opts.durable);
    } catch (...) {
        release_pins();
        journal.reset();
        mdb_env_close(std::exchange(env, nullptr));
        throw;
    }
    stats.set_map_bytes(info.me_mapsize, false);
}

// With MDB_WRITEMAP LMDB only ftruncate()s the file to the map size, leaving it sparse: a write
// into a hole on a full disk would raise SIGBUS. Allocating the blocks up front turns that into
// an error we can answer with `deferred`.
int Core::reserve_disk(std::size_t bytes) noexcept {
    if (!opts.write_map) return 0;
    mdb_filehandle_t fd{};
    if (mdb_env_get_fd(env, &fd) != 0) return EINVAL;
    return ::posix_fallocate(fd, 0, static_cast<off_t>(bytes));
}

void Core::close_env() noexcept {
    release_pins();
    if (journal) journal->close();
    log.clear();  // a recovery may give a file name a new inode (a truncated file, the spare)
    drain_read_pool();
    if (env) mdb_env_close(std::exchange(env, nullptr));
}

MDB_txn* Core::acquire_read() const {
    MDB_txn* txn = nullptr;
    {
        std::lock_guard lk(read_pool_m);
        if (!read_pool.empty()) {
            txn = read_pool.back();
            read_pool.pop_back();
        }
    }
    if (txn) {
        if (mdb_txn_renew(txn) == MDB_SUCCESS) return txn;
        mdb_txn_abort(txn);
    }
    mdb::check("mdb_txn_begin", mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn));
    return txn;
}

void Core::release_read(MDB_txn* txn) const noexcept {
    mdb_txn_reset(txn);
    std::lock_guard lk(read_pool_m);
    if (read_pool.size() < 64) {
        read_pool.push_back(txn);
        return;
    }
    mdb_txn_abort(txn);
}

void Core::drain_read_pool() const noexcept {
    std::lock_guard lk(read_pool_m);
    for (auto* txn : read_pool) mdb_txn_abort(txn);
    read_pool.clear();
}

void Core::close_gate() noexcept {
    for (int tries = 1; !gate.close_within(std::chrono::milliseconds(100)); ++tries)
        if (tries % 50 == 0)
            spdlog::warn("storage event=gate_waiting seconds={} note=\"a Snapshot is held too long\"",
                         tries / 10);
}

bool Core::reopen_env() noexcept {
    spdlog::error("storage event=reopen dir={}", opts.dir);
    wait_checkpoint_idle();  // the checkpointer uses env and the pins
    close_gate();
    close_env();
    bool ok = true;
    try {
        open_env();
    } catch (const std::exception& e) {
        spdlog::critical("storage event=reopen_failed error=\"{}\"", e.what());
        ok = false;
    }
    gate.open();
    return ok;
}

std::size_t next_map_size(std::size_t current) noexcept {
    return current + std::min(current, grow_step_cap);
}

bool Core::grow_map() noexcept {
    MDB_envinfo info{};
    mdb_env_info(env, &info);
    std::size_t old_size = info.me_mapsize;
    std::size_t new_size = next_map_size(old_size);
    if (int err = reserve_disk(new_size)) {
        spdlog::error("storage event=map_grow_failed to={} error=\"{}\"", new_size, std::strerror(err));
        return false;
    }
    // No read transaction may be open while LMDB remaps — not even the checkpoint's pin, so
    // durable mode first syncs everything (a checkpoint with nothing left to protect).
    if (journal) {
        wait_checkpoint_idle();
        if (int err = checkpoint_now(false)) {
            spdlog::error("storage event=map_grow_failed error=\"checkpoint: {}\"", mdb_strerror(err));
            repin();
            return false;
        }
    }
    close_gate();
    int rc = mdb_env_set_mapsize(env, new_size);
    if (rc == MDB_SUCCESS) repin();  // before any Snapshot can take the last reader slot
    gate.open();
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

bool Core::low_on_space() {
    struct statvfs st {};
    if (statvfs(opts.dir.c_str(), &st) != 0) return false;  // cannot tell: let the commit decide
    std::uint64_t avail = static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;
    return avail < floor_bytes.load(std::memory_order_relaxed);
}

}  // namespace tidings::storage::detail
