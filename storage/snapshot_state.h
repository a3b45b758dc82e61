// Private to storage/: what a Snapshot holds — a read transaction inside the reader gate.
#pragma once

#include "storage/environment.h"
#include "storage/snapshot.h"

#include <deque>
#include <string>

namespace tidings::storage {

struct Snapshot::State {
    const detail::Environment* env;  // readers see only the environment
    mdb::Txn txn;
    std::deque<std::string> articles;  // bytes read from the article log, alive with the Snapshot
};

}  // namespace tidings::storage
