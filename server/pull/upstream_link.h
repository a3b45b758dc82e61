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

// The answer to the oldest of a connection's pipelined ARTICLE <id> commands (RFC 3977 §6.2.1):
// the article as sent (dot-stuffed, without the final "."), a 430, or a link not to be trusted
// further (no answer, an answer ARTICLE cannot have, an article cut off or over
// `max_article` + 4 KiB), with `why` for the log. Shared by pulling and reconciliation's
// repair fetcher.
struct ArticleAnswer {
    enum class Kind { article, missing, broken } kind = Kind::broken;
    std::string text;
    std::string why;
    bool silent = false;  // broken: no answer at all (timed out or closed)
    bool cut = false;     // broken: the article was cut off or too big
};
awaitable<ArticleAnswer> read_article_answer(feed::Link& link, std::size_t max_article);

}  // namespace tidings::server::pull
