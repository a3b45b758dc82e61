// A peer feed's claims on its queue, deferral times and wake-ups (see feed_peer.h).
#include "server/feeds/feed_peer.h"

#include <algorithm>

namespace tidings::server {

std::vector<storage::QueueEntry> PeerFeed::claim(std::size_t max, unsigned connection) {
    std::vector<storage::QueueEntry> out;
    if (max == 0) return out;
    // Claimed and deferred entries sit at the head too: look past them.
    // (At most a few thousand deferred ones: past that, the retry simply comes a little early.)
    auto head = node.store.queue_peek(peer.name,
                                      max + claimed_.size() + std::min<std::size_t>(not_before_.size(), 4096));
    auto now = clock::now();
    for (auto& e : head) {
        if (out.size() == max) break;
        if (claimed_.count(e.seq)) continue;
        if (auto it = not_before_.find(e.message_id); it != not_before_.end()) {
            if (it->second > now) continue;
            not_before_.erase(it);
        }
        claimed_.emplace(e.seq, connection);
        out.push_back(std::move(e));
    }
    return out;
}

void PeerFeed::settle(FeedOutcomes&& out) {
    for (auto seq : out.unresolved) claimed_.erase(seq);
    for (auto seq : out.ack)
        if (auto it = claimed_.find(seq); it != claimed_.end()) it->second = settling;
    for (const auto& e : out.defer)
        if (auto it = claimed_.find(e.seq); it != claimed_.end()) it->second = settling;
    auto self = shared_from_this();
    auto release = [self](std::vector<std::uint64_t> seqs) {
        return [self, seqs = std::move(seqs)](std::size_t) mutable {
            // Runs on the writer thread after the commit: hop back to the I/O thread.
            net::post(self->node.io, [self, seqs = std::move(seqs)] {
                for (auto seq : seqs) self->claimed_.erase(seq);
                // Released entries may be offered now (deferred ones wait for their time).
                self->wake();
            });
        };
    };
    if (!out.ack.empty()) {
        auto seqs = out.ack;
        node.store.queue_ack(peer.name, std::move(out.ack), release(std::move(seqs)));
    }
    if (!out.defer.empty()) {
        std::vector<std::uint64_t> seqs;
        auto now = clock::now();
        for (const auto& e : out.defer) {
            seqs.push_back(e.seq);
            not_before_[e.message_id] = now + defer_delay(e.attempts);
        }
        auto copy = seqs;
        node.store.queue_defer(peer.name, std::move(seqs), release(std::move(copy)));
    }
}

std::size_t PeerFeed::release_claims(unsigned connection) {
    const std::size_t n = std::erase_if(claimed_, [&](const auto& kv) { return kv.second == connection; });
    if (n) wake();
    return n;
}

void PeerFeed::prune_retries() {
    auto old = clock::now() - std::chrono::minutes(1);
    std::erase_if(not_before_, [&](const auto& kv) { return kv.second < old; });
}

PeerFeed::clock::time_point PeerFeed::next_retry() const {
    auto t = clock::time_point::max();
    for (const auto& [id, when] : not_before_) t = std::min(t, when);
    return t;
}

std::chrono::milliseconds PeerFeed::defer_delay(std::uint32_t attempts) const {
    std::chrono::milliseconds cap = std::chrono::seconds(std::max<std::uint32_t>(peer.retry_s, 1));
    // 431/436 mostly mean "another peer is sending it right now", settled within milliseconds:
    // the first retry comes soon, later ones back off.
    std::chrono::milliseconds d = std::chrono::milliseconds(250) * (1u << std::min<std::uint32_t>(attempts, 16));
    return std::min(d, cap);
}

void PeerFeed::wake() {
    for (auto* t : waiting) t->cancel();
}

void PeerFeed::pause() {
    paused = true;
    stats.state = FeedState::paused;
    wake();  // idle connections notice at once; busy ones after their exchange
}

void PeerFeed::resume() {
    paused = false;
    if (stats.state == FeedState::paused) stats.state = FeedState::idle;
    for (auto* t : backing_off) t->cancel();  // a paused connection waits there
    wake();
}

void PeerFeed::stop() {
    stopping = true;
    stats.state = FeedState::paused;
    wake();
    for (auto* t : backing_off) t->cancel();
    boost::system::error_code ec;
    for (auto* s : streams) s->socket().shutdown(tcp::socket::shutdown_both, ec);
}

}  // namespace tidings::server
