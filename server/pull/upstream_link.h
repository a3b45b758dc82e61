// A reader connection to an [[upstream]]: connect, TLS (implicit or STARTTLS, pinned or
// verified), the greeting, AUTHINFO, MODE READER. Internal to server/pull/.
#pragma once

#include <memory>
#include <string>

#include "config/config.h"
#include "server/feeds/feed_link.h"
#include "server/net/identity.h"
#include "server/net/net.h"

namespace tidings::server::pull {

// Opens `link` to `up`. Empty on success, else why not (for the log and /status). `tls` is
// made on first use and kept by the caller for the next connection. `mode_reader` false:
// stop after the login (a transit session: server/reconcile/ uses it towards a peer).
awaitable<std::string> open_upstream(net::io_context& io, const config::Upstream& up, const NodeIdentity& identity,
                                     std::shared_ptr<net::ssl::context>& tls, feed::Link& link,
                                     bool mode_reader = true);

}  // namespace tidings::server::pull
