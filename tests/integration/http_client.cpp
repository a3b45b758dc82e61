// Blocking HTTP client for the admin API tests.
#include "http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

namespace tidings::testing {
namespace {

int connect_loopback(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<std::uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

bool send_all(int fd, const std::string& bytes) {
    for (std::size_t off = 0; off < bytes.size();) {
        ssize_t n = ::send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
        if (n <= 0) return false;
        off += static_cast<std::size_t>(n);
    }
    return true;
}

// Parses what arrived; true when a whole response is there. `closed`: the server closed, so a
// shorter body is all there is (the answer to HEAD has a Content-Length and no body).
bool parse(const std::string& in, HttpResult& r, bool closed = false) {
    auto end = in.find("\r\n\r\n");
    if (end == std::string::npos || in.compare(0, 5, "HTTP/") != 0) return false;
    r.status = std::atoi(in.c_str() + in.find(' ') + 1);
    r.headers.clear();
    std::size_t pos = in.find("\r\n") + 2;
    while (pos < end) {
        auto eol = in.find("\r\n", pos);
        auto line = in.substr(pos, eol - pos);
        auto colon = line.find(':');
        if (colon != std::string::npos) {
            std::string name = line.substr(0, colon);
            std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
            auto v = line.substr(colon + 1);
            while (!v.empty() && v.front() == ' ') v.erase(0, 1);
            r.headers[name] = v;
        }
        pos = eol + 2;
    }
    std::size_t len = r.headers.count("content-length") ? std::stoul(r.headers["content-length"]) : 0;
    if (in.size() < end + 4 + len && !closed) return false;
    r.body = in.substr(end + 4, len);
    return true;
}

}  // namespace

HttpResult http_raw(int port, const std::string& bytes, std::chrono::milliseconds timeout) {
    HttpResult r;
    int fd = connect_loopback(port);
    if (fd < 0) return r;
    send_all(fd, bytes);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string in;
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0) continue;
        char buf[65536];
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        in.append(buf, static_cast<std::size_t>(n));
        if (parse(in, r)) break;
    }
    ::close(fd);
    r.raw = in;
    if (!parse(in, r, true)) r.status = 0;
    return r;
}

HttpResult http_call(int port, const std::string& method, const std::string& path, const std::string& token,
                     const std::string& body) {
    std::string req = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    if (!token.empty()) req += "Authorization: Bearer " + token + "\r\n";
    if (!body.empty() || method == "POST")
        req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    req += "\r\n" + body;
    return http_raw(port, req);
}

RawConnection::RawConnection(int port) : fd_(connect_loopback(port)) {}
RawConnection::~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
}
bool RawConnection::send(const std::string& bytes) { return fd_ >= 0 && send_all(fd_, bytes); }

bool RawConnection::closed_within(std::chrono::milliseconds timeout, std::string* got) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd p{fd_, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0) continue;
        char buf[4096];
        ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n <= 0) return true;
        if (got) got->append(buf, static_cast<std::size_t>(n));
    }
    return false;
}

}  // namespace tidings::testing
