// Group control policy (server/core/group_control.h) and gpgv's answers (pgp_verify.h): which
// rule a message falls under, the checkgroups diff, and the status lines that make a signature
// good or not.
#include "server/core/group_control.h"
#include "server/core/pgp_verify.h"

#include <gtest/gtest.h>

using namespace tidings;
using namespace tidings::server;

TEST(GpgStatus, AGoodSignatureNamesItsSigner) {
    auto r = parse_gpg_status(
        "[GNUPG:] NEWSIG\n"
        "[GNUPG:] KEY_CONSIDERED 0123456789ABCDEF0123456789ABCDEF01234567 0\n"
        "[GNUPG:] GOODSIG 89ABCDEF01234567 news.announce.newgroups <newgroups-request@isc.org>\n"
        "[GNUPG:] VALIDSIG 0123456789ABCDEF0123456789ABCDEF01234567 2024-01-01 1704067200 0 4 0 22 10 01 0123\n");
    EXPECT_TRUE(r.good);
    EXPECT_EQ(r.signer, "news.announce.newgroups <newgroups-request@isc.org>");
    EXPECT_EQ(r.fingerprint, "0123456789ABCDEF0123456789ABCDEF01234567");
    EXPECT_TRUE(signer_matches(r.signer, "news.announce.newgroups"));
    EXPECT_TRUE(signer_matches(r.signer, r.signer));
    EXPECT_FALSE(signer_matches(r.signer, "news.announce"));
    EXPECT_FALSE(signer_matches(r.signer, "newgroups-request@isc.org"));
    EXPECT_FALSE(signer_matches(r.signer, ""));
    EXPECT_EQ(parse_gpg_status("[GNUPG:] GOODSIG 1 J%C3%B6rg <j@x>\n").signer, "J\xC3\xB6rg <j@x>");
}

TEST(GpgStatus, EverythingElseIsNotGood) {
    EXPECT_EQ(parse_gpg_status("[GNUPG:] BADSIG 89AB someone\n").problem, "bad signature");
    EXPECT_EQ(parse_gpg_status("[GNUPG:] ERRSIG 89AB 1 10 01 1 9\n[GNUPG:] NO_PUBKEY 89AB\n").problem, "unknown key");
    EXPECT_EQ(parse_gpg_status("[GNUPG:] EXPKEYSIG 89AB someone\n").problem, "expired key");
    EXPECT_EQ(parse_gpg_status("[GNUPG:] REVKEYSIG 89AB someone\n").problem, "revoked key");
    EXPECT_EQ(parse_gpg_status("[GNUPG:] NODATA 1\n").problem, "no signature data");
    EXPECT_EQ(parse_gpg_status("").problem, "no good signature");
    // A second, bad signature in the same file spoils a good one.
    auto two = parse_gpg_status("[GNUPG:] GOODSIG 1 a\n[GNUPG:] BADSIG 2 b\n");
    EXPECT_FALSE(two.good);
    // Lines that are not status lines (a logger on the same descriptor) are ignored.
    EXPECT_FALSE(parse_gpg_status("gpgv: Good signature from \"x\"\n").good);
}

TEST(GroupControlPlan, TheFirstRuleOfTheKindSenderAndGroupDecides) {
    config::Control c;
    config::GroupControlRule local{config::GroupControlKinds::newgroup, "local.*", "*@example.org", "", config::GroupControlAction::doit};
    config::GroupControlRule signed_rule{config::GroupControlKinds::all, "comp.*", "", "news.announce.newgroups",
                                         config::GroupControlAction::doit};
    config::GroupControlRule rest{config::GroupControlKinds::all, "*", "", "", config::GroupControlAction::drop};
    c.group_rules = {local, signed_rule, rest};
    auto plan = [&](std::string headers) {
        return plan_group_control(c, protocol::parse_article(headers + "\r\nbody\r\n"));
    };
    auto p = plan("From: Admin <ADMIN@example.org>\r\nControl: newgroup local.new\r\n");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->rule_name, "control.group_rule[0]");
    EXPECT_EQ(p->sender, "admin@example.org");
    // Sender wins over From.
    p = plan("From: admin@example.org\r\nSender: other@example.net\r\nControl: newgroup local.new\r\n");
    EXPECT_EQ(p->rule_name, "control.group_rule[2]");
    p = plan("From: admin@example.org\r\nControl: rmgroup local.new\r\n");
    EXPECT_EQ(p->rule_name, "control.group_rule[2]");  // rule 0 is newgroup only
    p = plan("From: x@y\r\nControl: rmgroup comp.old\r\n");
    EXPECT_EQ(p->rule_name, "control.group_rule[1]");
    EXPECT_FALSE(plan("From: x@y\r\nControl: cancel <a@b>\r\n"));
    EXPECT_FALSE(plan("From: x@y\r\nControl: newgroup bad..name\r\n"));
    c.group_rules.clear();
    p = plan("From: x@y\r\nControl: newgroup comp.new\r\n");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->rule, nullptr);
    EXPECT_EQ(p->rule_name, "default");
}

TEST(Checkgroups, TheDiffAddsRemovesAndChangesModerationWithinScope) {
    const std::vector<protocol::GroupLine> lines{{"comp.a", "A", false}, {"comp.b", "B", true}, {"comp.new", "N", false}};
    const std::map<std::string, char> groups{{"comp.a", 'y'}, {"comp.b", 'y'}, {"comp.old", 'y'},
                                             {"comp.sources.x", 'y'}, {"rec.x", 'y'}, {"local.x", 'y'}};
    auto d = checkgroups_diff(lines, {"comp", "!comp.sources"}, groups, "*");
    ASSERT_EQ(d.add.size(), 1u);
    EXPECT_EQ(d.add[0].name, "comp.new");
    EXPECT_EQ(d.remove, std::vector<std::string>{"comp.old"});
    ASSERT_EQ(d.moderate.size(), 1u);
    EXPECT_EQ(d.moderate[0].name, "comp.b");
    // No scope: the hierarchies of the listed groups; the rule's pattern limits removals.
    auto implicit = checkgroups_diff(lines, {}, groups, "comp.a,comp.b,comp.new");
    EXPECT_EQ(implicit.scope, std::vector<std::string>{"comp"});
    EXPECT_TRUE(implicit.remove.empty());
}

TEST(Checkgroups, DiffsAreBoundedAndTakenOnce) {
    CheckgroupsDiffs diffs(2);
    auto a = diffs.add({});
    auto b = diffs.add({});
    auto c = diffs.add({});
    EXPECT_EQ(diffs.all().size(), 2u);
    EXPECT_FALSE(diffs.take(a));  // the oldest went
    EXPECT_TRUE(diffs.take(b));
    EXPECT_FALSE(diffs.take(b));
    EXPECT_TRUE(diffs.take(c));
}
