// Peer link options (issue 18), tidingsd -> tidingsd.
// AUTHINFO: a sender logs in with the user:password of its auth_file before it feeds, and the
// receiver knows it as the [[peer]] whose auth_user that is — no address needed. A wrong
// password sends nothing, says so in the log, and never shows the password.
// COMPRESS DEFLATE (RFC 8054): negotiated when the receiver advertises it, with and without
// TLS; the sender's /status shows fewer bytes on the wire than it sent as NNTP.
#include "admin_fixture.h"
#include "feed_pair.h"
#include "harness.h"
#include "http_client.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

using namespace tidings::testing;
using tidings::testing::admin::body_json;

namespace {

// "feed-pw-7Qx", SHA-512-crypt (openssl passwd -6 -salt tidingsfeed).
const char* const feeder_hash =
    "$6$tidingsfeed$G5yqEa.EhAMf00Ios5s.NkMaL3g0ElAkomN/gtCCzrbM1iOcIz4qBak0VzJYpV130bQSxKAFqoxL0Xw0t81aR/";

// The receiver knows its peer "sender" only as the user "feeder" (no hosts).
std::string receiver_config() {
    return "[node]\npathhost = \"receiver.tidings\"\ndata_dir = \"{DATA}\"\n\n"
           "[[listen]]\naddress = \"127.0.0.1\"\nport = 0\nroles = [\"transit\"]\n\n"
           "[[listen]]\naddress = \"127.0.0.1\"\nport = 0\nroles = [\"reader\"]\n\n"
           "[[group]]\nname = \"auth.test\"\n\n"
           "[[user]]\nname = \"feeder\"\npassword_hash = \"" + std::string(feeder_hash) + "\"\n\n"
           "[[peer]]\nname = \"sender\"\nauth_user = \"feeder\"\n";
}

// A sender feeding the receiver with the login in <dir>/hub.auth.
std::string sender_config(int port) {
    return node_config("sender.tidings") +
           "\n[[group]]\nname = \"auth.test\"\n\n"
           "[[peer]]\nname = \"receiver\"\noutgoing = \"127.0.0.1:" + std::to_string(port) +
           "\"\nretry_s = 1\nauth_file = \"{DATA}/../hub.auth\"\n";
}

TEST(FeedAuth, AFeedLogsInAsItsPeersAuthUser) {
    Daemon receiver(receiver_config());
    ASSERT_TRUE(receiver.start()) << receiver.log();
    Daemon sender(sender_config(receiver.port("transit")));
    std::ofstream(sender.dir() + "/hub.auth") << "# the receiver's login for us\nfeeder:feed-pw-7Qx\n";
    ASSERT_TRUE(sender.start()) << sender.log();
    ASSERT_TRUE(post(sender, "<auth-feed@sender.example>", "auth.test"));
    EXPECT_TRUE(arrives(receiver, "<auth-feed@sender.example>", std::chrono::seconds(15)))
        << sender.log() << receiver.log();
    EXPECT_NE(sender.log().find("event=authenticated user=feeder"), std::string::npos) << sender.log();
    EXPECT_EQ(sender.log().find("feed-pw-7Qx"), std::string::npos);
    EXPECT_EQ(receiver.log().find("feed-pw-7Qx"), std::string::npos);
}

TEST(FeedAuth, AWrongPasswordSendsNothingAndNeverShowsIt) {
    Daemon receiver(receiver_config());
    ASSERT_TRUE(receiver.start()) << receiver.log();
    Daemon sender(sender_config(receiver.port("transit")));
    std::ofstream(sender.dir() + "/hub.auth") << "feeder:not-the-pw-9Zz\n";
    ASSERT_TRUE(sender.start()) << sender.log();
    ASSERT_TRUE(post(sender, "<auth-wrong@sender.example>", "auth.test"));
    EXPECT_FALSE(arrives(receiver, "<auth-wrong@sender.example>", std::chrono::seconds(4)));
    const std::string log = sender.log();
    EXPECT_NE(log.find("event=auth_failed error=\"login as feeder refused: 481"), std::string::npos) << log;
    EXPECT_EQ(log.find("not-the-pw-9Zz"), std::string::npos) << log;
    EXPECT_EQ(receiver.log().find("not-the-pw-9Zz"), std::string::npos);
}

TEST(FeedAuth, AMissingAuthFileStopsTheFeedBeforeItConnects) {
    Daemon receiver(receiver_config());
    ASSERT_TRUE(receiver.start()) << receiver.log();
    Daemon sender(sender_config(receiver.port("transit")));  // no hub.auth written
    ASSERT_TRUE(sender.start()) << sender.log();
    ASSERT_TRUE(post(sender, "<auth-missing@sender.example>", "auth.test"));
    EXPECT_FALSE(arrives(receiver, "<auth-missing@sender.example>", std::chrono::seconds(3)));
    EXPECT_NE(sender.log().find("hub.auth: No such file or directory"), std::string::npos) << sender.log();
    // No session was ever opened on the transit listener.
    const std::string transit = " listen=127.0.0.1:" + std::to_string(receiver.port("transit"));
    std::istringstream lines(receiver.log());
    for (std::string l; std::getline(lines, l);)
        EXPECT_FALSE(l.find("event=open") != std::string::npos && l.find(transit) != std::string::npos) << l;
}

// A receiver with a plain or TLS transit listener, and a sender with compress = true and its
// admin API up; the article arrives, both log the compression, and the sender's wire bytes are
// fewer than its NNTP bytes.
void compressed_feed(std::string_view tls) {
    Daemon receiver("[node]\npathhost = \"receiver.tidings\"\ndata_dir = \"{DATA}\"\n\n"
                    "[[listen]]\naddress = \"127.0.0.1\"\nport = 0\nroles = [\"transit\"]\ntls = \"" +
                    std::string(tls) + "\"\n\n"
                    "[[listen]]\naddress = \"127.0.0.1\"\nport = 0\nroles = [\"reader\"]\n\n"
                    "[[group]]\nname = \"zip.test\"\n\n[[peer]]\nname = \"sender\"\nhosts = [\"127.0.0.1\"]\n");
    ASSERT_TRUE(receiver.start()) << receiver.log();
    std::string peer = "[[peer]]\nname = \"receiver\"\noutgoing = \"127.0.0.1:" +
                       std::to_string(receiver.port("transit")) + "\"\nretry_s = 1\ncompress = true\n";
    if (tls != "none") peer += "tls = \"" + std::string(tls) + "\"\ntls_pin = \"" + pin_of(receiver) + "\"\n";
    Daemon sender(node_config("sender.tidings") + "\n[http]\nport = 0\n\n[[group]]\nname = \"zip.test\"\n\n" + peer);
    ASSERT_TRUE(sender.start()) << sender.log();
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(post(sender, "<zip-" + std::to_string(i) + "@sender.example>", "zip.test"));
    EXPECT_TRUE(arrives(receiver, "<zip-19@sender.example>", std::chrono::seconds(15))) << sender.log() << receiver.log();
    EXPECT_TRUE(arrives(receiver, "<zip-0@sender.example>", std::chrono::seconds(1)));
    EXPECT_NE(sender.log().find("peer=receiver conn=0 event=compress"), std::string::npos) << sender.log();
    EXPECT_NE(receiver.log().find("event=compress"), std::string::npos) << receiver.log();
    auto out = body_json(http_call(sender.port("admin"), "GET", "/status"))["peers"][0]["outgoing"];
    ASSERT_TRUE(out.is_object()) << out.dump();
    EXPECT_EQ(out["compress"], true);
    const auto nntp = out["bytes_sent"].get<std::uint64_t>(), wire = out["wire_bytes_sent"].get<std::uint64_t>();
    EXPECT_GT(nntp, 20u * 100u);  // twenty articles went out
    EXPECT_LT(wire, nntp) << "compressed feed sent more bytes than it had";
}

TEST(FeedCompress, PlainLink) { compressed_feed("none"); }

TEST(FeedCompress, InsideImplicitTls) { compressed_feed("implicit"); }

}  // namespace
