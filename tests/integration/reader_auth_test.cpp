// AUTHINFO USER/PASS (RFC 4643) and the access rules, end to end.
#include "harness.h"
#include "protocol/base64.h"

#include <gtest/gtest.h>

#include <algorithm>

using namespace tidings::testing;

namespace {

// "secret" (yescrypt) and "other" (SHA-512-crypt), made with `tidingsd hash-password` / crypt(3).
const std::string auth_config = node_config("auth.tidings") + R"(
[readers]
anonymous_hosts = []

[[group]]
name = "local.test"

[[group]]
name = "private.stuff"

[[user]]
name = "alice"
password_hash = "$y$j9T$5EtO3ASWi4dtuF3YOjC9K/$FMmngWY6Q2RBMcCs89uLGsifn/.Nw2nJXwP4oZKwBD9"
read = "local.*"
post = "local.test"

[[user]]
name = "carol"
password_hash = "$6$h5x12E7fJhWjxAfx$BbGVYQxtU3hyrA1MqApeCFmpwdSFU72Zule3dYYcvMd7ZW2GO79W1HF0A5OBsl1T.whL80ZquDxLTiY28E17Y."

[[user]]
name = "bob"
password_hash = "$6$h5x12E7fJhWjxAfx$BbGVYQxtU3hyrA1MqApeCFmpwdSFU72Zule3dYYcvMd7ZW2GO79W1HF0A5OBsl1T.whL80ZquDxLTiY28E17Y."
hosts = ["10.0.0.0/8"]
)";

class ReaderAuth : public ::testing::Test {
protected:
    void SetUp() override {
        daemon_ = std::make_unique<Daemon>(auth_config);
        ASSERT_TRUE(daemon_->start()) << daemon_->log();
        ASSERT_TRUE(c_.connect(daemon_->port()));
        greeting_ = c_.read_line();
    }
    std::string code(std::string_view line) { return c_.command(line).substr(0, 3); }
    std::vector<std::string> caps() {
        c_.send_line("CAPABILITIES");
        EXPECT_EQ(c_.read_line().substr(0, 3), "101");
        return c_.read_block();
    }
    std::unique_ptr<Daemon> daemon_;
    NntpClient c_;
    std::string greeting_;
};

bool has(const std::vector<std::string>& v, std::string_view s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

TEST_F(ReaderAuth, ReadingNeeds480UntilAuthenticated) {
    EXPECT_EQ(greeting_.substr(0, 3), "201");
    auto before = caps();
    EXPECT_TRUE(has(before, "AUTHINFO USER SASL"));  // RFC 4643 §2.1
    EXPECT_TRUE(has(before, "SASL PLAIN"));
    EXPECT_EQ(code("GROUP local.test"), "480");
    EXPECT_EQ(code("LIST"), "480");
    EXPECT_EQ(code("ARTICLE <a@b>"), "480");
    EXPECT_EQ(code("POST"), "480");
    EXPECT_EQ(code("DATE"), "111");  // not a reading command
    EXPECT_EQ(code("AUTHINFO USER alice"), "381");
    EXPECT_EQ(code("AUTHINFO PASS secret"), "281");
    auto after = caps();  // RFC 4643 §2.2: not after authentication
    EXPECT_FALSE(has(after, "AUTHINFO USER SASL"));
    EXPECT_FALSE(has(after, "SASL PLAIN"));
    EXPECT_EQ(code("GROUP local.test"), "211");
    EXPECT_EQ(code("GROUP private.stuff"), "411");  // outside alice's read wildmat
    EXPECT_EQ(code("AUTHINFO USER alice"), "502");
}

TEST_F(ReaderAuth, WrongPasswordIs481AndSequenceErrorsAre482) {
    EXPECT_EQ(code("AUTHINFO PASS secret"), "482");
    EXPECT_EQ(code("AUTHINFO USER alice"), "381");
    EXPECT_EQ(code("AUTHINFO PASS wrong"), "481");
    EXPECT_EQ(code("AUTHINFO USER nobody"), "381");
    EXPECT_EQ(code("AUTHINFO PASS secret"), "481");
    EXPECT_EQ(code("AUTHINFO USER bob"), "381");  // right password, wrong address
    EXPECT_EQ(code("AUTHINFO PASS other"), "481");
    EXPECT_EQ(code("AUTHINFO USER"), "501");
    EXPECT_EQ(code("GROUP local.test"), "480");
}

// Guessing costs time and a connection: each failure's answer waits longer, and the fifth
// (limits.max_auth_failures) closes the connection after its 481.
TEST_F(ReaderAuth, RepeatedFailuresAreSlowedThenClosed) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 1; i <= 4; ++i) {
        EXPECT_EQ(code("AUTHINFO USER alice"), "381");
        EXPECT_EQ(code("AUTHINFO PASS guess" + std::to_string(i)), "481") << i;
    }
    // 100 + 200 + 400 + 800 ms of delays at least.
    EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(1500));
    EXPECT_EQ(code("AUTHINFO USER nobody"), "381");  // an unknown name counts the same
    EXPECT_EQ(code("AUTHINFO PASS guess5"), "481");
    EXPECT_TRUE(c_.closed_by_server());
}

