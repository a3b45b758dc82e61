// The periodic one-line node summary in the log, for admins who read logs
// rather than /metrics: INN's innreport, once a minute and only when something changed.
#pragma once

#include "server/admin/context.h"

namespace tidings::server {

// Every `summary_period` logs `event=summary` with connections, the articles accepted,
// refused and deferred since the last line, the store's size and map use, and the total
// outgoing backlog. Per-peer outgoing lines are the feeds' `event=stats`. Stops with the node.
void start_summaries(const AdminContext& ctx);

}  // namespace tidings::server
