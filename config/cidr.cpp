// Cidr parsing and matching over inet_pton; no resolver, no Asio.
#include "config/cidr.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace tidings::config {
namespace {

// inet_pton needs a NUL-terminated string; literals are short, so a stack buffer will do.
bool to_bytes(std::string_view text, std::array<std::uint8_t, 16>& out, bool& v6) {
    char buf[INET6_ADDRSTRLEN + 1];
    if (text.empty() || text.size() >= sizeof buf) return false;
    std::memcpy(buf, text.data(), text.size());
    buf[text.size()] = '\0';
    out.fill(0);
    if (text.find(':') != std::string_view::npos) {
        v6 = true;
        return inet_pton(AF_INET6, buf, out.data()) == 1;
    }
    v6 = false;
    return inet_pton(AF_INET, buf, out.data()) == 1;
}

bool prefix_equal(const std::uint8_t* a, const std::uint8_t* b, unsigned bits) {
    unsigned whole = bits / 8, rest = bits % 8;
    if (std::memcmp(a, b, whole) != 0) return false;
    if (rest == 0) return true;
    auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
    return (a[whole] & mask) == (b[whole] & mask);
}

constexpr std::uint8_t v4_mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

}  // namespace

std::optional<Cidr> Cidr::parse(std::string_view text, std::string* why) {
    auto fail = [&](const char* reason) -> std::optional<Cidr> {
        if (why) *why = reason;
        return std::nullopt;
    };
    Cidr c;
    std::string_view addr = text;
    std::optional<unsigned> len;
    if (auto slash = text.find('/'); slash != std::string_view::npos) {
        addr = text.substr(0, slash);
        std::string_view digits = text.substr(slash + 1);
        unsigned n = 0;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
        if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size())
            return fail("prefix length is not a number");
        len = n;
    }
    if (!to_bytes(addr, c.bytes, c.v6)) return fail("not an IPv4 or IPv6 address");
    unsigned max = c.v6 ? 128 : 32;
    if (len && *len > max)
        return fail(c.v6 ? "prefix length above 128" : "prefix length above 32");
    c.prefix = static_cast<std::uint8_t>(len.value_or(max));
    for (unsigned i = 0; i < 16; ++i) {
        unsigned bits_before = i * 8;
        if (bits_before >= c.prefix) c.bytes[i] = 0;
        else if (bits_before + 8 > c.prefix)
            c.bytes[i] &= static_cast<std::uint8_t>(0xff << (8 - (c.prefix - bits_before)));
    }
    return c;
}

bool Cidr::contains(std::string_view address) const {
    std::array<std::uint8_t, 16> b;
    bool is_v6 = false;
    if (!to_bytes(address, b, is_v6)) return false;
    return contains(std::span<const std::uint8_t>(b.data(), is_v6 ? 16 : 4));
}

bool Cidr::contains(std::span<const std::uint8_t> address) const {
    const std::uint8_t* a = address.data();
    bool a_v6 = false;
    if (address.size() == 16) {
        a_v6 = true;
        if (!v6 && std::memcmp(a, v4_mapped_prefix, 12) == 0) {
            a += 12;
            a_v6 = false;
        }
    } else if (address.size() != 4) {
        return false;
    }
    if (a_v6 != v6) return false;
    return prefix_equal(a, bytes.data(), prefix);
}

std::string Cidr::to_string() const {
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf);
    return std::string(buf) + "/" + std::to_string(prefix);
}

bool matches_any(std::span<const Cidr> networks, std::string_view address) {
    std::array<std::uint8_t, 16> b;
    bool is_v6 = false;
    if (!to_bytes(address, b, is_v6)) return false;
    std::span<const std::uint8_t> bytes(b.data(), is_v6 ? 16 : 4);
    for (const Cidr& c : networks)
        if (c.contains(bytes)) return true;
    return false;
}

bool is_ip_address(std::string_view text) {
    std::array<std::uint8_t, 16> b;
    bool v6 = false;
    return to_bytes(text, b, v6);
}

}  // namespace tidings::config
