// A fair turnstile for scarce work that clients can ask for at will (password checks): at most
// `max_running` turns at once; callers past that wait, grouped by a key (the client's address).
// A freed turn goes to the waiting key ranked best — lowest `rank(key)`, e.g. the address's
// recent failed logins — ties to the key served least recently; within a key, first come first
// served. So an address with many connections cannot queue ahead of everyone else, and an
// address that keeps failing waits behind the ones that do not.
// Bounded: past `max_waiting_per_key` waiting for one key or `max_waiting` in all, enter()
// refuses at once. I/O thread only.
#pragma once

#include "server/net/net.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>

namespace tidings::server {

class FairGate {
public:
    using Rank = std::function<std::uint64_t(const std::string& key)>;
    FairGate(int max_running, Rank rank) : max_running_(max_running), rank_(std::move(rank)) {}
    FairGate(const FairGate&) = delete;
    FairGate& operator=(const FairGate&) = delete;

    // A turn held: the next waiter gets it when this is destroyed.
    class Turn {
    public:
        explicit Turn(FairGate* gate) : gate_(gate) {}
        Turn(Turn&& o) noexcept : gate_(std::exchange(o.gate_, nullptr)) {}
        Turn& operator=(Turn&&) = delete;
        ~Turn() {
            if (gate_) gate_->release();
        }

    private:
        FairGate* gate_;
    };

    // Waits for a turn; nullopt (at once) when the queue is full for `key` or in all.
    awaitable<std::optional<Turn>> enter(std::string key, std::size_t max_waiting_per_key,
                                         std::size_t max_waiting);

    std::size_t waiting() const { return waiting_; }
    int running() const { return running_; }

private:
    struct Waiter {
        net::steady_timer* wake;
        bool granted = false;
    };
    struct Queue {
        std::deque<Waiter*> waiters;
        std::uint64_t last_served = 0;
    };
    void release();
    void grant_next();
    void forget(const std::string& key, Waiter* w);

    int max_running_;
    Rank rank_;
    int running_ = 0;
    std::size_t waiting_ = 0;
    std::uint64_t serve_clock_ = 0;
    std::map<std::string, Queue, std::less<>> queues_;  // keys with someone waiting
};

}  // namespace tidings::server
