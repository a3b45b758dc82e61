// Message-ID syntax checks (RFC 3977 §3.6, RFC 5536 §3.1.3).
#include "protocol/message_id.h"

namespace tidings::protocol {

namespace {

// RFC 5322 atext: letters, digits and "!#$%&'*+-/=?^_`{|}~".
constexpr bool is_atext(unsigned char c) noexcept {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
    case '/': case '=': case '?': case '^': case '_': case '`': case '{': case '|': case '}':
    case '~':
        return true;
    default:
        return false;
    }
}

// dot-atom-text = 1*atext *("." 1*atext): no leading, trailing or doubled dot.
constexpr bool is_dot_atom_text(std::string_view s) noexcept {
    if (s.empty()) return false;
    bool after_dot = true;
    for (unsigned char c : s) {
        if (c == '.') {
            if (after_dot) return false;
            after_dot = true;
        } else if (is_atext(c)) {
            after_dot = false;
        } else {
            return false;
        }
    }
    return !after_dot;
}

// RFC 5536 no-fold-literal = "[" *mdtext "]"; mdtext is printable US-ASCII without "[", "]",
// "\" and (RFC 5536's restriction) ">".
constexpr bool is_no_fold_literal(std::string_view s) noexcept {
    if (s.size() < 2 || s.front() != '[' || s.back() != ']') return false;
    for (unsigned char c : s.substr(1, s.size() - 2))
        if (c < 0x21 || c > 0x7e || c == '[' || c == ']' || c == '\\' || c == '>') return false;
    return true;
}

}  // namespace

std::optional<std::string_view> message_id_error(std::string_view id, MessageIdRules rules) noexcept {
    if (id.size() < 3) return "message-ID too short";
    if (id.size() > max_message_id) return "message-ID longer than 250 octets";
    if (id.front() != '<') return "message-ID must begin with '<'";
    if (id.back() != '>') return "message-ID must end with '>'";
    std::string_view core = id.substr(1, id.size() - 2);
    for (unsigned char c : core) {
        if (c < 0x21 || c > 0x7e) return "message-ID has a space, control or 8-bit octet";
        if (c == '>') return "message-ID has '>' before its end";
    }
    if (rules == MessageIdRules::nntp) return std::nullopt;

    // The local part cannot contain "@" in dot-atom-text, so the first "@" splits.
    const std::size_t at = core.find('@');
    if (at == std::string_view::npos) return "message-ID has no '@'";
    if (!is_dot_atom_text(core.substr(0, at))) return "message-ID has a malformed left part";
    std::string_view right = core.substr(at + 1);
    if (!is_dot_atom_text(right) && !is_no_fold_literal(right))
        return "message-ID has a malformed right part";
    return std::nullopt;
}

}  // namespace tidings::protocol
