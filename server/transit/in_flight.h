// The Message-IDs being offered or received right now, with the session that has them (INN's
// WIP table): a second peer's CHECK gets 431 and its IHAVE 436 meanwhile. A CHECK answered 238
// only promises an article: the promise lapses after `hold` (INN's `wipcheck`, 5 s), and a
// TAKETHIS that brings the article from elsewhere takes it over. Pure (no I/O, the caller passes
// the time): unit-tested. I/O thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>

namespace tidings::server {

class InFlightTable {
public:
    using Clock = std::chrono::steady_clock;
    explicit InFlightTable(Clock::duration hold = std::chrono::seconds(5)) : hold_(hold) {}

    // Another session is receiving or storing `id`'s article.
    bool held_body_by_other(const std::string& id, std::uint64_t session) const;
    // Another session holds `id` in a way that still counts: its article is on the way, or its
    // CHECK promise has not lapsed at `now`.
    bool held_by_other(const std::string& id, std::uint64_t session, Clock::time_point now) const;

    // Gives `id` to `session`: `body` true while its article is received or stored (IHAVE 335,
    // TAKETHIS), false for a CHECK promise. Lapsed promises are dropped first, oldest first, in
    // time order: amortised O(1) per call, never a walk of the table.
    void hold(const std::string& id, std::uint64_t session, bool body, Clock::time_point now);
    // Drops `id` if `session` holds it (another session may hold it now).
    void release(const std::string& id, std::uint64_t session);
    // Drops everything `session` holds (it ended).
    void release_session(std::uint64_t session);

    // CHECK promises `session` holds that have not lapsed or been kept (limits.max_check_promises).
    std::uint32_t promises(std::uint64_t session) const;
    std::size_t size() const { return entries_.size(); }

private:
    struct Entry {
        std::uint64_t session = 0;
        Clock::time_point since{};
        bool body = false;
    };
    void erase(std::unordered_map<std::string, Entry>::iterator it);
    void expire(Clock::time_point now);

    Clock::duration hold_;
    std::unordered_map<std::string, Entry> entries_;
    // Promises in the order they were made (times only grow): the front lapses first. An entry
    // here may be stale (kept, released, renewed): it is checked against entries_ when it lapses.
    std::deque<std::pair<Clock::time_point, std::string>> by_time_;
    std::unordered_map<std::uint64_t, std::uint32_t> promises_;  // by session; no zero entries
};

}  // namespace tidings::server
