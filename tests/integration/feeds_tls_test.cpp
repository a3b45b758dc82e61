// Peer links over TLS (issue 18): tidingsd -> tidingsd over implicit TLS and over STARTTLS,
// the receiver's transit listener presenting its node identity and the sender pinning its
// public key; a wrong pin sends nothing and says why. The other way round, a receiver asking
// for client certificates knows the sender by its key (client_pin) and refuses unknown ones.
#include "feed_pair.h"
#include "harness.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <cstdio>
#include <fstream>


using namespace tidings::testing;

namespace {

// A receiver: transit on a TLS listener (its node identity) with `listen_extra`, reading on a
// plain one; its [[peer]] "sender" is known by `sender_keys`.
std::string receiver_config(std::string_view tls, std::string_view listen_extra = "",
                            std::string_view sender_keys = "hosts = [\"127.0.0.1\"]\n") {
    return "[node]\npathhost = \"receiver.tidings\"\ndata_dir = \"{DATA}\"\n\n"
           "[[listen]]\naddress = \"127.0.0.1\"\nport = 0\nroles = [\"transit\"]\ntls = \"" +
           std::string(tls) + "\"\n" + std::string(listen_extra) +
           "\n"
           "[[listen]]\naddress = \"127.0.0.1\"\nport = 0\nroles = [\"reader\"]\n\n"
           "[[group]]\nname = \"tls.test\"\n\n"
           "[[peer]]\nname = \"sender\"\n" + std::string(sender_keys);
}

// A sender that feeds everything to the receiver's transit port over `tls`, pinned to `pin`.
std::string sender_config(int port, std::string_view tls, std::string_view pin) {
    return node_config("sender.tidings") +
           "\n[[group]]\nname = \"tls.test\"\n\n"
           "[[peer]]\nname = \"receiver\"\noutgoing = \"127.0.0.1:" +
           std::to_string(port) + "\"\nretry_s = 1\ntls = \"" + std::string(tls) + "\"\ntls_pin = \"" +
           std::string(pin) + "\"\n";
}

void feed_over(std::string_view tls) {
    Daemon receiver(receiver_config(tls));
    ASSERT_TRUE(receiver.start()) << receiver.log();
    const std::string pin = pin_of(receiver);
    ASSERT_FALSE(pin.empty()) << receiver.log();
    Daemon sender(sender_config(receiver.port("transit"), tls, pin));
    ASSERT_TRUE(sender.start()) << sender.log();
    const std::string id = "<tls-" + std::string(tls) + "@sender.example>";
    ASSERT_TRUE(post(sender, id, "tls.test"));
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
    ASSERT_TRUE(post(sender, id, "tls.test"));
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
    ASSERT_TRUE(post(sender, id, "tls.test"));
    EXPECT_FALSE(arrives(receiver, id, std::chrono::seconds(4)));
    EXPECT_NE(sender.log().find("STARTTLS refused"), std::string::npos) << sender.log();
}

// A sender with the identity of `holder`, feeding the receiver over implicit TLS.
std::string sender_with_identity(const Daemon& holder, int port, std::string_view receiver_pin) {
    return "[node]\npathhost = \"sender.tidings\"\ndata_dir = \"{DATA}\"\n" + identity_keys(holder) + "\n"
           "[[listen]]\naddress = \"127.0.0.1\"\nport = 0\n\n"
           "[[group]]\nname = \"tls.test\"\n\n"
           "[[peer]]\nname = \"receiver\"\noutgoing = \"127.0.0.1:" + std::to_string(port) +
           "\"\nretry_s = 1\ntls = \"implicit\"\ntls_pin = \"" + std::string(receiver_pin) + "\"\n";
}

TEST(FeedTls, APeerIsKnownByItsClientCertificate) {
    Daemon holder(node_config("sender.tidings"));
    const std::string sender_pin = make_identity(holder);
    ASSERT_EQ(sender_pin.rfind("sha256//", 0), 0u) << sender_pin;
    // No hosts: only the key makes the sender a peer (else it could not feed at all).
    Daemon receiver(receiver_config("implicit", "client_certs = \"require\"\n",
                                    "client_pin = \"" + sender_pin + "\"\n"));
    ASSERT_TRUE(receiver.start()) << receiver.log();
    Daemon sender(sender_with_identity(holder, receiver.port("transit"), pin_of(receiver)));
    ASSERT_TRUE(sender.start()) << sender.log();
    ASSERT_TRUE(post(sender, "<client-cert@sender.example>", "tls.test"));
    EXPECT_TRUE(arrives(receiver, "<client-cert@sender.example>", std::chrono::seconds(15)))
        << sender.log() << receiver.log();
    EXPECT_NE(receiver.log().find("event=client_cert remote=127.0.0.1 peer=sender"), std::string::npos)
        << receiver.log();
}

TEST(FeedTls, AnUnknownClientCertificateIsRefusedEvenFromAPeersAddress) {
    Daemon holder(node_config("sender.tidings"));
    const std::string sender_pin = make_identity(holder);
    ASSERT_FALSE(sender_pin.empty());
    const std::string other = "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    ASSERT_NE(sender_pin, other);
    Daemon receiver(receiver_config("implicit", "client_certs = \"request\"\n",
                                    "hosts = [\"127.0.0.1\"]\nclient_pin = \"" + other + "\"\n"));
    ASSERT_TRUE(receiver.start()) << receiver.log();
    Daemon sender(sender_with_identity(holder, receiver.port("transit"), pin_of(receiver)));
    ASSERT_TRUE(sender.start()) << sender.log();
    ASSERT_TRUE(post(sender, "<unknown-cert@sender.example>", "tls.test"));
    EXPECT_FALSE(arrives(receiver, "<unknown-cert@sender.example>", std::chrono::seconds(4)));
    EXPECT_NE(receiver.log().find("reason=client_cert_unknown pin=" + sender_pin), std::string::npos)
        << receiver.log();
    EXPECT_NE(sender.log().find("event=refused_greeting reply=\"502 Client certificate not known here\""),
              std::string::npos) << sender.log();
}

// `require`: a client without a certificate (openssl s_client) gets 502 instead of a greeting;
// with `request` the same client is greeted.
TEST(FeedTls, RequireRefusesAClientWithoutACertificate) {
    for (const std::string mode : {"require", "request"}) {
        Daemon receiver(receiver_config("implicit", "client_certs = \"" + mode + "\"\n"));
        ASSERT_TRUE(receiver.start()) << receiver.log();
        const std::string cmd = "echo QUIT | timeout 10 openssl s_client -quiet -connect 127.0.0.1:" +
                                std::to_string(receiver.port("transit")) + " 2>/dev/null";
        std::string out;
        if (FILE* p = ::popen(cmd.c_str(), "r")) {
            char buf[512];
            while (std::fgets(buf, sizeof buf, p)) out += buf;
            ::pclose(p);
        }
        if (mode == "require") {
            EXPECT_EQ(out.rfind("502 A client certificate is required here", 0), 0u) << out;
            EXPECT_NE(receiver.log().find("reason=client_cert_missing"), std::string::npos) << receiver.log();
        } else {
            EXPECT_EQ(out.rfind("20", 0), 0u) << out;  // 200/201 greeting
        }
    }
}

std::size_t count_of(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
    return n;
}

// Item 7: a reload that turns TLS on for one peer restarts that peer's feed only; the backlog
// it kept while its TLS listener refused plaintext then goes out over TLS.
TEST(FeedTls, AReloadChangesOnePeersTlsWithoutTouchingTheOtherFeed) {
    Daemon plain(receiver_config("none"));
    Daemon secure(receiver_config("implicit"));
    ASSERT_TRUE(plain.start()) << plain.log();
    ASSERT_TRUE(secure.start()) << secure.log();
    auto config = [&](bool tls) {
        std::string c = node_config("sender.tidings") + "\n[[group]]\nname = \"tls.test\"\n\n"
                        "[[peer]]\nname = \"plain\"\nretry_s = 1\noutgoing = \"127.0.0.1:" +
                        std::to_string(plain.port("transit")) + "\"\n\n"
                        "[[peer]]\nname = \"secure\"\nretry_s = 1\noutgoing = \"127.0.0.1:" +
                        std::to_string(secure.port("transit")) + "\"\n";
        if (tls) c += "tls = \"implicit\"\ntls_pin = \"" + pin_of(secure) + "\"\n";
        return c;
    };
    Daemon sender(config(false));
    ASSERT_TRUE(sender.start()) << sender.log();
    ASSERT_TRUE(post(sender, "<reload-1@sender.example>", "tls.test"));
    EXPECT_TRUE(arrives(plain, "<reload-1@sender.example>", std::chrono::seconds(15))) << sender.log();
    EXPECT_FALSE(arrives(secure, "<reload-1@sender.example>", std::chrono::seconds(2)));  // plaintext to a TLS port

    std::string next = config(true);
    for (std::size_t p; (p = next.find("{DATA}")) != std::string::npos;) next.replace(p, 6, sender.data_dir());
    std::ofstream(sender.dir() + "/tidings.toml") << next;
    ASSERT_EQ(::kill(sender.pid(), SIGHUP), 0);
    EXPECT_TRUE(arrives(secure, "<reload-1@sender.example>", std::chrono::seconds(15))) << sender.log();
    ASSERT_TRUE(post(sender, "<reload-2@sender.example>", "tls.test"));
    EXPECT_TRUE(arrives(plain, "<reload-2@sender.example>", std::chrono::seconds(15)));
    EXPECT_TRUE(arrives(secure, "<reload-2@sender.example>", std::chrono::seconds(15)));
    const std::string log = sender.log();
    EXPECT_EQ(count_of(log, "peer=plain event=feed_start"), 1u) << log;
    EXPECT_EQ(count_of(log, "peer=plain event=feed_stop"), 0u) << log;
    EXPECT_EQ(count_of(log, "peer=plain conn=0 event=connected"), 1u) << log;
    EXPECT_EQ(count_of(log, "peer=secure event=feed_start"), 2u) << log;
}

}  // namespace
