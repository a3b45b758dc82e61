// Private to storage/: what a Snapshot holds.
#pragma once

#include "storage/core.h"
#include "storage/snapshot.h"

namespace tidings::storage {

struct Snapshot::State {
    const detail::Core* core;
    mdb::Txn txn;
};

}  // namespace tidings::storage
