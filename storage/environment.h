// Private to storage/: the LMDB environment and what readers share with the writer — its handle
// and databases, the reader gate, the pool of read transactions and the article log's files.
//
// Thread rules: `handle` and `dbi` change only on the writer thread with the gate closed (or
// before the writer starts and after it stopped); any other thread reads them only between
// gate.enter() and gate.leave() — which is all a Snapshot sees of the store. The read pool and
// the log have locks of their own: any thread.
#pragma once

#include "storage/gate.h"
#include "storage/log_files.h"
#include "storage/mdb.h"
#include "storage/types.h"
#include "storage/write_ctx.h"

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace tidings::storage::detail {

class Environment {
public:
    explicit Environment(const Options& opts)
        : dir(opts.dir), log(opts.dir), write_map_(opts.write_map),
          initial_map_bytes_(opts.initial_map_bytes) {}
    Environment(const Environment&) = delete;
    Environment& operator=(const Environment&) = delete;

    // Opens LMDB in `dir` (data.mdb as it is: the caller restored a checkpoint first) and its
    // databases, and checks the schema. Returns the last journal record the state holds (meta
    // journal_seq; 0 for a new store). Throws std::runtime_error, leaving it closed.
    std::uint64_t open();
    void close() noexcept;  // drains the read pool first; no transaction may be open
    // write_map: fallocate the data file to `bytes`. 0 or an errno.
    int reserve_disk(std::size_t bytes) noexcept;
    // Writer thread: waits for the readers to leave, retrying (never deadlocks a reader that
    // holds two Snapshots); gate.open() afterwards.
    void close_gate() noexcept;

    // Read transactions are reused (mdb_txn_reset / mdb_txn_renew, as lmdb.h advises) rather
    // than allocated per Snapshot. Pooled handles are reset: they pin no pages and do not stop
    // the map from growing. Any thread, inside the gate.
    MDB_txn* acquire_read() const;  // throws mdb::Error
    void release_read(MDB_txn*) const noexcept;

    const std::string dir;
    MDB_env* handle = nullptr;
    Dbis dbi;
    mutable Gate gate;
    LogFiles log;  // article bytes, for readers

private:
    void drain_read_pool() const noexcept;  // before mdb_env_close

    const bool write_map_;
    const std::size_t initial_map_bytes_;
    mutable std::mutex read_pool_m_;
    mutable std::vector<MDB_txn*> read_pool_;  // guarded by read_pool_m_
};

// The map size after one growth step: double, at most +1 GiB.
std::size_t next_map_size(std::size_t current) noexcept;

}  // namespace tidings::storage::detail