// limits.max_auth_failures is also a budget per address and per user name, each a minute: a
// guesser cannot get round the per-connection limit by reconnecting or by changing address.
// Past it no password is checked (even a right one gets 481) and the connection closes.
TEST(ReaderAuthLimits, FailuresCountPerAddressAndPerUserAcrossConnections) {
    Daemon d(std::string(auth_config) + "\n[limits]\nmax_auth_failures = 2\n");
    ASSERT_TRUE(d.start()) << d.log();
    NntpClient a, b, c;
    ASSERT_TRUE(a.connect(d.port()));
    a.read_line();
    for (int i = 1; i <= 2; ++i) {
        EXPECT_EQ(a.command("AUTHINFO USER alice").substr(0, 3), "381");
        EXPECT_EQ(a.command("AUTHINFO PASS guess" + std::to_string(i)).substr(0, 3), "481");
    }
    EXPECT_TRUE(a.closed_by_server());
    // Same address, right password: throttled.
    ASSERT_TRUE(b.connect(d.port()));
    b.read_line();
    EXPECT_EQ(b.command("AUTHINFO USER alice").substr(0, 3), "381");
    EXPECT_EQ(b.command("AUTHINFO PASS secret").substr(0, 3), "481");
    EXPECT_TRUE(b.closed_by_server());
    // Another address, same user: throttled too.
    ASSERT_TRUE(c.connect(d.port(), "127.0.0.1", "127.0.0.2"));
    c.read_line();
    EXPECT_EQ(c.command("AUTHINFO USER alice").substr(0, 3), "381");
    EXPECT_EQ(c.command("AUTHINFO PASS secret").substr(0, 3), "481");
    EXPECT_NE(d.log().find("event=auth_throttled"), std::string::npos);
}

// Password checks run two at a time; logins waiting for one are bounded per address
// (limits.max_auth_waiting_per_ip): eight logins at once from one address, one may wait, and
// those past it are answered 400 and closed without a check.
TEST(ReaderAuthLimits, LoginsPastTheWaitingLimitGet400) {
    Daemon d(std::string(auth_config) + "\n[limits]\nmax_auth_failures = 100\nmax_auth_waiting_per_ip = 1\n");
    ASSERT_TRUE(d.start()) << d.log();
    std::vector<NntpClient> cs(8);
    for (auto& c : cs) {
        ASSERT_TRUE(c.connect(d.port(), "127.0.0.1", "127.0.0.3"));
        c.read_line();
        ASSERT_EQ(c.command("AUTHINFO USER alice").substr(0, 3), "381");
    }
    for (auto& c : cs) c.send_line("AUTHINFO PASS wrong");  // all at once: ~12 ms per check
    int busy = 0, checked = 0;
    for (auto& c : cs) {
        const std::string code = c.read_line().substr(0, 3);
        if (code == "400") {
            ++busy;
            EXPECT_TRUE(c.closed_by_server());
        } else {
            EXPECT_EQ(code, "481");
            ++checked;
        }
    }
    EXPECT_GE(busy, 1);
    EXPECT_GE(checked, 3);  // two running and one waiting, at least
    EXPECT_NE(d.log().find("event=auth_queue_full"), std::string::npos);
}

