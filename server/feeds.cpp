// Outgoing feeds (not implemented yet: queued articles stay in the store's per-peer queues).
#include "server/feeds.h"

namespace tidings::server {

void start_feeds(NodeContext&) {}
void stop_feeds(NodeContext&) {}

}  // namespace tidings::server
