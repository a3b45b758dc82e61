// Group control messages parsed (RFC 5537 §5.2) and the text an X-PGP-Sig covers, rebuilt as
// INN's pgpverify does (folds kept, dot-stuffing undone, LF line ends, trailing blanks gone).
#include "protocol/group_control.h"

#include <gtest/gtest.h>

using namespace tidings::protocol;

namespace {

std::optional<GroupControl> parse(std::string verb, std::vector<std::string> args) {
    return group_control_of(ControlCommand{std::move(verb), std::move(args)});
}

}  // namespace

TEST(GroupControl, NewgroupRmgroupAndTheirArguments) {
    auto n = parse("newgroup", {"comp.lang.c"});
    ASSERT_TRUE(n);
    EXPECT_EQ(n->kind, GroupControlKind::newgroup);
    EXPECT_EQ(n->group, "comp.lang.c");
    EXPECT_FALSE(n->moderated);
    auto m = parse("newgroup", {"comp.lang.c", "Moderated"});
    ASSERT_TRUE(m);
    EXPECT_TRUE(m->moderated);
    EXPECT_FALSE(parse("newgroup", {"comp.lang.c", "unmoderated-ish"}));  // §5.2.1: ignore it
    EXPECT_FALSE(parse("newgroup", {}));
    EXPECT_FALSE(parse("newgroup", {"bad..name"}));
    EXPECT_FALSE(parse("newgroup", {"a.b", "moderated", "extra"}));
    auto r = parse("rmgroup", {"alt.gone"});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->kind, GroupControlKind::rmgroup);
    EXPECT_FALSE(parse("rmgroup", {"alt.gone", "moderated"}));
    EXPECT_FALSE(parse("cancel", {"<a@b>"}));
}

TEST(GroupControl, CheckgroupsScopeAndSerial) {
    auto c = parse("checkgroups", {"comp", "!comp.sources", "#2026120301"});
    ASSERT_TRUE(c);
    EXPECT_EQ(c->kind, GroupControlKind::checkgroups);
    EXPECT_EQ(c->scope, (std::vector<std::string>{"comp", "!comp.sources"}));
    EXPECT_EQ(c->serial, 2026120301u);
    auto bare = parse("checkgroups", {});
    ASSERT_TRUE(bare);
    EXPECT_TRUE(bare->scope.empty());
    EXPECT_FALSE(bare->serial);
    EXPECT_FALSE(parse("checkgroups", {"#12", "comp"}));   // the serial comes last
    EXPECT_FALSE(parse("checkgroups", {"#1", "#2"}));
    EXPECT_FALSE(parse("checkgroups", {"#x"}));
    EXPECT_FALSE(parse("checkgroups", {"not..valid"}));
}

TEST(GroupControl, ScopeIncludesSubHierarchiesMinusExclusions) {
    const std::vector<std::string> scope{"comp", "!comp.sources"};
    EXPECT_TRUE(in_scope(scope, "comp.lang.c"));
    EXPECT_TRUE(in_scope(scope, "comp"));
    EXPECT_FALSE(in_scope(scope, "compx.lang"));
    EXPECT_FALSE(in_scope(scope, "comp.sources.unix"));
    EXPECT_FALSE(in_scope(scope, "rec.arts"));
    EXPECT_FALSE(in_scope({}, "comp.lang.c"));
}

TEST(GroupControl, GroupLinesAndTheModeratedFlag) {
    auto g = parse_group_line("comp.lang.c\tDiscussion about C. (Moderated)");
    ASSERT_TRUE(g);
    EXPECT_EQ(g->name, "comp.lang.c");
    EXPECT_EQ(g->description, "Discussion about C.");
    EXPECT_TRUE(g->moderated);
    auto plain = parse_group_line("comp.lang.d\t\tThe D language.  ");
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->description, "The D language.");
    EXPECT_FALSE(plain->moderated);
    EXPECT_FALSE(parse_group_line("# a comment"));
    EXPECT_FALSE(parse_group_line(""));
    const std::string body =
        "This group is for testing.\r\n\r\nFor your newsgroups file:\r\nlocal.new\tA new group.\r\n";
    auto n = newgroup_line(body, "local.new");
    ASSERT_TRUE(n);
    EXPECT_EQ(n->description, "A new group.");
    EXPECT_FALSE(newgroup_line(body, "local.other"));
    auto lines = checkgroups_lines("# Big list\r\ncomp.a\tA\r\n..hidden is not a group\r\ncomp.b\tB (Moderated)\r\n\r\n");
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[1].name, "comp.b");
    EXPECT_TRUE(lines[1].moderated);
}

