// The wire side of an outgoing feed connection, shared by its streaming and IHAVE senders: the
// connection with its buffers, the peer's answers, connecting and negotiating, and reading a
// queued article out of the store. Internal to server/feeds/.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "server/feeds/credentials.h"
#include "server/feeds/feed_peer.h"
#include "server/net/compress_layer.h"
#include "server/net/net.h"
#include "storage/snapshot.h"

namespace tidings::server::feed {

// An answer line of the peer (protocol::parse_status_line).
struct Reply {
    int code = 0;      // 0: not a status line
    std::string id;    // second token (the Message-ID of streaming answers), may be empty
    std::string line;  // for logs
};
Reply parse_reply(std::string line);

// At most 200 bytes of `s` with CR, LF and NUL made spaces: safe in a log line.
std::string printable(std::string_view s);

// Commands and articles coalesced into one write up to about this many bytes.
inline constexpr std::size_t write_chunk = 256 * 1024;

// The peer's connection with its read buffer and the bytes waiting to be written. Every write
// and read has a deadline: a silent peer is a dead connection.
struct Link {
    beast::tcp_stream stream;
    // Set once TLS is up (open_link): from then on every byte goes through it. The tcp_stream
    // below keeps the deadlines.
    std::unique_ptr<net::ssl::stream<beast::tcp_stream&>> tls;
    // Set once COMPRESS DEFLATE is on (RFC 8054), inside TLS when both are: `out` is deflated
    // as it is written, and what the peer sends is inflated from `raw_in` into `in`.
    std::unique_ptr<CompressLayer> deflate;
    std::string raw_in;  // the peer's compressed bytes not inflated yet
    std::string in;
    std::string out;  // commands and articles waiting to be written
    FeedStats* stats = nullptr;  // bytes sent, before and after compression
    std::uint64_t bytes_read = 0;  // what the peer sent (before inflating)
    // The longest wait for a write or for the next bytes of an answer.
    std::chrono::seconds timeout{120};

    explicit Link(net::io_context& io) : stream(io) {}
    awaitable<bool> flush();                        // writes `out`; false: the connection failed
    bool has_line() const { return in.find("\r\n") != std::string::npos; }
    awaitable<std::optional<Reply>> read_reply();  // nullopt: failed, timed out or overlong
    // The multi-line block that follows a status line (RFC 3977 §3.1.1), as sent: dot-stuffed,
    // CRLF line ends, without the terminating ".\r\n". nullopt: failed, timed out, or more than
    // `max_bytes` without the terminator (the connection is then unusable). Not with COMPRESS.
    awaitable<std::optional<std::string>> read_block(std::size_t max_bytes);

private:
    awaitable<std::size_t> read_some(char* to, std::size_t n, boost::system::error_code& ec);
    awaitable<bool> fill_inflated();  // more of `in` from the compressed stream; false: failed
};

// What an outgoing TLS connection checks: the certificate's key against `pin` and/or its
// chain against `ca_file` for `server_name` (default `host`). Either may be empty, not both.
struct TlsTarget {
    std::string host;
    std::string server_name;
    std::string ca_file;
    std::string pin;
};

// The TLS handshake on a connected link with `ctx`, then the checks of `target`; from then on
// the link speaks TLS. Empty on success, else why not (for a log line).
awaitable<std::string> client_handshake(Link& link, net::ssl::context& ctx, const TlsTarget& target);

// RFC 4643 §2.3: AUTHINFO USER, then PASS when asked (381); 281 either way is success. Empty on
// success, else why not (never the password; the answer may quote the user name).
awaitable<std::string> login(Link& link, const Credentials& c);

// Connects to the peer and negotiates; nullopt on failure (logged). The bool is "streaming"
// (MODE STREAM accepted); false: IHAVE, by configuration or because the peer refused it.
awaitable<std::optional<bool>> open_link(PeerFeed& f, Link& link, unsigned index);

// The article's wire bytes, copied out of a short snapshot; nullopt when it was cancelled or
// expired (or is gone) since it was queued: such entries are acknowledged away.
std::optional<std::string> load_article(const storage::Store& store, const std::string& id);
bool still_stored(const storage::Snapshot& snap, const std::string& id);

// Parks until new entries are queued (wake), a deferred entry is due, or a short poll period
// passed (articles queued by code paths that do not notify are found this way too).
awaitable<void> wait_for_work(PeerFeed& f);

// RFC 4644 streaming (feed_streaming.cpp). Returns false when the connection failed; every
// entry in flight is then left queued. `worked`: set once any exchange completed.
awaitable<bool> stream_window(PeerFeed& f, Link& link, unsigned index, bool& worked);

// RFC 3977 §6.3.2 IHAVE, lock-step (feed_ihave.cpp): offers `batch` and fills `out` with every
// entry's fate. False: the connection failed.
awaitable<bool> offer_ihave(PeerFeed& f, Link& link, unsigned index, std::vector<storage::QueueEntry> batch,
                            FeedOutcomes& out);

}  // namespace tidings::server::feed
