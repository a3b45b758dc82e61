// Transit commands from feeding peers: IHAVE (RFC 3977 §6.3.2), MODE STREAM, CHECK and
// TAKETHIS (RFC 4644), pipelined, with answers in order and acks only after a durable commit.
// Transit owns the state of articles on their way in: the in-flight table, the bytes handed
// to the store writer, and the store outcomes coming back from it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "protocol/command.h"
#include "server/core/node_context.h"
#include "server/net/net.h"
#include "server/nntp/dispatcher.h"
#include "server/nntp/session_state.h"
#include "server/transit/in_flight.h"
#include "server/transit/store_acks.h"

namespace tidings::server {

class Transit {
public:
    explicit Transit(NodeContext& node);
    Transit(const Transit&) = delete;
    Transit& operator=(const Transit&) = delete;

    // Registers the transit commands (IHAVE, MODE STREAM, CHECK, TAKETHIS) and the end-of-session
    // release of in-flight ids with the dispatcher. The dispatcher has checked the role (a
    // configured peer on a transit listener) and the syntax before a handler runs.
    void install(Dispatcher& d);

    // Answers one store outcome on the I/O thread (StoreAcks calls it).
    void deliver(StoreAck& ack);
    // Drops the in-flight reservations of a session that ended.
    void release_session(std::uint64_t session_id);

    NodeContext& node;

    // Message-IDs being offered or received right now, and by which session (in_flight.h).
    InFlightTable in_flight;
    // Store outcomes, handed back from the writer thread in batches.
    StoreAcks store_acks;
    // Refused ids handed to the writer for history and not yet committed.
    std::unordered_set<std::string> being_remembered;
};

}  // namespace tidings::server
