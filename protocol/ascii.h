// ASCII case folding for protocol keywords and header names (RFC 3977 §3.1, RFC 5322 §2.2:
// case-insensitive over US-ASCII only; 8-bit octets compare as themselves).
#pragma once

#include <string>
#include <string_view>

namespace tidings::protocol {

constexpr char ascii_lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

inline std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = ascii_lower(c);
    return out;
}

// True when `a` and `b` are equal ignoring ASCII case.
constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    return true;
}

}  // namespace tidings::protocol
