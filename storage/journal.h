// Private to storage/: the write-ahead journal, the durable commit point of the store — and the
// article log: an article's bytes live only here.
//
// Each write batch's changes (the redo list of LMDB puts and deletes, see mdb.h) and the bytes of
// the articles it stores are appended as one record and fdatasync()ed before any request of the
// batch is answered; LMDB itself runs with MDB_NOSYNC and is synced only at checkpoints
// (checkpoint.h), and it holds, for each article, a locator: file, offset, length of its bytes
// inside a record. Files: `journal.<first seq, 16 hex>` in the store directory, a new one when
// the current one passes `Options::journal_file_bytes`. A file is deleted once a checkpoint is
// past all its records and no article in the checkpointed state lives in it (expiry and
// cancels count them down: meta `seg:<file>`).
//
// Record (journal_format.h): magic(4) length(4) seq(8) file tag(4) crc32c(4), then `length`
// bytes of payload. The CRC covers length, seq, tag and payload, so a torn tail (power loss
// mid-append) is recognised and ignored: it was never acknowledged, because its fdatasync had
// not returned. The tag is the low 32 bits of the file's first seq: a deleted file may be
// recycled (renamed `journal.spare`; the next file reuses it, overwriting blocks it already
// has, which makes each fdatasync cheaper), and the old life's records after the new ones must
// end the file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "storage/journal_format.h"

namespace tidings::storage::detail {

class Journal {
public:
    // `preallocate`: bytes of disk reserved for each new file (its expected size).
    explicit Journal(std::string dir, std::uint64_t preallocate = 0)
        : dir_(std::move(dir)), preallocate_(preallocate) {}
    ~Journal();
    Journal(const Journal&) = delete;
    Journal& operator=(const Journal&) = delete;

    static constexpr std::size_t header_size = journal_format::header_size;
    using Record = journal_format::Record;
    // The intact record at `pos` of the contents of file `first_seq` (magic, length, CRC, the
    // file's tag), or nothing.
    static std::optional<Record> record_in(const std::string& data, std::size_t pos, std::uint64_t first_seq);
    // The payload length a record header (header_size bytes) announces, if it starts with the
    // magic; unchecked otherwise (record_in checks the rest).
    static std::optional<std::uint32_t> payload_length(std::string_view header);
    static std::string file_name(std::uint64_t first_seq);
    // Journal files in `dir`, by first seq (not the spare). Throws when the directory cannot be
    // read: a caller must never take "cannot read" for "nothing there".
    static std::map<std::uint64_t, std::filesystem::path> files(const std::string& dir);

    // Calls fn(seq, payload) for every intact record with seq > after, in order across files,
    // stopping at the first torn, corrupt or non-consecutive record. Files whose records all
    // precede `after` (their successor starts at or before after + 1) are not read. Returns the
    // last seq delivered (`after` when none). fn may throw; the exception propagates. `strict`:
    // intact records after the stop (a damaged or missing record in the middle) throw instead.
    static std::uint64_t replay(const std::string& dir, std::uint64_t after,
                                const std::function<void(std::uint64_t, std::string_view)>& fn,
                                bool strict = true);
    // fdatasyncs every file replay(dir, after) reads: records replayed from the page cache must
    // be on disk before a checkpoint counts them. 0 or an errno.
    static int sync_files(const std::string& dir, std::uint64_t after) noexcept;
    // Without a spare: writes one of `bytes` zeros (temp file, fdatasync, rename, directory
    // fsync), so the next file's every fdatasync overwrites blocks instead of allocating them.
    static void prepare_spare(const std::string& dir, std::uint64_t bytes) noexcept;
    // Deletes the named files, keeping one as the spare when there is none yet.
    static void remove(const std::string& dir, const std::set<std::uint64_t>& first_seqs) noexcept;

    // Starts a new file whose first record will be `first_seq`, and makes its directory entry
    // durable. Returns 0 or an errno.
    int start(std::uint64_t first_seq) noexcept;
    // Appends one record (not yet durable). Returns 0 or an errno.
    int append(std::uint64_t seq, std::string_view payload) noexcept;
    int sync() noexcept;  // fdatasync; 0 or an errno
    // Bytes of the open file known durable (up to the last successful sync), and cutting the
    // file back to them after a failed append or sync. 0 or an errno.
    std::uint64_t good_bytes() const noexcept { return synced_; }
    int truncate(std::uint64_t bytes) noexcept;
    void close() noexcept;
    std::uint64_t bytes_in_file() const noexcept { return offset_; }
    bool is_open() const noexcept { return fd_ >= 0; }
    bool unsynced() const noexcept { return offset_ != synced_; }
    // A sync failed: appends and syncs fail (EIO) until truncate() cuts the file back.
    bool failed() const noexcept { return failed_; }
    std::uint64_t first_seq() const noexcept { return first_seq_; }

private:
    std::string dir_;
    std::uint64_t preallocate_ = 0;
    int fd_ = -1;
    std::uint64_t offset_ = 0;
    std::uint64_t synced_ = 0;
    std::uint64_t first_seq_ = 0;
    bool failed_ = false;
};

}  // namespace tidings::storage::detail
