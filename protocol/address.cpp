#include "protocol/address.h"

#include <vector>

namespace tidings::protocol {
namespace {

bool is_atext(unsigned char c) {
    if (c >= 0x80) return true;  // UTF-8 (RFC 6532)
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("!#$%&'*+-/=?^_`{|}~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_wsp(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_wsp(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_wsp(s.back())) s.remove_suffix(1);
    return s;
}

// A quoted string starting at s[i] == '"': the index just past its closing quote, or npos.
std::size_t skip_quoted(std::string_view s, std::size_t i) {
    for (++i; i < s.size(); ++i) {
        if (s[i] == '\\') {
            if (++i == s.size()) return std::string_view::npos;
        } else if (s[i] == '"') {
            return i + 1;
        }
    }
    return std::string_view::npos;
}

// `s` with every comment (nested parentheses, quoted pairs) replaced by a space; quoted strings
// are kept as they are. nullopt when a comment or a quoted string is not closed.
std::optional<std::string> without_comments(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size();) {
        if (s[i] == '"') {
            std::size_t end = skip_quoted(s, i);
            if (end == std::string_view::npos) return std::nullopt;
            out.append(s.substr(i, end - i));
            i = end;
        } else if (s[i] == '(') {
            int depth = 0;
            for (; i < s.size(); ++i) {
                if (s[i] == '\\') { ++i; continue; }
                if (s[i] == '(') ++depth;
                else if (s[i] == ')' && --depth == 0) break;
            }
            if (i >= s.size()) return std::nullopt;
            ++i;
            out.push_back(' ');
        } else if (s[i] == ')') {
            return std::nullopt;
        } else {
            out.push_back(s[i++]);
        }
    }
    return out;
}

bool dot_atom(std::string_view s) {
    if (s.empty() || s.front() == '.' || s.back() == '.') return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c == '.') {
            if (s[i + 1] == '.') return false;
        } else if (!is_atext(c)) {
            return false;
        }
    }
    return true;
}

std::optional<std::string> addr_spec_error(std::string_view a) {
    a = trim(a);
    if (a.empty()) return "empty address";
    std::string_view local;
    std::size_t at;
    if (a.front() == '"') {
        std::size_t end = skip_quoted(a, 0);
        if (end == std::string_view::npos || end >= a.size() || a[end] != '@') return "bad quoted local part";
        local = a.substr(0, end);
        at = end;
    } else {
        at = a.find('@');
        if (at == std::string_view::npos) return "no '@' in the address";
        local = a.substr(0, at);
        if (!dot_atom(local)) return "bad local part";
    }
    std::string_view domain = a.substr(at + 1);
    if (domain.empty()) return "no domain after '@'";
    if (domain.front() == '[') {
        if (domain.back() != ']' || domain.size() < 3) return "bad domain literal";
        for (char c : domain.substr(1, domain.size() - 2))
            if (c == '[' || c == ']' || c == '\\' || is_wsp(c)) return "bad domain literal";
        return std::nullopt;
    }
    if (!dot_atom(domain)) return "bad domain";
    return std::nullopt;
}

std::optional<std::string> mailbox_error(std::string_view m) {
    m = trim(m);
    if (m.empty()) return "empty mailbox";
    // name-addr: the angle brackets outside quoted strings.
    std::size_t open = std::string_view::npos;
    for (std::size_t i = 0; i < m.size(); ++i) {
        if (m[i] == '"') {
            i = skip_quoted(m, i) - 1;
        } else if (m[i] == '<') {
            open = i;
            break;
        } else if (m[i] == '>') {
            return "'>' without '<'";
        }
    }
    if (open == std::string_view::npos) return addr_spec_error(m);
    std::size_t close = m.find('>', open);
    if (close == std::string_view::npos) return "'<' without '>'";
    if (!trim(m.substr(close + 1)).empty()) return "text after '>'";
    std::string_view addr = m.substr(open + 1, close - open - 1);
    if (addr.find('<') != std::string_view::npos) return "nested '<'";
    return addr_spec_error(addr);
}

}  // namespace

std::optional<std::string> mailbox_list_error(std::string_view value) {
    auto text = without_comments(value);
    if (!text) return "unbalanced comment or quoted string";
    // Split at commas outside quoted strings, angle brackets and domain literals.
    std::vector<std::string_view> parts;
    std::string_view s = *text;
    std::size_t start = 0;
    int angle = 0, square = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '"') {
            i = skip_quoted(s, i) - 1;  // closed: checked by without_comments
        } else if (c == '<') {
            ++angle;
        } else if (c == '>') {
            --angle;
        } else if (c == '[') {
            ++square;
        } else if (c == ']') {
            --square;
        } else if (c == ',' && angle <= 0 && square <= 0) {
            parts.push_back(s.substr(start, i - start));
            start = i + 1;
        }
    }
    parts.push_back(s.substr(start));
    if (parts.size() == 1 && trim(parts[0]).empty()) return "no address";
    for (auto part : parts)
        if (auto e = mailbox_error(part)) return e;
    return std::nullopt;
}

}  // namespace tidings::protocol
