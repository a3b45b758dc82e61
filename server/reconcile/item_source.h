// The item set one side of a reconciliation compares: every stored article filed in a group
// matching the wildmat, with a Date in [since, until), as (Date, salted hash of its
// Message-ID). A full scan of the store: build it off the I/O thread.
#pragma once

#include "protocol/reconcile.h"
#include "server/reconcile/item_id.h"
#include "storage/store.h"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace tidings::server::reconcile {

struct Window {
    std::string wildmat = "*";
    std::int64_t since = 0, until = 0;  // unix seconds of the articles' Date
    Salt salt{};
};

struct BuiltSet {
    protocol::reconcile::ItemSet set;
    std::vector<std::string> names;  // Message-IDs, parallel to set.items()
    std::vector<std::pair<std::uint64_t, std::uint32_t>> by_short;  // (short id, index), sorted
    std::uint64_t scanned = 0;       // stored articles looked at
    bool too_many = false;           // over max_items: the set is empty, refuse the session
    // The Message-IDs of the items whose short id is `s` (normally one).
    std::vector<std::string> lookup(std::uint64_t s) const;
};

std::shared_ptr<BuiltSet> build_set(const storage::Store& store, const Window& w, std::size_t max_items);

// An article's time for reconciliation: the Date field of an overview record (the third),
// in unix seconds; 0 when it does not parse (both sides agree on that too).
std::int64_t overview_date(std::string_view record);

}  // namespace tidings::server::reconcile
