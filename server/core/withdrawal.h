// Whether an arriving cancel or Supersedes may withdraw its target (RFC 5537 §5.3, §5.4): the
// first [[control.rule]] matching one of the target's groups and the sender decides between a
// Cancel-Key check (RFC 8315), acceptance, or ignoring it. Pure: the caller applies the verdict.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "protocol/article.h"
#include "protocol/control.h"

namespace tidings::server {

struct WithdrawalVerdict {
    bool apply = false;      // withdraw the target (cancel it; remember it when not here yet)
    bool wait_for_target = false;  // `key` and the target is not here: check when it arrives
    std::string rule;        // "control.rule[N]", or "default" when none matched
    // One token for the log line: key_matched, accepted, ignored, no_key, no_lock,
    // key_mismatch, target_absent.
    std::string reason;
    std::vector<protocol::CancelElement> keys;  // with wait_for_target: the Cancel-Keys to check then
};

// `withdrawing`: the cancel or superseding article. `target`: the article it names when it is
// stored here, else nullptr. The groups matched against the rules are the target's Newsgroups
// when it is here, else the withdrawing article's (a cancel carries its target's).
WithdrawalVerdict judge_withdrawal(const config::Control& control, const protocol::ParsedArticle& withdrawing,
                                   const protocol::ParsedArticle* target);

// The address in a From field ("Name <a@b>" or "a@b (Name)"), lower-cased; empty when none.
std::string from_address(std::string_view from);

}  // namespace tidings::server
