// Posting to moderated groups end to end (RFC 5537 §3.5 step 5, §3.5.1): an unapproved post is
// mailed to the moderator through the configured mailer — here a script that keeps what it
// was given — and is not stored; an approved one is stored; no rule or a failing mailer is 441.
#include "harness.h"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

using namespace tidings::testing;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

class Moderation : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/tidings-mailer-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        // A stand-in for sendmail: argument line and message kept per call; an address with
        // "fail" in it exits 75 (EX_TEMPFAIL) as a real MTA might.
        mailer_ = dir_ / "fake-sendmail";
        std::ofstream(mailer_) << "#!/bin/sh\n"
                                  "d=$(dirname \"$0\")\n"
                                  "n=$(ls \"$d\" | grep -c '^mail\\.')\n"
                                  "cat > \"$d/mail.$n\"\n"
                                  "echo \"$@\" > \"$d/args.$n\"\n"
                                  "case \"$*\" in *fail*) exit 75;; esac\n"
                                  "exit 0\n";
        ::chmod(mailer_.c_str(), 0755);
        std::string cfg = node_config("mod.tidings") + R"(
[[listen]]
address = "127.0.0.1"
port = 0

[[group]]
name = "local.test"

[[group]]
name = "local.mod"
status = "m"

[[group]]
name = "local.unlisted"
status = "m"

[[group]]
name = "local.modfail"
status = "m"

[moderation]
mail_command = ")" + mailer_.string() + R"( -oi %s"
timeout_s = 10

[[moderation.rule]]
pattern = "local.modfail"
address = "fail@mods.example"

[[moderation.rule]]
pattern = "local.mod"
address = "%s@mods.example"

# The moderator's account: only it may post with Approved:.
[[user]]
name = "moderator"
password_hash = "$y$j9T$5EtO3ASWi4dtuF3YOjC9K/$FMmngWY6Q2RBMcCs89uLGsifn/.Nw2nJXwP4oZKwBD9"
approve = true
)";
        daemon_ = std::make_unique<Daemon>(cfg);
        ASSERT_TRUE(daemon_->start()) << daemon_->log();
        ASSERT_TRUE(c_.connect(daemon_->port()));
        ASSERT_EQ(c_.read_line().substr(0, 3), "200");
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::string post(std::string_view groups, std::string_view extra, std::string_view body) {
        EXPECT_EQ(c_.command("POST").substr(0, 3), "340");
        c_.send_raw("From: Poster <poster@example.org>\r\nNewsgroups: " + std::string(groups) +
                    "\r\nSubject: for the moderator\r\n" + std::string(extra) + "\r\n" + std::string(body) +
                    ".\r\n");
        return c_.read_line();
    }
    std::size_t group_count(std::string_view g) {
        std::string line = c_.command("GROUP " + std::string(g));
        EXPECT_EQ(line.substr(0, 3), "211") << line;
        return line.size() > 4 ? std::stoul(line.substr(4)) : 0;
    }

    fs::path dir_, mailer_;
    std::unique_ptr<Daemon> daemon_;
    NntpClient c_;
};

TEST_F(Moderation, UnapprovedPostIsMailedToTheFirstModeratedGroupsModeratorAndNotStored) {
    std::string r = post("local.test,local.mod", "Message-ID: <m1@example.org>\r\n", "Hello moderator.\r\n..dotted\r\n");
    EXPECT_EQ(r.substr(0, 3), "240") << r << daemon_->log();
    std::string mail = slurp(dir_ / "mail.0");
    EXPECT_EQ(mail.rfind("To: local-mod@mods.example\n", 0), 0u) << mail;
    EXPECT_NE(mail.find("\nNewsgroups: local.test,local.mod\n"), std::string::npos) << mail;
    EXPECT_NE(mail.find("\nMessage-ID: <m1@example.org>\n"), std::string::npos) << mail;
    EXPECT_NE(mail.find("\nDate: "), std::string::npos) << mail;  // added at injection
    EXPECT_EQ(mail.find("Path:"), std::string::npos) << mail;
    EXPECT_EQ(mail.find("Injection-Info:"), std::string::npos) << mail;
    EXPECT_EQ(mail.find('\r'), std::string::npos) << mail;
    EXPECT_NE(mail.find("\n\nHello moderator.\n.dotted\n"), std::string::npos) << mail;
    EXPECT_EQ(slurp(dir_ / "args.0"), "-oi local-mod@mods.example\n");
    // Not stored anywhere: the moderator posts it again, approved.
    EXPECT_EQ(c_.command("ARTICLE <m1@example.org>").substr(0, 3), "430");
    EXPECT_EQ(group_count("local.test"), 0u);
    EXPECT_EQ(group_count("local.mod"), 0u);
    // Anyone may write Approved:, only an account with the approve right may post it.
    r = post("local.test,local.mod", "Message-ID: <m1@example.org>\r\nApproved: local-mod@mods.example\r\n",
             "Hello moderator.\r\n");
    EXPECT_EQ(r, "441 You are not allowed to approve postings");
    EXPECT_EQ(group_count("local.mod"), 0u);
    EXPECT_EQ(c_.command("AUTHINFO USER moderator").substr(0, 3), "381");
    EXPECT_EQ(c_.command("AUTHINFO PASS secret").substr(0, 3), "281");
    r = post("local.test,local.mod", "Message-ID: <m1@example.org>\r\nApproved: local-mod@mods.example\r\n",
             "Hello moderator.\r\n");
    EXPECT_EQ(r.substr(0, 3), "240") << r;
    EXPECT_EQ(group_count("local.mod"), 1u);
    EXPECT_EQ(group_count("local.test"), 1u);
    EXPECT_FALSE(fs::exists(dir_ / "mail.1"));  // approved: stored, not mailed
}

TEST_F(Moderation, NoRuleOrAFailingMailerIs441AndNothingIsStored) {
    std::string r = post("local.unlisted", "", "x\r\n");
    EXPECT_EQ(r.substr(0, 3), "441") << r;
    EXPECT_FALSE(fs::exists(dir_ / "mail.0"));
    r = post("local.modfail", "", "x\r\n");
    EXPECT_EQ(r.substr(0, 3), "441") << r;
    EXPECT_TRUE(fs::exists(dir_ / "mail.0"));  // the mailer ran and said no
    EXPECT_EQ(slurp(dir_ / "args.0"), "-oi fail@mods.example\n");
    EXPECT_EQ(group_count("local.modfail"), 0u);
    EXPECT_EQ(group_count("local.unlisted"), 0u);
    EXPECT_EQ(c_.command("DATE").substr(0, 3), "111");  // the session goes on
}

}  // namespace
