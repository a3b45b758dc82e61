// Cancels whose target has not arrived yet and that need its Cancel-Lock to be judged (policy
// `key`): their keys are kept, by target, until the target comes (then checked and, when they
// match, the target is refused as cancelled) or they are pushed out by newer ones. In memory:
// a restart forgets them. Bounded by limits.max_pending_cancels, oldest out first (counted).
// I/O thread only.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "protocol/control.h"

namespace tidings::server {

class PendingCancels {
public:
    // Keeps `keys` for `target` (added to any kept already); past `limit` targets the oldest go.
    void add(const std::string& target, std::vector<protocol::CancelElement> keys, std::size_t limit);
    // The keys kept for `target`, removed; nullopt when none.
    std::optional<std::vector<protocol::CancelElement>> take(const std::string& target);
    std::size_t size() const { return keys_.size(); }
    std::uint64_t dropped() const { return dropped_; }

private:
    std::unordered_map<std::string, std::vector<protocol::CancelElement>> keys_;
    std::deque<std::string> order_;  // arrival order; may hold targets already taken
    std::uint64_t dropped_ = 0;
};

}  // namespace tidings::server
