// Cancels waiting for their target.
#include "server/core/pending_cancels.h"

namespace tidings::server {

void PendingCancels::add(const std::string& target, std::vector<protocol::CancelElement> keys, std::size_t limit) {
    auto [it, fresh] = keys_.try_emplace(target);
    // Each target keeps at most 64 keys: one article's worth (protocol::cancel_elements).
    for (auto& k : keys)
        if (it->second.size() < 64) it->second.push_back(std::move(k));
    if (fresh) order_.push_back(target);
    while (keys_.size() > limit && !order_.empty()) {
        if (keys_.erase(order_.front())) ++dropped_;
        order_.pop_front();
    }
    // Taken targets leave stale names behind; keep the queue from growing past twice the map.
    if (order_.size() > 2 * keys_.size() + 64) {
        std::deque<std::string> live;
        for (auto& t : order_)
            if (keys_.count(t)) live.push_back(std::move(t));
        order_ = std::move(live);
    }
}

std::optional<std::vector<protocol::CancelElement>> PendingCancels::take(const std::string& target) {
    auto it = keys_.find(target);
    if (it == keys_.end()) return std::nullopt;
    auto keys = std::move(it->second);
    keys_.erase(it);
    return keys;
}

}  // namespace tidings::server
