// Acting on newgroup, rmgroup and checkgroups (RFC 5537 §5.2) under [[control.group_rule]]:
// the rule that fits, the PGP check it asks for (gpgv), then the group created or removed, the
// message mailed or only logged; a checkgroups becomes a diff the admin applies (admin API).
// Runs after the control message itself was stored: the message is kept (and relayed) whatever
// the decision, as INN does.
#pragma once

#include "server/net/net.h"

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "protocol/article.h"
#include "protocol/group_control.h"

namespace tidings::server {

class NodeContext;

// The rule a group control message falls under (pure).
struct GroupControlPlan {
    protocol::GroupControl what;
    std::string sender;                               // lower-cased address, Sender else From
    const config::GroupControlRule* rule = nullptr;   // null: no rule fits (log only)
    std::string rule_name;                            // "control.group_rule[i]" or "default"
};
// nullopt when `a` is not a well-formed group control message. For checkgroups the rule is
// the first of its kind whose sender fits (its pattern then selects the lines).
std::optional<GroupControlPlan> plan_group_control(const config::Control& control, const protocol::ParsedArticle& a);

// True when `a`'s Control header names newgroup, rmgroup or checkgroups.
bool is_group_control(const protocol::ParsedArticle& a);

// Groups control messages never remove or re-flag: the quarantine group, control and
// control.*, junk, and the groups of [[group]] (the admin's file is the authority for them).
bool protected_group(const config::Config& cfg, std::string_view name);

// What a checkgroups would change, kept for the admin (GET /checkgroups, POST .../apply).
struct CheckgroupsDiff {
    std::uint64_t id = 0;
    std::string message_id, sender, rule;
    std::int64_t received = 0;
    std::vector<std::string> scope;            // the hierarchies it is complete for
    std::vector<protocol::GroupLine> add;      // listed, not carried here
    std::vector<std::string> remove;           // carried here, in scope, not listed
    std::vector<protocol::GroupLine> moderate; // carried with the other moderation status
};

// Computes the diff of `lines` (already limited to the rule's pattern) against `groups` (name
// -> flag y/n/m), for `scope` (empty: the first components of the listed groups). Pure.
CheckgroupsDiff checkgroups_diff(const std::vector<protocol::GroupLine>& lines, std::vector<std::string> scope,
                                 const std::map<std::string, char>& groups, const std::string& pattern);

// The last few diffs (at most `max`, oldest dropped), by id.
class CheckgroupsDiffs {
public:
    explicit CheckgroupsDiffs(std::size_t max = 16) : max_(max) {}
    std::uint64_t add(CheckgroupsDiff d);
    const std::deque<CheckgroupsDiff>& all() const { return diffs_; }
    std::optional<CheckgroupsDiff> take(std::uint64_t id);
    // checkgroups serials (§5.2.3 chksernr) honoured, by scope: a lower one is declined.
    std::map<std::string, std::uint64_t> serials;

private:
    std::size_t max_;
    std::uint64_t next_ = 1;
    std::deque<CheckgroupsDiff> diffs_;
};

// Judges and carries out the group control message `article` (as stored) with Message-ID `id`,
// from `source` (a peer's name or "local"). One log line (event=group_control) and a counter
// per decision.
awaitable<void> run_group_control(NodeContext& node, std::string id, std::string article, std::string source);

// Applies a diff (the admin's choice): creates its added groups, removes its removed ones, sets
// the moderation flags, and returns once the store committed it all: what it did, one entry
// per group.
awaitable<std::vector<std::string>> apply_checkgroups(NodeContext& node, const CheckgroupsDiff& diff);

}  // namespace tidings::server
