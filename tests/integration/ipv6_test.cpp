// IPv6 end to end (issue 18 item 6): a listener on ::1, the per-address connection limit
// counting an IPv6 client, and feeds to [::1]:port: over TLS pinned to the peer, the sender
// known by its client certificate, compressed; and plain with AUTHINFO. The per-address limit
// by /64 runs in a network namespace of its own, whose loopback gets addresses in two /64s.
#include "feed_pair.h"
#include "harness.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cstdlib>
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

// Moves this thread (and the processes it forks) into a fresh network namespace for the test's
// life, and back; skipped where namespaces cannot be made (not root).
class NetnsScope {
public:
    NetnsScope() : name_("tidings-v6-" + std::to_string(::getpid())) {
        home_ = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        if (home_ < 0 || std::system(("ip netns add " + name_ + " 2>/dev/null").c_str()) != 0) return;
        added_ = true;
        const int ns = ::open(("/var/run/netns/" + name_).c_str(), O_RDONLY | O_CLOEXEC);
        ok_ = ns >= 0 && ::setns(ns, CLONE_NEWNET) == 0;
        if (ns >= 0) ::close(ns);
    }
    ~NetnsScope() {
        if (home_ >= 0) {
            (void)::setns(home_, CLONE_NEWNET);
            ::close(home_);
        }
        if (added_) (void)std::system(("ip netns del " + name_ + " 2>/dev/null").c_str());
    }
    bool ok() const { return ok_; }

private:
    std::string name_;
    int home_ = -1;
    bool added_ = false, ok_ = false;
};

TEST(Ipv6, ConnectionLimitCountsA64AsOneAddress) {
    NetnsScope ns;
    if (!ns.ok()) GTEST_SKIP() << "no network namespace here (needs root and ip netns)";
    // In the namespace: loopback up with three addresses in fd00:0:0:1::/64 and one in
    // fd00:0:0:2::/64 (nodad: usable at once).
    ASSERT_EQ(std::system("ip link set lo up && "
                          "ip -6 addr add fd00:0:0:1::1/64 dev lo nodad && "
                          "ip -6 addr add fd00:0:0:1::2/64 dev lo nodad && "
                          "ip -6 addr add fd00:0:0:1::3/64 dev lo nodad && "
                          "ip -6 addr add fd00:0:0:2::1/64 dev lo nodad"),
              0);
    Daemon d(v6_node("v6.tidings", "[[listen]]\naddress = \"::\"\nport = 0\n\n[limits]\nmax_connections_per_ip = 2\n"
                                   "\n[readers]\nanonymous_hosts = [\"fd00::/16\"]\n"));
    ASSERT_TRUE(d.start()) << d.log();
    NntpClient a, b, c, other;
    ASSERT_TRUE(a.connect(d.port(), "fd00:0:0:1::1", "fd00:0:0:1::1"));
    EXPECT_EQ(a.read_line().substr(0, 1), "2");
    ASSERT_TRUE(b.connect(d.port(), "fd00:0:0:1::1", "fd00:0:0:1::2"));  // another address, same /64
    EXPECT_EQ(b.read_line().substr(0, 1), "2");
    ASSERT_TRUE(c.connect(d.port(), "fd00:0:0:1::1", "fd00:0:0:1::3"));  // the third from that /64
    EXPECT_EQ(c.read_line().substr(0, 3), "400");
    ASSERT_TRUE(other.connect(d.port(), "fd00:0:0:1::1", "fd00:0:0:2::1"));  // another /64: its own count
    EXPECT_EQ(other.read_line().substr(0, 1), "2");
    EXPECT_NE(d.log().find("event=refused remote=fd00:0:0:1::3 reason=max_connections_per_ip"), std::string::npos)
        << d.log();
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
