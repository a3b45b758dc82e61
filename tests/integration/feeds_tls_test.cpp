// Outgoing feeds over TLS to a pinned peer (issue 18): tidingsd -> tidingsd over implicit TLS
// and over STARTTLS, the receiver's transit listener presenting its node identity and the
// sender pinning its public key; a wrong pin sends nothing and says why.
#include "harness.h"

#include <gtest/gtest.h>

#include <regex>
#include <thread>

using namespace tidings::testing;

namespace {

// A receiver: transit on a TLS listener (its node identity), reading on a plain one.
std::string receiver_config(std::string_view tls) {
    return "[node]\npathhost = \"receiver.tidings\"\ndata_dir = \"{DATA}\"\n\n"
           "[[listen]]\naddress = \"127.0.0.1\"\nport = 0\nroles = [\"transit\"]\ntls = \"" +
           std::string(tls) +
           "\"\n\n"
           "[[listen]]\naddress = \"127.0.0.1\"\nport = 0\nroles = [\"reader\"]\n\n"
           "[[group]]\nname = \"tls.test\"\n\n"
           "[[peer]]\nname = \"sender\"\nhosts = [\"127.0.0.1\"]\n";
}

// A sender that feeds everything to the receiver's transit port over `tls`, pinned to `pin`.
std::string sender_config(int port, std::string_view tls, std::string_view pin) {
    return node_config("sender.tidings") +
           "\n[[group]]\nname = \"tls.test\"\n\n"
           "[[peer]]\nname = \"receiver\"\noutgoing = \"127.0.0.1:" +
           std::to_string(port) + "\"\nretry_s = 1\ntls = \"" + std::string(tls) + "\"\ntls_pin = \"" +
           std::string(pin) + "\"\n";
}

std::string pin_of(const Daemon& d) {
    std::smatch m;
    const std::string log = d.log();
    static const std::regex re("event=identity pin=(sha256//[A-Za-z0-9+/=]{44})");
    return std::regex_search(log, m, re) ? m[1].str() : std::string();
}

bool post(Daemon& d, const std::string& id) {
    NntpClient c;
    if (!c.connect(d.port())) return false;
    c.read_line();
    if (c.command("POST").substr(0, 3) != "340") return false;
    c.send_raw("From: a@example.com\r\nNewsgroups: tls.test\r\nSubject: over TLS\r\nMessage-ID: " + id +
               "\r\n\r\nSent over a pinned TLS link.\r\n.\r\n");
    return c.read_line().substr(0, 3) == "240";
}

// True once `d` answers 223 to STAT `id` on its reader port (within `limit`).
bool arrives(Daemon& d, const std::string& id, std::chrono::seconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
        NntpClient c;
        if (c.connect(d.port("reader"))) {
            c.read_line();
            if (c.command("STAT " + id).substr(0, 3) == "223") return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
}

void feed_over(std::string_view tls) {
    Daemon receiver(receiver_config(tls));
    ASSERT_TRUE(receiver.start()) << receiver.log();
    const std::string pin = pin_of(receiver);
    ASSERT_FALSE(pin.empty()) << receiver.log();
    Daemon sender(sender_config(receiver.port("transit"), tls, pin));
    ASSERT_TRUE(sender.start()) << sender.log();
    const std::string id = "<tls-" + std::string(tls) + "@sender.example>";
    ASSERT_TRUE(post(sender, id));
    EXPECT_TRUE(arrives(receiver, id, std::chrono::seconds(15))) << sender.log() << receiver.log();
    EXPECT_EQ(sender.log().find("event=tls_failed"), std::string::npos) << sender.log();
}

TEST(FeedTls, ImplicitTlsToAPinnedPeer) { feed_over("implicit"); }

TEST(FeedTls, StarttlsToAPinnedPeer) { feed_over("starttls"); }

TEST(FeedTls, AWrongPinSendsNothing) {
    Daemon receiver(receiver_config("implicit"));
    ASSERT_TRUE(receiver.start()) << receiver.log();
    const std::string wrong = "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    ASSERT_NE(pin_of(receiver), wrong);
    Daemon sender(sender_config(receiver.port("transit"), "implicit", wrong));
    ASSERT_TRUE(sender.start()) << sender.log();
    const std::string id = "<tls-wrong-pin@sender.example>";
    ASSERT_TRUE(post(sender, id));
    EXPECT_FALSE(arrives(receiver, id, std::chrono::seconds(4)));
    const std::string log = sender.log();
    EXPECT_NE(log.find("event=tls_failed"), std::string::npos) << log;
    EXPECT_NE(log.find("is not the pinned " + wrong), std::string::npos) << log;
}

TEST(FeedTls, APeerThatRefusesStarttlsGetsNothingInClear) {
    // The receiver's transit listener has no TLS: STARTTLS is answered 580.
    Daemon receiver(receiver_config("none"));
    ASSERT_TRUE(receiver.start()) << receiver.log();
    Daemon sender(sender_config(receiver.port("transit"), "starttls", pin_of(receiver)));
    ASSERT_TRUE(sender.start()) << sender.log();
    const std::string id = "<tls-refused@sender.example>";
    ASSERT_TRUE(post(sender, id));
    EXPECT_FALSE(arrives(receiver, id, std::chrono::seconds(4)));
    EXPECT_NE(sender.log().find("STARTTLS refused"), std::string::npos) << sender.log();
}

}  // namespace
