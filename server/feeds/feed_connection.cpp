// One outgoing feed connection: connect, MODE STREAM (or IHAVE), offer claimed queue entries in
// windows of pipelined CHECK/TAKETHIS, settle each entry by the peer's answer; reconnect with
// exponential backoff and jitter when the connection fails.
#include "server/feeds/feed_peer.h"

#include <spdlog/spdlog.h>

#include <deque>
#include <optional>
#include <random>

#include "protocol/status.h"
#include "storage/snapshot.h"

namespace tidings::server {
namespace {

namespace st = protocol::status;
using namespace std::chrono_literals;

constexpr auto connect_timeout = 15s;
// An answer to TAKETHIS/IHAVE waits for the peer's commit; a healthy peer answers in
// milliseconds, so a long silence means a dead connection.
constexpr auto answer_timeout = 120s;
constexpr std::size_t write_chunk = 256 * 1024;  // coalesced commands and articles per write
constexpr std::size_t max_line = 4096;

struct Reply {
    int code = 0;
    std::string id;    // second token (the Message-ID of streaming answers), may be empty
    std::string line;  // for logs
};

Reply parse_reply(std::string line) {
    Reply r;
    if (line.size() >= 3 && std::isdigit(static_cast<unsigned char>(line[0])) &&
        std::isdigit(static_cast<unsigned char>(line[1])) && std::isdigit(static_cast<unsigned char>(line[2])))
        r.code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    if (line.size() > 4) {
        auto end = line.find_first_of(" \t", 4);
        r.id = line.substr(4, end == std::string::npos ? std::string::npos : end - 4);
    }
    r.line = std::move(line);
    return r;
}

std::string printable(std::string_view s) {
    std::string out;
    for (char c : s.substr(0, 200)) out += (c == '\r' || c == '\n' || c == '\0') ? ' ' : c;
    return out;
}

// The peer's connection with its read buffer.
struct Link {
    beast::tcp_stream stream;
    std::string in;
    std::string out;  // commands and articles waiting to be written

    explicit Link(net::io_context& io) : stream(io) {}

    awaitable<bool> flush() {
        if (out.empty()) co_return true;
        boost::system::error_code ec;
        stream.expires_after(answer_timeout);
        co_await net::async_write(stream, net::buffer(out), net::redirect_error(use_awaitable, ec));
        out.clear();
        co_return !ec;
    }
    bool has_line() const { return in.find("\r\n") != std::string::npos; }
    awaitable<std::optional<Reply>> read_reply() {
        boost::system::error_code ec;
        stream.expires_after(answer_timeout);
        std::size_t n = co_await net::async_read_until(stream, net::dynamic_buffer(in, max_line), "\r\n",
                                                       net::redirect_error(use_awaitable, ec));
        if (ec) co_return std::nullopt;
        std::string line = in.substr(0, n - 2);
        in.erase(0, n);
        co_return parse_reply(std::move(line));
    }
};

// The article's wire bytes, copied out of a short snapshot; nullopt when it was cancelled or
// expired (or is gone) since it was queued: such entries are acknowledged away.
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

class Sender {
public:
    Sender(PeerFeed& feed, Link& link, unsigned index) : f_(feed), link_(link), index_(index) {}

    // Offers the entries with IHAVE; fills `out` with every entry's fate. False: the connection
    // failed. (Streaming is stream_window's.)
    awaitable<bool> offer(std::vector<storage::QueueEntry> batch, FeedOutcomes& out) {
        // Entries whose article is gone need no answer from the peer.
        std::vector<storage::QueueEntry> live;
        {
            storage::Snapshot snap(f_.node.store);
            for (auto& e : batch) {
                if (still_stored(snap, e.message_id)) live.push_back(std::move(e));
                else skip(e, out);
            }
        }
        co_return co_await offer_ihave(live, out);
    }

private:
    void skip(const storage::QueueEntry& e, FeedOutcomes& out) {
        ++f_.stats.skipped;
        out.ack.push_back(e.seq);
    }
    void unresolved(const std::vector<storage::QueueEntry>& v, std::size_t from, FeedOutcomes& out) {
        for (std::size_t i = from; i < v.size(); ++i) out.unresolved.push_back(v[i].seq);
    }
    bool bad_reply(const Reply& r, std::string_view after) {
        spdlog::warn("peer={} conn={} event=protocol_error after={} reply=\"{}\"", f_.peer.name, index_, after,
                     printable(r.line));
        return false;
    }

