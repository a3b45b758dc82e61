// The store's statistics: commit latencies and batch sizes (STYLE §13), failures, checkpoints.
#include "storage/stats.h"

#include <algorithm>

namespace tidings::storage::detail {

void Stats::record_commit(std::chrono::microseconds took, std::size_t batch_size) {
    std::lock_guard lk(m_);
    auto us = static_cast<std::uint32_t>(std::min<std::int64_t>(took.count(), UINT32_MAX));
    if (commit_us_.size() < ring_size) {
        commit_us_.push_back(us);
    } else {
        commit_us_[commit_pos_] = us;
        commit_pos_ = (commit_pos_ + 1) % ring_size;
    }
    ++stats_.commits;
    batch_total_ += batch_size;
    stats_.last_batch_size = batch_size;
    const auto& cb = StoreStats::commit_bounds_us;
    ++stats_.commits_by_duration[static_cast<std::size_t>(std::lower_bound(cb.begin(), cb.end(), us) - cb.begin())];
    stats_.commit_us_sum += us;
    const auto& bb = StoreStats::batch_bounds;
    ++stats_.commits_by_batch_size[static_cast<std::size_t>(std::lower_bound(bb.begin(), bb.end(), batch_size) - bb.begin())];
    stats_.batch_size_sum += batch_size;
}

void Stats::count_commit_failure() {
    std::lock_guard lk(m_);
    ++stats_.commit_failures;
}

void Stats::count_deferred_low_space(std::size_t n) {
    std::lock_guard lk(m_);
    stats_.deferred_low_space += n;
}

void Stats::record_checkpoint(std::chrono::milliseconds took) {
    std::lock_guard lk(m_);
    ++stats_.checkpoints;
    stats_.last_checkpoint_ms = static_cast<std::uint64_t>(took.count());
}

void Stats::set_journal_files(std::uint64_t files, std::uint64_t bytes) {
    std::lock_guard lk(m_);
    stats_.journal_files = files;
    stats_.journal_bytes = bytes;
}

void Stats::set_map_bytes(std::uint64_t bytes, bool grown) {
    std::lock_guard lk(m_);
    stats_.map_bytes = bytes;
    if (grown) ++stats_.map_grows;
}

std::uint64_t Stats::map_bytes() const {
    std::lock_guard lk(m_);
    return stats_.map_bytes;
}

StoreStats Stats::read() const {
    StoreStats s;
    std::vector<std::uint32_t> lat;
    {
        std::lock_guard lk(m_);
        s = stats_;
        lat = commit_us_;
        if (s.commits) s.mean_batch_size = double(batch_total_) / double(s.commits);
    }
    if (!lat.empty()) {  // sorted outside the lock: the writer records on
        std::sort(lat.begin(), lat.end());
        s.commit_p50_us = lat[lat.size() / 2];
        s.commit_p99_us = lat[std::min(lat.size() - 1, lat.size() * 99 / 100)];
        s.commit_max_us = lat.back();
    }
    return s;
}

}  // namespace tidings::storage::detail
