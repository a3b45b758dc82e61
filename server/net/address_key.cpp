// Per-address limit keys: IPv4 addresses as they are, IPv6 by /64.
#include "server/net/address_key.h"

namespace tidings::server {

std::string address_key(const net::ip::address& a) {
    if (a.is_v4()) return a.to_string();
    const auto v6 = a.to_v6();
    if (v6.is_v4_mapped()) return net::ip::make_address_v4(net::ip::v4_mapped, v6).to_string();
    auto bytes = v6.to_bytes();
    for (std::size_t i = 8; i < bytes.size(); ++i) bytes[i] = 0;
    return net::ip::address_v6(bytes).to_string() + "/64";
}

}  // namespace tidings::server
