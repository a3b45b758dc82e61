// The wire side of an outgoing feed connection: answers, the link, connecting, loading articles.
#include "server/feeds/feed_link.h"

#include <spdlog/spdlog.h>

#include <openssl/ssl.h>

#include "protocol/reply.h"
#include "protocol/status.h"
#include "server/feeds/credentials.h"
#include "server/net/tls_context.h"

namespace tidings::server::feed {
namespace {

namespace st = protocol::status;
using namespace std::chrono_literals;

constexpr auto connect_timeout = 15s;
constexpr std::size_t max_line = 4096;
// zlib level of COMPRESS on feeds: the fastest (server/net/compress_layer.h says why).
constexpr int feed_compress_level = 1;

}  // namespace

Reply parse_reply(std::string line) {
    const auto s = protocol::parse_status_line(line);
    Reply r;
    r.code = s.code;
    r.id = std::string(s.argument);
    r.line = std::move(line);
    return r;
}

std::string printable(std::string_view s) {
    std::string out;
    for (char c : s.substr(0, 200)) out += (c == '\r' || c == '\n' || c == '\0') ? ' ' : c;
    return out;
}

awaitable<bool> Link::flush() {
    if (out.empty()) co_return true;
    boost::system::error_code ec;
    stream.expires_after(timeout);
    std::string packed;
    if (deflate) deflate->compress(out, packed);  // one sync flush per write: the peer can act on it
    const std::string& wire = deflate ? packed : out;
    if (stats) {
        stats->bytes_sent += out.size();
        stats->wire_bytes_sent += wire.size();
    }
    if (tls)
        co_await net::async_write(*tls, net::buffer(wire), net::redirect_error(use_awaitable, ec));
    else
        co_await net::async_write(stream, net::buffer(wire), net::redirect_error(use_awaitable, ec));
    out.clear();
    co_return !ec;
}

awaitable<std::size_t> Link::read_some(char* to, std::size_t n, boost::system::error_code& ec) {
    stream.expires_after(timeout);
    std::size_t got = tls ? co_await tls->async_read_some(net::buffer(to, n), net::redirect_error(use_awaitable, ec))
                          : co_await stream.async_read_some(net::buffer(to, n), net::redirect_error(use_awaitable, ec));
    bytes_read += got;
    co_return got;
}

awaitable<std::optional<std::string>> Link::read_block(std::size_t max_bytes) {
    if (deflate) co_return std::nullopt;
    // The block starts at in[0], just after a status line's CRLF: its end is a "." line there
    // or after any later CRLF. `scanned` keeps a long block from being searched again.
    std::size_t scanned = 0;
    for (;;) {
        if (in.starts_with(".\r\n")) {
            in.erase(0, 3);
            co_return std::string();
        }
        const auto end = in.find("\r\n.\r\n", scanned);
        if (end != std::string::npos) {
            std::string block = in.substr(0, end + 2);
            in.erase(0, end + 5);
            co_return block;
        }
        if (in.size() > max_bytes) co_return std::nullopt;
        scanned = in.size() < 4 ? 0 : in.size() - 4;
        const std::size_t have = in.size();
        const std::size_t chunk = std::min<std::size_t>(256 * 1024, max_bytes + 5 - have);
        in.resize(have + chunk);
        boost::system::error_code ec;
        const std::size_t n = co_await read_some(in.data() + have, chunk, ec);
        in.resize(have + n);
        if (ec) co_return std::nullopt;
    }
}

awaitable<bool> Link::fill_inflated() {
    char buf[max_line];
    for (;;) {
        // Inflate first (even from no new input: a match cut short by a full buffer is owed),
        // never past max_line of undelivered text: a deflate bomb inflates a little at a time.
        const std::size_t room = max_line - std::min(max_line, in.size());
        if (room == 0) co_return false;  // no line end within max_line: overlong
        auto r = deflate->decompress(raw_in, buf, room);
        if (!r.ok) co_return false;  // corrupt stream (RFC 8054 §2.2.2: close)
        raw_in.erase(0, r.consumed);
        in.append(buf, r.produced);
        if (r.produced) co_return true;
        if (r.consumed) continue;
        boost::system::error_code ec;
        const std::size_t n = co_await read_some(buf, sizeof buf, ec);
        if (ec) co_return false;
        raw_in.append(buf, n);
    }
}

awaitable<std::optional<Reply>> Link::read_reply() {
    std::size_t n = 0;
    if (deflate) {
        while ((n = in.find("\r\n")) == std::string::npos) {
            const bool more = co_await fill_inflated();
            if (!more) co_return std::nullopt;
        }
    } else {
        // A line already buffered (pipelined answers read along with a block) is taken
        // without I/O; otherwise read until one is complete, never past max_line without it.
        std::size_t scanned = 0;
        while ((n = in.find("\r\n", scanned)) == std::string::npos) {
            if (in.size() >= max_line) co_return std::nullopt;  // overlong
            scanned = in.empty() ? 0 : in.size() - 1;
            const std::size_t have = in.size();
            in.resize(max_line);
            boost::system::error_code ec;
            const std::size_t got = co_await read_some(in.data() + have, max_line - have, ec);
            in.resize(have + got);
            if (ec) co_return std::nullopt;
        }
    }
    std::string line = in.substr(0, n);
    in.erase(0, n + 2);
    co_return parse_reply(std::move(line));
}

std::optional<std::string> load_article(const storage::Store& store, const std::string& id) {
    storage::Snapshot snap(store);
    auto h = snap.history(id);
    if (!h || h->status != storage::HistoryStatus::stored) return std::nullopt;
    auto a = snap.article(id);
    if (!a) return std::nullopt;
    std::string out(*a);
    if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
    return out;
}

bool still_stored(const storage::Snapshot& snap, const std::string& id) {
    auto h = snap.history(id);
    return h && h->status == storage::HistoryStatus::stored && snap.has_article(id);
}

namespace {

// A TLS failure: logged, counted and kept for /status; the connection is dropped before a byte
// of news is sent, and the backlog waits (no plaintext fallback).
void tls_failed(PeerFeed& f, unsigned index, std::string why) {
    ++f.stats.tls_failures;
    spdlog::error("peer={} conn={} event=tls_failed error=\"{}\"", f.peer.name, index, why);
    f.stats.last_error = "TLS: " + std::move(why);
}

}  // namespace

awaitable<std::string> client_handshake(Link& link, net::ssl::context& ctx, const TlsTarget& target) {
    link.tls = std::make_unique<net::ssl::stream<beast::tcp_stream&>>(link.stream, ctx);
    const std::string name = target.server_name.empty() ? target.host : target.server_name;
    boost::system::error_code ec;
    // SNI carries a host name, never an address (RFC 6066 §3).
    (void)net::ip::make_address(name, ec);
    if (ec) SSL_set_tlsext_host_name(link.tls->native_handle(), name.c_str());
    ec.clear();
    if (!target.ca_file.empty()) link.tls->set_verify_callback(net::ssl::host_name_verification(name));
    link.stream.expires_after(connect_timeout);
    co_await link.tls->async_handshake(net::ssl::stream_base::client, net::redirect_error(use_awaitable, ec));
    if (ec) co_return "handshake with " + name + ": " + ec.message();
    if (!target.pin.empty()) {
        const std::string got = peer_key_pin(link.tls->native_handle());
        if (got != target.pin)
            co_return "the certificate's key " + (got.empty() ? std::string("(none)") : got) + " is not the pinned " +
                target.pin;
    }
    co_return std::string();
}

awaitable<std::string> login(Link& link, const Credentials& c) {
    link.out = "AUTHINFO USER " + c.username + "\r\n";
    if (!co_await link.flush()) co_return "connection lost";
    auto r = co_await link.read_reply();
    if (r && r->code == st::cont_authinfo) {
        link.out = "AUTHINFO PASS " + c.password + "\r\n";
        const bool sent = co_await link.flush();
        if (!sent) co_return "connection lost";
        r = co_await link.read_reply();
    }
    if (!r || r->code != st::ok_authinfo)
        co_return "login as " + c.username + " refused: " + (r ? printable(r->line) : std::string("(no answer)"));
    co_return std::string();
}

namespace {

// The TLS handshake on a connected link, then the peer's certificate against the pin and/or
// the CA file and name. False: failed (logged).
awaitable<bool> start_tls(PeerFeed& f, Link& link, unsigned index) {
    const auto& peer = f.peer;
    if (!f.tls_context) {
        try {
            // Our node identity as client certificate: a peer listening with client_certs
            // knows us by its key (its [[peer]] client_pin).
            f.tls_context = make_client_tls_context(peer.tls_ca_file, f.node.identity.cert_file,
                                                    f.node.identity.key_file);
        } catch (const std::exception& e) {
            tls_failed(f, index, "tls_ca_file " + peer.tls_ca_file + ": " + e.what());
            co_return false;
        }
    }
    const TlsTarget target{peer.outgoing->host, peer.tls_server_name, peer.tls_ca_file, peer.tls_pin};
    std::string why = co_await client_handshake(link, *f.tls_context, target);
    if (!why.empty()) {
        tls_failed(f, index, std::move(why));
        co_return false;
    }
    f.stats.last_error.clear();
    co_return true;
}

// A login that failed or could not be tried: logged, counted and kept for /status. The
// password never appears (the peer's answer may quote the user name).
void auth_failed(PeerFeed& f, unsigned index, std::string why) {
    ++f.stats.auth_failures;
    spdlog::error("peer={} conn={} event=auth_failed error=\"{}\"", f.peer.name, index, why);
    f.stats.last_error = "AUTHINFO: " + std::move(why);
}

awaitable<bool> authenticate(PeerFeed& f, Link& link, unsigned index, const Credentials& c) {
    std::string why = co_await login(link, c);
    if (!why.empty()) {
        auth_failed(f, index, std::move(why));
        co_return false;
    }
    spdlog::info("peer={} conn={} event=authenticated user={}", f.peer.name, index, c.username);
    co_return true;
}

// RFC 8054 §2.2: COMPRESS only when CAPABILITIES lists it with DEFLATE, after STARTTLS and
// AUTHINFO (§2.2.2: no authentication once compression is on). A peer without it is fed
// uncompressed (logged once per connection). False: the connection failed.
awaitable<bool> negotiate_compress(PeerFeed& f, Link& link, unsigned index) {
    link.out = "CAPABILITIES\r\n";
    if (!co_await link.flush()) co_return false;
    auto r = co_await link.read_reply();
    if (!r) co_return false;
    bool deflate = false;
    if (r->code == st::info_capabilities) {
        // A bounded list: a peer that never ends it is a broken one.
        for (int lines = 0;; ++lines) {
            auto l = co_await link.read_reply();
            if (!l || lines > 1000) co_return false;
            if (l->line == ".") break;
            std::string upper = l->line;
            for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            if (upper.rfind("COMPRESS ", 0) == 0 && (" " + upper + " ").find(" DEFLATE ") != std::string::npos)
                deflate = true;
        }
    }
    if (!deflate) {
        spdlog::info("peer={} conn={} event=no_compress reason=\"not advertised\"", f.peer.name, index);
        co_return true;
    }
    link.out = "COMPRESS DEFLATE\r\n";
    if (!co_await link.flush()) co_return false;
    r = co_await link.read_reply();
    if (!r) co_return false;
    if (r->code != st::ok_compress) {
        spdlog::info("peer={} conn={} event=no_compress reply=\"{}\"", f.peer.name, index, printable(r->line));
        co_return true;
    }
    link.deflate = std::make_unique<CompressLayer>(feed_compress_level);
    link.raw_in = std::move(link.in);  // read past the 206: already compressed
    link.in.clear();
    spdlog::info("peer={} conn={} event=compress", f.peer.name, index);
    co_return true;
}

}  // namespace

awaitable<std::optional<bool>> open_link(PeerFeed& f, Link& link, unsigned index) {
    const auto& where = *f.peer.outgoing;
    // The login is read before connecting: a missing or malformed file costs the peer nothing.
    std::optional<Credentials> login;
    if (!f.peer.auth_file.empty()) {
        auto read = read_credentials(f.peer.auth_file);
        if (!read.credentials) {
            auth_failed(f, index, read.error);
            co_return std::nullopt;
        }
        login = std::move(read.credentials);
    }
    link.stats = &f.stats;
    boost::system::error_code ec;
    tcp::resolver resolver(f.node.io);
    auto endpoints = co_await resolver.async_resolve(where.host, std::to_string(where.port),
                                                     net::redirect_error(use_awaitable, ec));
    if (!ec) {
        link.stream.expires_after(connect_timeout);
        co_await link.stream.async_connect(endpoints, net::redirect_error(use_awaitable, ec));
    }
    if (ec) {
        spdlog::debug("peer={} conn={} event=connect_failed host={}:{} error=\"{}\"", f.peer.name, index,
                      where.host, where.port, ec.message());
        co_return std::nullopt;
    }
    // Lock-step exchanges (IHAVE, MODE STREAM, each window's last write) must not wait for
    // Nagle and delayed ACK (~40 ms per exchange otherwise: BENCHMARKS.md, "The machine").
    link.stream.socket().set_option(tcp::no_delay(true), ec);
    // RFC 8143 §4: implicit TLS from the first byte, the greeting inside it.
    if (f.peer.tls == config::Tls::implicit && !co_await start_tls(f, link, index)) co_return std::nullopt;
    auto greeting = co_await link.read_reply();
    if (!greeting || (greeting->code != st::ok_banner_post && greeting->code != st::ok_banner_nopost)) {
        spdlog::warn("peer={} conn={} event=refused_greeting reply=\"{}\"", f.peer.name, index,
                     greeting ? printable(greeting->line) : "(none)");
        co_return std::nullopt;
    }
    if (f.peer.tls == config::Tls::starttls) {
        // RFC 4642 §2.2: 382, then the handshake; anything else ends the attempt (a peer that
        // cannot do TLS gets nothing in clear).
        link.out = "STARTTLS\r\n";
        if (!co_await link.flush()) co_return std::nullopt;
        auto r = co_await link.read_reply();
        if (!r || r->code != st::cont_starttls) {
            tls_failed(f, index, "STARTTLS refused: " + (r ? printable(r->line) : std::string("(no answer)")));
            co_return std::nullopt;
        }
        if (!link.in.empty()) {  // bytes after 382 would have been injected before the handshake
            tls_failed(f, index, "data after the 382 answer to STARTTLS");
            co_return std::nullopt;
        }
        if (!co_await start_tls(f, link, index)) co_return std::nullopt;
    }
    // As innfeed: log in first, then MODE STREAM (RFC 4643 §2.2: after STARTTLS, never before).
    if (login) {
        const bool in = co_await authenticate(f, link, index, *login);
        if (!in) co_return std::nullopt;
    }
    if (f.peer.compress) {
        const bool ok = co_await negotiate_compress(f, link, index);
        if (!ok) co_return std::nullopt;
    }
    if (!f.peer.streaming || !f.stats.streaming) co_return false;
    link.out = "MODE STREAM\r\n";
    if (!co_await link.flush()) co_return std::nullopt;
    auto r = co_await link.read_reply();
    if (!r) co_return std::nullopt;
    if (r->code == st::ok_stream) co_return true;
    if (r->code / 100 == 5) {  // 500/501/503: no streaming here; IHAVE from now on
        spdlog::info("peer={} conn={} event=no_streaming reply=\"{}\" fallback=ihave", f.peer.name, index,
                     printable(r->line));
        f.stats.streaming = false;
        co_return false;
    }
    spdlog::warn("peer={} conn={} event=protocol_error after=MODE_STREAM reply=\"{}\"", f.peer.name, index,
                 printable(r->line));
    co_return std::nullopt;
}

awaitable<void> wait_for_work(PeerFeed& f) {
    net::steady_timer t(f.node.io);
    auto until = std::min(PeerFeed::clock::now() + 1s, f.next_retry());
    t.expires_at(until);
    f.waiting.insert(&t);
    boost::system::error_code ec;
    co_await t.async_wait(net::redirect_error(use_awaitable, ec));
    f.waiting.erase(&t);
}

}  // namespace tidings::server::feed
