// Private to storage/: the checkpoint file, and LMDB's meta page.
//
// LMDB runs with MDB_NOSYNC under the journal (journal.h). A checkpoint syncs the data file
// (mdb_env_sync) and then records here which journal seq the synced state includes, together
// with a copy of the meta page of that state. From then until the next checkpoint is recorded,
// the writer holds a read transaction on that state, so LMDB never reuses its pages. After a
// crash — a killed process or a lost page cache — start-up writes the saved meta page back into
// both of LMDB's meta slots (whatever the newer, maybe half-written, ones said), which turns the
// data file back into exactly the checkpointed state, and replays the journal after it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "storage/checkpoint_format.h"  // Checkpoint, meta_page_txnid

namespace tidings::storage::detail {

// nullopt when there is none; throws std::runtime_error when it exists but is damaged.
std::optional<Checkpoint> read_checkpoint(const std::string& dir);
// Atomically replaces the checkpoint (temporary file, fdatasync, rename, directory fsync).
// Returns 0 or an errno.
int write_checkpoint(const std::string& dir, const Checkpoint& c) noexcept;

// Writes `page` into both meta slots of the data file (pgno 0 and 1) and syncs it.
// Returns 0 or an errno.
int restore_meta_pages(const std::string& data_file, std::string_view page) noexcept;

}  // namespace tidings::storage::detail
