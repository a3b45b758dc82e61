// A blocking HTTP/1.1 client for the admin API tests: raw requests (to send malformed ones)
// and simple ones, one connection each unless kept.
#pragma once

#include <chrono>
#include <map>
#include <string>

namespace tidings::testing {

struct HttpResult {
    int status = 0;  // 0: no answer (closed or timed out)
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string body;
    std::string raw;
};

// Sends `bytes` as is and reads until the server closes or one full response (by
// Content-Length) arrived.
HttpResult http_raw(int port, const std::string& bytes, std::chrono::milliseconds timeout = std::chrono::seconds(10));

HttpResult http_call(int port, const std::string& method, const std::string& path, const std::string& token = "",
                     const std::string& body = "");

// Polls GET `path` until pred(result) or timeout; returns the last result.
template <class Pred>
HttpResult http_wait(int port, const std::string& path, Pred pred,
                     std::chrono::milliseconds timeout = std::chrono::seconds(20));

// A connection that sends bytes slowly or not at all (for timeout tests).
class RawConnection {
public:
    explicit RawConnection(int port);
    ~RawConnection();
    bool send(const std::string& bytes);
    // True when the server closed the connection within `timeout`; `got` gets what it sent.
    bool closed_within(std::chrono::milliseconds timeout, std::string* got = nullptr);

private:
    int fd_ = -1;
};

}  // namespace tidings::testing

#include <thread>

template <class Pred>
tidings::testing::HttpResult tidings::testing::http_wait(int port, const std::string& path, Pred pred,
                                                         std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    HttpResult r;
    while (std::chrono::steady_clock::now() < deadline) {
        r = http_call(port, "GET", path);
        if (pred(r)) return r;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return r;
}
