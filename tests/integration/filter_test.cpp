// Filter rules end to end (issue 21 item 5): reject, accept before a later reject, quarantine
// (hidden from readers, fed to nobody) and its release through the admin API, body copies
// (EMP), a rule for local posts only, one log line and a counter per decision, and rules
// changed by a reload without a restart.
#include "admin_fixture.h"

#include <fstream>
#include <thread>

using namespace tidings::testing;
using namespace tidings::testing::admin;

namespace {

const char* rules = R"(
[[group]]
name = "other.test"

[[filter.rule]]
name = "trusted"
sources = ["hub"]
header = "Organization"
regex = "^Trusted$"
action = "accept"

[[filter.rule]]
name = "spam"
header = "Subject"
regex = "(?i)make money"

[[filter.rule]]
name = "hold"
header = "Subject"
regex = "^hold me"
action = "quarantine"

[[filter.rule]]
name = "emp"
min_body_copies = 3
body_window_s = 600

[[filter.rule]]
name = "shouting"
sources = ["local"]
header = "Subject"
regex = "^[A-Z !]+$"
)";

std::string article(const std::string& id, const std::string& subject, const std::string& extra = "",
                    const std::string& body = "") {
    return "Path: peer.example!not-for-mail\r\nFrom: a@example.com\r\nNewsgroups: local.test\r\nSubject: " +
           subject + "\r\nDate: Wed, 25 Nov 2026 10:00:00 +0000\r\nMessage-ID: " + id + "\r\n" + extra +
           "\r\n" + (body.empty() ? "a body of " + id + "\r\n" : body);
}

std::string offer(NntpClient& c, const std::string& id, const std::string& text) {
    std::string r = c.command("IHAVE " + id);
    if (r.substr(0, 3) != "335") return r.substr(0, 3);
    c.send_raw(wire(text));
    return c.read_line().substr(0, 3);
}

class Filters : public Admin {
protected:
    void SetUp() override {
        start(config("token = \"t0ken-for-tests\"\n", rules));
        ASSERT_TRUE(c.connect(nntp));
        c.read_line();
    }
    json backlog() {
        const json status = body_json(http_call(http, "GET", "/status"));
        for (const auto& p : status["peers"])
            if (p["name"] == "downstream") return p["outgoing"]["backlog"];
        return json();
    }
    NntpClient c;
};

}  // namespace

TEST_F(Filters, ARejectIsRefusedRememberedLoggedAndCounted) {
    EXPECT_EQ(offer(c, "<s1@x>", article("<s1@x>", "Make MONEY now")), "437");
    EXPECT_EQ(c.command("IHAVE <s1@x>").substr(0, 3), "435");  // remembered
    // An accept rule before it wins: the trusted hub's article is taken.
    EXPECT_EQ(offer(c, "<s2@x>", article("<s2@x>", "make money", "Organization: Trusted\r\n")), "235");
    EXPECT_EQ(offer(c, "<ok@x>", article("<ok@x>", "an ordinary subject")), "235");
    const std::string log = d->log();
    EXPECT_NE(log.find("event=filter id=<s1@x> source=hub rule=spam action=reject"), std::string::npos) << log;
    auto m = http_call(http, "GET", "/metrics").body;
    EXPECT_NE(m.find("tidings_filter_matches_total{rule=\"spam\",action=\"reject\"} 1\n"), std::string::npos) << m;
    EXPECT_NE(m.find("tidings_filter_matches_total{rule=\"trusted\",action=\"accept\"} 1\n"), std::string::npos);
    EXPECT_EQ(body_json(http_call(http, "GET", "/status"))["incoming"]["filter"]["matches"]["spam/reject"], 1);
}