    // RFC 3977 §6.3.2, lock-step: IHAVE, 335, the article, 235/436/437.
    awaitable<bool> offer_ihave(std::vector<storage::QueueEntry>& v, FeedOutcomes& out) {
        for (std::size_t i = 0; i < v.size(); ++i) {
            const auto& e = v[i];
            auto article = load_article(f_.node.store, e.message_id);
            if (!article) {
                skip(e, out);
                continue;
            }
            link_.out += "IHAVE " + e.message_id + "\r\n";
            ++f_.stats.offered;
            if (!co_await link_.flush()) co_return (unresolved(v, i, out), false);
            auto r = co_await link_.read_reply();
            if (!r) co_return (unresolved(v, i, out), false);
            if (r->code == st::cont_ihave) {
                link_.out += *article;
                link_.out += ".\r\n";
                if (!co_await link_.flush()) co_return (unresolved(v, i, out), false);
                r = co_await link_.read_reply();
                if (!r) co_return (unresolved(v, i, out), false);
            }
            switch (r->code) {
                case st::ok_ihave: ++f_.stats.accepted; out.ack.push_back(e.seq); break;
                case st::fail_ihave_refuse: ++f_.stats.refused; out.ack.push_back(e.seq); break;
                case st::fail_ihave_reject: ++f_.stats.rejected; out.ack.push_back(e.seq); break;
                case st::fail_ihave_defer: ++f_.stats.deferred; out.defer.push_back(e); break;
                default:
                    unresolved(v, i, out);
                    co_return bad_reply(*r, "IHAVE");
            }
        }
        co_return true;
    }

