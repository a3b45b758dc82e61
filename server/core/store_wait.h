// Awaiting a store request's `void(bool)` completion from a coroutine on the I/O thread.
// The completion runs on the writer thread: it posts the value here and wakes a parked timer
// (Asio 1.18 has no channels). The store completes every request exactly once, at shutdown too,
// and only after its batch committed — so a `true` means durable and visible to new Snapshots.
// (No lambdas as coroutine parameters: gcc 12 mis-destroys them.)
#pragma once

#include "server/net/net.h"
#include "storage/unique_function.h"

#include <memory>
#include <optional>

namespace tidings::server {

struct Waiter {
    explicit Waiter(net::io_context& io) : io(io), timer(io, net::steady_timer::time_point::max()) {}
    net::io_context& io;
    net::steady_timer timer;
    std::optional<bool> result;
};

inline storage::unique_function<void(bool)> completion(const std::shared_ptr<Waiter>& w) {
    return [w](bool ok) {
        net::post(w->io, [w, ok] {
            w->result = ok;
            w->timer.cancel();
        });
    };
}

inline awaitable<bool> wait_for(std::shared_ptr<Waiter> w) {
    while (!w->result) {
        boost::system::error_code ec;
        co_await w->timer.async_wait(net::redirect_error(use_awaitable, ec));
    }
    co_return *w->result;
}

}  // namespace tidings::server
