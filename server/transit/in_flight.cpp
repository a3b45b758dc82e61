// The in-flight table: who has which Message-ID, and CHECK promises that lapse in time order.
#include "server/transit/in_flight.h"

namespace tidings::server {

bool InFlightTable::held_body_by_other(const std::string& id, std::uint64_t session) const {
    auto it = entries_.find(id);
    return it != entries_.end() && it->second.session != session && it->second.body;
}

bool InFlightTable::held_by_other(const std::string& id, std::uint64_t session, Clock::time_point now) const {
    auto it = entries_.find(id);
    if (it == entries_.end() || it->second.session == session) return false;
    return it->second.body || now - it->second.since < hold_;
}

void InFlightTable::erase(std::unordered_map<std::string, Entry>::iterator it) {
    if (!it->second.body) {
        auto p = promises_.find(it->second.session);
        if (p != promises_.end() && --p->second == 0) promises_.erase(p);
    }
    entries_.erase(it);
}

void InFlightTable::expire(Clock::time_point now) {
    while (!by_time_.empty() && now - by_time_.front().first >= hold_) {
        auto it = entries_.find(by_time_.front().second);
        // Only the promise this record was made for: not one renewed since, nor an article.
        if (it != entries_.end() && !it->second.body && it->second.since == by_time_.front().first) erase(it);
        by_time_.pop_front();
    }
}

void InFlightTable::hold(const std::string& id, std::uint64_t session, bool body, Clock::time_point now) {
    expire(now);
    if (auto it = entries_.find(id); it != entries_.end()) erase(it);
    entries_.emplace(id, Entry{session, now, body});
    if (!body) {
        ++promises_[session];
        by_time_.emplace_back(now, id);
    }
}

void InFlightTable::release(const std::string& id, std::uint64_t session) {
    auto it = entries_.find(id);
    if (it != entries_.end() && it->second.session == session) erase(it);
}

void InFlightTable::release_session(std::uint64_t session) {
    for (auto it = entries_.begin(); it != entries_.end();) {
        auto next = std::next(it);
        if (it->second.session == session) erase(it);
        it = next;
    }
}

std::uint32_t InFlightTable::promises(std::uint64_t session) const {
    auto it = promises_.find(session);
    return it == promises_.end() ? 0 : it->second;
}

}  // namespace tidings::server
