// Outgoing feeds: for every [[peer]] with `outgoing`, connections that send it the articles
// queued for it in the store (MODE STREAM with CHECK/TAKETHIS, or IHAVE), with retry and
// backoff. The queue entries are written by the store in the same transaction as the article.
#pragma once

#include "server/net.h"
#include "server/node.h"

#include <string>
#include <vector>

namespace tidings::server {

// Starts the sender coroutines of every configured outgoing peer on node.io.
void start_feeds(NodeContext& node);

// After a reload installed a new configuration (NodeContext::install): starts the feeds of
// peers that are new or newly have `outgoing`, restarts those whose settings changed, and
// stops those removed (their queues stay in the store). Returns one line per change.
std::vector<std::string> reconcile_feeds(NodeContext& node);

// Asks every sender to stop after its current exchange (used at shutdown). Unanswered queue
// entries stay queued in the store and are sent after a restart.
void stop_feeds(NodeContext& node);

// Wakes the idle senders of these peers (all peers when empty): call it on the I/O thread after
// the store committed articles queued for them (transit's store completion; POST too). Senders
// also poll their queue every second, so a missed call delays an article, never loses it.
void notify_feeds(NodeContext& node, const std::vector<std::string>& peers = {});

// Pauses (`paused` true) or resumes the outgoing feed of `peer` (the admin API's pause/resume).
// A paused feed's connections finish the exchange they are in, say QUIT and stay closed; its
// queue keeps filling and the backlog policy still applies; FeedStats::state is `paused`. The
// paused names are kept in <data_dir>/paused-feeds: a restart (or a reload that brings the peer
// back) starts the feed paused.
// Returns false when the peer has no outgoing feed. Not persistent: a restart resumes it.
bool pause_feed(NodeContext& node, const std::string& peer, bool paused);

}  // namespace tidings::server
