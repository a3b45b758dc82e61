// Deciding whether an offered article is taken, and preparing it for the store: the
// acceptance rules of the transit path. No I/O: unit-testable.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "protocol/article.h"
#include "protocol/control.h"
#include "server/core/withdrawal.h"
#include "protocol/wildmat.h"
#include "storage/snapshot.h"
#include "storage/types.h"

namespace tidings::server {

// The outgoing feeds, compiled once from the configuration: which peers get which articles
// (INN newsfeeds semantics: wildmat with '!' and '@', path identity and aliases, size limit,
// distributions).
class FeedTable {
public:
    explicit FeedTable(const config::Config& cfg);
    // Names of the peers that should be sent an article with these groups, this Path, size and
    // Distribution header value (empty when the article has none); never `source` (the peer it
    // came from) when the source is known for sure — see Feed::source_ambiguous.
    std::vector<std::string> select(std::string_view newsgroups, std::string_view path_value,
                                    std::size_t bytes, const config::Peer* source,
                                    std::string_view distribution = {}) const;

private:
    struct Feed {
        const config::Peer* peer;
        protocol::Wildmat pattern;
        // Another peer shares one of its `hosts` entries (e.g. several peers on loopback): a
        // session from that address is attributed to the first such peer, which may be the
        // wrong one. Then only the Path keeps the article from going back, as it does anyway
        // for any peer that prepends its path identity.
        bool source_ambiguous = false;
    };
    std::vector<Feed> feeds_;
};

// An accepted article that withdraws another (cancel or Supersedes) and what to do about it:
// the caller applies it (apply_withdrawal) before storing the article, so that the target is
// gone no later than the withdrawal is acknowledged.
struct WithdrawalPlan {
    protocol::Withdrawal what;
    WithdrawalVerdict verdict;
};

struct IngestVerdict {
    bool accept = false;
    // Why it was refused, one token for logs and counters: loop, malformed, unwanted_group.
    std::string reason;
    std::string detail;  // human text for the log (no raw article bytes)
    // Whether a refusal may be remembered under the offered id (history: a re-offer is then
    // refused at once). Not when the article does not carry that id in its Message-ID header:
    // the refusal is about other bytes, and remembering would let one peer suppress any
    // article by offering its id with something else attached.
    bool remember = true;
    storage::StoreRequest request;  // when accepted: Path prepended, groups, overview, feeds
    std::optional<WithdrawalPlan> withdrawal;  // when accepted and it cancels or supersedes
};

// Judges the withdrawal `article` asks for, if any, against what `snap` holds (the target's
// Cancel-Lock and groups) under cfg.control.
std::optional<WithdrawalPlan> plan_withdrawal(const config::Control& control, const protocol::ParsedArticle& article,
                                              const storage::Snapshot& snap);

// RFC 5537 §5.3: a cancel is filed in control.cancel when carried (as INN does), never in its
// target's groups; `groups` are the carried groups of its Newsgroups.
void file_control_message(std::vector<std::string>& groups, const storage::Snapshot& snap);

// `wire` is the article as received (dot-stuffed, CRLF, without the final ".\r\n").
// `offered_id` is the Message-ID of the IHAVE/TAKETHIS command line. `from` is the feeding
// peer. Carried groups are looked up in `snap`.
// INN's newsfeeds /distrib rule: an article without Distribution goes to every peer; one with
// it goes when at least one of its distributions is wanted by `wanted` (entries "name" or
// "!name", compared case-insensitively): a listed name is wanted, a "!name" is not, and a name
// not listed is wanted only when the list has nothing but "!" entries. Empty `wanted`: all.
bool distribution_wanted(const std::vector<std::string>& wanted, std::string_view distribution);

// Fills what the store indexes about an article besides its groups: the overview record (from
// `a`, parsed from `wire`), the peers it is queued for (`from`: the peer it came from, or null),
// its Message-ID and arrival time. Shared by transit (prepare_transit_article) and POST.
void index_article(storage::StoreRequest& req, const protocol::ParsedArticle& a, std::string_view wire,
                   std::string_view message_id, std::string_view newsgroups, const FeedTable& feeds,
                   const config::Peer* from, std::int64_t arrival);

IngestVerdict prepare_transit_article(const config::Config& cfg, const FeedTable& feeds,
                                      const config::Peer* from, std::string_view offered_id,
                                      std::string wire, const storage::Snapshot& snap);

}  // namespace tidings::server
