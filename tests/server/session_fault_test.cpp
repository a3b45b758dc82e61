// Supervision: a command handler that throws ends its own connection cleanly (a 403, then the
// socket closed: no hung client, no leaked descriptor) and nothing else.
#include "server/nntp/session.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <thread>

#include "protocol/command.h"
#include "temp_store.h"

namespace tidings::server {
namespace {

// A blocking loopback client: what the server says, until it closes (or 5 s pass).
std::string talk(int port, std::string_view send) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return "connect failed";
    ::send(fd, send.data(), send.size(), MSG_NOSIGNAL);
    std::string got;
    char buf[4096];
    for (;;) {
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n == 0) break;  // closed by the server
        if (n < 0) {
            got += "[still open]";
            break;
        }
        got.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return got;
}

TEST(SessionFault, AThrowingCommandGets403AndClosesOnlyItsConnection) {
    test::TempStore db;
    config::Config cfg;
    net::io_context io;
    NodeContext node(io, cfg, db.store());
    Dispatcher d;
    d.handle(protocol::Kind::date, [](Session&, const protocol::ParseResult&) -> awaitable<void> {
        throw std::runtime_error("planted fault");
        co_return;
    });
    tcp::acceptor acc(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    const int port = acc.local_endpoint().port();
    ListenerInfo info{"127.0.0.1", static_cast<std::uint16_t>(port), true, false};
    net::co_spawn(io, [&]() -> awaitable<void> {
        for (std::uint64_t id = 1; id <= 2; ++id) {
            auto sock = co_await acc.async_accept(use_awaitable);
            net::co_spawn(io, serve_session(std::move(sock), node, d, info, id), net::detached);
        }
    }, net::detached);
    std::thread t([&] { io.run(); });

    std::string faulted = talk(port, "HELP\r\nDATE\r\nHELP\r\n");
    std::string fine = talk(port, "HELP\r\nQUIT\r\n");
    io.stop();
    t.join();

    // The command before the fault is answered, the fault gets 403, nothing after it runs.
    EXPECT_NE(faulted.find("100 "), std::string::npos) << faulted;
    EXPECT_NE(faulted.find("403 "), std::string::npos) << faulted;
    EXPECT_EQ(faulted.find("[still open]"), std::string::npos) << faulted;
    EXPECT_EQ(faulted.rfind("100 "), faulted.find("100 ")) << "a command after the fault ran: " << faulted;
    EXPECT_EQ(node.counters.session_faults, 1u);
    // Another session is served as usual.
    EXPECT_NE(fine.find("205 "), std::string::npos) << fine;
}

}  // namespace
}  // namespace tidings::server
