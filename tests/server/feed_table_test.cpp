#include "server/core/ingest.h"

#include <gtest/gtest.h>

#include "config/config.h"

namespace tidings::server {
namespace {

// A configuration with these peers, through the real loader (its defaults included).
config::Config load(const std::string& peers) {
    auto r = config::load_string("[node]\npathhost = \"news.test\"\n" + peers, "feeds.toml");
    EXPECT_TRUE(r.config) << (r.errors.empty() ? "" : r.errors.front());
    return r.config ? *r.config : config::Config{};
}

using Names = std::vector<std::string>;

TEST(FeedTable, SelectsByNewsgroupsWildmatWithNegationAndPoison) {
    auto cfg = load(R"(
[[peer]]
name = "all"
outgoing = "127.0.0.1:119"

[[peer]]
name = "comp"
outgoing = "127.0.0.1:119"
newsgroups = "comp.*,!comp.binaries.*"

[[peer]]
name = "nobin"
outgoing = "127.0.0.1:119"
newsgroups = "*,@*.binaries.*"

[[peer]]
name = "incoming-only"
hosts = ["127.0.0.1"]
)");
    FeedTable t(cfg);
    EXPECT_EQ(t.select("comp.lang.c", "x!not-for-mail", 100, nullptr), (Names{"all", "comp", "nobin"}));
    EXPECT_EQ(t.select("comp.binaries.x", "x!not-for-mail", 100, nullptr), (Names{"all"}));
    // '@' poisons the whole crosspost; '!' only does not match that group.
    EXPECT_EQ(t.select("comp.lang.c,alt.binaries.x", "x", 100, nullptr), (Names{"all", "comp"}));
    EXPECT_EQ(t.select("misc.test", "x", 100, nullptr), (Names{"all", "nobin"}));
}

TEST(FeedTable, SkipsPeersAlreadyInPathByIdentityOrAlias) {
    auto cfg = load(R"(
[[peer]]
name = "a"
outgoing = "127.0.0.1:119"

[[peer]]
name = "b"
path_identity = "news.b.example"
path_aliases = ["b-old.example"]
outgoing = "127.0.0.1:119"
)");
    FeedTable t(cfg);
    EXPECT_EQ(t.select("misc.test", "origin!not-for-mail", 10, nullptr), (Names{"a", "b"}));
    EXPECT_EQ(t.select("misc.test", "a!origin!not-for-mail", 10, nullptr), (Names{"b"}));
    EXPECT_EQ(t.select("misc.test", "news.b.example!origin", 10, nullptr), (Names{"a"}));
    EXPECT_EQ(t.select("misc.test", "x!b-old.example!y", 10, nullptr), (Names{"a"}));
    EXPECT_EQ(t.select("misc.test", "b!origin", 10, nullptr), (Names{"a", "b"}));  // name is not identity
}

TEST(FeedTable, SkipsTheSourcePeerAndArticlesOverItsSizeLimit) {
    auto cfg = load(R"(
[[peer]]
name = "small"
outgoing = "127.0.0.1:119"
max_article_bytes = 2000
hosts = ["192.0.2.1"]

[[peer]]
name = "big"
outgoing = "127.0.0.1:119"
hosts = ["192.0.2.2"]
)");
    FeedTable t(cfg);
    EXPECT_EQ(t.select("misc.test", "x", 2000, nullptr), (Names{"small", "big"}));
    EXPECT_EQ(t.select("misc.test", "x", 2001, nullptr), (Names{"big"}));
    EXPECT_EQ(t.select("misc.test", "x", 10, &cfg.peers[0]), (Names{"big"}));
}

TEST(FeedTable, APeerSharingAnAddressIsNotTrustedAsTheSource) {
    // Two peers on one address: a session from it is attributed to the first, maybe wrongly,
    // so the source is not left out on that ground (the Path still is).
    auto cfg = load(R"(
[[peer]]
name = "one"
outgoing = "127.0.0.1:119"
hosts = ["127.0.0.1"]

[[peer]]
name = "two"
outgoing = "127.0.0.1:119"
hosts = ["127.0.0.1"]
)");
    FeedTable t(cfg);
    EXPECT_EQ(t.select("misc.test", "x", 10, &cfg.peers[0]), (Names{"one", "two"}));
    EXPECT_EQ(t.select("misc.test", "one!x", 10, &cfg.peers[0]), (Names{"two"}));
}

TEST(FeedTable, DistributionsFollowInnsRule) {
    auto cfg = load(R"(
[[peer]]
name = "world"
outgoing = "127.0.0.1:119"

[[peer]]
name = "local"
outgoing = "127.0.0.1:119"
distributions = ["local", "fr"]

[[peer]]
name = "notlocal"
outgoing = "127.0.0.1:119"
)");
    // The TOML takes dist-names only (RFC 5536 §3.2.4); the table also honours INN's "!name".
    cfg.peers[2].distributions = {"!local"};
    FeedTable t(cfg);
    EXPECT_EQ(t.select("misc.test", "x", 10, nullptr, ""), (Names{"world", "local", "notlocal"}));
    EXPECT_EQ(t.select("misc.test", "x", 10, nullptr, "local"), (Names{"world", "local"}));
    EXPECT_EQ(t.select("misc.test", "x", 10, nullptr, "FR"), (Names{"world", "local", "notlocal"}));
    EXPECT_EQ(t.select("misc.test", "x", 10, nullptr, "de"), (Names{"world", "notlocal"}));
    EXPECT_EQ(t.select("misc.test", "x", 10, nullptr, "de, local"), (Names{"world", "local", "notlocal"}));
}

TEST(DistributionWanted, Table) {
    struct Case {
        std::vector<std::string> wanted;
        const char* distribution;
        bool want;
    };
    const Case cases[] = {
        {{}, "anything", true},
        {{"fr"}, "", true},
        {{"fr"}, "fr", true},
        {{"fr"}, "de", false},
        {{"!fr"}, "fr", false},
        {{"!fr"}, "de", true},
        {{"!fr", "de"}, "it", false},  // a positive entry: only listed names are wanted
        {{"fr"}, " , ", true},         // no distribution named
        {{"fr"}, "de,\tfr", true},
    };
    for (const auto& c : cases)
        EXPECT_EQ(distribution_wanted(c.wanted, c.distribution), c.want) << c.distribution;
}

}  // namespace
}  // namespace tidings::server
