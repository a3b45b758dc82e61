// IPv6 end to end (issue 18 item 6): a listener on ::1, the per-address connection limit
// counting an IPv6 client, and feeds to [::1]:port: over TLS pinned to the peer, the sender
// known by its client certificate, compressed; and plain with AUTHINFO.
#include "feed_pair.h"
#include "harness.h"

#include <fstream>

#include <gtest/gtest.h>


using namespace tidings::testing;

namespace {

std::string v6_node(std::string_view pathhost, std::string_view extra = "") {
    return "[node]\npathhost = \"" + std::string(pathhost) + "\"\ndata_dir = \"{DATA}\"\n\n" + std::string(extra) +
           "\n[[group]]\nname = \"v6.test\"\n";
}

TEST(Ipv6, ListenerOnLoopbackServesAndCountsTheAddress) {
    Daemon d(v6_node("v6.tidings", "[[listen]]\naddress = \"::1\"\nport = 0\n\n[limits]\nmax_connections_per_ip = 2\n"));
    ASSERT_TRUE(d.start()) << d.log();
    NntpClient a, b, c;
    ASSERT_TRUE(a.connect(d.port(), "::1"));
    EXPECT_EQ(a.read_line().substr(0, 1), "2");
    EXPECT_EQ(a.command("DATE").substr(0, 3), "111");
    ASSERT_TRUE(b.connect(d.port(), "::1"));
    EXPECT_EQ(b.read_line().substr(0, 1), "2");
    ASSERT_TRUE(c.connect(d.port(), "::1"));  // the third from ::1 (its /64): over the limit
    EXPECT_EQ(c.read_line().substr(0, 3), "400");
    EXPECT_FALSE(NntpClient().connect(d.port(), "127.0.0.1"));  // and nothing on IPv4
}

TEST(Ipv6, FeedOverPinnedTlsWithAClientCertificateAndCompression) {
    Daemon holder(node_config("sender.v6"));
    const std::string sender_pin = make_identity(holder);
    ASSERT_FALSE(sender_pin.empty());
    Daemon receiver(v6_node("receiver.v6",
                            "[[listen]]\naddress = \"::1\"\nport = 0\nroles = [\"transit\"]\ntls = \"implicit\"\n"
                            "client_certs = \"require\"\n\n"
                            "[[listen]]\naddress = \"::1\"\nport = 0\nroles = [\"reader\"]\n\n"
                            "[[peer]]\nname = \"sender\"\nclient_pin = \"" + sender_pin + "\"\n"));
    ASSERT_TRUE(receiver.start()) << receiver.log();
    Daemon sender("[node]\npathhost = \"sender.v6\"\ndata_dir = \"{DATA}\"\n" + identity_keys(holder) +
                  "\n[[listen]]\naddress = \"::1\"\nport = 0\n\n[[group]]\nname = \"v6.test\"\n\n"
                  "[[peer]]\nname = \"receiver\"\noutgoing = \"[::1]:" + std::to_string(receiver.port("transit")) +
                  "\"\nretry_s = 1\ncompress = true\ntls = \"implicit\"\ntls_pin = \"" + pin_of(receiver) + "\"\n");
    ASSERT_TRUE(sender.start()) << sender.log();
    ASSERT_TRUE(post(sender, "<v6@sender.example>", "v6.test", "::1"));
    EXPECT_TRUE(arrives(receiver, "<v6@sender.example>", std::chrono::seconds(15), "::1")) << sender.log() << receiver.log();
    EXPECT_NE(receiver.log().find("event=client_cert remote=::1 peer=sender"), std::string::npos) << receiver.log();
    EXPECT_NE(sender.log().find("event=compress"), std::string::npos) << sender.log();
}

TEST(Ipv6, FeedThatLogsIn) {
    // "feed-pw-7Qx", SHA-512-crypt (as in feeds_link_test.cpp).
    Daemon receiver(v6_node("receiver.v6",
                            "[[listen]]\naddress = \"::1\"\nport = 0\nroles = [\"transit\"]\n\n"
                            "[[listen]]\naddress = \"::1\"\nport = 0\nroles = [\"reader\"]\n\n"
                            "[[user]]\nname = \"feeder\"\npassword_hash = \"$6$tidingsfeed$G5yqEa.EhAMf00Ios5s."
                            "NkMaL3g0ElAkomN/gtCCzrbM1iOcIz4qBak0VzJYpV130bQSxKAFqoxL0Xw0t81aR/\"\n\n"
                            "[[peer]]\nname = \"sender\"\nauth_user = \"feeder\"\n"));
    ASSERT_TRUE(receiver.start()) << receiver.log();
    Daemon sender(v6_node("sender.v6", "[[listen]]\naddress = \"::1\"\nport = 0\n\n"
                                       "[[peer]]\nname = \"receiver\"\noutgoing = \"[::1]:" +
                                           std::to_string(receiver.port("transit")) +
                                           "\"\nretry_s = 1\nauth_file = \"{DATA}/../feed.auth\"\n"));
    std::ofstream(sender.dir() + "/feed.auth") << "feeder:feed-pw-7Qx\n";
    ASSERT_TRUE(sender.start()) << sender.log();
    ASSERT_TRUE(post(sender, "<v6-auth@sender.example>", "v6.test", "::1"));
    EXPECT_TRUE(arrives(receiver, "<v6-auth@sender.example>", std::chrono::seconds(15), "::1"))
        << sender.log() << receiver.log();
}

}  // namespace
