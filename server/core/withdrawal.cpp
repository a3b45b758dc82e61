// Cancel and Supersedes policy.
#include "server/core/withdrawal.h"


#include "protocol/ascii.h"
#include "protocol/wildmat.h"
#include "server/core/cancel_lock.h"

namespace tidings::server {
namespace {

bool rule_matches(const config::ControlRule& r, std::string_view newsgroups, const std::string& sender) {
    if (!r.sender.empty() && protocol::ascii_lower(r.sender) != sender) return false;
    const protocol::Wildmat pattern(r.pattern);
    for (auto g : protocol::split_newsgroups(newsgroups))
        if (pattern.matches(g)) return true;
    return false;
}

}  // namespace

std::string from_address(std::string_view from) {
    const std::string v = protocol::unfold(from);
    std::string_view s = v;
    if (auto lt = s.rfind('<'); lt != std::string_view::npos) {
        auto gt = s.find('>', lt);
        if (gt != std::string_view::npos) return protocol::ascii_lower(s.substr(lt + 1, gt - lt - 1));
    }
    // "a@b (Name)" or a bare address: the first word with an '@'.
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
        std::size_t j = i;
        while (j < s.size() && s[j] != ' ' && s[j] != '\t') ++j;
        auto w = s.substr(i, j - i);
        if (w.find('@') != std::string_view::npos) return protocol::ascii_lower(w);
        i = j;
    }
    return {};
}

WithdrawalVerdict judge_withdrawal(const config::Control& control, const protocol::ParsedArticle& withdrawing,
                                   const protocol::ParsedArticle* target) {
    WithdrawalVerdict v;
    const protocol::HeaderField* ng = target ? target->find("Newsgroups") : withdrawing.find("Newsgroups");
    const std::string newsgroups = ng ? protocol::unfold(ng->value) : std::string();
    const protocol::HeaderField* from = withdrawing.find("From");
    const std::string sender = from ? from_address(from->value) : std::string();
    config::CancelPolicy policy = config::CancelPolicy::key;
    v.rule = "default";
    for (std::size_t i = 0; i < control.rules.size(); ++i) {
        if (!rule_matches(control.rules[i], newsgroups, sender)) continue;
        policy = control.rules[i].cancel;
        v.rule = "control.rule[" + std::to_string(i) + "]";
        break;
    }
    switch (policy) {
        case config::CancelPolicy::ignore:
            v.reason = "ignored";
            return v;
        case config::CancelPolicy::accept:
            v.apply = true;
            v.reason = "accepted";
            return v;
        case config::CancelPolicy::key:
            break;
    }
    const auto keys = protocol::cancel_elements(withdrawing, "Cancel-Key");
    if (keys.empty()) {
        v.reason = "no_key";
        return v;
    }
    if (!target) {
        v.wait_for_target = true;
        v.reason = "target_absent";
        v.keys = keys;
        return v;
    }
    const auto locks = protocol::cancel_elements(*target, "Cancel-Lock");
    if (locks.empty()) {
        v.reason = "no_lock";
        return v;
    }
    v.apply = cancel_key_matches(locks, keys);
    v.reason = v.apply ? "key_matched" : "key_mismatch";
    return v;
}

}  // namespace tidings::server