    PeerFeed& f_;
    Link& link_;
    unsigned index_;
};

// Connects and negotiates; nullopt on failure (logged). The bool is "streaming".
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
    // Nagle and delayed ACK (FACTS.md: ~40 ms per exchange otherwise).
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

// Parks until new entries are queued (wake), a deferred entry is due, or a short poll period
// passed (articles queued by code paths that do not notify are found this way too).
awaitable<void> wait_for_work(PeerFeed& f) {
    net::steady_timer t(f.node.io);
    auto until = std::min(PeerFeed::clock::now() + 1s, f.next_retry());
    t.expires_at(until);
    f.waiting.insert(&t);
    boost::system::error_code ec;
    co_await t.async_wait(net::redirect_error(use_awaitable, ec));
    f.waiting.erase(&t);
}

// RFC 4644 streaming with a sliding window: up to `window` CHECK/TAKETHIS commands are in
// flight; each answer is settled as it arrives and makes room for the next command, so the
// peer's writer always has articles to group-commit (a stop-and-wait window would give it one
// commit per round trip). A 238 is followed by its TAKETHIS at once. Returns false when the
// connection failed; every entry still in flight is then left queued (offered again later).
awaitable<bool> stream_window(PeerFeed& f, Link& link, unsigned index, bool& worked) {
    struct Pending {
        storage::QueueEntry entry;
        bool takethis;
    };
    const std::size_t window = std::max<std::uint32_t>(f.peer.window, 1);
    const bool check = !f.peer.takethis_only;
    std::deque<Pending> inflight;
    FeedOutcomes out;
    auto give_up = [&] {
        for (auto& p : inflight) out.unresolved.push_back(p.entry.seq);
        f.settle(std::move(out));
        return false;
    };
    auto send_takethis = [&](storage::QueueEntry e) {
        auto article = load_article(f.node.store, e.message_id);
        if (!article) {  // cancelled or expired since it was queued or CHECKed
            ++f.stats.skipped;
            out.ack.push_back(e.seq);
            return;
        }
        link.out += "TAKETHIS " + e.message_id + "\r\n";
        link.out += *article;
        link.out += ".\r\n";
        inflight.push_back({std::move(e), true});
    };
    for (;;) {
        // Refill in chunks (each claim reads the queue head), while running.
        if (!f.stopping && !f.paused && inflight.size() <= window / 2) {
            auto batch = f.claim(window - inflight.size());
            std::vector<storage::QueueEntry> live;
            {
                storage::Snapshot snap(f.node.store);
                for (auto& e : batch) {
                    if (still_stored(snap, e.message_id)) {
                        live.push_back(std::move(e));
                    } else {
                        ++f.stats.skipped;
                        out.ack.push_back(e.seq);
                    }
                }
            }
            f.stats.offered += live.size();
            for (auto& e : live) {
                if (check) {
                    link.out += "CHECK " + e.message_id + "\r\n";
                    inflight.push_back({std::move(e), false});
                } else {
                    send_takethis(std::move(e));
                }
                if (link.out.size() >= write_chunk && !co_await link.flush()) co_return give_up();
            }
        }
        if (inflight.empty()) {
            f.settle(std::move(out));
            out = {};
            if (!co_await link.flush()) co_return false;
            if (f.stopping || f.paused) co_return true;
            co_await wait_for_work(f);
            continue;
        }
        // Write what is pending before waiting for an answer (never while one is buffered).
        if ((!link.has_line() || link.out.size() >= write_chunk) && !co_await link.flush()) co_return give_up();
        auto r = co_await link.read_reply();
        if (!r) co_return give_up();
        Pending p = std::move(inflight.front());
        inflight.pop_front();
        const bool known = p.takethis ? (r->code == st::ok_takethis || r->code == st::fail_takethis_reject)
                                      : (r->code == st::ok_check || r->code == st::fail_check_refuse ||
                                         r->code == st::fail_check_defer);
        if (r->id != p.entry.message_id || !known) {
            // 400 (the peer cannot store now) or garbage: nothing more is settled; retry later.
            spdlog::warn("peer={} conn={} event=protocol_error after={} reply=\"{}\"", f.peer.name, index,
                         p.takethis ? "TAKETHIS" : "CHECK", printable(r->line));
            out.unresolved.push_back(p.entry.seq);
            co_return give_up();
        }
        worked = true;
        switch (r->code) {
            case st::ok_check: send_takethis(std::move(p.entry)); break;
            case st::fail_check_refuse: ++f.stats.refused; out.ack.push_back(p.entry.seq); break;
            case st::fail_check_defer: ++f.stats.deferred; out.defer.push_back(std::move(p.entry)); break;
            case st::ok_takethis: ++f.stats.accepted; out.ack.push_back(p.entry.seq); break;
            default: ++f.stats.rejected; out.ack.push_back(p.entry.seq); break;  // 439
        }
        // Settle in batches: one store request per ~window answers, not one per article.
        if (out.ack.size() + out.defer.size() >= std::max<std::size_t>(window, 16)) {
            f.settle(std::move(out));
            out = {};
        }
    }
}

// One connected session: returns when the connection fails or the feed stops.
// `worked` is set once any exchange completed (the backoff then restarts from its base).
awaitable<void> run_link(std::shared_ptr<PeerFeed> fp, Link& link, unsigned index, bool streaming, bool& worked) {
    PeerFeed& f = *fp;
    if (streaming) {
        if (!co_await stream_window(f, link, index, worked)) co_return;
    }
    Sender sender(f, link, index);
    const std::size_t window = std::max<std::uint32_t>(f.peer.window, 1);
    while (!streaming && !f.stopping && !f.paused) {
        auto batch = f.claim(std::min<std::size_t>(window, 16));
        if (batch.empty()) {
            co_await wait_for_work(f);
            continue;
        }
        FeedOutcomes out;
        bool ok = co_await sender.offer(std::move(batch), out);
        f.settle(std::move(out));
        if (!ok) co_return;
        worked = true;
    }
    // Stopping: a polite goodbye; the answer does not matter.
    link.out = "QUIT\r\n";
    co_await link.flush();
}

}  // namespace

awaitable<void> feed_peer(std::shared_ptr<PeerFeed> fp, unsigned index) {
    PeerFeed& f = *fp;
    std::mt19937 rng(std::random_device{}());
    unsigned failures = 0;
    const auto cap = std::chrono::milliseconds(std::chrono::seconds(std::max<std::uint32_t>(f.peer.retry_s, 1)));
    while (!f.stopping) {
        if (f.paused) {  // parked until resume() or stop() cancels the timer
            boost::system::error_code ec;
            net::steady_timer t(f.node.io, net::steady_timer::time_point::max());
            f.backing_off.insert(&t);
            co_await t.async_wait(net::redirect_error(use_awaitable, ec));
            f.backing_off.erase(&t);
            failures = 0;
            continue;
        }
        Link link(f.node.io);
        f.streams.insert(&link.stream);
        auto streaming = co_await open_link(f, link, index);
        bool worked = false;
        if (streaming && !f.stopping) {
            ++f.stats.connects;
            ++f.stats.connections_up;
            f.stats.state = f.paused ? FeedState::paused : FeedState::connected;
            spdlog::info("peer={} conn={} event=connected mode={}", f.peer.name, index,
                         *streaming ? (f.peer.takethis_only ? "takethis" : "stream") : "ihave");
            co_await run_link(fp, link, index, *streaming, worked);
            --f.stats.connections_up;
            ++f.stats.disconnects;
            spdlog::info("peer={} conn={} event=disconnected{}", f.peer.name, index,
                         f.stopping ? " reason=stopping" : f.paused ? " reason=paused" : "");
        } else if (!streaming) {
            ++f.stats.connect_failures;
        }
        f.streams.erase(&link.stream);
        boost::system::error_code ec;
        link.stream.socket().close(ec);
        if (f.stopping) break;
        if (f.paused) continue;
        // Exponential backoff from 250 ms, capped at retry_s, with jitter in [50 %, 100 %] so
        // that many connections do not reconnect in step.
        failures = worked ? 0 : failures + 1;
        auto base = std::min<std::chrono::milliseconds>(cap, 250ms * (1u << std::min(failures, 16u)));
        auto delay = std::chrono::milliseconds(
            base.count() / 2 + std::uniform_int_distribution<long>(0, base.count() / 2)(rng));
        if (f.stats.connections_up == 0) {
            f.stats.state = FeedState::backing_off;
            f.stats.retry_at = std::chrono::system_clock::now() + delay;
        }
        if (failures == 1 || failures % 8 == 0)
            spdlog::warn("peer={} conn={} event=backoff failures={} retry_in_ms={}", f.peer.name, index, failures,
                         delay.count());
        net::steady_timer t(f.node.io);
        t.expires_after(delay);
        f.backing_off.insert(&t);  // stop() cancels it
        co_await t.async_wait(net::redirect_error(use_awaitable, ec));
        f.backing_off.erase(&t);
    }
}

}  // namespace tidings::server
