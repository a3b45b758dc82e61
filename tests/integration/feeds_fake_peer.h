// A scripted NNTP peer for the outgoing-feed tests: listens on 127.0.0.1 (ephemeral port),
// answers MODE STREAM, CHECK, TAKETHIS and IHAVE as its options say, and records what it got.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tidings::testing {

class FakePeer {
public:
    struct Options {
        bool streaming = true;        // false: "500" to MODE STREAM
        // Answer to a CHECK of this id, the n-th time (from 1) it is offered; 0 = 238.
        std::function<int(const std::string& id, int nth)> check_reply;
        // Connections (from 1) that are refused with 400 at the greeting.
        std::function<bool(int connection)> refuse_connection;
        // Close the connection after this many articles received on it (0 = never).
        int close_after_articles = 0;
    };

    explicit FakePeer(Options opts);
    ~FakePeer();
    FakePeer(const FakePeer&) = delete;
    FakePeer& operator=(const FakePeer&) = delete;

    int port() const { return port_; }
    // Every article received (TAKETHIS or IHAVE), by Message-ID, with how often.
    std::map<std::string, int> received() const;
    // Every command line received, in order (MODE STREAM, CHECK <id>, ...).
    std::vector<std::string> commands() const;
    int connections() const { return connections_; }
    // Waits until `n` distinct articles arrived or the timeout passed.
    bool wait_for(std::size_t n, std::chrono::milliseconds timeout) const;

private:
    void accept_loop();
    void serve(int fd, int connection);

    Options opts_;
    int listen_fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> connections_{0};
    std::thread acceptor_;
    std::vector<std::thread> sessions_;
    mutable std::mutex mu_;
    std::map<std::string, int> received_;
    std::map<std::string, int> offered_;
    std::vector<std::string> commands_;
    std::vector<int> fds_;
};

}  // namespace tidings::testing
