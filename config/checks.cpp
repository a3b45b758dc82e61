// Value syntax checks used by the loader (and by tests directly).
#include "config/checks.h"

#include <re2/re2.h>

#include <algorithm>
#include <charconv>
#include <vector>

#include "config/cidr.h"
#include "protocol/newsgroup.h"
#include "protocol/wildmat.h"

namespace tidings::config {
namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }

}  // namespace

std::optional<std::string> pathhost_error(std::string_view p) {
    if (p.empty()) return "empty path identity";
    if (!is_alnum(p.front())) return "a path identity starts with a letter or digit";
    for (char c : p)
        if (!is_alnum(c) && c != '-' && c != '.' && c != ':' && c != '_')
            return "a path identity uses letters, digits, '-', '.', ':' and '_'";
    return std::nullopt;
}

std::optional<std::string> domain_error(std::string_view d) {
    if (d.empty()) return "empty domain";
    std::size_t start = 0;
    while (true) {
        std::size_t dot = d.find('.', start);
        std::size_t len = dot == std::string_view::npos ? dot : dot - start;
        std::string_view label = d.substr(start, len);
        if (label.empty()) return "empty label in domain";
        for (char c : label)
            if (!is_alnum(c) && c != '-') return "a domain uses letters, digits, '-' and dots";
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    return std::nullopt;
}

std::optional<std::string> peer_name_error(std::string_view name) {
    if (name.empty()) return "empty name";
    if (name.size() > 64) return "longer than 64 characters";
    for (char c : name)
        if (!is_alnum(c) && c != '.' && c != '_' && c != '-')
            return "names use letters, digits, '.', '_' and '-'";
    return std::nullopt;
}

std::optional<std::string> user_name_error(std::string_view name) {
    if (name.empty()) return "empty user name";
    if (name.size() > 64) return "longer than 64 characters";
    for (unsigned char c : name)
        if (c <= 0x20 || c >= 0x7f || c == ':')
            return "user names use printable ASCII without space or ':'";
    return std::nullopt;
}

std::optional<std::string> mail_address_error(std::string_view a) {
    if (a.empty()) return "empty address";
    if (a.size() > 254) return "longer than 254 characters";
    int subst = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(a[i]);
        if (c <= 0x20 || c >= 0x7f || std::string_view("<>()[],;:\\\"").find(static_cast<char>(c)) != std::string_view::npos)
            return "one plain local@domain address: printable ASCII, no space or <>()[],;:\\\"";
        if (c == '%') {
            char next = i + 1 < a.size() ? a[i + 1] : '\0';
            if (next == 's') ++subst;
            else if (next != '%') return "'%' must be \"%s\" (the group) or \"%%\"";
            ++i;
        }
    }
    if (subst > 1) return "at most one \"%s\"";
    auto at = a.find('@');
    if (at == std::string_view::npos || at == 0 || at + 1 == a.size() || a.find('@', at + 1) != std::string_view::npos)
        return "not local@domain";
    return std::nullopt;
}

std::vector<std::string> split_command(std::string_view command) {
    std::vector<std::string> words;
    std::size_t i = 0;
    while (i < command.size()) {
        while (i < command.size() && command[i] == ' ') ++i;
        std::size_t j = i;
        while (j < command.size() && command[j] != ' ') ++j;
        if (j > i) words.emplace_back(command.substr(i, j - i));
        i = j;
    }
    return words;
}

std::optional<std::string> spki_pin_error(std::string_view pin) {
    constexpr std::string_view prefix = "sha256//";
    if (!pin.starts_with(prefix)) return "must start with sha256// (tidingsd --print-identity prints one)";
    pin.remove_prefix(prefix.size());
    if (pin.size() != 44 || pin.back() != '=') return "not the base64 of a SHA-256 (44 characters ending in =)";
    for (char c : pin.substr(0, 43))
        if (!is_alnum(c) && c != '+' && c != '/') return "not base64";
    return std::nullopt;
}

std::optional<std::string> password_hash_error(std::string_view hash) {
    if (hash.starts_with("$y$") || hash.starts_with("$6$")) {
        if (hash.size() < 8) return "truncated crypt(3) hash";
        return std::nullopt;
    }
    return "not a yescrypt ($y$) or SHA-512-crypt ($6$) hash";
}

std::optional<std::string> distribution_error(std::string_view d) {
    if (d.empty()) return "empty distribution";
    if (!is_alnum(d.front())) return "a distribution starts with a letter or digit";
    for (char c : d)
        if (!is_alnum(c) && c != '+' && c != '-' && c != '_')
            return "distributions use letters, digits, '+', '-' and '_'";
    if (d == "all") return "\"all\" is reserved";
    return std::nullopt;
}

