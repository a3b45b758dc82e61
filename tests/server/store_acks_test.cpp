// StoreAcks: outcomes pushed from another thread arrive on the io_context's thread, each once,
// in push order, and a delivery that throws neither stops the others nor comes back later.
#include "server/transit/store_acks.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace tidings::server {
namespace {

StoreAck ack_for(int i) {
    StoreAck a;
    char id[32];
    std::snprintf(id, sizeof id, "<%d@test>", i);  // (gcc 12 warns falsely on string appends here)
    a.id = id;
    a.result.request.article = std::string(100, 'x');  // travels back with the outcome
    return a;
}

// Runs the io_context until `done` says so (or a generous limit passes).
template <class Done>
void run_until(net::io_context& io, Done done) {
    auto guard = net::make_work_guard(io);
    for (int i = 0; i < 20000 && !done(); ++i) {
        io.run_for(std::chrono::milliseconds(1));
        io.restart();
    }
}

TEST(StoreAcks, DeliversEveryPushOnceInOrderOnTheIoThread) {
    net::io_context io(1);
    std::vector<std::string> got;
    std::thread::id io_thread;
    bool wrong_thread = false;
    StoreAcks acks(io, [&](StoreAck& a) {
        if (std::this_thread::get_id() != io_thread) wrong_thread = true;
        EXPECT_EQ(a.result.request.article.size(), 100u);
        got.push_back(a.id);
    });
    io_thread = std::this_thread::get_id();
    constexpr int n = 5000;
    std::thread writer([&] {
        for (int i = 0; i < n; ++i) acks.push(ack_for(i));
    });
    run_until(io, [&] { return got.size() >= static_cast<std::size_t>(n); });
    writer.join();
    io.restart();
    io.poll();  // nothing may be left or come twice
    ASSERT_EQ(got.size(), static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) EXPECT_EQ(got[i], ack_for(i).id);
    EXPECT_FALSE(wrong_thread);
}

TEST(StoreAcks, AThrowingDeliveryIsNotRepeatedAndDoesNotStopTheRest) {
    net::io_context io(1);
    std::vector<std::string> got;
    StoreAcks acks(io, [&](StoreAck& a) {
        got.push_back(a.id);
        if (a.id == ack_for(1).id) throw std::runtime_error("delivery failed");
    });
    for (int i = 0; i < 3; ++i) acks.push(ack_for(i));
    run_until(io, [&] { return got.size() >= 3; });
    acks.push(ack_for(3));  // a later drain must not bring back the first batch
    run_until(io, [&] { return got.size() >= 4; });
    io.restart();
    io.poll();
    EXPECT_EQ(got, (std::vector<std::string>{ack_for(0).id, ack_for(1).id, ack_for(2).id, ack_for(3).id}));
}

}  // namespace
}  // namespace tidings::server
