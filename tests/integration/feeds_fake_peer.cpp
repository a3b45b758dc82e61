// The scripted peer of feeds_fake_peer.h: blocking sockets, one thread per connection.
#include "feeds_fake_peer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

namespace tidings::testing {
namespace {

bool send_all(int fd, std::string_view s) {
    while (!s.empty()) {
        ssize_t n = ::send(fd, s.data(), s.size(), MSG_NOSIGNAL);
        if (n <= 0) return false;
        s.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

// Reads one CRLF line into `line` (without CRLF); false on EOF/error.
bool read_line(int fd, std::string& buf, std::string& line) {
    for (;;) {
        auto pos = buf.find("\r\n");
        if (pos != std::string::npos) {
            line = buf.substr(0, pos);
            buf.erase(0, pos + 2);
            return true;
        }
        char tmp[65536];
        ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
        if (n <= 0) return false;
        buf.append(tmp, static_cast<std::size_t>(n));
    }
}

// Reads a dot-terminated block; false on EOF.
bool read_block(int fd, std::string& buf) {
    std::string line;
    for (;;) {
        if (!read_line(fd, buf, line)) return false;
        if (line == ".") return true;
    }
}

std::string arg(const std::string& line) {
    auto sp = line.find(' ');
    return sp == std::string::npos ? "" : line.substr(sp + 1);
}

}  // namespace

FakePeer::FakePeer(Options opts) : opts_(std::move(opts)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(listen_fd_, 16);
    socklen_t len = sizeof a;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
}

FakePeer::~FakePeer() {
    stop_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    acceptor_.join();
    {
        std::lock_guard lock(mu_);
        for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : sessions_) t.join();
    for (int fd : fds_) ::close(fd);
    ::close(listen_fd_);
}

void FakePeer::accept_loop() {
    while (!stop_) {
        pollfd p{listen_fd_, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        int fd = ::accept(listen_fd_, nullptr, nullptr);
        if (fd < 0) continue;
        int n = ++connections_;
        std::lock_guard lock(mu_);
        fds_.push_back(fd);
        sessions_.emplace_back([this, fd, n] { serve(fd, n); });
    }
}

void FakePeer::serve(int fd, int connection) {
    std::string buf, line;
    if (opts_.refuse_connection && opts_.refuse_connection(connection)) {
        send_all(fd, "400 Not now\r\n");
        ::shutdown(fd, SHUT_RDWR);
        return;
    }
    send_all(fd, "200 fake peer ready\r\n");
    int articles = 0;
    auto got_article = [&](const std::string& id) {
        std::lock_guard lock(mu_);
        ++received_[id];
        return opts_.close_after_articles > 0 && ++articles >= opts_.close_after_articles;
    };
    while (read_line(fd, buf, line)) {
        {
            std::lock_guard lock(mu_);
            commands_.push_back(line);
        }
        std::string verb = line.substr(0, line.find(' '));
        std::string id = arg(line);
        if (verb == "MODE") {
            send_all(fd, opts_.streaming ? "203 Streaming permitted\r\n" : "500 What?\r\n");
        } else if (verb == "CHECK") {
            int nth;
            {
                std::lock_guard lock(mu_);
                nth = ++offered_[id];
            }
            int code = opts_.check_reply ? opts_.check_reply(id, nth) : 0;
            send_all(fd, std::to_string(code ? code : 238) + " " + id + "\r\n");
        } else if (verb == "TAKETHIS") {
            if (!read_block(fd, buf)) break;
            bool close_now = got_article(id);
            send_all(fd, "239 " + id + "\r\n");
            if (close_now) break;
        } else if (verb == "IHAVE") {
            send_all(fd, "335 Send it\r\n");
            if (!read_block(fd, buf)) break;
            bool close_now = got_article(id);
            send_all(fd, "235 Thanks\r\n");
            if (close_now) break;
        } else if (verb == "QUIT") {
            send_all(fd, "205 Bye\r\n");
            break;
        } else {
            send_all(fd, "500 What?\r\n");
        }
    }
    ::shutdown(fd, SHUT_RDWR);
}

std::map<std::string, int> FakePeer::received() const {
    std::lock_guard lock(mu_);
    return received_;
}

std::vector<std::string> FakePeer::commands() const {
    std::lock_guard lock(mu_);
    return commands_;
}

bool FakePeer::wait_for(std::size_t n, std::chrono::milliseconds timeout) const {
    auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
        if (received().size() >= n) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return received().size() >= n;
}

}  // namespace tidings::testing
