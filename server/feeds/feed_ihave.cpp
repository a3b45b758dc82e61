// IHAVE to a peer that does not stream (RFC 3977 §6.3.2): lock-step offer, article, answer.
#include <spdlog/spdlog.h>

#include "protocol/status.h"
#include "server/feeds/feed_link.h"

namespace tidings::server::feed {
namespace {

namespace st = protocol::status;

void skip(PeerFeed& f, const storage::QueueEntry& e, FeedOutcomes& out) {
    ++f.stats.skipped;
    out.ack.push_back(e.seq);
}

void unresolved(const std::vector<storage::QueueEntry>& v, std::size_t from, FeedOutcomes& out) {
    for (std::size_t i = from; i < v.size(); ++i) out.unresolved.push_back(v[i].seq);
}

}  // namespace

awaitable<bool> offer_ihave(PeerFeed& f, Link& link, unsigned index, std::vector<storage::QueueEntry> batch,
                            FeedOutcomes& out) {
    // Entries whose article is gone need no answer from the peer.
    std::vector<storage::QueueEntry> v;
    {
        storage::Snapshot snap(f.node.store);
        for (auto& e : batch) {
            if (still_stored(snap, e.message_id)) v.push_back(std::move(e));
            else skip(f, e, out);
        }
    }
    // IHAVE, 335, the article, 235/435/436/437.
    for (std::size_t i = 0; i < v.size(); ++i) {
        const auto& e = v[i];
        auto article = load_article(f.node.store, e.message_id);
        if (!article) {
            skip(f, e, out);
            continue;
        }
        link.out += "IHAVE " + e.message_id + "\r\n";
        ++f.stats.offered;
        if (!co_await link.flush()) co_return (unresolved(v, i, out), false);
        auto r = co_await link.read_reply();
        if (!r) co_return (unresolved(v, i, out), false);
        if (r->code == st::cont_ihave) {
            link.out += *article;
            link.out += ".\r\n";
            if (!co_await link.flush()) co_return (unresolved(v, i, out), false);
            r = co_await link.read_reply();
            if (!r) co_return (unresolved(v, i, out), false);
        }
        switch (r->code) {
            case st::ok_ihave: ++f.stats.accepted; out.ack.push_back(e.seq); break;
            case st::fail_ihave_refuse: ++f.stats.refused; out.ack.push_back(e.seq); break;
            case st::fail_ihave_reject: ++f.stats.rejected; out.ack.push_back(e.seq); break;
            case st::fail_ihave_defer: ++f.stats.deferred; out.defer.push_back(e); break;
            default:
                unresolved(v, i, out);
                spdlog::warn("peer={} conn={} event=protocol_error after=IHAVE reply=\"{}\"", f.peer.name, index,
                             printable(r->line));
                co_return false;
        }
    }
    co_return true;
}

}  // namespace tidings::server::feed
