// Store outcomes of transit articles, on their way from the store's writer thread back to the
// I/O thread. A batch commit completes up to a few hundred articles at once; posting each one
// to the io_context cost a handler allocation, a lock and often a wake-up per article, and
// freed the article's buffers on the writer thread. Here the writer appends plain values to
// one vector and posts a single drain while it is non-empty; the values (request included,
// storage::StoreResult::request) are destroyed on the I/O thread that allocated them.
#pragma once

#include "server/net/net.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "storage/types.h"

namespace tidings::server {

class Connection;

// Which answers a store outcome gets (IHAVE: 235/435/437/436; TAKETHIS: 239/439/439/400).
struct AckCodes {
    int ok, duplicate, rejected, deferred;
};

struct StoreAck {
    std::shared_ptr<Connection> conn;
    std::uint64_t ticket = 0;  // the reserved answer to fill
    std::string id;
    std::uint64_t bytes = 0;   // counted against the back-pressure limits until answered
    AckCodes codes{};
    std::uint64_t session_id = 0;
    std::string peer;          // configured peer name, or "-"
    std::chrono::steady_clock::time_point received;  // the article's last byte was read
    storage::StoreResult result;
    bool group_control = false;  // a newgroup/rmgroup/checkgroups to act on once stored
};

class StoreAcks {
public:
    using Deliver = std::function<void(StoreAck&)>;  // runs on the I/O thread
    StoreAcks(net::io_context& io, Deliver deliver) : io_(io), deliver_(std::move(deliver)) {}
    StoreAcks(const StoreAcks&) = delete;
    StoreAcks& operator=(const StoreAcks&) = delete;

    // Any thread (the store's writer). Must not be called once this object is gone: run_node
    // stops the store before the Transit that owns it is destroyed, on every path
    // (server/node/start.cpp).
    void push(StoreAck ack);

private:
    void drain();  // I/O thread

    net::io_context& io_;
    Deliver deliver_;
    std::mutex m_;
    std::vector<StoreAck> pending_;  // guarded by m_
    bool posted_ = false;            // a drain is posted and has not taken pending_ yet
};

}  // namespace tidings::server
