// The LMDB environment: opening it and its databases, the read-transaction pool, the reader
// gate's closing, and disk reservation for MDB_WRITEMAP.
#include "storage/environment.h"

#include "storage/codec.h"
#include "storage/file_io.h"

#include <spdlog/spdlog.h>
#include <fcntl.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace tidings::storage::detail {

namespace {

constexpr std::size_t grow_step_cap = std::size_t{1} << 30;

[[noreturn]] void fail_open(const std::string& dir, const std::string& what, int rc) {
    throw std::runtime_error("storage: cannot open store in " + dir + ": " + what + ": " +
                             mdb_strerror(rc));
}

}  // namespace

std::uint64_t Environment::open() {
    std::uint64_t state_seq = 0;  // the last journal record in LMDB's state (meta journal_seq)
    int rc = mdb_env_create(&handle);
    if (rc) fail_open(dir, "mdb_env_create", rc);
    mdb_env_set_maxdbs(handle, 16);
    // Snapshots, up to 64 pooled read handles and the checkpoint pins share these slots; a pin
    // that cannot get one would leave the checkpointed state unprotected.
    mdb_env_set_maxreaders(handle, 1024);
    mdb_env_set_mapsize(handle, std::max<std::size_t>(initial_map_bytes_, 1 << 20));
    // MDB_NOTLS: read transactions belong to Snapshots, not to OS threads. MDB_NORDAHEAD: reads
    // are random by id; readahead would only evict useful pages.
    // MDB_NOSYNC in both modes: durable mode syncs the journal per batch and LMDB at checkpoints.
    unsigned flags = MDB_NOTLS | MDB_NORDAHEAD | MDB_NOSYNC | (write_map_ ? MDB_WRITEMAP : 0u);
    rc = mdb_env_open(handle, dir.c_str(), flags, 0640);
    if (rc) {
        mdb_env_close(std::exchange(handle, nullptr));
        fail_open(dir, "mdb_env_open", rc);
    }
    try {
        mdb::Txn txn(handle, 0);
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
                throw std::runtime_error("storage: " + dir + " was written by an older Tidings "
                                         "(schema 1: article bytes inside LMDB); this build keeps "
                                         "them in the journal files (schema 2) and cannot convert "
                                         "it: start with an empty data directory");
            if (v->size() != 4 || codec::get_u32(*v, 0) != codec::schema_version)
                throw std::runtime_error("storage: " + dir +
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
        mdb_env_close(std::exchange(handle, nullptr));
        fail_open(dir, e.what(), e.code);
    } catch (...) {
        mdb_env_close(std::exchange(handle, nullptr));
        throw;
    }
    // LMDB syncs its files, not the directory that names them: make a new store's directory
    // entries durable too, before the first acknowledgement can depend on them.
    fsync_dir(dir);
    MDB_envinfo info{};
    mdb_env_info(handle, &info);
    if (int err = reserve_disk(info.me_mapsize)) {
        mdb_env_close(std::exchange(handle, nullptr));
        fail_open(dir, "fallocate", err);
    }
    return state_seq;
}

// With MDB_WRITEMAP LMDB only ftruncate()s the file to the map size, leaving it sparse: a write
// into a hole on a full disk would raise SIGBUS. Allocating the blocks up front turns that into
// an error we can answer with `deferred`.
int Environment::reserve_disk(std::size_t bytes) noexcept {
    if (!write_map_) return 0;
    mdb_filehandle_t fd{};
    if (mdb_env_get_fd(handle, &fd) != 0) return EINVAL;
    return ::posix_fallocate(fd, 0, static_cast<off_t>(bytes));
}

void Environment::close() noexcept {
    drain_read_pool();
    if (handle) mdb_env_close(std::exchange(handle, nullptr));
}

MDB_txn* Environment::acquire_read() const {
    MDB_txn* txn = nullptr;
    {
        std::lock_guard lk(read_pool_m_);
        if (!read_pool_.empty()) {
            txn = read_pool_.back();
            read_pool_.pop_back();
        }
    }
    if (txn) {
        if (mdb_txn_renew(txn) == MDB_SUCCESS) return txn;
        mdb_txn_abort(txn);
    }
    mdb::check("mdb_txn_begin", mdb_txn_begin(handle, nullptr, MDB_RDONLY, &txn));
    return txn;
}

void Environment::release_read(MDB_txn* txn) const noexcept {
    mdb_txn_reset(txn);
    std::lock_guard lk(read_pool_m_);
    if (read_pool_.size() < 64) {
        read_pool_.push_back(txn);
        return;
    }
    mdb_txn_abort(txn);
}

void Environment::drain_read_pool() const noexcept {
    std::lock_guard lk(read_pool_m_);
    for (auto* txn : read_pool_) mdb_txn_abort(txn);
    read_pool_.clear();
}

void Environment::close_gate() noexcept {
    for (int tries = 1; !gate.close_within(std::chrono::milliseconds(100)); ++tries)
        if (tries % 50 == 0)
            spdlog::warn("storage event=gate_waiting seconds={} note=\"a Snapshot is held too long\"",
                         tries / 10);
}

std::size_t next_map_size(std::size_t current) noexcept {
    return current + std::min(current, grow_step_cap);
}

}  // namespace tidings::storage::detail
