// Control messages and withdrawals, parsed.
#include "protocol/control.h"

#include <cctype>

#include "protocol/ascii.h"
#include "protocol/message_id.h"

namespace tidings::protocol {
namespace {

std::vector<std::string> words(std::string_view s) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
        std::size_t j = i;
        while (j < s.size() && s[j] != ' ' && s[j] != '\t') ++j;
        if (j > i) out.emplace_back(s.substr(i, j - i));
        i = j;
    }
    return out;
}

bool base64_chars(std::string_view s) {
    if (s.empty()) return false;
    for (unsigned char c : s)
        if (!std::isalnum(c) && c != '+' && c != '/' && c != '=') return false;
    return true;
}

}  // namespace

std::optional<ControlCommand> control_command(const ParsedArticle& a) {
    const HeaderField* f = a.find("Control");
    if (!f) return std::nullopt;
    auto w = words(unfold(f->value));
    if (w.empty()) return std::nullopt;
    ControlCommand c;
    c.verb = ascii_lower(w.front());
    c.arguments.assign(w.begin() + 1, w.end());
    return c;
}

std::optional<Withdrawal> withdrawal_of(const ParsedArticle& a) {
    if (auto c = control_command(a)) {
        // RFC 5537 §5.3: "cancel" takes exactly one argument, the target's Message-ID.
        if (c->verb != "cancel") return std::nullopt;
        if (c->arguments.size() != 1 || !is_valid_message_id(c->arguments[0], MessageIdRules::nntp))
            return std::nullopt;
        return Withdrawal{WithdrawalKind::cancel, c->arguments[0]};
    }
    if (const HeaderField* f = a.find("Supersedes")) {
        auto w = words(unfold(f->value));
        // RFC 5536 §3.2.12: one msg-id.
        if (w.size() != 1 || !is_valid_message_id(w[0], MessageIdRules::nntp)) return std::nullopt;
        return Withdrawal{WithdrawalKind::supersede, w[0]};
    }
    return std::nullopt;
}

std::vector<CancelElement> cancel_elements(const ParsedArticle& a, std::string_view name, std::size_t max_elements) {
    std::vector<CancelElement> out;
    for (const auto& f : a.fields) {
        if (!iequals(f.name, name)) continue;
        for (const auto& w : words(unfold(f.value))) {
            if (out.size() >= max_elements) return out;
            const auto colon = w.find(':');
            if (colon == std::string::npos || colon == 0) continue;
            std::string value = w.substr(colon + 1);
            if (!base64_chars(value)) continue;
            out.push_back({ascii_lower(std::string_view(w).substr(0, colon)), std::move(value)});
        }
    }
    return out;
}

}  // namespace tidings::protocol
