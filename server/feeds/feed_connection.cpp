// One outgoing feed connection's life: connect, send by streaming or IHAVE until the
// connection fails or the feed stops, reconnect with exponential backoff and jitter.
#include "server/feeds/feed_peer.h"
#include "server/net/exception_text.h"

#include <spdlog/spdlog.h>

#include <random>

#include "server/feeds/feed_link.h"

namespace tidings::server {
namespace {

using namespace std::chrono_literals;
using feed::Link;

// One connected session: returns when the connection fails or the feed stops.
// `worked` is set once any exchange completed (the backoff then restarts from its base).
awaitable<void> run_link(std::shared_ptr<PeerFeed> fp, Link& link, unsigned index, bool streaming, bool& worked) {
    PeerFeed& f = *fp;
    if (streaming) {
        if (!co_await feed::stream_window(f, link, index, worked)) co_return;
    }
    const std::size_t window = std::max<std::uint32_t>(f.peer.window, 1);
    while (!streaming && !f.stopping && !f.paused) {
        auto batch = f.claim(std::min<std::size_t>(window, 16), index);
        if (batch.empty()) {
            co_await feed::wait_for_work(f);
            continue;
        }
        FeedOutcomes out;
        bool ok = co_await feed::offer_ihave(f, link, index, std::move(batch), out);
        f.settle(std::move(out));
        if (!ok) co_return;
        worked = true;
    }
    // Stopping: a polite goodbye; the answer does not matter.
    link.out = "QUIT\r\n";
    co_await link.flush();
}

}  // namespace

awaitable<void> feed_peer(std::shared_ptr<PeerFeed> fp, unsigned index) {
    PeerFeed& f = *fp;
    std::mt19937 rng(std::random_device{}());
    unsigned failures = 0;
    const auto cap = std::chrono::milliseconds(std::chrono::seconds(std::max<std::uint32_t>(f.peer.retry_s, 1)));
    while (!f.stopping) {
        if (f.paused) {  // parked until resume() or stop() cancels the timer
            boost::system::error_code ec;
            net::steady_timer t(f.node.io, net::steady_timer::time_point::max());
            f.backing_off.insert(&t);
            co_await t.async_wait(net::redirect_error(use_awaitable, ec));
            f.backing_off.erase(&t);
            failures = 0;
            continue;
        }
        Link link(f.node.io);
        f.streams.insert(&link.stream);
        bool worked = false;
        bool up = false;
        // Supervision: a fault (an exception: a bug, a store error) in one connection's run is
        // logged and counted, the connection is closed, and the sender starts over after the
        // same backoff as a failed connection; it never ends the sender or the process.
        std::exception_ptr fault;
        try {
            auto streaming = co_await feed::open_link(f, link, index);
            if (streaming && !f.stopping) {
                ++f.stats.connects;
                ++f.stats.connections_up;
                up = true;
                f.stats.state = f.paused ? FeedState::paused : FeedState::connected;
                spdlog::info("peer={} conn={} event=connected mode={}", f.peer.name, index,
                             *streaming ? (f.peer.takethis_only ? "takethis" : "stream") : "ihave");
                co_await run_link(fp, link, index, *streaming, worked);
            } else if (!streaming) {
                ++f.stats.connect_failures;
            }
        } catch (...) {
            fault = std::current_exception();
        }
        if (up) {
            --f.stats.connections_up;
            ++f.stats.disconnects;
            spdlog::info("peer={} conn={} event=disconnected{}", f.peer.name, index,
                         f.stopping ? " reason=stopping" : f.paused ? " reason=paused" : fault ? " reason=fault" : "");
        }
        if (fault) {
            ++f.stats.faults;
            worked = false;
            spdlog::error("peer={} conn={} event=sender_fault error=\"{}\"", f.peer.name, index,
                          exception_text(fault));
        }
        // Whatever the connection still held (a fault unwound past its window, or a write
        // failed halfway through a batch) is offered again, by this or another connection.
        if (std::size_t n = f.release_claims(index))
            spdlog::info("peer={} conn={} event=claims_released count={}", f.peer.name, index, n);
        f.streams.erase(&link.stream);
        boost::system::error_code ec;
        link.stream.socket().close(ec);
        if (f.stopping) break;
        if (f.paused) continue;
        // Exponential backoff from 250 ms, capped at retry_s, with jitter in [50 %, 100 %] so
        // that many connections do not reconnect in step.
        failures = worked ? 0 : failures + 1;
        auto base = std::min<std::chrono::milliseconds>(cap, 250ms * (1u << std::min(failures, 16u)));
        auto delay = std::chrono::milliseconds(
            base.count() / 2 + std::uniform_int_distribution<long>(0, base.count() / 2)(rng));
        if (f.stats.connections_up == 0) {
            f.stats.state = FeedState::backing_off;
            f.stats.retry_at = std::chrono::system_clock::now() + delay;
        }
        if (failures == 1 || failures % 8 == 0)
            spdlog::warn("peer={} conn={} event=backoff failures={} retry_in_ms={}", f.peer.name, index, failures,
                         delay.count());
        net::steady_timer t(f.node.io);
        t.expires_after(delay);
        f.backing_off.insert(&t);  // stop() cancels it
        co_await t.async_wait(net::redirect_error(use_awaitable, ec));
        f.backing_off.erase(&t);
    }
}

}  // namespace tidings::server
