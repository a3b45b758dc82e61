#include "server/pull/work_set.h"

#include <algorithm>
#include <bit>

namespace tidings::server::pull {

void WorkSet::add(const std::string& id, unsigned upstream) {
    if (upstream >= max_upstreams) return;
    if (queues_.size() <= upstream) queues_.resize(upstream + 1);
    auto [it, fresh] = index_.emplace(id, static_cast<std::uint32_t>(items_.size()));
    if (fresh) {
        items_.push_back(Item{id});
        ++unresolved_;
    }
    Item& item = items_[it->second];
    if (item.offered & bit(upstream)) return;
    item.offered |= bit(upstream);
    if (item.state == State::unavailable) {  // a new offer after everyone failed: try it
        item.state = State::pending;
        --unavailable_;
        ++unresolved_;
    }
    if (item.state == State::pending) queues_[upstream].push_back(it->second);
}

void WorkSet::order_queues() {
    for (auto& q : queues_)
        std::stable_sort(q.begin(), q.end(), [&](std::uint32_t x, std::uint32_t y) {
            return std::popcount(items_[x].offered) < std::popcount(items_[y].offered);
        });
}

std::optional<std::string> WorkSet::take(unsigned upstream, Clock::time_point now, Clock::duration hedge_after) {
    if (upstream >= queues_.size()) return std::nullopt;
    auto& q = queues_[upstream];
    while (!q.empty()) {
        const auto i = q.front();
        q.pop_front();
        Item& item = items_[i];
        // Stale entries (taken by another upstream, resolved, or failed here) are dropped: a
        // retry puts the item back on every queue it belongs on.
        if (item.state != State::pending || (item.failed & bit(upstream))) continue;
        item.state = State::fetching;
        item.fetching = bit(upstream);
        item.since = now;
        fetching_.push_back(i);
        return item.id;
    }
    // Nothing of our own: hedge the oldest fetch elsewhere that has taken too long.
    std::erase_if(fetching_, [&](std::uint32_t i) { return items_[i].state != State::fetching; });
    const Item* oldest = nullptr;
    for (auto i : fetching_) {
        const Item& item = items_[i];
        if (item.hedged || !(item.offered & bit(upstream)) || (item.failed & bit(upstream)) ||
            (item.fetching & bit(upstream)) || now - item.since < hedge_after)
            continue;
        if (!oldest || item.since < oldest->since) oldest = &item;
    }
    if (!oldest) return std::nullopt;
    Item& item = items_[index_.at(oldest->id)];
    item.hedged = true;
    item.fetching |= bit(upstream);
    ++hedged_;
    return item.id;
}

void WorkSet::mark_resolved(Item& item, State s) {
    if (item.state == State::done || item.state == State::unavailable) return;
    item.state = s;
    item.fetching = 0;
    --unresolved_;
    if (s == State::unavailable) ++unavailable_;
}

void WorkSet::done(const std::string& id) {
    auto it = index_.find(id);
    if (it != index_.end()) mark_resolved(items_[it->second], State::done);
}

void WorkSet::requeue(std::uint32_t index) {
    const Item& item = items_[index];
    for (unsigned u = 0; u < queues_.size(); ++u)
        if ((item.offered & bit(u)) && !(item.failed & bit(u))) queues_[u].push_front(index);
}

void WorkSet::failed(const std::string& id, unsigned upstream) {
    auto it = index_.find(id);
    if (it == index_.end() || upstream >= max_upstreams) return;
    Item& item = items_[it->second];
    item.failed |= bit(upstream);
    item.fetching &= ~bit(upstream);
    if (item.state != State::fetching || item.fetching) return;  // resolved, or another copy is coming
    if ((item.offered & ~item.failed) == 0) {
        mark_resolved(item, State::unavailable);
        return;
    }
    item.state = State::pending;
    item.hedged = false;
    requeue(it->second);
}

void WorkSet::retry(const std::string& id, unsigned upstream) {
    auto it = index_.find(id);
    if (it == index_.end() || upstream >= max_upstreams) return;
    Item& item = items_[it->second];
    item.fetching &= ~bit(upstream);
    if (item.state != State::fetching || item.fetching) return;
    item.state = State::pending;
    item.hedged = false;
    requeue(it->second);
}

bool WorkSet::resolved(const std::string& id) const {
    auto it = index_.find(id);
    if (it == index_.end()) return false;
    const State s = items_[it->second].state;
    return s == State::done || s == State::unavailable;
}

bool WorkSet::is_done(const std::string& id) const {
    auto it = index_.find(id);
    return it != index_.end() && items_[it->second].state == State::done;
}

bool WorkSet::could_help(unsigned upstream) const {
    if (upstream >= max_upstreams) return false;
    for (const Item& item : items_)
        if ((item.state == State::pending || item.state == State::fetching) && (item.offered & bit(upstream)) &&
            !(item.failed & bit(upstream)) && !(item.fetching & bit(upstream)))
            return true;
    return false;
}

}  // namespace tidings::server::pull
