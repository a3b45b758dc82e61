// The wire side of an outgoing feed connection: answers, the link, connecting, loading articles.
#include "server/feeds/feed_link.h"

#include <spdlog/spdlog.h>

#include <openssl/ssl.h>

#include "protocol/reply.h"
#include "protocol/status.h"
#include "server/net/tls_context.h"

namespace tidings::server::feed {
namespace {

namespace st = protocol::status;
using namespace std::chrono_literals;

constexpr auto connect_timeout = 15s;
// An answer to TAKETHIS/IHAVE waits for the peer's commit; a healthy peer answers in
// milliseconds, so a long silence means a dead connection.
constexpr auto answer_timeout = 120s;
constexpr std::size_t max_line = 4096;

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
    stream.expires_after(answer_timeout);
    if (tls)
        co_await net::async_write(*tls, net::buffer(out), net::redirect_error(use_awaitable, ec));
    else
        co_await net::async_write(stream, net::buffer(out), net::redirect_error(use_awaitable, ec));
    out.clear();
    co_return !ec;
}

awaitable<std::optional<Reply>> Link::read_reply() {
    boost::system::error_code ec;
    stream.expires_after(answer_timeout);
    std::size_t n = tls ? co_await net::async_read_until(*tls, net::dynamic_buffer(in, max_line), "\r\n",
                                                         net::redirect_error(use_awaitable, ec))
                        : co_await net::async_read_until(stream, net::dynamic_buffer(in, max_line), "\r\n",
                                                         net::redirect_error(use_awaitable, ec));
    if (ec) co_return std::nullopt;
    std::string line = in.substr(0, n - 2);
    in.erase(0, n);
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

// The TLS handshake on a connected link, then the peer's certificate against the pin and/or
// the CA file and name. False: failed (logged).
awaitable<bool> start_tls(PeerFeed& f, Link& link, unsigned index) {
    const auto& peer = f.peer;
    if (!f.tls_context) {
        try {
            f.tls_context = make_client_tls_context(peer.tls_ca_file);
        } catch (const std::exception& e) {
            tls_failed(f, index, "tls_ca_file " + peer.tls_ca_file + ": " + e.what());
            co_return false;
        }
    }
    link.tls = std::make_unique<net::ssl::stream<beast::tcp_stream&>>(link.stream, *f.tls_context);
    const std::string name = peer.tls_server_name.empty() ? peer.outgoing->host : peer.tls_server_name;
    boost::system::error_code ec;
    // SNI carries a host name, never an address (RFC 6066 §3).
    (void)net::ip::make_address(name, ec);
    if (ec) SSL_set_tlsext_host_name(link.tls->native_handle(), name.c_str());
    ec.clear();
    if (!peer.tls_ca_file.empty()) link.tls->set_verify_callback(net::ssl::host_name_verification(name));
    link.stream.expires_after(connect_timeout);
    co_await link.tls->async_handshake(net::ssl::stream_base::client, net::redirect_error(use_awaitable, ec));
    if (ec) {
        tls_failed(f, index, "handshake with " + name + ": " + ec.message());
        co_return false;
    }
    if (!peer.tls_pin.empty()) {
        const std::string got = peer_key_pin(link.tls->native_handle());
        if (got != peer.tls_pin) {
            tls_failed(f, index, "the certificate's key " + (got.empty() ? std::string("(none)") : got) +
                                     " is not the pinned " + peer.tls_pin);
            co_return false;
        }
    }
    f.stats.last_error.clear();
    co_return true;
}

}  // namespace

awaitable<std::optional<bool>> open_link(PeerFeed& f, Link& link, unsigned index) {
    const auto& where = *f.peer.outgoing;
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
