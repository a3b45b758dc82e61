// The key under which per-address limits count a client: its IPv4 address, or its IPv6 /64
// (one subscriber's usual allocation: counting each /128 would let one host take every slot
// by cycling through its 2^64 addresses).
#pragma once

#include <string>

#include "server/net/net.h"

namespace tidings::server {

// "192.0.2.7" for IPv4 (also when written as ::ffff:192.0.2.7); "2001:db8:1:2::/64" for IPv6.
std::string address_key(const net::ip::address& a);

}  // namespace tidings::server