TEST_F(Filters, AQuarantinedArticleIsHiddenUnfedAndReleasable) {
    ASSERT_EQ(offer(c, "<q1@x>", article("<q1@x>", "hold me please")), "235");
    ASSERT_EQ(offer(c, "<n1@x>", article("<n1@x>", "normal")), "235");
    EXPECT_EQ(backlog(), 1);  // only the normal article waits for the downstream peer
    // Readers see neither the article nor its group.
    EXPECT_EQ(c.command("ARTICLE <q1@x>").substr(0, 3), "430");
    EXPECT_EQ(c.command("GROUP tidings.quarantine").substr(0, 3), "411");
    ASSERT_EQ(c.command("LIST ACTIVE").substr(0, 3), "215");
    for (const auto& l : c.read_block()) EXPECT_EQ(l.find("tidings.quarantine"), std::string::npos) << l;
    EXPECT_EQ(c.command("GROUP local.test").substr(0, 6), "211 1 ");
    // It is re-offered: already here.
    EXPECT_EQ(c.command("IHAVE <q1@x>").substr(0, 3), "435");

    auto q = body_json(http_call(http, "GET", "/quarantine"));
    EXPECT_EQ(q["count"], 1) << q.dump();
    ASSERT_EQ(q["articles"].size(), 1u);
    EXPECT_EQ(q["articles"][0]["message_id"], "<q1@x>");
    EXPECT_EQ(q["articles"][0]["subject"], "hold me please");

    // Release: needs the token; then filed in its group, readable, queued for the peer.
    EXPECT_EQ(http_call(http, "POST", "/quarantine/release", "", R"({"message_id":"<q1@x>"})").status, 401);
    auto r = http_call(http, "POST", "/quarantine/release", token, R"({"message_id":"<q1@x>"})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(c.command("GROUP local.test").substr(0, 6), "211 2 ");
    EXPECT_EQ(c.command("ARTICLE <q1@x>").substr(0, 3), "220");
    auto text = c.read_block();
    bool xref = false;
    for (const auto& l : text) xref = xref || l == "Xref: admin.tidings local.test:2";
    EXPECT_TRUE(xref) << "the stored Xref names its new place";
    EXPECT_EQ(backlog(), 2);
    EXPECT_EQ(body_json(http_call(http, "GET", "/quarantine"))["count"], 0);
    EXPECT_EQ(http_call(http, "POST", "/quarantine/release", token, R"({"message_id":"<q1@x>"})").status, 404);
    EXPECT_EQ(http_call(http, "POST", "/quarantine/release", token, R"({"message_id":"<n1@x>"})").status, 404);
    EXPECT_NE(http_call(http, "GET", "/metrics").body.find("tidings_quarantine_released_total 1\n"), std::string::npos);
    // The group cannot be removed (its articles would be left in no group, readable by id),
    // and a peer cannot file into it.
    EXPECT_EQ(http_call(http, "DELETE", "/groups/tidings.quarantine", token).status, 409);
    const std::string sneaky = "Path: peer.example!not-for-mail\r\nFrom: a@example.com\r\n"
                               "Newsgroups: tidings.quarantine\r\nSubject: s\r\nDate: Wed, 25 Nov 2026 10:00:00 +0000\r\n"
                               "Message-ID: <sneaky@x>\r\n\r\nb\r\n";
    EXPECT_EQ(offer(c, "<sneaky@x>", sneaky), "437");  // no carried group
    EXPECT_EQ(body_json(http_call(http, "GET", "/quarantine"))["count"], 0);
    EXPECT_NE(d->log().find("event=filter id=<q1@x> source=hub rule=hold action=quarantine"), std::string::npos);
}

TEST_F(Filters, TheThirdCopyOfABodyIsRefusedUnderAnyMessageId) {
    const std::string same = "Buy our stuff, it is great.\r\n";
    EXPECT_EQ(offer(c, "<e1@x>", article("<e1@x>", "one", "", same)), "235");
    EXPECT_EQ(offer(c, "<e2@x>", article("<e2@x>", "two", "", same)), "235");
    EXPECT_EQ(offer(c, "<e3@x>", article("<e3@x>", "three", "", same)), "437");
    EXPECT_EQ(offer(c, "<e4@x>", article("<e4@x>", "four", "", "Something else.\r\n")), "235");
    EXPECT_NE(d->log().find("event=filter id=<e3@x> source=hub rule=emp action=reject"), std::string::npos);
}

TEST_F(Filters, ARuleForLocalPostsLeavesPeersAlone) {
    ASSERT_EQ(c.command("POST").substr(0, 3), "340");
    c.send_raw("From: me@example.com\r\nNewsgroups: local.test\r\nSubject: BUY NOW\r\n\r\nbody\r\n.\r\n");
    const std::string answer = c.read_line();
    EXPECT_EQ(answer.substr(0, 3), "441");
    EXPECT_NE(answer.find("rule shouting"), std::string::npos) << answer;
    EXPECT_EQ(offer(c, "<loud@x>", article("<loud@x>", "BUY NOW")), "235");
    EXPECT_NE(d->log().find("source=local rule=shouting action=reject"), std::string::npos) << d->log();
}

TEST_F(Filters, AReloadChangesTheRulesForTheNextArticle) {
    EXPECT_EQ(offer(c, "<r1@x>", article("<r1@x>", "cheap watches")), "235");
    std::string next = config("token = \"t0ken-for-tests\"\n",
                              "\n[[filter.rule]]\nname = \"watches\"\nheader = \"Subject\"\nregex = \"watches\"\n");
    for (std::size_t p; (p = next.find("{DATA}")) != std::string::npos;) next.replace(p, 6, d->data_dir());
    std::ofstream(d->dir() + "/tidings.toml") << next;
    auto r = http_call(http, "POST", "/reload", token);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_NE(r.body.find("filter: 1 rules"), std::string::npos) << r.body;
    // The same session, no reconnection: the new rule applies, the old ones are gone.
    EXPECT_EQ(offer(c, "<r2@x>", article("<r2@x>", "cheap watches")), "437");
    EXPECT_EQ(offer(c, "<r3@x>", article("<r3@x>", "make money")), "235");
}

TEST(FilterConfig, ABadRegexNamesFileLineAndKey) {
    std::string out, err;
    Daemon d(node_config("bad.tidings") + "\n[[filter.rule]]\nname = \"x\"\nheader = \"Subject\"\nregex = \"(unclosed\"\n");
    EXPECT_FALSE(d.start());
    const std::string log = d.log();
    EXPECT_NE(log.find("tidings.toml:"), std::string::npos) << log;
    EXPECT_NE(log.find("filter.rule[0].regex: bad regular expression \"(unclosed\": missing )"), std::string::npos)
        << log;
}
