#include "server/store_acks.h"

#include <spdlog/spdlog.h>

#include "server/connection.h"

namespace tidings::server {

void StoreAcks::push(StoreAck ack) {
    std::unique_lock lk(m_);
    pending_.push_back(std::move(ack));
    if (posted_) return;
    posted_ = true;
    lk.unlock();
    try {
        net::post(io_, [this] { drain(); });
    } catch (...) {
        // Not posted: let the next push try again, or every later outcome would wait forever.
        std::lock_guard again(m_);
        posted_ = false;
        throw;
    }
}

void StoreAcks::drain() {
    {
        std::lock_guard lk(m_);
        draining_.swap(pending_);
        posted_ = false;
    }
    // Every outcome is delivered once and then dropped, even if one delivery throws: a value
    // left in draining_ would come back with the next swap and be answered twice.
    struct Clear {
        std::vector<StoreAck>& v;
        ~Clear() { v.clear(); }  // the article buffers go here, on the thread that allocated them
    } clear{draining_};
    for (auto& ack : draining_) {
        try {
            deliver_(ack);
        } catch (const std::exception& e) {
            spdlog::error("event=ack_failed id={} error=\"{}\"", ack.id, e.what());
        }
    }
}

}  // namespace tidings::server