HostPortParse parse_host_port(std::string_view text) {
    HostPortParse r;
    std::string_view host, port;
    if (text.starts_with('[')) {
        auto close = text.find(']');
        if (close == std::string_view::npos)
            return {std::nullopt, "missing ']' after IPv6 address"};
        host = text.substr(1, close - 1);
        if (close + 1 >= text.size() || text[close + 1] != ':')
            return {std::nullopt, "expected host:port"};
        port = text.substr(close + 2);
        if (host.find(':') == std::string_view::npos || !is_ip_address(host))
            return {std::nullopt, "not an IPv6 address inside [ ]"};
    } else {
        auto colon = text.rfind(':');
        if (colon == std::string_view::npos) return {std::nullopt, "expected host:port"};
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
        if (host.find(':') != std::string_view::npos)
            return {std::nullopt, "write IPv6 addresses as [address]:port"};
        if (host.empty()) return {std::nullopt, "empty host"};
        if (!is_ip_address(host) && domain_error(host))
            return {std::nullopt, "host is neither a DNS name nor an IP address"};
    }
    unsigned n = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), n);
    bool whole = !port.empty() && ec == std::errc{} && end == port.data() + port.size();
    if (!whole || n == 0 || n > 65535)
        return {std::nullopt, "port is not 1-65535"};
    r.value = HostPort{std::string(host), static_cast<std::uint16_t>(n)};
    return r;
}

std::string quote(std::string_view s) {
    constexpr std::size_t max = 64;
    std::string out = "\"";
    for (std::size_t i = 0; i < s.size() && i < max; ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20 || c == 0x7f) {
            static constexpr char hex[] = "0123456789abcdef";
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        } else {
            out += static_cast<char>(c);
        }
    }
    if (s.size() > max) out += "...";
    out += '"';
    return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] != b[j - 1])});
            diag = up;
        }
    }
    return row[b.size()];
}

std::string host_name_hint(std::string_view v) {
    bool has_letter = false;
    for (char c : v) has_letter = has_letter || is_alpha(c);
    bool name = has_letter && v.find(':') == std::string_view::npos && !domain_error(v);
    return name ? " (host names are not resolved; give an IP address)" : "";
}

std::optional<std::string> value_error(Kind kind, std::string_view v) {
    auto named = [&](std::string_view what,
                     std::optional<std::string> why) -> std::optional<std::string> {
        if (!why) return std::nullopt;
        std::string out(what);
        out.append(" ").append(quote(v)).append(": ").append(*why);
        return out;
    };
    switch (kind) {
    case Kind::path:
        if (v.empty()) return std::string("empty path");
        return std::nullopt;
    case Kind::wildmat: return named("bad wildmat", protocol::wildmat_error(v));
    case Kind::feed_wildmat: return named("bad wildmat", protocol::wildmat_error(v, true));
    case Kind::address:
        if (is_ip_address(v)) return std::nullopt;
        return named("bad address", "not an IPv4 or IPv6 address" + host_name_hint(v));
    case Kind::newsgroup: {
        auto why = protocol::new_newsgroup_name_error(v);
        return named("bad newsgroup name", why ? std::optional<std::string>(*why) : std::nullopt);
    }
    case Kind::pathhost:
    case Kind::pathhost_list: return named("bad path identity", pathhost_error(v));
    case Kind::distributions: return named("bad distribution", distribution_error(v));
    case Kind::domain: return named("bad domain", domain_error(v));
    case Kind::name: return named("bad name", peer_name_error(v));
    case Kind::user_name: return named("bad user name", user_name_error(v));
    case Kind::mail_address: return named("bad mail address", mail_address_error(v));
    case Kind::spki_pin: return named("bad pin", spki_pin_error(v));
    case Kind::name_list: return named("bad name", peer_name_error(v));
    case Kind::pin_list: return named("bad pin", spki_pin_error(v));
    case Kind::host_port_list: {
        auto hp = parse_host_port(v);
        return named("bad host:port", hp.value ? std::nullopt : std::optional<std::string>(hp.error));
    }
    case Kind::regex: {
        // Compiled as the filter will compile it (server/core/filter.cpp): RE2 syntax, which
        // has no backreferences or lookaround, so matching time is linear in the input.
        RE2::Options o;
        o.set_log_errors(false);
        RE2 re(re2::StringPiece(v.data(), v.size()), o);
        if (re.ok()) return std::nullopt;
        return named("bad regular expression", re.error());
    }
    case Kind::password_hash:
        // A hash is half a secret: say what is wrong, never what it was.
        if (auto why = password_hash_error(v)) return "bad password hash: " + *why;
        return std::nullopt;
    default: return std::nullopt;
    }
}

std::string did_you_mean(std::string_view word, std::span<const std::string> candidates) {
    const std::string* best = nullptr;
    std::size_t best_distance = 3;  // more than two edits is a guess, not a typo
    for (const auto& c : candidates) {
        std::size_t d = edit_distance(word, c);
        if (d < best_distance && d < c.size()) best_distance = d, best = &c;
    }
    if (!best) return "";
    std::string out = " (did you mean \"";
    out.append(*best).append("\"?)");
    return out;
}

}  // namespace tidings::config
