#include "server/net/address_key.h"

#include <gtest/gtest.h>

namespace tidings::server {
namespace {

std::string key(const char* text) { return address_key(net::ip::make_address(text)); }

TEST(AddressKey, Ipv4IsItselfAndIpv6CountsPerSlash64) {
    EXPECT_EQ(key("192.0.2.7"), "192.0.2.7");
    EXPECT_EQ(key("::ffff:192.0.2.7"), "192.0.2.7");  // a v4 client on a dual-stack socket
    EXPECT_EQ(key("2001:db8:1:2::1"), "2001:db8:1:2::/64");
    EXPECT_EQ(key("2001:db8:1:2:ffff:ffff:ffff:ffff"), "2001:db8:1:2::/64");
    EXPECT_NE(key("2001:db8:1:3::1"), key("2001:db8:1:2::1"));
    EXPECT_EQ(key("::1"), "::/64");
}

}  // namespace
}  // namespace tidings::server
