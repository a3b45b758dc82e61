// Connection: ordered answers (writer coroutine), idle and write-stall timeouts (watchdog).
#include "server/net/connection.h"
#include "server/net/compress_layer.h"

#include <algorithm>
#include <cstring>

namespace tidings::server {

std::string_view to_string(CloseReason r) noexcept {
    switch (r) {
        case CloseReason::none: return "none";
        case CloseReason::quit: return "quit";
        case CloseReason::eof: return "eof";
        case CloseReason::idle_timeout: return "idle_timeout";
        case CloseReason::line_timeout: return "line_timeout";
        case CloseReason::write_timeout: return "write_timeout";
        case CloseReason::write_error: return "write_error";
        case CloseReason::shutdown: return "shutdown";
        case CloseReason::limit: return "limit";
        case CloseReason::refused: return "refused";
        case CloseReason::fault: return "fault";
    }
    return "unknown";
}

Connection::Connection(tcp::socket socket, std::chrono::seconds idle, std::chrono::seconds write_stall)
    : socket_(std::move(socket)),
      idle_(idle),
      write_stall_(write_stall),
      writer_wake_(socket_.get_executor()),
      room_wake_(socket_.get_executor()),
      done_wake_(socket_.get_executor()),
      watchdog_timer_(socket_.get_executor()) {}

void Connection::start() {
    auto self = shared_from_this();
    net::co_spawn(socket_.get_executor(), write_loop(self), net::detached);
    net::co_spawn(socket_.get_executor(), watchdog(self), net::detached);
}

void Connection::push(std::string data) {
    queued_bytes_ += data.size();
    slots_.push_back(Slot{std::move(data), true});
    if (slots_.size() == 1) wake(writer_wake_);
}

std::uint64_t Connection::reserve() {
    slots_.push_back(Slot{});
    return first_ticket_ + slots_.size() - 1;
}

void Connection::fill(std::uint64_t ticket, std::string data) {
    if (ticket < first_ticket_ || ticket - first_ticket_ >= slots_.size()) return;  // a bug
    Slot& s = slots_[ticket - first_ticket_];
    if (s.ready) return;  // dropped after a fault (drop_owed_answers)
    queued_bytes_ += data.size();
    s.data = std::move(data);
    s.ready = true;
    if (ticket == first_ticket_) wake(writer_wake_);
}

void Connection::drop_owed_answers() {
    for (auto& slot : slots_) slot.ready = true;
    if (!slots_.empty()) wake(writer_wake_);
}

awaitable<void> Connection::wait_for_room(std::size_t max_slots, std::size_t max_bytes) {
    boost::system::error_code ec;
    while (!failed_ && !writer_done_ && (slots_.size() > max_slots || queued_bytes_ > max_bytes)) {
        room_wake_.expires_at(clock::time_point::max());
        co_await room_wake_.async_wait(net::redirect_error(use_awaitable, ec));
    }
}

awaitable<void> Connection::finish() {
    finishing_ = true;
    wake(writer_wake_);
    boost::system::error_code ec;
    while (!writer_done_) {
        done_wake_.expires_at(clock::time_point::max());
        co_await done_wake_.async_wait(net::redirect_error(use_awaitable, ec));
    }
}

awaitable<void> Connection::write_loop(std::shared_ptr<Connection> self) {
    (void)self;  // holds the connection alive while the loop runs
    boost::system::error_code ec;
    std::string out;
    for (;;) {
        if (!slots_.empty() && slots_.front().ready && !failed_) {
            // Gather every consecutive ready answer into one write: a pipelining peer gets
            // many 238/239 lines per segment.
            out.clear();
            while (!slots_.empty() && slots_.front().ready) {
                Slot& s = slots_.front();
                queued_bytes_ -= s.data.size();
                if (out.empty()) out.swap(s.data);
                else out += s.data;
                slots_.pop_front();
                ++first_ticket_;
            }
            write_deadline_ = clock::now() + write_stall_;
            if (watchdog_timer_.expiry() == clock::time_point::max()) wake(watchdog_timer_);
            std::string* wire = &out;
            if (compress_) {  // RFC 8054 §2.2.2: compressed first, then (if any) TLS
                deflated_.clear();
                compress_->compress(out, deflated_);
                wire = &deflated_;
            }
            if (tls_)
                co_await net::async_write(*tls_, net::buffer(*wire), net::redirect_error(use_awaitable, ec));
            else
                co_await net::async_write(socket_, net::buffer(*wire), net::redirect_error(use_awaitable, ec));
            write_deadline_ = clock::time_point::max();
            if (ec) {
                failed_ = true;
                set_close_reason(CloseReason::write_error);
                break;
            }
            if (out.capacity() > (1u << 20)) std::string().swap(out);  // don't keep a huge buffer
            if (deflated_.capacity() > (1u << 20)) std::string().swap(deflated_);
            wake(room_wake_);
            continue;
        }
        if ((finishing_ && slots_.empty()) || failed_) break;
        writer_wake_.expires_at(clock::time_point::max());
        co_await writer_wake_.async_wait(net::redirect_error(use_awaitable, ec));
    }
    writer_done_ = true;
    wake(done_wake_);
    wake(room_wake_);
}

awaitable<std::size_t> Connection::read_some(char* data, std::size_t size) {
    if (!compress_) co_return co_await read_raw(data, size);
    // Inflate straight into the caller's buffer: memory per connection stays the compressed
    // read buffer plus zlib's window, whatever the client's data expands to.
    for (;;) {
        if (raw_pos_ < raw_.size() || inflate_owed_) {
            auto r = compress_->decompress(std::string_view(raw_).substr(raw_pos_), data, size);
            raw_pos_ += r.consumed;
            if (!r.ok) {
                // RFC 8054 §2.2.2: corrupt compressed data closes the connection.
                set_close_reason(CloseReason::eof);
                co_return 0;
            }
            // A full buffer may leave output owed from input already taken.
            inflate_owed_ = r.produced == size;
            if (r.produced) co_return r.produced;
        }
        raw_.resize(compressed_read_bytes);
        raw_pos_ = 0;
        std::size_t n = co_await read_raw(raw_.data(), raw_.size());
        raw_.resize(n);
        if (n == 0) co_return 0;
    }
}

Connection::~Connection() = default;

void Connection::start_compress(std::string_view already_read) {
    compress_ = std::make_unique<CompressLayer>();
    raw_.assign(already_read);
    raw_pos_ = 0;
}

awaitable<std::size_t> Connection::read_raw(char* data, std::size_t size) {
    if (reading_stopped_ || failed_ || read_eof_) co_return 0;
    boost::system::error_code ec;
    read_deadline_ = std::min(clock::now() + idle_, input_deadline_);
    // A sleeping watchdog needs waking only when it would wake after this deadline (it sleeps
    // for ever, or until a later idle deadline while this one is a line deadline); one that
    // wakes earlier re-reads the deadlines and sleeps again.
    if (watchdog_timer_.expiry() > read_deadline_) wake(watchdog_timer_);
    std::size_t n = tls_ ? co_await tls_->async_read_some(net::buffer(data, size),
                                                          net::redirect_error(use_awaitable, ec))
                         : co_await socket_.async_read_some(net::buffer(data, size),
                                                            net::redirect_error(use_awaitable, ec));
    read_deadline_ = clock::time_point::max();
    if (ec || n == 0) {
        read_eof_ = true;
        set_close_reason(reading_stopped_ ? CloseReason::shutdown : CloseReason::eof);
        co_return 0;
    }
    co_return n;
}

awaitable<bool> Connection::start_tls(std::shared_ptr<net::ssl::context> ctx, std::chrono::seconds timeout) {
    if (failed_ || reading_stopped_ || tls_) co_return false;
    tls_context_ = std::move(ctx);
    tls_ = std::make_unique<net::ssl::stream<tcp::socket&>>(socket_, *tls_context_);
    boost::system::error_code ec;
    // The handshake has its own deadline, shorter than the idle one: it is no time to think.
    read_deadline_ = clock::now() + timeout;
    if (watchdog_timer_.expiry() == clock::time_point::max()) wake(watchdog_timer_);
    co_await tls_->async_handshake(net::ssl::stream_base::server, net::redirect_error(use_awaitable, ec));
    read_deadline_ = clock::time_point::max();
    if (ec) {
        failed_ = true;
        set_close_reason(CloseReason::eof);
        co_return false;
    }
    co_return true;
}

void Connection::set_input_deadline(clock::time_point t) {
    input_deadline_ = t;
    // A read already waiting keeps its old deadline; the next read (each line reader fill is
    // one) takes this one. Pull a pending wait in if it is later.
    if (read_deadline_ != clock::time_point::max() && t < read_deadline_) {
        read_deadline_ = t;
        wake(watchdog_timer_);
    }
}

void Connection::stop_reading() {
    reading_stopped_ = true;
    boost::system::error_code ec;
    // Wakes a pending read with EOF without cancelling a write in progress.
    socket_.shutdown(tcp::socket::shutdown_receive, ec);
}

awaitable<void> Connection::watchdog(std::shared_ptr<Connection> self) {
    (void)self;  // holds the connection alive while the loop runs
    boost::system::error_code ec;
    while (socket_.is_open()) {
        auto next = std::min(read_deadline_, write_deadline_);
        watchdog_timer_.expires_at(next);
        co_await watchdog_timer_.async_wait(net::redirect_error(use_awaitable, ec));
        if (!socket_.is_open()) break;
        auto now = clock::now();
        if (now >= write_deadline_) {
            // A client that stops reading its answers is closed, not buffered for.
            set_close_reason(CloseReason::write_timeout);
            failed_ = true;
            close();
            break;
        }
        if (now >= read_deadline_) {
            set_close_reason(now >= input_deadline_ ? CloseReason::line_timeout : CloseReason::idle_timeout);
            read_deadline_ = clock::time_point::max();
            reading_stopped_ = true;
            socket_.shutdown(tcp::socket::shutdown_receive, ec);
        }
    }
}

void Connection::close() {
    boost::system::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    wake(watchdog_timer_);
    wake(writer_wake_);
}

}  // namespace tidings::server
