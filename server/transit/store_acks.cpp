#include "server/transit/store_acks.h"

#include <spdlog/spdlog.h>

#include "server/net/connection.h"

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
    std::vector<StoreAck> batch;  // freed here, on the thread that allocated the articles
    {
        std::lock_guard lk(m_);
        batch.swap(pending_);
        posted_ = false;
    }
    // Every outcome is delivered once, even if one delivery throws.
    for (auto& ack : batch) {
        try {
            deliver_(ack);
        } catch (const std::exception& e) {
            spdlog::error("event=ack_failed id={} error=\"{}\"", ack.id, e.what());
        }
    }
}

}  // namespace tidings::server
