// Private to storage/: the calls that make a write batch durable, behind one seam, so tests can
// fail them (STYLE §11, fault injection) and production code has no test branch.
//
// Store::open uses this class as it is: each call only does the real thing. A test derives from
// it, overrides what it wants to fail, and opens the store with detail::open_store (store.h).
#pragma once

#include "storage/journal.h"
#include "storage/mdb.h"

namespace tidings::storage::detail {

class CommitIo {
public:
    virtual ~CommitIo() = default;
    // Writer thread: commits a batch's write transaction (into the page cache: MDB_NOSYNC).
    // mdb_txn_commit frees the transaction even when it fails. 0 or an LMDB error / errno.
    virtual int commit(mdb::Txn& txn) noexcept { return txn.commit(); }
    // Writer thread: fdatasyncs the journal's unsynced records — in durable mode the batch's
    // record after its commit, in relaxed mode the old file's records before a rotation.
    virtual int sync_journal(Journal& journal) noexcept { return journal.sync(); }
    // Checkpointer or writer thread: syncs LMDB's data file before a checkpoint is recorded.
    virtual int sync_data(MDB_env* env) noexcept { return mdb_env_sync(env, 1); }
};

}  // namespace tidings::storage::detail
