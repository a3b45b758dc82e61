// Cancels, Supersedes and Cancel-Lock end to end (issue 21 items 1-3): a peer's cancel under
// each [[control.rule]] policy with a valid, a wrong and no Cancel-Key; a cancel that comes
// before its target (remembered, or waiting for the target's lock); Supersedes; a local
// poster cancelling their own post with the key the node adds. The locks here are computed
// with OpenSSL directly (RFC 8315: base64 of SHA-256 of the key's text), not with the
// server's code.
#include "harness.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <chrono>
#include <thread>

using namespace tidings::testing;

namespace {

std::string base64(const unsigned char* p, unsigned n) {
    std::string out(4 * ((n + 2) / 3), '\0');
    EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), p, static_cast<int>(n));
    return out;
}

// A poster's c-key (any base64 text will do) and the c-lock that it opens.
const std::string poster_key = "cG9zdGVyLXNlY3JldC1mb3ItdGhpcy1hcnRpY2xl";
std::string lock_of(const std::string& key) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    EVP_Digest(key.data(), key.size(), md, &n, EVP_sha256(), nullptr);
    return base64(md, n);
}

std::string config() {
    return node_config("control.tidings") +
           "\n[[group]]\nname = \"local.test\"\n\n[[group]]\nname = \"accept.test\"\n\n"
           "[[group]]\nname = \"ignored.test\"\n\n[[group]]\nname = \"control.cancel\"\n\n"
           "[[peer]]\nname = \"hub\"\nhosts = [\"127.0.0.1\"]\n\n"
           "[[control.rule]]\npattern = \"accept.*\"\ncancel = \"accept\"\n\n"
           "[[control.rule]]\npattern = \"ignored.*\"\ncancel = \"ignore\"\n";
}

std::string article(const std::string& id, const std::string& group, const std::string& extra = "") {
    return "Path: hub.example!not-for-mail\r\nFrom: Poster <poster@example.com>\r\nNewsgroups: " + group +
           "\r\nSubject: s\r\nDate: Wed, 25 Nov 2026 10:00:00 +0000\r\nMessage-ID: " + id + "\r\n" + extra +
           "\r\nbody\r\n";
}

std::string locked(const std::string& id, const std::string& group) {
    return article(id, group, "Cancel-Lock: sha256:" + lock_of(poster_key) + "\r\n");
}

std::string cancel(const std::string& id, const std::string& group, const std::string& target,
                   const std::string& key) {
    std::string extra = "Control: cancel " + target + "\r\n";
    if (!key.empty()) extra += "Cancel-Key: sha256:" + key + "\r\n";
    return article(id, group, extra);
}

// IHAVE: the three-digit answer after the article (or to the offer).
std::string ihave(NntpClient& c, const std::string& id, const std::string& text) {
    std::string r = c.command("IHAVE " + id);
    if (r.substr(0, 3) != "335") return r.substr(0, 3);
    c.send_raw(wire(text));
    return c.read_line().substr(0, 3);
}

bool stored(NntpClient& c, const std::string& id) { return c.command("STAT " + id).substr(0, 3) == "223"; }

