// The writer's inbox: requests in from any thread, batches out to the writer (STYLE §6).
#include "storage/inbox.h"

#include <algorithm>

namespace tidings::storage::detail {

std::unique_ptr<Op> Inbox::post(std::unique_ptr<Op> op) {
    std::lock_guard lk(m_);
    if (stopping_) return op;
    op->enqueued = clock::now();
    ops_.push_back(std::move(op));
    cv_.notify_one();
    return nullptr;
}

bool Inbox::begin_stop() {
    std::lock_guard lk(m_);
    if (stopping_ && stopped_) return false;
    stopping_ = true;
    cv_.notify_one();
    return true;
}

void Inbox::mark_stopped() {
    std::lock_guard lk(m_);
    stopped_ = true;
}

// A batch closes at batch_max_articles requests, batch_max_bytes article bytes, or
// batch_deadline after its first request was submitted — or earlier, when no request arrived for
// an eighth of the deadline: with a small window in flight everything that will come is already
// here, and waiting out the deadline would only add latency. Under load the first request has
// waited through the previous commit, so the batch closes at once with all that is queued.
Inbox::Taken Inbox::take(clock::time_point wake) {
    Taken t;
    std::unique_lock lk(m_);
    auto ready = [&] { return stopping_ || !ops_.empty(); };
    if (wake == clock::time_point::max()) cv_.wait(lk, ready);
    else cv_.wait_until(lk, wake, ready);
    if (ops_.empty()) {
        t.stopping = stopping_;
        return t;
    }
    auto& batch = t.batch;
    const auto deadline = ops_.front()->enqueued + deadline_;
    const auto gap = deadline_ / 8;
    std::size_t bytes = 0;
    for (;;) {
        while (!ops_.empty() && batch.size() < max_articles_ &&
               (batch.empty() || bytes + ops_.front()->bytes() <= max_bytes_)) {
            bytes += ops_.front()->bytes();
            batch.push_back(std::move(ops_.front()));
            ops_.pop_front();
        }
        if (stopping_ || batch.size() >= max_articles_ || !ops_.empty()) break;
        auto now = clock::now();
        if (now >= deadline) break;
        auto until = std::min(deadline, now + gap);
        if (!cv_.wait_until(lk, until, ready)) break;
    }
    t.stopping = stopping_;
    return t;
}

bool Inbox::drained() {
    std::lock_guard lk(m_);
    return stopping_ && ops_.empty();
}

Batch Inbox::requeue(Batch ops) {
    std::lock_guard lk(m_);
    if (stopping_) return ops;
    for (auto& op : ops) ops_.push_back(std::move(op));
    return {};
}

}  // namespace tidings::storage::detail
