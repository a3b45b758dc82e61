// Cancel and Supersedes policy (server/core/withdrawal.h), Cancel-Lock hashing
// (server/core/cancel_lock.h) and the cancels waiting for their target.
#include "server/core/withdrawal.h"

#include <gtest/gtest.h>

#include "server/core/cancel_lock.h"
#include "server/core/pending_cancels.h"

using namespace tidings;
using namespace tidings::server;

namespace {

const std::string secret(32, 's');

std::string lock_for(const std::string& user, const std::string& id) {
    return "sha256:" + make_cancel_lock(make_cancel_key(secret, user, id));
}
std::string key_for(const std::string& user, const std::string& id) {
    return "sha256:" + make_cancel_key(secret, user, id);
}

struct Articles {
    std::string target_text, cancel_text;
    protocol::ParsedArticle target, cancel;
    Articles(const std::string& target_headers, const std::string& cancel_headers)
        : target_text(target_headers + "\r\nbody\r\n"), cancel_text(cancel_headers + "\r\ncancel\r\n"),
          target(protocol::parse_article(target_text)), cancel(protocol::parse_article(cancel_text)) {}
};

config::Control rules(std::vector<config::ControlRule> r) {
    config::Control c;
    c.rules = std::move(r);
    return c;
}

}  // namespace

TEST(CancelLock, AKeyOpensTheLockMadeForTheSamePosterAndIdOnly) {
    auto lock = protocol::CancelElement{"sha256", make_cancel_lock(make_cancel_key(secret, "joe", "<a@b>"))};
    auto key = protocol::CancelElement{"sha256", make_cancel_key(secret, "joe", "<a@b>")};
    EXPECT_TRUE(cancel_key_matches({lock}, {key}));
    EXPECT_FALSE(cancel_key_matches({lock}, {{"sha256", make_cancel_key(secret, "ann", "<a@b>")}}));
    EXPECT_FALSE(cancel_key_matches({lock}, {{"sha256", make_cancel_key(secret, "joe", "<c@b>")}}));
    EXPECT_FALSE(cancel_key_matches({lock}, {{"sha512", key.value}}));  // another scheme
    EXPECT_FALSE(cancel_key_matches({lock}, {{"md5", key.value}}));     // unknown: ignored
    EXPECT_TRUE(cancel_key_matches({{"sha1", "x"}, lock}, {{"sha256", "zz"}, key}));  // any pair
}

TEST(Withdrawal, DefaultNeedsAKeyThatMatches) {
    const std::string id = "<t@x>";
    Articles ok("Newsgroups: a.b\r\nCancel-Lock: " + lock_for("", id) + "\r\n",
                "Newsgroups: a.b\r\nControl: cancel <t@x>\r\nCancel-Key: " + key_for("", id) + "\r\n");
    auto v = judge_withdrawal({}, ok.cancel, &ok.target);
    EXPECT_TRUE(v.apply);
    EXPECT_EQ(v.reason, "key_matched");
    EXPECT_EQ(v.rule, "default");

    Articles wrong("Newsgroups: a.b\r\nCancel-Lock: " + lock_for("", id) + "\r\n",
                   "Newsgroups: a.b\r\nControl: cancel <t@x>\r\nCancel-Key: " + key_for("eve", id) + "\r\n");
    EXPECT_EQ(judge_withdrawal({}, wrong.cancel, &wrong.target).reason, "key_mismatch");
    EXPECT_FALSE(judge_withdrawal({}, wrong.cancel, &wrong.target).apply);

    Articles nokey("Newsgroups: a.b\r\nCancel-Lock: " + lock_for("", id) + "\r\n",
                   "Newsgroups: a.b\r\nControl: cancel <t@x>\r\n");
    EXPECT_EQ(judge_withdrawal({}, nokey.cancel, &nokey.target).reason, "no_key");

    Articles nolock("Newsgroups: a.b\r\n", "Newsgroups: a.b\r\nControl: cancel <t@x>\r\nCancel-Key: " + key_for("", id) + "\r\n");
    EXPECT_EQ(judge_withdrawal({}, nolock.cancel, &nolock.target).reason, "no_lock");

    auto waiting = judge_withdrawal({}, ok.cancel, nullptr);
    EXPECT_FALSE(waiting.apply);
    EXPECT_TRUE(waiting.wait_for_target);
    ASSERT_EQ(waiting.keys.size(), 1u);
}

