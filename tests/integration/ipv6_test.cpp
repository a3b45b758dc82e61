// IPv6 end to end (issue 18 item 6): a listener on ::1, the per-address connection limit
// counting an IPv6 client, and an outgoing feed to [::1]:port over TLS pinned to the peer.
#include "harness.h"

#include <gtest/gtest.h>

#include <regex>
#include <thread>

using namespace tidings::testing;

namespace {

std::string v6_node(std::string_view pathhost, std::string_view extra = "") {
    return "[node]\npathhost = \"" + std::string(pathhost) + "\"\ndata_dir = \"{DATA}\"\n\n" + std::string(extra) +
           "\n[[group]]\nname = \"v6.test\"\n";
}

std::string pin_of(const Daemon& d) {
    std::smatch m;
    const std::string log = d.log();
    static const std::regex re("event=identity pin=(sha256//[A-Za-z0-9+/=]{44})");
    return std::regex_search(log, m, re) ? m[1].str() : std::string();
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

TEST(Ipv6, FeedToAnIpv6PeerOverPinnedTls) {
    Daemon receiver(v6_node("receiver.v6",
                            "[[listen]]\naddress = \"::1\"\nport = 0\nroles = [\"transit\"]\ntls = \"implicit\"\n\n"
                            "[[listen]]\naddress = \"::1\"\nport = 0\nroles = [\"reader\"]\n\n"
                            "[[peer]]\nname = \"sender\"\nhosts = [\"::1\"]\n"));
    ASSERT_TRUE(receiver.start()) << receiver.log();
    Daemon sender(v6_node("sender.v6", "[[listen]]\naddress = \"::1\"\nport = 0\n\n"
                                       "[[peer]]\nname = \"receiver\"\noutgoing = \"[::1]:" +
                                           std::to_string(receiver.port("transit")) +
                                           "\"\nretry_s = 1\ntls = \"implicit\"\ntls_pin = \"" + pin_of(receiver) + "\"\n"));
    ASSERT_TRUE(sender.start()) << sender.log();
    NntpClient poster;
    ASSERT_TRUE(poster.connect(sender.port(), "::1"));
    poster.read_line();
    ASSERT_EQ(poster.command("POST").substr(0, 3), "340");
    poster.send_raw("From: a@example.com\r\nNewsgroups: v6.test\r\nSubject: v6\r\nMessage-ID: <v6@sender.example>\r\n"
                    "\r\nOver IPv6 and TLS.\r\n.\r\n");
    ASSERT_EQ(poster.read_line().substr(0, 3), "240");
    bool arrived = false;
    for (int i = 0; i < 150 && !arrived; ++i) {
        NntpClient r;
        if (r.connect(receiver.port("reader"), "::1")) {
            r.read_line();
            arrived = r.command("STAT <v6@sender.example>").substr(0, 3) == "223";
        }
        if (!arrived) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_TRUE(arrived) << sender.log() << receiver.log();
}

}  // namespace
