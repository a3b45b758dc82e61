// The wire side of an outgoing feed connection: answers, the link, connecting, loading articles.
#include "server/feeds/feed_link.h"

#include <spdlog/spdlog.h>

#include "protocol/reply.h"
#include "protocol/status.h"

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
    co_await net::async_write(stream, net::buffer(out), net::redirect_error(use_awaitable, ec));
    out.clear();
    co_return !ec;
}

awaitable<std::optional<Reply>> Link::read_reply() {
    boost::system::error_code ec;
    stream.expires_after(answer_timeout);
    std::size_t n = co_await net::async_read_until(stream, net::dynamic_buffer(in, max_line), "\r\n",
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
    auto greeting = co_await link.read_reply();
    if (!greeting || (greeting->code != st::ok_banner_post && greeting->code != st::ok_banner_nopost)) {
        spdlog::warn("peer={} conn={} event=refused_greeting reply=\"{}\"", f.peer.name, index,
                     greeting ? printable(greeting->line) : "(none)");
        co_return std::nullopt;
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
