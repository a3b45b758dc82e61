// Blocking work (crypt(3), a mailer process) run on a thread of its own while the I/O thread
// keeps serving every other session; the calling coroutine resumes on the I/O thread.
#pragma once

#include "server/net/net.h"

#include <chrono>
#include <memory>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>

namespace tidings::server {

template <class F>
awaitable<std::invoke_result_t<F>> run_off_thread(net::io_context& io, F fn) {
    using R = std::invoke_result_t<F>;
    // The worker only computes and posts back a plain function: the coroutine's handler never
    // leaves the I/O thread (Asio's handler memory is per thread), and the Job (with its timer)
    // is only ever destroyed there.
    struct Job {
        explicit Job(net::io_context& io) : wake(io) {}
        net::steady_timer wake;
        std::optional<R> result;
    };
    auto job = std::make_shared<Job>(io);
    job->wake.expires_at(net::steady_timer::time_point::max());
    net::io_context* iop = &io;
    std::thread([iop, job, work = net::make_work_guard(io), fn = std::move(fn)]() mutable {
        R r = fn();
        net::post(*iop, [job = std::move(job), r = std::move(r)]() mutable {
            job->result = std::move(r);
            job->wake.cancel();
        });
        work.reset();
    }).detach();
    boost::system::error_code ec;
    while (!job->result) co_await job->wake.async_wait(net::redirect_error(use_awaitable, ec));
    co_return std::move(*job->result);
}

// A cap on one kind of blocking work (I/O thread only): callers past `max` wait their turn,
// looking again every `poll`, so a flood of requests cannot take every core or fork without end.
struct OffThreadLimit {
    int max;
    std::chrono::milliseconds poll;
    int running = 0;
};

template <class F>
awaitable<std::invoke_result_t<F>> run_off_thread(net::io_context& io, OffThreadLimit& limit, F fn) {
    net::steady_timer wait(io);
    boost::system::error_code ec;
    while (limit.running >= limit.max) {
        wait.expires_after(limit.poll);
        co_await wait.async_wait(net::redirect_error(use_awaitable, ec));
    }
    ++limit.running;
    auto result = co_await run_off_thread(io, std::move(fn));
    --limit.running;
    co_return result;
}

}  // namespace tidings::server
