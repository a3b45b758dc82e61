#include "config/cidr.h"

#include <gtest/gtest.h>

namespace tidings::config {
namespace {

TEST(Cidr, ParsesNetworksAndPlainAddresses) {
    struct Row { const char* text; const char* canonical; };
    for (auto row : {Row{"127.0.0.0/8", "127.0.0.0/8"}, Row{"10.1.2.3/8", "10.0.0.0/8"},
                     Row{"192.0.2.7", "192.0.2.7/32"}, Row{"::1", "::1/128"},
                     Row{"2001:db8::/32", "2001:db8::/32"}, Row{"0.0.0.0/0", "0.0.0.0/0"},
                     Row{"fe80::1/10", "fe80::/10"}}) {
        auto c = Cidr::parse(row.text);
        ASSERT_TRUE(c) << row.text;
        EXPECT_EQ(c->to_string(), row.canonical);
    }
}

TEST(Cidr, RejectsMalformedWithReason) {
    struct Row { const char* text; const char* why; };
    for (auto row : {Row{"10.0.0.0/33", "prefix length above 32"},
                     Row{"::/129", "prefix length above 128"},
                     Row{"10.0.0.0/", "prefix length is not a number"},
                     Row{"10.0.0.0/8x", "prefix length is not a number"},
                     Row{"10.0.0", "not an IPv4 or IPv6 address"},
                     Row{"example.com", "not an IPv4 or IPv6 address"},
                     Row{"", "not an IPv4 or IPv6 address"},
                     Row{"[::1]", "not an IPv4 or IPv6 address"}}) {
        std::string why;
        EXPECT_FALSE(Cidr::parse(row.text, &why)) << row.text;
        EXPECT_EQ(why, row.why) << row.text;
    }
}

TEST(Cidr, ContainsMatchesPrefixBitsOnly) {
    auto net = *Cidr::parse("192.168.4.0/22");
    EXPECT_TRUE(net.contains("192.168.4.1"));
    EXPECT_TRUE(net.contains("192.168.7.255"));
    EXPECT_FALSE(net.contains("192.168.8.0"));
    EXPECT_FALSE(net.contains("192.168.3.255"));
    EXPECT_FALSE(net.contains("::1"));
    EXPECT_FALSE(net.contains("not an address"));
    EXPECT_TRUE(Cidr::parse("0.0.0.0/0")->contains("203.0.113.9"));
    EXPECT_TRUE(Cidr::parse("::/0")->contains("2001:db8::1"));
    EXPECT_FALSE(Cidr::parse("::/0")->contains("203.0.113.9"));
}

TEST(Cidr, IPv4MappedPeerMatchesIPv4Network) {
    auto loop = *Cidr::parse("127.0.0.0/8");
    EXPECT_TRUE(loop.contains("::ffff:127.0.0.1"));
    EXPECT_FALSE(loop.contains("::ffff:10.0.0.1"));
    EXPECT_FALSE(Cidr::parse("::1/128")->contains("::ffff:127.0.0.1"));
}

TEST(Cidr, ContainsTakesRawBytes) {
    const std::uint8_t v4[] = {127, 0, 0, 1};
    std::uint8_t v6[16] = {};
    v6[15] = 1;
    EXPECT_TRUE(Cidr::parse("127.0.0.0/8")->contains(v4));
    EXPECT_TRUE(Cidr::parse("::1")->contains(v6));
    EXPECT_FALSE(Cidr::parse("::1")->contains(v4));
    const std::uint8_t odd[] = {127, 0, 0};
    EXPECT_FALSE(Cidr::parse("127.0.0.0/8")->contains(odd));
}

TEST(Cidr, EqualWhenSameNetwork) {
    EXPECT_EQ(*Cidr::parse("10.9.9.9/8"), *Cidr::parse("10.0.0.0/8"));
    EXPECT_NE(*Cidr::parse("10.0.0.0/8"), *Cidr::parse("10.0.0.0/16"));
}

TEST(MatchesAny, TrueWhenSomeNetworkContainsTheAddress) {
    std::vector<Cidr> nets = {*Cidr::parse("127.0.0.0/8"), *Cidr::parse("::1/128")};
    EXPECT_TRUE(matches_any(nets, "127.0.0.1"));
    EXPECT_TRUE(matches_any(nets, "::1"));
    EXPECT_TRUE(matches_any(nets, "::ffff:127.1.2.3"));
    EXPECT_FALSE(matches_any(nets, "192.0.2.1"));
    EXPECT_FALSE(matches_any(nets, "garbage"));
    EXPECT_FALSE(matches_any({}, "127.0.0.1"));
}

TEST(IsIpAddress, AcceptsLiteralsOnly) {
    EXPECT_TRUE(is_ip_address("0.0.0.0"));
    EXPECT_TRUE(is_ip_address("::"));
    EXPECT_TRUE(is_ip_address("2001:db8::1"));
    EXPECT_FALSE(is_ip_address("localhost"));
    EXPECT_FALSE(is_ip_address("10.0.0.0/8"));
    EXPECT_FALSE(is_ip_address("1.2.3"));
}

}  // namespace
}  // namespace tidings::config
