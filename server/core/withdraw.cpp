// Carrying out cancels and Supersedes.
#include "server/core/withdraw.h"

#include <spdlog/spdlog.h>

#include "protocol/status.h"
#include "server/core/cancel_lock.h"

namespace tidings::server {
namespace {

std::string_view kind_name(protocol::WithdrawalKind k) {
    return k == protocol::WithdrawalKind::cancel ? "cancel" : "supersede";
}

}  // namespace

void apply_withdrawal(NodeContext& node, const WithdrawalPlan& plan, std::string_view by, std::string_view source) {
    const auto kind = kind_name(plan.what.kind);
    const auto& v = plan.verdict;
    const std::string outcome = v.apply ? "applied" : v.wait_for_target ? "waiting" : v.reason;
    ++node.counters.withdrawals[std::string(kind) + "/" + outcome];
    spdlog::info("event=withdrawal kind={} id={} target={} source={} rule={} decision={} reason={}", kind,
                 protocol::sanitize_for_echo(by), protocol::sanitize_for_echo(plan.what.target), source, v.rule,
                 v.apply ? "apply" : v.wait_for_target ? "wait" : "ignore", v.reason);
    if (v.wait_for_target) {
        // Its keys are all that is needed when the target comes (the rule matched already).
        node.pending_cancels.add(plan.what.target, v.keys, node.cfg().limits.max_pending_cancels);
        return;
    }
    if (!v.apply) return;
    // Both go to the single writer in this order, before the withdrawing article: cancel it if
    // stored; else (or anyway: a no-op then) remember the id so it is refused on arrival.
    node.store.cancel(plan.what.target, [](bool) {});
    node.store.remember(plan.what.target, storage::HistoryStatus::cancelled, [](bool) {});
}

bool cancelled_on_arrival(NodeContext& node, const std::string& id, std::string_view text) {
    if (node.pending_cancels.size() == 0) return false;
    auto keys = node.pending_cancels.take(id);
    if (!keys) return false;
    const auto article = protocol::parse_article(text);
    const bool match = cancel_key_matches(protocol::cancel_elements(article, "Cancel-Lock"), *keys);
    ++node.counters.withdrawals[std::string("cancel/") + (match ? "applied_on_arrival" : "key_mismatch_on_arrival")];
    spdlog::info("event=withdrawal kind=cancel target={} decision={} reason={}", protocol::sanitize_for_echo(id),
                 match ? "apply" : "ignore", match ? "key_matched_on_arrival" : "key_mismatch_on_arrival");
    return match;
}

}  // namespace tidings::server
