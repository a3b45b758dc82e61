// Injecting a posted article (RFC 5537 §3.5): the headers an injecting agent adds or rewrites.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/article.h"

namespace tidings::protocol {

struct Injection {
    std::string_view pathhost;      // our path identity (is_valid_path_identity)
    std::int64_t now = 0;           // seconds since the epoch
    std::string_view message_id;    // used when the article has none: see make_message_id
    std::string_view posting_host;  // the poster's host or address, or empty: goes into Path's
                                    // ".POSTED" diagnostic and Injection-Info (RFC 5537 §3.2.1)
};

struct InjectResult {
    std::string error;       // non-empty: refuse with 441 and this text; text is then empty
    std::string text;        // the article to store and relay, in the form `text` was given
    std::string message_id;  // the article's Message-ID (given or added)
};

// A new message-ID "<time.unique@domain>" in base 36, unique as long as `unique` is unique
// per `now` on this server (a counter). RFC 5537 §3.5 leaves the form to the agent.
std::string make_message_id(std::string_view domain, std::int64_t now, std::uint64_t unique);

// Applies RFC 5537 §3.5 to a POSTed article. `article` must be parse_article(text).
// - Refuses what posting_error refuses, and a Date more than 24 hours ahead of `now`.
// - Adds Date (from `now`) and Message-ID (injection.message_id) when absent.
// - Path: prepends "pathhost!.POSTED[.posting_host]!" to the poster's Path, or creates
//   "pathhost!.POSTED[.posting_host]!not-for-mail" when there is none.
// - Replaces any Injection-Date and Xref; adds Injection-Date and
//   "Injection-Info: pathhost[; posting-host=\"...\"]".
// The result is what a relaying peer would send us: store it as is (with an Xref if wanted),
// not through rewrite_for_storage, which would prepend the pathhost a second time.
InjectResult inject_article(std::string_view text, const ParsedArticle& article, const Injection& injection);

}  // namespace tidings::protocol
