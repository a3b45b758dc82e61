// A client connection shared by the session's command loop (reader), its response writer and
// its watchdog: pipelined commands are answered in order, each as soon as it is decided
// (RFC 3977 §3.5), while later commands are already being read (RFC 4644 streaming).
#pragma once

#include "server/net/net.h"

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

namespace tidings::server {

class CompressLayer;  // server/net/compress_layer.h

// Why a connection ended, for the close log line and counters.
enum class CloseReason : std::uint8_t {
    none, quit, eof, idle_timeout, line_timeout, write_timeout, write_error, shutdown, limit, refused, fault
};
std::string_view to_string(CloseReason r) noexcept;

// Owned by shared_ptr: the command loop, the writer and the watchdog coroutines each hold one,
// and so does every storage completion that will fill a reserved answer. Touched only on the
// I/O thread (completions are posted there).
class Connection : public std::enable_shared_from_this<Connection> {
public:
    using clock = std::chrono::steady_clock;

    Connection(tcp::socket socket, std::chrono::seconds idle, std::chrono::seconds write_stall);
    ~Connection();  // in connection.cpp, where CompressLayer is complete

    tcp::socket& socket() { return socket_; }

    // Starts the writer and watchdog coroutines. Call once, right after construction.
    void start();

    // --- answers, in command order ---
    // Appends an answer that is ready now.
    void push(std::string data);
    // Reserves the next answer's place; fill() it later (exactly once).
    std::uint64_t reserve();
    void fill(std::uint64_t ticket, std::string data);
    std::size_t unanswered() const { return slots_.size(); }
    std::size_t queued_bytes() const { return queued_bytes_; }
    // Waits while more than `max_slots` answers are owed or `max_bytes` wait to be written:
    // a client that does not read its answers stops being read.
    awaitable<void> wait_for_room(std::size_t max_slots, std::size_t max_bytes);
    // No more answers will be added: the writer sends what is owed (waiting for reserved ones),
    // then this returns. The socket is left open for the caller to close.
    awaitable<void> finish();

    // --- reading with the idle timeout ---
    // Reads some bytes; 0 on EOF, error, idle timeout or shutdown (see close_reason()).
    awaitable<std::size_t> read_some(char* data, std::size_t size);
    // Makes a pending read return (used at shutdown: the session finishes its command).
    void stop_reading();

    // --- Input deadline (limits.line_timeout_s) ---
    // While input is under way (a command line begun, an article being sent) reads wait at most
    // until `t` instead of the idle timeout; a read that times out then closes the connection
    // with CloseReason::line_timeout. The idle timeout is for the quiet between commands only.
    void set_input_deadline(clock::time_point t);
    void clear_input_deadline() { input_deadline_ = clock::time_point::max(); }
    void set_line_timeout(std::chrono::seconds t) { line_timeout_ = t; }
    std::chrono::seconds line_timeout() const { return line_timeout_; }

    // --- TLS (RFC 4642/8143 STARTTLS, implicit-TLS listeners) ---
    // Runs the server side of a TLS handshake on the socket; afterwards every read and write
    // goes through TLS. Call only with no answer owed (wait_for_room(0, 0) first) and no read
    // pending. `timeout` bounds the whole handshake (a client that starts one and stalls holds a
    // slot only that long). False when it failed or timed out (close then).
    awaitable<bool> start_tls(std::shared_ptr<net::ssl::context> ctx, std::chrono::seconds timeout);
    bool tls() const { return tls_ != nullptr; }
    SSL* ssl() const { return tls_ ? tls_->native_handle() : nullptr; }  // once start_tls succeeded

    // --- COMPRESS DEFLATE (RFC 8054) ---
    // From now on answers are compressed before they are written (and before TLS), and what
    // is read is decompressed. `already_read`: bytes the client sent after its COMPRESS line
    // that the line reader holds (compressed already). Call with no answer owed
    // (wait_for_room(0, 0) first: the 206 goes out uncompressed).
    void start_compress(std::string_view already_read);
    bool compressing() const { return compress_ != nullptr; }

    // Article bytes of this connection handed to the store and not yet answered.
    std::uint64_t uncommitted_bytes = 0;

    // After a fault: every reserved answer not yet filled counts as ready and empty (a later
    // fill of it is ignored), so finish() cannot wait for an answer that will never come.
    void drop_owed_answers();

    bool failed() const { return failed_; }
    CloseReason close_reason() const { return reason_; }
    void set_close_reason(CloseReason r) {
        if (reason_ == CloseReason::none) reason_ = r;
    }
    void close();

private:
    awaitable<void> write_loop(std::shared_ptr<Connection> self);
    awaitable<void> watchdog(std::shared_ptr<Connection> self);
    void wake(net::steady_timer& t) { t.cancel(); }

    struct Slot {
        std::string data;
        bool ready = false;
    };

    tcp::socket socket_;
    std::shared_ptr<net::ssl::context> tls_context_;  // outlives tls_
    std::unique_ptr<net::ssl::stream<tcp::socket&>> tls_;
    std::unique_ptr<CompressLayer> compress_;
    static constexpr std::size_t compressed_read_bytes = 16384;
    std::string raw_;             // compressed input read from the socket...
    std::size_t raw_pos_ = 0;     // ...of which raw_[raw_pos_, size) is not yet inflated
    bool inflate_owed_ = false;   // the last step filled its buffer: more may come without input
    std::string deflated_;        // write buffer for compressed output
    awaitable<std::size_t> read_raw(char* data, std::size_t size);
    std::chrono::seconds idle_;
    std::chrono::seconds line_timeout_{30};
    clock::time_point input_deadline_ = clock::time_point::max();
    std::chrono::seconds write_stall_;
    std::deque<Slot> slots_;
    std::uint64_t first_ticket_ = 0;  // ticket of slots_.front()
    std::size_t queued_bytes_ = 0;
    bool finishing_ = false;
    bool writer_done_ = false;
    bool failed_ = false;
    bool reading_stopped_ = false;
    // The peer closed its side (or a read failed): later reads return 0 at once. Asio 1.74's
    // epoll reactor (edge-triggered) would otherwise wait for a readiness edge that never
    // comes when a session reads again after the EOF that ended an article (IHAVE, TAKETHIS
    // or POST cut short), holding the socket until the idle timeout.
    bool read_eof_ = false;
    CloseReason reason_ = CloseReason::none;
    clock::time_point read_deadline_ = clock::time_point::max();
    clock::time_point write_deadline_ = clock::time_point::max();
    // Parked at time_point::max() and cancelled to wake the waiter (Asio 1.18 has no channels).
    net::steady_timer writer_wake_;
    net::steady_timer room_wake_;
    net::steady_timer done_wake_;
    net::steady_timer watchdog_timer_;
};

}  // namespace tidings::server
