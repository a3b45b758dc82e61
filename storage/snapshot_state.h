// Private to storage/: what a Snapshot holds.
#pragma once

#include "storage/core.h"
#include "storage/snapshot.h"

#include <deque>
#include <string>

namespace tidings::storage {

struct Snapshot::State {
    const detail::Core* core;
    mdb::Txn txn;
    std::deque<std::string> articles;  // bytes read from the article log, alive with the Snapshot
};

}  // namespace tidings::storage
