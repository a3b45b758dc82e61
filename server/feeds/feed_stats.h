// Per-peer counters and state of the outgoing feeds, for the periodic log line and the admin API.
// Touched only on the I/O thread.
#pragma once

#include <chrono>
#include <string>
#include <cstdint>
#include <string_view>

namespace tidings::server {

enum class FeedState : std::uint8_t {
    idle,         // no connection up yet (starting, or stopped)
    connected,    // at least one connection is up
    backing_off,  // every connection failed; the next attempt is at FeedStats::retry_at
    paused,       // stopping: no new exchanges
};
std::string_view to_string(FeedState s) noexcept;

struct FeedStats {
    FeedState state = FeedState::idle;
    std::chrono::system_clock::time_point retry_at{};  // when backing_off
    std::uint32_t connections_up = 0;
    bool streaming = true;   // false once the peer refused MODE STREAM (IHAVE fallback)
    std::uint64_t offered = 0;   // CHECK, TAKETHIS (without CHECK) and IHAVE commands sent
    std::uint64_t accepted = 0;  // 239 / 235
    std::uint64_t refused = 0;   // 438 / 435: the peer has it or does not want it
    std::uint64_t rejected = 0;  // 439 / 437: the peer refused the article itself
    std::uint64_t deferred = 0;  // 431 / 436: retried later
    std::uint64_t skipped = 0;   // expired or cancelled before sending: dropped from the queue
    std::uint64_t dropped = 0;   // dropped by the backlog policy (max_backlog, max_backlog_age_h)
    std::uint64_t connects = 0, disconnects = 0, connect_failures = 0;
    std::uint64_t faults = 0;  // a connection's run ended by an exception (logged, restarted)
    std::uint64_t tls_failures = 0;  // handshake, verification or pin failed: nothing was sent
    std::uint64_t bytes_sent = 0;       // NNTP bytes written (commands and articles)
    std::uint64_t wire_bytes_sent = 0;  // the same after COMPRESS (before TLS); equal without it
    std::uint64_t auth_failures = 0; // auth_file unreadable or the login refused: nothing was sent
    std::string last_error;          // why the last connection attempt failed (TLS, login), for /status
};

}  // namespace tidings::server
