// Deciding whether an offered article is taken, and preparing it for the store: the
// acceptance rules of the transit path. No I/O: unit-testable.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "protocol/wildmat.h"
#include "storage/snapshot.h"
#include "storage/types.h"

namespace tidings::server {

// The outgoing feeds, compiled once from the configuration: which peers get which articles
// (INN newsfeeds semantics: wildmat with '!' and '@', path identity, size limit).
class FeedTable {
public:
    explicit FeedTable(const config::Config& cfg);
    // Names of the peers that should be sent an article with these groups, this Path and
    // size; never `source` (the peer it came from).
    std::vector<std::string> select(std::string_view newsgroups, std::string_view path_value,
                                    std::size_t bytes, const config::Peer* source) const;

private:
    struct Feed {
        const config::Peer* peer;
        protocol::Wildmat pattern;
    };
    std::vector<Feed> feeds_;
};

struct IngestVerdict {
    bool accept = false;
    // Why it was refused, one token for logs and counters: loop, malformed, unwanted_group.
    std::string reason;
    std::string detail;  // human text for the log (no raw article bytes)
    storage::StoreRequest request;  // when accepted: Path prepended, groups, overview, feeds
};

// `wire` is the article as received (dot-stuffed, CRLF, without the final ".\r\n").
// `offered_id` is the Message-ID of the IHAVE/TAKETHIS command line. `from` is the feeding
// peer. Carried groups are looked up in `snap`.
IngestVerdict prepare_transit_article(const config::Config& cfg, const FeedTable& feeds,
                                      const config::Peer* from, std::string_view offered_id,
                                      std::string wire, const storage::Snapshot& snap);

}  // namespace tidings::server
