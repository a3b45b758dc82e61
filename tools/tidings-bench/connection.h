// One blocking NNTP client connection: connect, send, read CRLF lines; TCP_NODELAY and
// TCP_QUICKACK on, because neither innd nor nnrpd sets TCP_NODELAY (see BENCHMARKS.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tidings::bench {

class Connection {
public:
    Connection() = default;
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Connects to host:port (any address family getaddrinfo returns); `timeout_s` bounds
    // every later read and write (SO_RCVTIMEO/SO_SNDTIMEO). `plain`: leave Nagle and delayed
    // ACKs on, as a naive client would. Returns false and sets error().
    bool open(const std::string& host, const std::string& port, double timeout_s, bool plain = false);

    // Writes all of `bytes`; false on error (error() says why).
    bool send_all(std::string_view bytes);

    // Next line without its CRLF; the view lives until the next read call. False on EOF,
    // timeout or error. Lines longer than 1 MB are an error (no server sends those).
    bool read_line(std::string_view& line);

    // True when a complete line is already buffered (read_line will not block).
    bool has_line() const noexcept;

    // Reads a dot-terminated block through its "." line; adds the octets read to `bytes`.
    bool skip_block(std::uint64_t& bytes);

    // Sends `command` + CRLF and reads one status line; returns its code (0 on failure).
    int command(std::string_view command, std::string_view& reply);

    // Takes ownership of an already connected socket (the self-test's fake server side).
    void adopt(int fd) noexcept;

    const std::string& error() const noexcept { return error_; }
    std::uint64_t bytes_read() const noexcept { return bytes_read_; }
    void close() noexcept;

private:
    bool fill();

    int fd_ = -1;
    bool quickack_ = true;
    std::string buf_;
    std::size_t pos_ = 0;      // start of unread data in buf_
    std::size_t scanned_ = 0;  // buf_ before this has no LF past pos_
    std::uint64_t bytes_read_ = 0;
    std::string error_;
};

// The three-digit code at the start of `line`, or 0.
int status_code(std::string_view line) noexcept;

}  // namespace tidings::bench
