// newgroup, rmgroup and checkgroups end to end (issue 21 item 4), with real PGP: a throwaway
// key made with gpg signs the messages the way INN's signcontrol does (the signed text is built
// here from the recipe, not with the server's code), and the node checks them with gpgv. A
// signed newgroup creates its group for readers at once; an unsigned, altered, unapproved or
// wrongly signed one is only logged; a signed rmgroup removes; a checkgroups becomes a diff the
// admin applies through the API.
#include "admin_fixture.h"

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

using namespace tidings::testing;
using namespace tidings::testing::admin;

namespace {

bool have_gpg() { return std::system("command -v gpg >/dev/null 2>&1 && command -v gpgv >/dev/null 2>&1") == 0; }

// A GnuPG home with two throwaway Ed25519 keys: "news.announce.newgroups" (trusted by the rule)
// and "mallory" (in the keyring too, but not the signer the rule names).
class Signer {
public:
    Signer() {
        char tmpl[] = "/tmp/tidings-gpg-XXXXXX";
        home_ = ::mkdtemp(tmpl);
        ok_ = gpg("--quick-gen-key news.announce.newgroups ed25519 sign never") &&
              gpg("--quick-gen-key mallory ed25519 sign never") && gpg("-o " + home_ + "/keyring.gpg --export");
    }
    ~Signer() {
        std::system(("GNUPGHOME=" + home_ + " gpgconf --kill gpg-agent >/dev/null 2>&1").c_str());
        std::filesystem::remove_all(home_);
    }
    bool ok() const { return ok_; }
    std::string keyring() const { return home_ + "/keyring.gpg"; }

