// Private to storage/: the reader gate, which lets the writer change the map size safely.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace tidings::storage::detail {

// Readers pass the gate for the life of a read transaction; the writer closes it to change the
// map size, which LMDB allows only with no transaction open in the process (mdb.c unmaps).
// Not a std::shared_mutex: glibc's rwlock prefers readers and could starve the writer.
// Any thread enters and leaves; only the writer thread (or the Store's, once the writer has
// stopped) closes and opens it.
class Gate {
public:
    void enter() {
        std::unique_lock lk(m_);
        cv_.wait(lk, [&] { return !closed_; });
        ++readers_;
    }
    void leave() {
        std::lock_guard lk(m_);
        if (--readers_ == 0) cv_.notify_all();
    }
    void close() {
        std::unique_lock lk(m_);
        closed_ = true;
        cv_.wait(lk, [&] { return readers_ == 0; });
    }
    // Closes the gate if every reader leaves within `patience`; otherwise opens it again and
    // returns false. The writer retries: a thread that opens a second Snapshot while holding one
    // (or calls stats()) would otherwise wait at the closed gate for itself, forever.
    bool close_within(std::chrono::milliseconds patience) {
        std::unique_lock lk(m_);
        closed_ = true;
        if (cv_.wait_for(lk, patience, [&] { return readers_ == 0; })) return true;
        closed_ = false;
        cv_.notify_all();
        return false;
    }
    void open() {
        std::lock_guard lk(m_);
        closed_ = false;
        cv_.notify_all();
    }

private:
    std::mutex m_;
    std::condition_variable cv_;
    int readers_ = 0;
    bool closed_ = false;
};

}  // namespace tidings::storage::detail
