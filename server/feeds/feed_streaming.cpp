// RFC 4644 streaming to a peer: a sliding window of pipelined CHECK/TAKETHIS.
#include <spdlog/spdlog.h>

#include <deque>

#include "protocol/status.h"
#include "server/feeds/feed_link.h"

namespace tidings::server::feed {
namespace {

namespace st = protocol::status;

// The window's state: the commands in flight, in order, and the outcomes not yet settled.
class Window {
public:
    Window(PeerFeed& f, Link& link, unsigned index)
        : f_(f), link_(link), index_(index), size_(std::max<std::uint32_t>(f.peer.window, 1)),
          check_(!f.peer.takethis_only) {}

    bool empty() const { return inflight_.empty(); }

    // Claims queue entries up to the window and writes their CHECK (or TAKETHIS) commands, in
    // chunks, while the feed runs and the window is at most half full (each claim reads the
    // queue head, so claiming one by one would cost a read per article). False: write failed.
    awaitable<bool> refill() {
        if (f_.stopping || f_.paused || inflight_.size() > size_ / 2) co_return true;
        auto batch = f_.claim(size_ - inflight_.size(), index_);
        std::vector<storage::QueueEntry> live;
        {
            storage::Snapshot snap(f_.node.store);
            for (auto& e : batch) {
                if (still_stored(snap, e.message_id)) live.push_back(std::move(e));
                else skip(e);
            }
        }
        f_.stats.offered += live.size();
        for (auto& e : live) {
            if (check_) {
                link_.out += "CHECK " + e.message_id + "\r\n";
                inflight_.push_back({std::move(e), false});
            } else {
                send_takethis(std::move(e));
            }
            if (link_.out.size() >= write_chunk && !co_await link_.flush()) co_return false;
        }
        co_return true;
    }

    // Settles the oldest command in flight by `r`. False: the answer is not one of the
    // expected ones for it (400, or garbage): nothing more can be trusted on this connection.
    bool answer(const Reply& r) {
        Pending p = std::move(inflight_.front());
        inflight_.pop_front();
        const bool known = p.takethis ? (r.code == st::ok_takethis || r.code == st::fail_takethis_reject)
                                      : (r.code == st::ok_check || r.code == st::fail_check_refuse ||
                                         r.code == st::fail_check_defer);
        if (r.id != p.entry.message_id || !known) {
            spdlog::warn("peer={} conn={} event=protocol_error after={} reply=\"{}\"", f_.peer.name, index_,
                         p.takethis ? "TAKETHIS" : "CHECK", printable(r.line));
            out_.unresolved.push_back(p.entry.seq);
            return false;
        }
        switch (r.code) {
            case st::ok_check: send_takethis(std::move(p.entry)); break;  // 238: the article at once
            case st::fail_check_refuse: ++f_.stats.refused; out_.ack.push_back(p.entry.seq); break;
            case st::fail_check_defer: ++f_.stats.deferred; out_.defer.push_back(std::move(p.entry)); break;
            case st::ok_takethis: ++f_.stats.accepted; out_.ack.push_back(p.entry.seq); break;
            default: ++f_.stats.rejected; out_.ack.push_back(p.entry.seq); break;  // 439
        }
        // Settle in batches: one store request per ~window answers, not one per article.
        if (out_.ack.size() + out_.defer.size() >= std::max<std::size_t>(size_, 16)) settle();
        return true;
    }

    void settle() {
        f_.settle(std::move(out_));
        out_ = {};
    }

    // The connection failed: what is in flight stays queued (offered again later).
    bool give_up() {
        for (auto& p : inflight_) out_.unresolved.push_back(p.entry.seq);
        inflight_.clear();
        settle();
        return false;
    }

private:
    struct Pending {
        storage::QueueEntry entry;
        bool takethis;
    };

    void skip(const storage::QueueEntry& e) {  // cancelled or expired since it was queued
        ++f_.stats.skipped;
        out_.ack.push_back(e.seq);
    }

    void send_takethis(storage::QueueEntry e) {
        auto article = load_article(f_.node.store, e.message_id);
        if (!article) return skip(e);
        link_.out += "TAKETHIS " + e.message_id + "\r\n";
        link_.out += *article;
        link_.out += ".\r\n";
        inflight_.push_back({std::move(e), true});
    }

    PeerFeed& f_;
    Link& link_;
    unsigned index_;
    const std::size_t size_;
    const bool check_;
    std::deque<Pending> inflight_;
    FeedOutcomes out_;
};

}  // namespace

// A sliding window: up to `window` CHECK/TAKETHIS commands are in flight; each answer is
// settled as it arrives and makes room for the next command, so the peer's writer always has
// articles to group-commit (a stop-and-wait window would give it one commit per round trip).
awaitable<bool> stream_window(PeerFeed& f, Link& link, unsigned index, bool& worked) {
    Window w(f, link, index);
    for (;;) {
        if (!co_await w.refill()) co_return w.give_up();
        if (w.empty()) {
            w.settle();
            if (!co_await link.flush()) co_return false;
            if (f.stopping || f.paused) co_return true;
            co_await wait_for_work(f);
            continue;
        }
        // Write what is pending before waiting for an answer (never while one is buffered).
        if ((!link.has_line() || link.out.size() >= write_chunk) && !co_await link.flush()) co_return w.give_up();
        auto r = co_await link.read_reply();
        if (!r) co_return w.give_up();
        if (!w.answer(*r)) co_return w.give_up();
        worked = true;
    }
}

}  // namespace tidings::server::feed
