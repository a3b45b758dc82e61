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
#include "server/core/filter.h"
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

// What the filter rules need besides the article: the compiled rules, the node's body
// history (EMP counting) and the time.
struct Filtering {
    const FilterTable& table;
    BodyHistory& bodies;
    std::int64_t now;
};

struct IngestVerdict {
    bool accept = false;
    // Why it was refused, one token for logs and counters: loop, malformed, unwanted_group,
    // filter.
    std::string reason;
    std::string detail;  // human text for the log (no raw article bytes)
    // Whether a refusal may be remembered under the offered id (history: a re-offer is then
    // refused at once). Not when the article does not carry that id in its Message-ID header:
    // the refusal is about other bytes, and remembering would let one peer suppress any
    // article by offering its id with something else attached.
    bool remember = true;
    storage::StoreRequest request;  // when accepted: Path prepended, groups, overview, feeds
    std::optional<WithdrawalPlan> withdrawal;  // when accepted and it cancels or supersedes
    // The filter rule that matched, if any: reject (accept false), quarantine (accepted, filed
    // in the quarantine group only, fed to nobody, no withdrawal applied) or accept.
    std::optional<FilterMatch> filter;
    // A newgroup, rmgroup or checkgroups: acted on once stored (server/core/group_control.h).
    bool group_control = false;
};

// Applies the filter rules to an article about to be accepted (`v.request` indexed): a reject
// refuses it, a quarantine files it in `quarantine_group` only (when the store has that group)
// and queues it for no peer. Records the match in `v.filter`.
void apply_filter(IngestVerdict& v, const Filtering& filtering, const protocol::ParsedArticle& article,
                  std::size_t bytes, std::string_view source, const std::string& quarantine_group,
                  const storage::Snapshot& snap);

// Judges the withdrawal `article` asks for, if any, against what `snap` holds (the target's
// Cancel-Lock and groups) under cfg.control.
std::optional<WithdrawalPlan> plan_withdrawal(const config::Control& control, const protocol::ParsedArticle& article,
                                              const storage::Snapshot& snap);

// RFC 5537 §5: a control message is filed in control.<verb> when carried, else in control
// when carried (as INN does), never in the groups it names; `groups` (the carried groups of
// its Newsgroups) are replaced.
void file_control_message(std::vector<std::string>& groups, const storage::Snapshot& snap, std::string_view verb);

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

// `filtering`: the filter rules to apply (none when null), with `from`'s name as the source,
// else `source` (an [[upstream]]'s name for a pulled article).
IngestVerdict prepare_transit_article(const config::Config& cfg, const FeedTable& feeds,
                                      const config::Peer* from, std::string_view offered_id,
                                      std::string wire, const storage::Snapshot& snap,
                                      const Filtering* filtering = nullptr, std::string_view source = "-");

}  // namespace tidings::server
