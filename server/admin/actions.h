// The admin API's changes to the running node: groups, cancels, peers. Each waits for the
// store's commit (or the feed's answer) before the HTTP response says it happened.
#pragma once

#include "server/net/net.h"

#include <string>

#include "server/admin/context.h"

namespace tidings::server {

struct ActionResult {
    unsigned status = 200;  // HTTP status to answer with
    std::string message;    // human text; goes in {"result": ...} or {"error": ...}
};

// flag: 'y', 'n' or 'm'. 201 created; 409 exists; 400 invalid name or flag.
awaitable<ActionResult> admin_create_group(AdminContext& ctx, std::string name, char flag);
// 200 removed; 404 no such group.
awaitable<ActionResult> admin_remove_group(AdminContext& ctx, std::string name);
// 200 cancelled; 404 not stored here; 400 not a Message-ID.
awaitable<ActionResult> admin_cancel(AdminContext& ctx, std::string message_id);
// Releases a quarantined article ([[filter.rule]] action quarantine): filed in its carried
// groups and queued for the peers that want it, as if it had just arrived; a cancel or
// Supersedes in it is judged then. 200 released; 404 not in the quarantine group; 409 none of
// its groups is carried; 400 not a Message-ID.
awaitable<ActionResult> admin_release(AdminContext& ctx, std::string message_id);
// action: "pause", "resume" or "flush" (wake idle senders now). 404 unknown peer or no
// outgoing feed. pause/resume outlive a restart (Feeds::pause, server/feeds/pause_file.h).
ActionResult admin_peer_action(AdminContext& ctx, const std::string& peer, const std::string& action);

}  // namespace tidings::server
