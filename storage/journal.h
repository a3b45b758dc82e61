// Private to storage/: the write-ahead journal, the durable commit point of the store.
//
// Each write batch's changes (the redo list of LMDB puts and deletes, see redo.h) are appended
// as one record and fdatasync()ed before any request of the batch is answered; LMDB itself runs
// with MDB_NOSYNC and is synced only at checkpoints (checkpoint.h). A durable commit is therefore
// one sequential append plus one fdatasync instead of LMDB's scattered B-tree pages plus two
// syncs. Files: `journal.<first seq, 16 hex>` in the store directory; a checkpoint starts a new
// file and deletes the older ones once LMDB is synced past them.
//
// Record: magic(4) length(4) seq(8) file tag(4) crc32c(4), then `length` bytes of payload. The
// CRC covers length, seq, tag and payload, so a torn tail (power loss mid-append) is recognised
// and ignored: it was never acknowledged, because its fdatasync had not returned. The tag is the
// low 32 bits of the file's first seq: files are recycled (a checkpoint renames an old one to
// `journal.spare`, the next file reuses it, overwriting blocks it already has, which makes each
// fdatasync cheaper), and the old life's records after the new ones must end the file.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace tidings::storage::detail {

class Journal {
public:
    explicit Journal(std::string dir) : dir_(std::move(dir)) {}
    ~Journal();
    Journal(const Journal&) = delete;
    Journal& operator=(const Journal&) = delete;

    // Calls fn(seq, payload) for every intact record with seq > after, in order across files,
    // stopping at the first torn, corrupt or non-consecutive record. Returns the last seq
    // delivered (`after` when none). fn may throw; the exception propagates.
    static std::uint64_t replay(const std::string& dir, std::uint64_t after,
                                const std::function<void(std::uint64_t, std::string_view)>& fn);
    // Deletes journal files whose first seq is below `first_seq` (all when UINT64_MAX), keeping
    // one as the spare when `recycle` (without it, the spare goes too). Safe while another thread
    // appends to a later file or starts one.
    static void remove_before(const std::string& dir, std::uint64_t first_seq, bool recycle = true) noexcept;

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
    std::uint64_t first_seq() const noexcept { return first_seq_; }

private:
    std::string dir_;
    int fd_ = -1;
    std::uint64_t offset_ = 0;
    std::uint64_t synced_ = 0;
    std::uint64_t first_seq_ = 0;
};

}  // namespace tidings::storage::detail
