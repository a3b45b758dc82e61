#include "protocol/moderation.h"

#include <array>
#include <cctype>

namespace tidings::protocol {

namespace {

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

// Fields the injecting agent adds (RFC 5537 §3.5 steps 9-11), not part of the proto-article.
bool added_by_injection(std::string_view line) {
    static constexpr std::array<std::string_view, 4> names = {"Path", "Injection-Date", "Injection-Info", "Xref"};
    auto colon = line.find(':');
    if (colon == std::string_view::npos) return false;
    for (auto n : names)
        if (iequals(line.substr(0, colon), n)) return true;
    return false;
}

}  // namespace

std::string moderator_address(std::string_view pattern, std::string_view group) {
    std::string out;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] == '%' && i + 1 < pattern.size()) {
            if (pattern[i + 1] == 's') {
                for (char c : group) out.push_back(c == '.' ? '-' : c);
                ++i;
                continue;
            }
            if (pattern[i + 1] == '%') {
                out.push_back('%');
                ++i;
                continue;
            }
        }
        out.push_back(pattern[i]);
    }
    return out;
}

std::string moderator_mail(std::string_view wire, std::string_view address) {
    std::string out;
    out.reserve(wire.size() + address.size() + 8);
    out.append("To: ").append(address).push_back('\n');
    bool in_header = true, dropping = false;
    std::size_t at = 0;
    while (at < wire.size()) {
        std::size_t eol = wire.find("\r\n", at);
        std::size_t end = eol == std::string_view::npos ? wire.size() : eol;
        std::string_view line = wire.substr(at, end - at);
        at = eol == std::string_view::npos ? wire.size() : eol + 2;
        if (in_header) {
            if (line.empty()) {
                in_header = false;
                out.push_back('\n');
                continue;
            }
            bool continuation = line[0] == ' ' || line[0] == '\t';
            if (!continuation) dropping = added_by_injection(line);
            if (!dropping) out.append(line).push_back('\n');
            continue;
        }
        if (line.starts_with('.')) line.remove_prefix(1);  // RFC 3977 §3.1.1 dot-stuffing
        out.append(line).push_back('\n');
    }
    return out;
}

}  // namespace tidings::protocol
