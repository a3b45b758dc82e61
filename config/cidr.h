// An IPv4 or IPv6 network (address/prefix) and the test "is this peer address inside it".
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace tidings::config {

// A network such as "127.0.0.0/8" or "::1/128"; a plain address is a /32 or /128.
// Host bits below the prefix are cleared on parsing, so "10.1.2.3/8" is 10.0.0.0/8 and
// two Cidrs compare equal when they name the same network.
// IPv4-mapped IPv6 peers (::ffff:a.b.c.d, what a dual-stack "::" listener reports) are
// matched against IPv4 networks as the IPv4 address they carry.
struct Cidr {
    std::array<std::uint8_t, 16> bytes{};  // network order, host bits zero; IPv4 uses 4
    std::uint8_t prefix = 0;               // 0-32 for IPv4, 0-128 for IPv6
    bool v6 = false;

    // Parses "addr" or "addr/len". On failure returns nullopt and, if `why` is given,
    // sets it to a short reason that does not repeat the input.
    static std::optional<Cidr> parse(std::string_view text, std::string* why = nullptr);

    // `address` is an IPv4 or IPv6 literal without brackets or prefix; false if unparsable.
    bool contains(std::string_view address) const;
    // `address` holds 4 (IPv4) or 16 (IPv6) bytes in network order; other sizes never match.
    bool contains(std::span<const std::uint8_t> address) const;

    // Canonical text, always with the prefix: "127.0.0.0/8", "::1/128".
    std::string to_string() const;

    bool operator==(const Cidr&) const = default;
};

// True when some network of `networks` contains `address` (text, as Cidr::contains).
bool matches_any(std::span<const Cidr> networks, std::string_view address);

// True when `text` is an IPv4 or IPv6 address literal (no brackets, no prefix).
bool is_ip_address(std::string_view text);

}  // namespace tidings::config
