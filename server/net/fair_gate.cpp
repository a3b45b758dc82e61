#include "server/net/fair_gate.h"

#include <algorithm>
#include <tuple>

namespace tidings::server {

awaitable<std::optional<FairGate::Turn>> FairGate::enter(std::string key, std::size_t max_waiting_per_key,
                                                         std::size_t max_waiting) {
    if (running_ < max_running_ && waiting_ == 0) {
        ++running_;
        co_return Turn(this);
    }
    auto [it, added] = queues_.try_emplace(key);
    auto& q = it->second;
    if (q.waiters.size() >= max_waiting_per_key || waiting_ >= max_waiting) {
        if (added) queues_.erase(it);
        co_return std::nullopt;
    }
    // A key that starts waiting queues behind the keys already waiting (round robin by the
    // time each was last served or arrived).
    if (added) q.last_served = ++serve_clock_;
    net::steady_timer wake(co_await net::this_coro::executor);
    wake.expires_at(net::steady_timer::time_point::max());
    Waiter w{&wake};
    q.waiters.push_back(&w);
    ++waiting_;
    // If this coroutine is destroyed while it waits (the node shuts down), it leaves the queue,
    // or hands back a turn it was granted and never saw.
    struct Leave {
        FairGate* gate;
        const std::string& key;
        Waiter& w;
        bool taken = false;
        ~Leave() {
            if (taken) return;
            if (w.granted) gate->release();
            else gate->forget(key, &w);
        }
    } leave{this, key, w};
    boost::system::error_code ec;
    while (!w.granted) co_await wake.async_wait(net::redirect_error(use_awaitable, ec));
    leave.taken = true;
    co_return Turn(this);
}

void FairGate::release() {
    --running_;
    grant_next();
}

void FairGate::grant_next() {
    while (running_ < max_running_ && !queues_.empty()) {
        // Few keys wait at once (bounded by max_waiting): a scan per turn costs far less than
        // the turn's work.
        auto best = queues_.end();
        std::tuple<std::uint64_t, std::uint64_t> best_order{};
        for (auto it = queues_.begin(); it != queues_.end(); ++it) {
            std::tuple<std::uint64_t, std::uint64_t> order{rank_ ? rank_(it->first) : 0, it->second.last_served};
            if (best == queues_.end() || order < best_order) {
                best = it;
                best_order = order;
            }
        }
        Waiter* w = best->second.waiters.front();
        best->second.waiters.pop_front();
        best->second.last_served = ++serve_clock_;
        if (best->second.waiters.empty()) queues_.erase(best);
        --waiting_;
        ++running_;
        w->granted = true;
        w->wake->cancel();
    }
}

void FairGate::forget(const std::string& key, Waiter* w) {
    auto it = queues_.find(key);
    if (it == queues_.end()) return;
    auto& ws = it->second.waiters;
    auto pos = std::find(ws.begin(), ws.end(), w);
    if (pos == ws.end()) return;
    ws.erase(pos);
    --waiting_;
    if (ws.empty()) queues_.erase(it);
}

}  // namespace tidings::server
