// Outgoing feeds: for every [[peer]] with `outgoing`, connections that send it the articles
// queued for it in the store (MODE STREAM with CHECK/TAKETHIS, or IHAVE), with retry and
// backoff. The queue entries are written by the store in the same transaction as the article.
#pragma once

#include "server/net/net.h"
#include "server/core/node_context.h"
#include "server/feeds/feed_stats.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <string>
#include <vector>

namespace tidings::server {

class FeedSet;  // feeds.cpp: the running senders

// The outgoing feeds of the node and their per-peer state. I/O thread only.
class Feeds {
public:
    explicit Feeds(NodeContext& node);
    ~Feeds();  // unhooks NodeContext::wake_feeds
    Feeds(const Feeds&) = delete;
    Feeds& operator=(const Feeds&) = delete;

    // Starts the sender coroutines of every configured outgoing peer on node.io, and sets
    // NodeContext::wake_feeds to notify().
    void start();

    // After a reload installed a new configuration (NodeContext::install): starts the feeds of
    // peers that are new or newly have `outgoing`, restarts those whose settings changed, and
    // stops those removed (their queues stay in the store). Returns one line per change.
    std::vector<std::string> reconcile();

    // Asks every sender to stop after its current exchange (used at shutdown). Unanswered
    // queue entries stay queued in the store and are sent after a restart.
    void stop();

    // Wakes the idle senders of these peers (all peers when empty): call it on the I/O thread
    // after the store committed articles queued for them. Senders also poll their queue every
    // second, so a missed call delays an article, never loses it.
    void notify(const std::vector<std::string>& peers = {});

    // Pauses (`paused` true) or resumes the outgoing feed of `peer` (the admin API's
    // pause/resume). A paused feed's connections finish the exchange they are in, say QUIT and
    // stay closed; its queue keeps filling and the backlog policy still applies;
    // FeedStats::state is `paused`. The paused names are kept in <data_dir>/paused-feeds
    // (server/feeds/pause_file.h): a restart, or a reload that brings the peer back, starts the feed
    // paused. Returns false when the peer has no outgoing feed.
    bool pause(const std::string& peer, bool paused);

    // Per-peer state and counters by peer name (the admin API); a stopped feed's entry stays.
    const std::map<std::string, FeedStats>& stats() const { return stats_; }

private:
    NodeContext& node_;
    std::map<std::string, FeedStats> stats_;
    std::shared_ptr<FeedSet> set_;
};

}  // namespace tidings::server