    // The X-PGP-Sig value (folded) for a message with these headers and body, as signcontrol
    // makes it: Subject,Control,Message-ID,Date,From,Sender signed, Sender empty.
    std::string sign(const std::string& key, const std::map<std::string, std::string>& h, const std::string& body) {
        std::string text = "X-Signed-Headers: Subject,Control,Message-ID,Date,From,Sender\n";
        for (const char* name : {"Subject", "Control", "Message-ID", "Date", "From"}) text += std::string(name) + ": " + h.at(name) + "\n";
        text += "Sender:\n\n" + body;
        std::ofstream(home_ + "/msg") << text;
        std::filesystem::remove(home_ + "/msg.asc");
        if (!gpg("-u " + key + " --detach-sign --armor --textmode -o " + home_ + "/msg.asc " + home_ + "/msg")) return "";
        std::ifstream in(home_ + "/msg.asc");
        std::string line, value = "GnuPGv2 Subject,Control,Message-ID,Date,From,Sender";
        bool in_body = false;
        while (std::getline(in, line)) {
            if (line.starts_with("-----END")) break;
            if (in_body && !line.empty()) value += "\r\n\t" + line;
            if (line.empty()) in_body = true;
        }
        return value;
    }

private:
    bool gpg(const std::string& args) {
        return std::system(("GNUPGHOME=" + home_ + " gpg --batch --pinentry-mode loopback --passphrase '' " + args +
                            " >/dev/null 2>&1").c_str()) == 0;
    }
    std::string home_;
    bool ok_ = false;
};

std::string node_toml(const std::string& keyring) {
    return config("token = \"t0ken-for-tests\"\n", R"(
[[group]]
name = "control.newgroup"

[control]
keyring = ")" + keyring + R"("

[[control.group_rule]]
pattern = "local.*"
sender = "admin@example.org"
verify = "news.announce.newgroups"
action = "doit"

[[control.group_rule]]
pattern = "*"
action = "log"
)");
}

struct Message {
    std::map<std::string, std::string> h;
    std::string body;  // LF lines
};

Message control_message(const std::string& id, const std::string& control, const std::string& body = "") {
    Message m;
    m.h = {{"Subject", "cmsg " + control}, {"Control", control}, {"Message-ID", id},
           {"Date", "Wed, 25 Nov 2026 10:00:00 +0000"}, {"From", "admin@example.org"}};
    m.body = body.empty() ? "Please create it.\n" : body;
    return m;
}

// The article on the wire: CRLF, with Approved unless `approved` is false.
std::string article(const Message& m, const std::string& sig, bool approved = true) {
    std::string a = "Path: hub.example!not-for-mail\r\nNewsgroups: local.test\r\n";
    for (const auto& [k, v] : m.h) a += k + ": " + v + "\r\n";
    if (approved) a += "Approved: admin@example.org\r\n";
    if (!sig.empty()) a += "X-PGP-Sig: " + sig + "\r\n";
    a += "\r\n";
    std::istringstream in(m.body);
    for (std::string line; std::getline(in, line);) a += line + "\r\n";
    return a;
}

class GroupControl : public Admin {
protected:
    void SetUp() override {
        if (!have_gpg()) GTEST_SKIP() << "gpg and gpgv are not installed";
        signer = std::make_unique<Signer>();
        ASSERT_TRUE(signer->ok()) << "gpg could not make the test keys";
        start(node_toml(signer->keyring()));
        // A group made at run time (not in [[group]], which control messages leave alone).
        ASSERT_EQ(http_call(http, "POST", "/groups", token, R"({"name":"local.stale"})").status, 201);
        ASSERT_TRUE(c.connect(nntp));
        c.read_line();
    }
    std::string feed(const std::string& id, const std::string& text) {
        std::string r = c.command("IHAVE " + id);
        if (r.substr(0, 3) != "335") return r.substr(0, 3);
        c.send_raw(wire(text));
        return c.read_line().substr(0, 3);
    }
    // Waits for the decision's log line for `id`; returns it ("" if none came).
    std::string decision(const std::string& id) {
        for (int i = 0; i < 200; ++i) {
            const std::string log = d->log();
            auto at = log.find("event=group_control");
            for (; at != std::string::npos; at = log.find("event=group_control", at + 1)) {
                auto end = log.find('\n', at);
                std::string line = log.substr(at, end - at);
                if (line.find("id=" + id) != std::string::npos) return line;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
        return "";
    }
    bool group_exists(const std::string& g) { return c.command("GROUP " + g).substr(0, 3) == "211"; }
    std::unique_ptr<Signer> signer;
    NntpClient c;
};

}  // namespace

TEST_F(GroupControl, ASignedNewgroupCreatesTheGroupForReadersAndFeeds) {
    auto m = control_message("<ng1@example.org>", "newgroup local.fresh",
                             "For your newsgroups file:\nlocal.fresh\tA fresh group.\n");
    ASSERT_EQ(feed("<ng1@example.org>", article(m, signer->sign("news.announce.newgroups", m.h, m.body))), "235");
    const std::string line = decision("<ng1@example.org>");
    EXPECT_NE(line.find("kind=newgroup group=local.fresh"), std::string::npos) << d->log();
    EXPECT_NE(line.find("decision=doit reason=\"created\""), std::string::npos) << line;
    EXPECT_NE(line.find("signer=\"news.announce.newgroups\""), std::string::npos) << line;
    EXPECT_TRUE(group_exists("local.fresh"));
    // No restart: the new group takes articles at once, and the control message itself is kept
    // in control.newgroup.
    EXPECT_EQ(feed("<in-fresh@x>", make_article("<in-fresh@x>", "local.fresh")), "235");
    EXPECT_EQ(c.command("GROUP local.fresh").substr(0, 6), "211 1 ");
    EXPECT_EQ(c.command("GROUP control.newgroup").substr(0, 6), "211 1 ");
    EXPECT_NE(http_call(http, "GET", "/metrics").body.find("tidings_group_controls_total{kind=\"newgroup\",decision=\"doit\"} 1\n"),
              std::string::npos);
}

TEST_F(GroupControl, UnsignedAlteredUnapprovedOrWronglySignedOnesAreOnlyLogged) {
    auto unsigned_msg = control_message("<u1@example.org>", "newgroup local.nosig");
    ASSERT_EQ(feed("<u1@example.org>", article(unsigned_msg, "")), "235");
    EXPECT_NE(decision("<u1@example.org>").find("decision=log reason=\"unsigned\""), std::string::npos) << d->log();

    auto altered = control_message("<a1@example.org>", "newgroup local.altered");
    const std::string sig = signer->sign("news.announce.newgroups", altered.h, altered.body);
    altered.body = "Please create it, and also something else.\n";
    ASSERT_EQ(feed("<a1@example.org>", article(altered, sig)), "235");
    EXPECT_NE(decision("<a1@example.org>").find("decision=log reason=\"pgp: bad signature\""), std::string::npos)
        << d->log();

    auto mallory = control_message("<m1@example.org>", "newgroup local.mallory");
    ASSERT_EQ(feed("<m1@example.org>", article(mallory, signer->sign("mallory", mallory.h, mallory.body))), "235");
    auto line = decision("<m1@example.org>");
    EXPECT_NE(line.find("decision=log reason=\"wrong_signer\""), std::string::npos) << line;
    EXPECT_NE(line.find("signer=\"mallory\""), std::string::npos) << line;

    auto unapproved = control_message("<n1@example.org>", "newgroup local.unapproved");
    ASSERT_EQ(feed("<n1@example.org>",
                   article(unapproved, signer->sign("news.announce.newgroups", unapproved.h, unapproved.body), false)),
              "235");
    EXPECT_NE(decision("<n1@example.org>").find("decision=log reason=\"unapproved\""), std::string::npos);

    // Another sender falls to the catch-all rule: logged.
    auto other = control_message("<o1@example.org>", "newgroup local.other");
    other.h["From"] = "someone@example.net";
    ASSERT_EQ(feed("<o1@example.org>", article(other, signer->sign("news.announce.newgroups", other.h, other.body))), "235");
    EXPECT_NE(decision("<o1@example.org>").find("rule=control.group_rule[1] decision=log"), std::string::npos);

    for (const char* g : {"local.nosig", "local.altered", "local.mallory", "local.unapproved", "local.other"})
        EXPECT_FALSE(group_exists(g)) << g;
}

TEST_F(GroupControl, ASignedRmgroupRemovesTheGroup) {
    ASSERT_TRUE(group_exists("local.stale"));
    auto m = control_message("<rm1@example.org>", "rmgroup local.stale", "It is no longer used.\n");
    ASSERT_EQ(feed("<rm1@example.org>", article(m, signer->sign("news.announce.newgroups", m.h, m.body))), "235");
    EXPECT_NE(decision("<rm1@example.org>").find("decision=doit reason=\"removed\""), std::string::npos) << d->log();
    EXPECT_FALSE(group_exists("local.stale"));
    // A group of the configuration file is protected: logged, kept.
    auto cfg_group = control_message("<rm2@example.org>", "rmgroup local.test", "Remove it.\n");
    ASSERT_EQ(feed("<rm2@example.org>", article(cfg_group, signer->sign("news.announce.newgroups", cfg_group.h, cfg_group.body))),
              "235");
    EXPECT_NE(decision("<rm2@example.org>").find("decision=log reason=\"protected_group\""), std::string::npos);
    EXPECT_TRUE(group_exists("local.test"));
}

TEST_F(GroupControl, ACheckgroupsIsADiffTheAdminApplies) {
    // local.test is configured (protected: left out), local.stale becomes moderated,
    // local.gone is not listed (removed), local.listed is new.
    ASSERT_EQ(http_call(http, "POST", "/groups", token, R"({"name":"local.gone"})").status, 201);
    auto m = control_message("<cg1@example.org>", "checkgroups local #2",
                             "local.stale\tOld. (Moderated)\nlocal.listed\tListed here.\n");
    ASSERT_EQ(feed("<cg1@example.org>", article(m, signer->sign("news.announce.newgroups", m.h, m.body))), "235");
    EXPECT_NE(decision("<cg1@example.org>").find("reason=\"diff 1: +1 -1 ~1\""), std::string::npos) << d->log();
    EXPECT_TRUE(group_exists("local.gone"));  // nothing changes before the admin says so
    auto diffs = body_json(http_call(http, "GET", "/checkgroups"))["diffs"];
    ASSERT_EQ(diffs.size(), 1u) << diffs.dump();
    EXPECT_EQ(diffs[0]["add"][0]["name"], "local.listed");
    EXPECT_EQ(diffs[0]["remove"], json::array({"local.gone"}));
    EXPECT_EQ(diffs[0]["moderate"][0]["name"], "local.stale");
    EXPECT_EQ(http_call(http, "POST", "/checkgroups/apply", token, R"({"id": 7})").status, 404);
    auto r = http_call(http, "POST", "/checkgroups/apply", token, R"({"id": 1})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_TRUE(group_exists("local.listed")) << r.body << d->log();
    EXPECT_FALSE(group_exists("local.gone")) << r.body;
    EXPECT_TRUE(group_exists("local.test"));
    ASSERT_EQ(c.command("LIST ACTIVE local.stale").substr(0, 3), "215");
    auto active = c.read_block();
    ASSERT_EQ(active.size(), 1u);
    EXPECT_EQ(active[0].back(), 'm');
    // An older serial for the same scope is declined.
    auto old = control_message("<cg0@example.org>", "checkgroups local #1", "local.stale\tOld.\n");
    ASSERT_EQ(feed("<cg0@example.org>", article(old, signer->sign("news.announce.newgroups", old.h, old.body))), "235");
    EXPECT_NE(decision("<cg0@example.org>").find("decision=log reason=\"old_serial\""), std::string::npos);
}
