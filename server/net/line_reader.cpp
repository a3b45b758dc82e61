// Buffered command-line reading over a Beast tcp_stream.
#include "server/net/line_reader.h"

#include <cstring>

namespace tidings::server {

namespace {
constexpr std::size_t read_chunk = 64 * 1024;
}

void LineReader::consume(std::size_t n) {
    start_ += n;
    if (start_ == end_) start_ = end_ = 0;
}

awaitable<bool> LineReader::fill(Connection& conn) {
    if (buf_.size() - end_ < read_chunk) {
        // Move the unread tail to the front (cheap: it is usually a partial line or article),
        // and grow only when the unread bytes themselves need the room.
        std::size_t unread = end_ - start_;
        if (start_ > 0) std::memmove(buf_.data(), buf_.data() + start_, unread);
        start_ = 0;
        end_ = unread;
        if (buf_.size() - end_ < read_chunk) buf_.resize(end_ + read_chunk);
    }
    std::size_t n = co_await conn.read_some(buf_.data() + end_, buf_.size() - end_);
    end_ += n;
    co_return n > 0;
}

awaitable<bool> LineReader::fill_within_line(Connection& conn, Connection::clock::time_point& started) {
    // Waiting with part of a line already here: the line deadline applies, counted from the
    // first time this line made us wait. With nothing pending it is the quiet between
    // commands, which only the idle timeout bounds.
    if (pending().empty()) {
        conn.clear_input_deadline();
    } else {
        if (started == Connection::clock::time_point{}) started = Connection::clock::now();
        conn.set_input_deadline(started + conn.line_timeout());
    }
    bool ok = co_await fill(conn);
    conn.clear_input_deadline();
    co_return ok;
}

awaitable<ReadLine> LineReader::read_line(Connection& conn) {
    Connection::clock::time_point started{};
    for (;;) {
        protocol::LineStep step = protocol::next_line(pending(), limit_);
        if (step.kind == protocol::Framing::line) {
            ReadLine r{step.has_nul ? ReadKind::nul : ReadKind::line, std::string(step.line)};
            consume(step.consumed);
            co_return r;
        }
        if (step.kind == protocol::Framing::too_long) {
            consume(step.consumed);
            // An over-long line is eaten to its line end, then answered 500 (INN's innd does).
            bool done = step.terminated;
            while (!done) {
                auto skip = protocol::skip_line(pending());
                consume(skip.consumed);
                done = skip.done;
                if (!done && !co_await fill_within_line(conn, started)) co_return ReadLine{};
            }
            co_return ReadLine{ReadKind::too_long, {}};
        }
        if (!co_await fill_within_line(conn, started)) co_return ReadLine{};
    }
}

}  // namespace tidings::server
