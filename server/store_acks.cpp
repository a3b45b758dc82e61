#include "server/store_acks.h"

#include "server/connection.h"

namespace tidings::server {

void StoreAcks::push(StoreAck ack) {
    std::unique_lock lk(m_);
    pending_.push_back(std::move(ack));
    if (posted_) return;
    posted_ = true;
    lk.unlock();
    net::post(io_, [this] { drain(); });
}

void StoreAcks::drain() {
    {
        std::lock_guard lk(m_);
        draining_.swap(pending_);
        posted_ = false;
    }
    for (auto& ack : draining_) deliver_store_ack(node_, ack);
    draining_.clear();  // the article buffers go here, on the thread that allocated them
}

}  // namespace tidings::server
