// Private to storage/: the writer's inbox — requests waiting for a batch.
//
// Thread rules: any thread posts and stops; only the writer thread takes and requeues. Every
// member is guarded by m_.
#pragma once

#include "storage/types.h"
#include "storage/write_ctx.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>

namespace tidings::storage::detail {

class Inbox {
public:
    using clock = std::chrono::steady_clock;

    explicit Inbox(const Options& opts)
        : max_articles_(opts.batch_max_articles), max_bytes_(opts.batch_max_bytes),
          deadline_(opts.batch_deadline) {}

    // Any thread. Queues `op`; once stopping, hands it back for the caller to answer
    // (`shutting_down`) outside the lock.
    std::unique_ptr<Op> post(std::unique_ptr<Op> op);
    // Any thread: from now on post() refuses. False when a previous stop already finished.
    bool begin_stop();
    void mark_stopped();  // the writer has exited

    // Writer thread. Waits for a request (or until `wake`, or the stop), then gathers a batch
    // (see inbox.cpp). `stopping` as seen under the lock at the end.
    struct Taken {
        Batch batch;
        bool stopping = false;
    };
    Taken take(clock::time_point wake);
    bool drained();  // stopping, and nothing left to take
    // Writer thread. Puts unfinished requests back at the tail; once stopping, hands them back
    // for the caller to answer instead.
    Batch requeue(Batch ops);

private:
    const std::size_t max_articles_, max_bytes_;
    const std::chrono::microseconds deadline_;
    std::mutex m_;
    std::condition_variable cv_;
    std::deque<std::unique_ptr<Op>> ops_;
    bool stopping_ = false;
    bool stopped_ = false;
};

}  // namespace tidings::storage::detail
