// A tiny in-process NNTP server for the self-test: just enough transit (MODE STREAM, CHECK,
// TAKETHIS, IHAVE) and reading (MODE READER, GROUP, OVER, ARTICLE) to exercise the client.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tidings::bench {

class FakeServer {
public:
    // `expected`: Message-ID -> article text (CRLF, unstuffed); a received article that differs
    // is refused with 439/437 and counted in mismatches().
    explicit FakeServer(std::map<std::string, std::string> expected);
    ~FakeServer();
    FakeServer(const FakeServer&) = delete;
    FakeServer& operator=(const FakeServer&) = delete;

    // Listens on 127.0.0.1, port chosen by the kernel; 0 when that failed.
    unsigned port() const noexcept { return port_; }
    std::uint64_t mismatches() const noexcept { return mismatches_; }
    std::size_t stored() const;

private:
    void accept_loop();
    void serve(int fd);
    // Receives a dot-terminated article, stores it when new and intact; true when stored.
    bool take_article(class Connection& conn, const std::string& id);

    int listen_fd_ = -1;
    unsigned port_ = 0;
    std::atomic<bool> stopping_{false};
    std::atomic<std::uint64_t> mismatches_{0};
    std::map<std::string, std::string> expected_;
    mutable std::mutex mu_;
    std::map<std::string, std::string> spool_;   // id -> text
    std::vector<std::string> numbered_;          // article number - 1 -> id
    std::thread acceptor_;
    std::vector<std::thread> sessions_;
};

}  // namespace tidings::bench
