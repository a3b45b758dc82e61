// One blocking NNTP client connection (see connection.h).
#include "connection.h"

#include <cerrno>
#include <cmath>
#include <cstring>

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace tidings::bench {
namespace {

constexpr std::size_t max_line = 1 << 20;
constexpr std::size_t read_chunk = 256 * 1024;

void set_quickack(int fd) noexcept {
    // Linux clears TCP_QUICKACK on its own, so it is re-armed after every read; without it
    // the client's delayed ACK meets the server's Nagle and stalls ~40 ms per answer.
    int one = 1;
    (void)::setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
}

}  // namespace

int status_code(std::string_view line) noexcept {
    if (line.size() < 3) return 0;
    int code = 0;
    for (int i = 0; i < 3; ++i) {
        const char c = line[static_cast<std::size_t>(i)];
        if (c < '0' || c > '9') return 0;
        code = code * 10 + (c - '0');
    }
    return line.size() == 3 || line[3] == ' ' ? code : 0;
}

Connection::~Connection() { close(); }

void Connection::close() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

void Connection::adopt(int fd) noexcept {
    close();
    fd_ = fd;
}

bool Connection::open(const std::string& host, const std::string& port, double timeout_s, bool plain) {
    quickack_ = !plain;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (const int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &res); rc != 0) {
        error_ = "resolve " + host + ": " + ::gai_strerror(rc);
        return false;
    }
    error_ = "connect " + host + ":" + port + ": no address";
    for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
        const int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) continue;
        timeval tv{};
        tv.tv_sec = static_cast<time_t>(timeout_s);
        tv.tv_usec = static_cast<suseconds_t>((timeout_s - std::floor(timeout_s)) * 1e6);
        (void)::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        (void)::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        int one = 1;
        if (quickack_) (void)::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            if (quickack_) set_quickack(fd);
            fd_ = fd;
            error_.clear();
            break;
        }
        error_ = "connect " + host + ":" + port + ": " + std::strerror(errno);
        ::close(fd);
    }
    ::freeaddrinfo(res);
    return fd_ >= 0;
}

bool Connection::send_all(std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            error_ = errno == EAGAIN ? "write timed out" : std::string("write: ") + std::strerror(errno);
            return false;
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

bool Connection::fill() {
    if (pos_ > 0 && pos_ == buf_.size()) {
        buf_.clear();
        pos_ = scanned_ = 0;
    } else if (pos_ > read_chunk) {
        buf_.erase(0, pos_);
        scanned_ -= pos_;
        pos_ = 0;
    }
    const std::size_t old = buf_.size();
    buf_.resize(old + read_chunk);
    ssize_t n;
    do {
        n = ::recv(fd_, buf_.data() + old, read_chunk, 0);
    } while (n < 0 && errno == EINTR);
    buf_.resize(old + (n > 0 ? static_cast<std::size_t>(n) : 0));
    if (n == 0) {
        error_ = "connection closed by server";
        return false;
    }
    if (n < 0) {
        error_ = errno == EAGAIN ? "read timed out" : std::string("read: ") + std::strerror(errno);
        return false;
    }
    bytes_read_ += static_cast<std::uint64_t>(n);
    if (quickack_) set_quickack(fd_);
    return true;
}

bool Connection::has_line() const noexcept {
    return std::memchr(buf_.data() + scanned_, '\n', buf_.size() - scanned_) != nullptr;
}

bool Connection::read_line(std::string_view& line) {
    for (;;) {
        const char* start = buf_.data() + scanned_;
        if (const void* lf = std::memchr(start, '\n', buf_.size() - scanned_)) {
            const auto end = static_cast<std::size_t>(static_cast<const char*>(lf) - buf_.data());
            std::size_t len = end - pos_;
            if (len > 0 && buf_[end - 1] == '\r') --len;
            line = std::string_view(buf_.data() + pos_, len);
            pos_ = scanned_ = end + 1;
            return true;
        }
        scanned_ = buf_.size();
        if (buf_.size() - pos_ > max_line) {
            error_ = "line longer than 1 MB";
            return false;
        }
        if (!fill()) return false;
    }
}

bool Connection::skip_block(std::uint64_t& bytes) {
    std::string_view line;
    while (read_line(line)) {
        bytes += line.size() + 2;
        if (line == ".") return true;
    }
    return false;
}

int Connection::command(std::string_view command, std::string_view& reply) {
    std::string out(command);
    out += "\r\n";
    if (!send_all(out) || !read_line(reply)) return 0;
    const int code = status_code(reply);
    if (code == 0) error_ = "malformed status line";
    return code;
}

}  // namespace tidings::bench