// RFC 4643 §2.4 with RFC 4616 PLAIN: "authzid NUL authcid NUL password" in base64.
TEST_F(ReaderAuth, SaslPlainWithAndWithoutInitialResponse) {
    using tidings::protocol::base64_encode;
    const std::string alice = base64_encode(std::string("\0alice\0secret", 13));
    EXPECT_EQ(code("AUTHINFO SASL CRAM-MD5"), "503");  // not a mechanism offered here
    EXPECT_EQ(code("AUTHINFO SASL PLAIN not-base64!"), "504");
    EXPECT_EQ(code("AUTHINFO SASL PLAIN " + base64_encode(std::string("\0alice\0wrong", 12))), "481");
    EXPECT_EQ(code("AUTHINFO SASL PLAIN " + base64_encode(std::string("bob\0alice\0secret", 16))), "481");  // authzid
    EXPECT_EQ(code("AUTHINFO SASL PLAIN " + base64_encode("alice-secret")), "481");  // no NULs
    // No initial response: an empty challenge, then the response on a line of its own; "*" cancels.
    EXPECT_EQ(c_.command("AUTHINFO SASL PLAIN"), "383 =");
    EXPECT_EQ(code("*"), "481");
    EXPECT_EQ(code("GROUP local.test"), "480");
    EXPECT_EQ(c_.command("AUTHINFO SASL plain"), "383 =");
    EXPECT_EQ(code(alice), "281");
    EXPECT_EQ(code("GROUP local.test"), "211");
    EXPECT_EQ(code("AUTHINFO SASL PLAIN " + alice), "502");  // already authenticated
}

TEST_F(ReaderAuth, SaslPlainInitialResponseSignsIn) {
    using tidings::protocol::base64_encode;
    EXPECT_EQ(code("AUTHINFO SASL PLAIN " + base64_encode(std::string("carol\0carol\0other", 17))), "281");
    EXPECT_EQ(code("GROUP private.stuff"), "211");
}

TEST_F(ReaderAuth, Sha512CryptAccountReadsEverything) {
    EXPECT_EQ(code("AUTHINFO USER carol"), "381");
    EXPECT_EQ(code("AUTHINFO PASS other"), "281");
    EXPECT_EQ(code("GROUP private.stuff"), "211");
    EXPECT_EQ(code("MODE READER"), "200");
}

TEST_F(ReaderAuth, PostRightsFollowThePostWildmat) {
    EXPECT_EQ(code("AUTHINFO USER alice"), "381");
    EXPECT_EQ(code("AUTHINFO PASS secret"), "281");
    EXPECT_EQ(code("POST"), "340");
    c_.send_raw("From: a@example.com\r\nNewsgroups: private.stuff\r\nSubject: x\r\n\r\nbody\r\n.\r\n");
    EXPECT_EQ(c_.read_line().substr(0, 3), "441");
    EXPECT_EQ(code("POST"), "340");
    c_.send_raw("From: a@example.com\r\nNewsgroups: local.test\r\nSubject: x\r\n\r\nbody\r\n.\r\n");
    EXPECT_EQ(c_.read_line().substr(0, 3), "240");
}

TEST(ReaderAuthRefuse, OthersRefusedGet502AtGreeting) {
    Daemon d(std::string(auth_config).replace(std::string(auth_config).find("[readers]\n"), 10,
                                              "[readers]\nothers = \"refuse\"\n"));
    ASSERT_TRUE(d.start()) << d.log();
    NntpClient c;
    ASSERT_TRUE(c.connect(d.port()));
    EXPECT_EQ(c.read_line().substr(0, 3), "502");
    EXPECT_TRUE(c.closed_by_server());
}

TEST(ReaderHashPassword, PrintsAYescryptHash) {
    std::string cmd = tidingsd_path() + " hash-password <<< 'pw with spaces'";
    FILE* p = popen(("bash -c \"" + cmd + "\"").c_str(), "r");
    ASSERT_NE(p, nullptr);
    char buf[256] = {};
    ASSERT_NE(fgets(buf, sizeof buf, p), nullptr);
    EXPECT_EQ(pclose(p), 0);
    EXPECT_EQ(std::string(buf).substr(0, 3), "$y$");
}

}  // namespace
