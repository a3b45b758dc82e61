// The articles one pull run wants, who offers each, and who is fetching it: how the missing set
// is split across upstreams. Pure (no I/O): unit-tested on its own.
//
// Every connection asks for its next id (take). An id goes to the first free connection of
// any upstream that has it, so a fast upstream ends up with a larger share than a slow one
// without anyone measuring rates; an upstream that fails gives its ids back (retry) and the
// others take them. When a connection has nothing left of its own it may hedge: fetch an id
// another upstream has held for longer than `hedge_after` (a stalled or very slow upstream's
// last ids), once per id; whichever copy arrives first is stored, the other is a duplicate.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace tidings::server::pull {

class WorkSet {
public:
    using Clock = std::chrono::steady_clock;
    static constexpr unsigned max_upstreams = 64;  // one bit each

    // Records that `upstream` offers `id`. Ids resolved in this run stay resolved.
    void add(const std::string& id, unsigned upstream);

    // Once every upstream has made its offers: each upstream's queue puts the ids fewest others
    // offer first, so every upstream begins with what only it can give and the shared ids are
    // split between whoever is free at the end.
    void order_queues();

    // The next id for a connection of `upstream`, or nullopt when it has nothing to do now.
    std::optional<std::string> take(unsigned upstream, Clock::time_point now, Clock::duration hedge_after);

    // The article was stored, or is not wanted (duplicate, refused): resolved.
    void done(const std::string& id);
    // `upstream` cannot give it (430, a wrong or truncated article): the others may. Resolved as
    // unavailable once every upstream offering it failed.
    void failed(const std::string& id, unsigned upstream);
    // The fetch from `upstream` was lost with its connection (or the store asked to try later):
    // back to pending, for anyone.
    void retry(const std::string& id, unsigned upstream);

    bool resolved(const std::string& id) const;
    bool is_done(const std::string& id) const;  // resolved by done()
    // Whether `upstream` could still be given anything: an unresolved id it offers and has not
    // failed. A connection with nothing to take and no such id can stop.
    bool could_help(unsigned upstream) const;
    bool finished() const { return unresolved_ == 0; }

    std::size_t size() const { return items_.size(); }
    std::size_t unresolved() const { return unresolved_; }
    std::size_t unavailable() const { return unavailable_; }
    std::uint64_t hedged() const { return hedged_; }

private:
    enum class State : std::uint8_t { pending, fetching, done, unavailable };
    struct Item {
        std::string id;
        std::uint64_t offered = 0;   // upstreams that have it
        std::uint64_t failed = 0;    // upstreams that could not give it
        std::uint64_t fetching = 0;  // upstreams fetching it now
        State state = State::pending;
        bool hedged = false;
        Clock::time_point since{};  // when the first current fetch began
    };
    static std::uint64_t bit(unsigned u) { return std::uint64_t{1} << u; }
    void requeue(std::uint32_t index);  // a pending item goes back on its offerers' queues
    void mark_resolved(Item& item, State s);

    std::vector<Item> items_;
    std::unordered_map<std::string, std::uint32_t> index_;
    std::vector<std::deque<std::uint32_t>> queues_;  // per upstream, pending candidates
    std::vector<std::uint32_t> fetching_;             // items being fetched (hedge candidates)
    std::size_t unresolved_ = 0;
    std::size_t unavailable_ = 0;
    std::uint64_t hedged_ = 0;
};

}  // namespace tidings::server::pull
