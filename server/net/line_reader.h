// Reads NNTP command lines from a stream with the RFC 3977 §3.1 length limit, keeping unread
// bytes (pipelined commands, article data) for the next call.
#pragma once

#include "server/net/net.h"
#include "server/net/connection.h"

#include <string>
#include <string_view>

#include "protocol/line_framing.h"

namespace tidings::server {

enum class ReadKind { line, too_long, nul, closed };

struct ReadLine {
    ReadKind kind = ReadKind::closed;
    std::string line;  // for `line`: the text without its line end
};

class LineReader {
public:
    LineReader() = default;
    explicit LineReader(std::size_t limit) : limit_(limit) {}

    // Next command line. EOF, reset, idle timeout and shutdown all come back as `closed`
    // (the connection's close_reason() says which).
    awaitable<ReadLine> read_line(Connection& conn);

    // Bytes received but not yet consumed (e.g. the start of an article after IHAVE).
    std::string_view pending() const { return {buf_.data() + start_, end_ - start_}; }
    void consume(std::size_t n);
    // Reads at least one more chunk into the buffer; false on EOF/error/timeout.
    awaitable<bool> fill(Connection& conn);

private:
    awaitable<bool> fill_within_line(Connection& conn, Connection::clock::time_point& started);
    // buf_[start_, end_) holds unread bytes; buf_'s size is its allocated room, so reads do
    // not zero-fill (std::string::resize would) on the ingest path.
    std::string buf_;
    std::size_t start_ = 0;
    std::size_t end_ = 0;
    std::size_t limit_ = protocol::max_command_line;
};

}  // namespace tidings::server