TEST(Withdrawal, TheFirstRuleMatchingAGroupAndTheSenderDecides) {
    Articles a("Newsgroups: local.test,comp.x\r\n",
               "From: Admin <USENET@example.org>\r\nNewsgroups: local.test\r\nControl: cancel <t@x>\r\n");
    auto c = rules({{"comp.*", "usenet@example.org", config::CancelPolicy::accept},
                    {"local.*", "", config::CancelPolicy::ignore},
                    {"*", "", config::CancelPolicy::accept}});
    auto v = judge_withdrawal(c, a.cancel, &a.target);  // the target is in comp.x too: rule 0
    EXPECT_TRUE(v.apply);
    EXPECT_EQ(v.rule, "control.rule[0]");
    EXPECT_EQ(v.reason, "accepted");
    // Another sender: rule 0 does not match, rule 1 ignores.
    Articles b("Newsgroups: local.test,comp.x\r\n", "From: eve@example.net\r\nControl: cancel <t@x>\r\n");
    v = judge_withdrawal(c, b.cancel, &b.target);
    EXPECT_FALSE(v.apply);
    EXPECT_EQ(v.rule, "control.rule[1]");
    EXPECT_EQ(v.reason, "ignored");
    // Without the target, the cancel's own Newsgroups choose the rule.
    v = judge_withdrawal(c, b.cancel, nullptr);
    EXPECT_EQ(v.rule, "default");  // b's cancel has no Newsgroups: no rule matches
}

TEST(Withdrawal, FromAddressForms) {
    EXPECT_EQ(from_address("Joe Poster <Joe@Example.ORG>"), "joe@example.org");
    EXPECT_EQ(from_address("joe@example.org (Joe Poster)"), "joe@example.org");
    EXPECT_EQ(from_address("\"a <b\" <c@d>"), "c@d");
    EXPECT_EQ(from_address("nobody"), "");
}

TEST(PendingCancels, KeptByTargetBoundedOldestFirst) {
    PendingCancels p;
    p.add("<1@x>", {{"sha256", "A"}}, 2);
    p.add("<2@x>", {{"sha256", "B"}}, 2);
    p.add("<1@x>", {{"sha256", "C"}}, 2);  // more keys for a kept target
    EXPECT_EQ(p.size(), 2u);
    p.add("<3@x>", {{"sha256", "D"}}, 2);  // pushes <1@x> out
    EXPECT_EQ(p.size(), 2u);
    EXPECT_EQ(p.dropped(), 1u);
    EXPECT_FALSE(p.take("<1@x>"));
    auto k = p.take("<2@x>");
    ASSERT_TRUE(k);
    EXPECT_EQ(k->front().value, "B");
    EXPECT_FALSE(p.take("<2@x>"));  // taken once
    for (int i = 0; i < 10000; ++i) {
        p.add("<n" + std::to_string(i) + "@x>", {{"sha256", "E"}}, 100);
        p.take("<n" + std::to_string(i) + "@x>");
    }
    EXPECT_LE(p.size(), 100u);
}

// RFC 8315's examples (§5), also libcanlock's and INN's test vectors: key = base64(HMAC-SHA256(
// secret, uid + mid)), lock = base64(SHA-256(key text)).
TEST(CancelLock, TheRfcVectors) {
    EXPECT_EQ(make_cancel_key("ExampleSecret", "", "<12345@mid.example>"), "qv1VXHYiCGjkX/N1nhfYKcAeUn8bCVhrWhoKuBSnpMA=");
    EXPECT_EQ(make_cancel_lock("qv1VXHYiCGjkX/N1nhfYKcAeUn8bCVhrWhoKuBSnpMA="), "s/pmK/3grrz++29ce2/mQydzJuc7iqHn1nqcJiQTPMc=");
    EXPECT_EQ(make_cancel_key("AnotherSecret", "JaneDoe", "<12345@mid.example>"),
              "yM0ep490Fzt83CLYYAytm3S2HasHhYG4LAeAlmuSEys=");
    EXPECT_EQ(make_cancel_lock("yM0ep490Fzt83CLYYAytm3S2HasHhYG4LAeAlmuSEys="),
              "NSBTz7BfcQFTCen+U4lQ0VS8VIlZao2b8mxD/xJaaeE=");
    EXPECT_TRUE(cancel_key_matches({{"sha256", "RrKLp7YCQc9T8HmgSbxwIDlnCDWsgy1awqtiDuhedRo="}},
                                   {{"sha256", "sSkDke97Dh78/d+Diu1i3dQ2Fp/EMK3xE2GfEqZlvK8="}}));
    EXPECT_FALSE(cancel_key_matches({{"sha256", "RrKLp7YCQc9T8HmgSbxwIDlnCDWsgy1awqtiDuhedRo="}},
                                    {{"sha256", "sSkDke97Dh78/d+Diu1i3dQ2Fp/EMK3xE2GfEqZlvK9="}}));
    // The obsolete sha1 scheme, with a key that is not even valid base64: the text is hashed.
    EXPECT_TRUE(cancel_key_matches({{"sha1", "bNXHc6ohSmeHaRHHW56BIWZJt+4="}}, {{"sha1", "aaaBBBcccDDDeeeFFF"}}));
    EXPECT_TRUE(cancel_key_matches(
        {{"sha512", "Hq6MQ2JMzGf56agcqYPEMnoWHbQMSAG0eE0ABHgktP8cKL6/A4bvydjUAa0h7sHUU8vdfWXK7eUYG/pnDxgitg=="}},
        {{"sha512", "ryoikFW3wKefmYr+zDzKn16ngNf1eYbZ0DN+3yqCbkid3HxU5K99G7RcNEx1UxiL3ZQfwg1+TDhH96D+tCcXGQ=="}}));
}