// Polls STAT until `want` (the store applies a cancel in its next batch).
bool becomes(NntpClient& c, const std::string& id, bool want) {
    for (int i = 0; i < 100; ++i) {
        if (stored(c, id) == want) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

class Control : public ::testing::Test {
protected:
    void SetUp() override {
        d = std::make_unique<Daemon>(config());
        ASSERT_TRUE(d->start()) << d->log();
        ASSERT_TRUE(c.connect(d->port()));
        c.read_line();
    }
    std::unique_ptr<Daemon> d;
    NntpClient c;
};

}  // namespace

TEST_F(Control, KeyPolicyAppliesOnlyAMatchingKey) {
    for (const char* id : {"<t1@x>", "<t2@x>", "<t3@x>"}) ASSERT_EQ(ihave(c, id, locked(id, "local.test")), "235");
    EXPECT_EQ(ihave(c, "<c1@x>", cancel("<c1@x>", "local.test", "<t1@x>", poster_key)), "235");
    EXPECT_EQ(ihave(c, "<c2@x>", cancel("<c2@x>", "local.test", "<t2@x>", "d3Jvbmcta2V5")), "235");
    EXPECT_EQ(ihave(c, "<c3@x>", cancel("<c3@x>", "local.test", "<t3@x>", "")), "235");
    EXPECT_TRUE(becomes(c, "<t1@x>", false)) << d->log();
    EXPECT_TRUE(stored(c, "<t2@x>"));
    EXPECT_TRUE(stored(c, "<t3@x>"));
    // The cancels are kept and filed in control.cancel, not in the target's group.
    EXPECT_TRUE(stored(c, "<c1@x>"));
    EXPECT_EQ(c.command("GROUP control.cancel").substr(0, 6), "211 3 ");
    EXPECT_EQ(c.command("GROUP local.test").substr(0, 6), "211 2 ");
    const std::string log = d->log();
    EXPECT_NE(log.find("target=<t1@x> source=hub rule=default decision=apply reason=key_matched"), std::string::npos) << log;
    EXPECT_NE(log.find("target=<t2@x> source=hub rule=default decision=ignore reason=key_mismatch"), std::string::npos);
    EXPECT_NE(log.find("target=<t3@x> source=hub rule=default decision=ignore reason=no_key"), std::string::npos);
    // The cancelled id stays in history: offered again, it is refused.
    EXPECT_EQ(c.command("IHAVE <t1@x>").substr(0, 3), "435");
}

TEST_F(Control, AcceptAndIgnorePolicies) {
    ASSERT_EQ(ihave(c, "<a1@x>", article("<a1@x>", "accept.test")), "235");
    ASSERT_EQ(ihave(c, "<i1@x>", locked("<i1@x>", "ignored.test")), "235");
    EXPECT_EQ(ihave(c, "<ca@x>", cancel("<ca@x>", "accept.test", "<a1@x>", "")), "235");
    EXPECT_EQ(ihave(c, "<ci@x>", cancel("<ci@x>", "ignored.test", "<i1@x>", poster_key)), "235");
    EXPECT_TRUE(becomes(c, "<a1@x>", false));
    EXPECT_TRUE(stored(c, "<i1@x>"));
    EXPECT_NE(d->log().find("rule=control.rule[1] decision=ignore reason=ignored"), std::string::npos) << d->log();
}

TEST_F(Control, ACancelThatComesFirstStopsItsTarget) {
    // accept: the id is remembered as cancelled, and the target refused as already seen.
    EXPECT_EQ(ihave(c, "<cb1@x>", cancel("<cb1@x>", "accept.test", "<late1@x>", "")), "235");
    EXPECT_EQ(c.command("IHAVE <late1@x>").substr(0, 3), "435");
    // key: the keys wait for the target; it is refused if its lock matches them...
    EXPECT_EQ(ihave(c, "<cb2@x>", cancel("<cb2@x>", "local.test", "<late2@x>", poster_key)), "235");
    EXPECT_EQ(ihave(c, "<late2@x>", locked("<late2@x>", "local.test")), "437");
    EXPECT_EQ(c.command("IHAVE <late2@x>").substr(0, 3), "435");  // and remembered
    // ...and stored if not.
    EXPECT_EQ(ihave(c, "<cb3@x>", cancel("<cb3@x>", "local.test", "<late3@x>", "d3Jvbmcta2V5")), "235");
    EXPECT_EQ(ihave(c, "<late3@x>", locked("<late3@x>", "local.test")), "235");
    EXPECT_NE(d->log().find("reason=key_matched_on_arrival"), std::string::npos) << d->log();
}

TEST_F(Control, SupersedesReplacesTheTargetUnderTheSameRules) {
    ASSERT_EQ(ihave(c, "<old@x>", locked("<old@x>", "local.test")), "235");
    const std::string next = article("<new@x>", "local.test",
                                     "Supersedes: <old@x>\r\nCancel-Key: sha256:" + poster_key + "\r\n");
    EXPECT_EQ(ihave(c, "<new@x>", next), "235");
    EXPECT_TRUE(becomes(c, "<old@x>", false));
    EXPECT_TRUE(stored(c, "<new@x>"));
    EXPECT_EQ(c.command("GROUP local.test").substr(0, 6), "211 1 ");  // the new one, in its group
}

TEST_F(Control, ALocalPosterMayCancelTheirOwnPost) {
    ASSERT_EQ(c.command("POST").substr(0, 3), "340");
    c.send_raw("From: me@example.com\r\nNewsgroups: local.test\r\nSubject: mine\r\n\r\nsoon gone\r\n.\r\n");
    const std::string posted = c.read_line();
    ASSERT_EQ(posted.substr(0, 3), "240") << posted;
    const std::string id = posted.substr(posted.find('<'), posted.find('>') - posted.find('<') + 1);
    // The node put a Cancel-Lock on it.
    ASSERT_EQ(c.command("HEAD " + id).substr(0, 3), "221");
    bool lock = false;
    for (const auto& l : c.read_block()) lock = lock || l.rfind("Cancel-Lock: sha256:", 0) == 0;
    EXPECT_TRUE(lock);
    ASSERT_EQ(c.command("POST").substr(0, 3), "340");
    c.send_raw("From: me@example.com\r\nNewsgroups: local.test\r\nSubject: cmsg cancel " + id +
               "\r\nControl: cancel " + id + "\r\n\r\nwithdrawn\r\n.\r\n");
    ASSERT_EQ(c.read_line().substr(0, 3), "240");
    EXPECT_TRUE(becomes(c, id, false)) << d->log();
    EXPECT_NE(d->log().find("source=local rule=default decision=apply reason=key_matched"), std::string::npos) << d->log();
}
