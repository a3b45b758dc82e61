// Control messages, withdrawals and Cancel-Lock elements, parsed (protocol/control.h).
#include "protocol/control.h"

#include <gtest/gtest.h>

using namespace tidings::protocol;

namespace {

ParsedArticle parse(const std::string& headers) {
    static std::string keep;  // parse_article returns views into its argument
    keep = headers + "\r\nbody\r\n";
    return parse_article(keep);
}

}  // namespace

TEST(Control, CommandVerbIsLowerCasedAndArgumentsSplit) {
    auto c = control_command(parse("Control: NewGroup  comp.lang.c++ moderated\r\n"));
    ASSERT_TRUE(c);
    EXPECT_EQ(c->verb, "newgroup");
    EXPECT_EQ(c->arguments, (std::vector<std::string>{"comp.lang.c++", "moderated"}));
    EXPECT_FALSE(control_command(parse("Subject: x\r\n")));
    EXPECT_FALSE(control_command(parse("Control:  \r\n")));
}

TEST(Control, CancelNamesItsTarget) {
    auto w = withdrawal_of(parse("Control: cancel <a@b.example>\r\n"));
    ASSERT_TRUE(w);
    EXPECT_EQ(w->kind, WithdrawalKind::cancel);
    EXPECT_EQ(w->target, "<a@b.example>");
    // Folded, and a control message wins over a Supersedes in the same article.
    w = withdrawal_of(parse("Supersedes: <old@b.example>\r\nControl: cancel\r\n <a@b.example>\r\n"));
    ASSERT_TRUE(w);
    EXPECT_EQ(w->kind, WithdrawalKind::cancel);
    EXPECT_EQ(w->target, "<a@b.example>");
}

TEST(Control, SupersedesNamesItsTarget) {
    auto w = withdrawal_of(parse("Supersedes: <old@b.example>\r\n"));
    ASSERT_TRUE(w);
    EXPECT_EQ(w->kind, WithdrawalKind::supersede);
    EXPECT_EQ(w->target, "<old@b.example>");
}

TEST(Control, MalformedOrOtherControlMessagesWithdrawNothing) {
    for (const char* h : {"Control: cancel\r\n", "Control: cancel a@b\r\n", "Control: cancel <a@b> <c@d>\r\n",
                          "Control: newgroup a.b\r\n", "Supersedes: <a@b> <c@d>\r\n", "Supersedes: nothing\r\n",
                          "Control: cancel <a b@c>\r\n"})
        EXPECT_FALSE(withdrawal_of(parse(h))) << h;
}

TEST(Control, CancelElementsOfEveryFieldWithMalformedOnesSkipped) {
    auto a = parse("Cancel-Lock: sha256:AAAA SHA1:BBB= bad no-colon :CCCC sha256:\r\n"
                   "cancel-lock: sha512:DD/+\r\n\tsha256:E%E\r\n");
    auto e = cancel_elements(a, "Cancel-Lock");
    ASSERT_EQ(e.size(), 3u);
    EXPECT_EQ(e[0].scheme, "sha256");
    EXPECT_EQ(e[0].value, "AAAA");
    EXPECT_EQ(e[1].scheme, "sha1");
    EXPECT_EQ(e[1].value, "BBB=");
    EXPECT_EQ(e[2].scheme, "sha512");
    EXPECT_EQ(e[2].value, "DD/+");
    EXPECT_TRUE(cancel_elements(a, "Cancel-Key").empty());
}

TEST(Control, CancelElementsAreBounded) {
    std::string many = "Cancel-Key:";
    for (int i = 0; i < 1000; ++i) many += " sha256:AAAA";
    EXPECT_EQ(cancel_elements(parse(many + "\r\n"), "Cancel-Key").size(), 64u);
}
