// tidingsctl's HTTP client: getaddrinfo, connect, write the request, read to EOF.
#include "http_client.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace tidings::ctl {
namespace {

int connect_to(const std::string& host, int port, std::string& error) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res); rc != 0) {
        error = host + ": " + gai_strerror(rc);
        return -1;
    }
    int fd = -1;
    for (addrinfo* a = res; a; a = a->ai_next) {
        fd = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (fd < 0) continue;
        if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
        error = host + ":" + std::to_string(port) + ": " + std::strerror(errno);
        ::close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

}  // namespace

HttpReply http_request(const std::string& host, int port, const std::string& method, const std::string& path,
                       const std::string& token, const std::string& json_body, int timeout_s) {
    HttpReply r;
    int fd = connect_to(host, port, r.error);
    if (fd < 0) return r;
    std::string req = method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n" +
                      "User-Agent: tidingsctl\r\nAccept: application/json\r\n";
    if (!token.empty()) req += "Authorization: Bearer " + token + "\r\n";
    if (!json_body.empty() || method == "POST")
        req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(json_body.size()) + "\r\n";
    req += "\r\n" + json_body;
    for (std::size_t off = 0; off < req.size();) {
        ssize_t n = ::send(fd, req.data() + off, req.size() - off, MSG_NOSIGNAL);
        if (n <= 0) {
            r.error = std::string("send: ") + std::strerror(errno);
            ::close(fd);
            return r;
        }
        off += static_cast<std::size_t>(n);
    }
    std::string in;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            r.error = "timed out waiting for tidingsd";
            ::close(fd);
            return r;
        }
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
        char buf[16384];
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        in.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    // "HTTP/1.1 200 OK\r\n...\r\n\r\nbody"
    auto head_end = in.find("\r\n\r\n");
    if (in.compare(0, 5, "HTTP/") != 0 || head_end == std::string::npos || in.size() < 12) {
        r.error = "not an HTTP answer (is this the [http] port?)";
        return r;
    }
    r.status = std::atoi(in.c_str() + in.find(' ') + 1);
    r.body = in.substr(head_end + 4);
    return r;
}

}  // namespace tidings::ctl
