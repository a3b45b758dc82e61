// prepare_transit_article: what a relayed article must be to be taken, and the store request
// built from it (groups, overview, Path, feeds). A real store in a temp dir holds the groups.
#include "server/core/ingest.h"

#include <gtest/gtest.h>

#include "config/config.h"
#include "temp_store.h"

namespace tidings::server {
namespace {

class TransitPreparation : public ::testing::Test {
protected:
    void SetUp() override {
        auto r = config::load_string(R"(
[node]
pathhost = "news.us"

[[peer]]
name = "hub"
hosts = ["192.0.2.1"]
outgoing = "127.0.0.1:119"

[[peer]]
name = "leaf"
outgoing = "127.0.0.1:119"
newsgroups = "local.*"
)",
                                     "ingest.toml");
        ASSERT_TRUE(r.config) << r.errors.front();
        cfg_ = *r.config;
        for (const char* g : {"local.test", "misc.test"}) ASSERT_TRUE(db_.create_group(g));
    }
    IngestVerdict prepare(const std::string& wire, const std::string& id, const config::Peer* from = nullptr) {
        FeedTable feeds(cfg_);
        storage::Snapshot snap(db_.store());
        return prepare_transit_article(cfg_, feeds, from, id, wire, snap);
    }
    static std::string article(const std::string& id, const std::string& groups, const std::string& path,
                               const std::string& extra = "") {
        return "Path: " + path + "\r\nFrom: a@example.com\r\nNewsgroups: " + groups +
               "\r\nSubject: hello\r\nDate: Tue, 24 Nov 2026 10:00:00 +0000\r\nMessage-ID: " + id + "\r\n" + extra +
               "\r\nline one\r\nline two\r\n";
    }

    test::TempStore db_;
    config::Config cfg_;
};

TEST_F(TransitPreparation, AcceptedArticleGetsOurPathCarriedGroupsOverviewAndFeeds) {
    auto v = prepare(article("<a@x>", "local.test,not.carried,misc.test", "hub!origin!not-for-mail"), "<a@x>",
                     &cfg_.peers[0]);
    ASSERT_TRUE(v.accept) << v.reason << ": " << v.detail;
    EXPECT_EQ(v.request.message_id, "<a@x>");
    EXPECT_EQ(v.request.groups, (std::vector<std::string>{"local.test", "misc.test"}));
    EXPECT_EQ(v.request.overview.subject, "hello");
    EXPECT_EQ(v.request.overview.from, "a@example.com");
    EXPECT_EQ(v.request.overview.message_id, "<a@x>");
    EXPECT_EQ(v.request.overview.lines, 2u);
    EXPECT_EQ(v.request.article.rfind("Path: news.us!hub!origin!not-for-mail\r\n", 0), 0u) << v.request.article;
    // hub is the source and in the Path; leaf wants local.* only — which the crosspost has.
    EXPECT_EQ(v.request.feeds, (std::vector<std::string>{"leaf"}));
    EXPECT_GT(v.request.arrival, 0);
}

TEST_F(TransitPreparation, RefusesLoopsUncarriedGroupsAndMismatchedIds) {
    auto loop = prepare(article("<l@x>", "local.test", "hub!news.us!origin"), "<l@x>");
    EXPECT_FALSE(loop.accept);
    EXPECT_EQ(loop.reason, "loop");
    auto unwanted = prepare(article("<u@x>", "alt.nothing", "origin"), "<u@x>");
    EXPECT_FALSE(unwanted.accept);
    EXPECT_EQ(unwanted.reason, "unwanted_group");
    auto other = prepare(article("<b@x>", "local.test", "origin"), "<a@x>");  // offered <a>, carries <b>
    EXPECT_FALSE(other.accept);
    EXPECT_EQ(other.reason, "malformed");
    auto headless = prepare("Subject: no path\r\n\r\nbody\r\n", "<h@x>");
    EXPECT_FALSE(headless.accept);
    EXPECT_EQ(headless.reason, "malformed");
}

TEST_F(TransitPreparation, OnlyARefusalOfTheOfferedArticleIsRemembered) {
    EXPECT_TRUE(prepare(article("<l@x>", "local.test", "news.us!x"), "<l@x>").remember);      // loop
    EXPECT_TRUE(prepare(article("<u@x>", "alt.nothing", "x"), "<u@x>").remember);             // unwanted
    EXPECT_FALSE(prepare(article("<b@x>", "local.test", "x"), "<a@x>").remember);             // other id
    EXPECT_FALSE(prepare("garbage", "<g@x>").remember);                                        // no headers
    EXPECT_FALSE(prepare("Path: x\r\nSubject: s\r\n\r\nbody\r\n", "<n@x>").remember);  // no Message-ID
}

TEST_F(TransitPreparation, JunkUnwantedKeepsAnArticleWithoutGroups) {
    cfg_.storage.junk_unwanted = true;
    auto v = prepare(article("<j@x>", "alt.nothing", "origin"), "<j@x>");
    ASSERT_TRUE(v.accept) << v.reason;
    EXPECT_TRUE(v.request.groups.empty());
    EXPECT_EQ(v.request.feeds, (std::vector<std::string>{"hub"}));  // hub's wildmat is "*"
}

}  // namespace
}  // namespace tidings::server
