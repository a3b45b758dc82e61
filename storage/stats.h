// Private to storage/: the store's statistics, written by the writer and checkpointer threads.
//
// Thread rule: any thread; every member is guarded by m_.
#pragma once

#include "storage/types.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

namespace tidings::storage::detail {

class Stats {
public:
    Stats() { commit_us_.reserve(ring_size); }

    void record_commit(std::chrono::microseconds took, std::size_t batch_size);
    void count_commit_failure();
    void count_deferred_low_space(std::size_t n);
    void record_checkpoint(std::chrono::milliseconds took);
    void set_journal_files(std::uint64_t files, std::uint64_t bytes);
    void set_map_bytes(std::uint64_t bytes, bool grown);
    std::uint64_t map_bytes() const;
    // The counters, with latency percentiles and the mean batch size over the ring filled in;
    // the fields read from LMDB and the checkpointer are left to the caller.
    StoreStats read() const;

private:
    static constexpr std::size_t ring_size = 4096;
    mutable std::mutex m_;
    StoreStats stats_;
    std::vector<std::uint32_t> commit_us_;  // ring of the last ring_size commit latencies
    std::size_t commit_pos_ = 0;
    std::uint64_t batch_total_ = 0;
};

}  // namespace tidings::storage::detail