TEST(PgpSig, ParsesTheHeaderAndRebuildsTheSignedText) {
    const std::string text =
        "Path: a!b\r\n"
        "From: admin@example.test\r\n"
        "Subject: cmsg newgroup local.new\r\n"
        "Control: newgroup local.new\r\n"
        "Message-ID: <t1@example.test>\r\n"
        "Date: Mon, 01 Jan 2024 00:00:00 -0000\r\n"
        "X-PGP-Sig: GnuPGv2 Subject,Control,Message-ID,Date,From,Sender\r\n"
        "\tiHUEARYKAB0WIQTaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"
        "\tbbbb\r\n"
        "\t=AbCd\r\n"
        "\r\n"
        "For your newsgroups file:  \r\n"
        "local.new\tA new group.\r\n"
        "..dot line\r\n";
    auto a = parse_article(text);
    auto sig = pgp_signature_of(a);
    ASSERT_TRUE(sig);
    EXPECT_EQ(sig->version, "GnuPGv2");
    EXPECT_EQ(sig->signed_headers, (std::vector<std::string>{"Subject", "Control", "Message-ID", "Date", "From", "Sender"}));
    ASSERT_EQ(sig->lines.size(), 3u);
    EXPECT_EQ(sig->lines.back(), "=AbCd");
    auto signed_text = pgp_signed_text(a, *sig, a.body);
    ASSERT_TRUE(signed_text);
    EXPECT_EQ(*signed_text,
              "X-Signed-Headers: Subject,Control,Message-ID,Date,From,Sender\n"
              "Subject: cmsg newgroup local.new\n"
              "Control: newgroup local.new\n"
              "Message-ID: <t1@example.test>\n"
              "Date: Mon, 01 Jan 2024 00:00:00 -0000\n"
              "From: admin@example.test\n"
              "Sender:\n"  // absent: empty, and its trailing blank removed
              "\n"
              "For your newsgroups file:\n"
              "local.new\tA new group.\n"
              ".dot line\n");
    EXPECT_EQ(pgp_armor(*sig),
              "-----BEGIN PGP SIGNATURE-----\nVersion: GnuPGv2\n\n"
              "iHUEARYKAB0WIQTaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\nbbbb\n=AbCd\n"
              "-----END PGP SIGNATURE-----\n");
}

TEST(PgpSig, FoldsInSignedHeadersAreKeptAndDuplicatesRefused) {
    const std::string folded = "Subject: one\r\n two\r\nX-PGP-Sig: V Subject\r\n\tAAAA\r\n\t=AAAA\r\n\r\nb\r\n";
    auto a = parse_article(folded);
    auto sig = pgp_signature_of(a);
    ASSERT_TRUE(sig);
    EXPECT_EQ(*pgp_signed_text(a, *sig, a.body), "X-Signed-Headers: Subject\nSubject: one\n two\n\nb\n");
    const std::string twice = "Subject: a\r\nSubject: b\r\nX-PGP-Sig: V Subject\r\n\tAAAA\r\n\t=AAAA\r\n\r\nb\r\n";
    auto t = parse_article(twice);
    EXPECT_FALSE(pgp_signed_text(t, *pgp_signature_of(t), t.body));
}

TEST(PgpSig, MalformedSignaturesAreRefused) {
    auto sig = [](std::string value) {
        return pgp_signature_of(parse_article("Subject: s\r\nX-PGP-Sig: " + value + "\r\n\r\nb\r\n"));
    };
    EXPECT_FALSE(sig("V Subject"));                 // no signature lines
    EXPECT_FALSE(sig("V Subject AAAA"));            // no checksum line
    EXPECT_FALSE(sig("V Subject AAAA =AAAAA"));     // checksum of the wrong length
    EXPECT_FALSE(sig("V Subject,,From AAAA =AAAA"));  // an empty header name
    EXPECT_FALSE(sig("V Subject AA*A =AAAA"));      // not base64
    EXPECT_TRUE(sig("V Subject AAAA =AAAA"));
    EXPECT_FALSE(pgp_signature_of(parse_article("Subject: s\r\nX-PGP-Sig: V Subject A =AAAA\r\n"
                                                "X-PGP-Sig: V Subject B =AAAA\r\n\r\nb\r\n")));
}
