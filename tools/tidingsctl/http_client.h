// A tiny blocking HTTP/1.1 client for tidingsctl: one request per connection, loopback or any
// address the admin gives. Enough for tidingsd's admin API, nothing more (no TLS, no chunked
// encoding: tidingsd always sends Content-Length).
#pragma once

#include <string>

namespace tidings::ctl {

struct HttpReply {
    int status = 0;     // 0: no answer (see error)
    std::string body;
    std::string error;  // connection or protocol problem, for the user
};

// Sends `method path` to host:port with an optional bearer token and JSON body; waits up to
// `timeout_s` seconds for the whole answer.
HttpReply http_request(const std::string& host, int port, const std::string& method, const std::string& path,
                       const std::string& token, const std::string& json_body, int timeout_s = 10);

}  // namespace tidings::ctl
