// NodeContext's configuration generations: a reload installs a new one, and an old one lives
// exactly as long as something (a session, a sender) holds it.
#include "server/core/node_context.h"

#include <gtest/gtest.h>

#include "temp_store.h"

namespace tidings::server {
namespace {

class Generations : public ::testing::Test {
protected:
    test::TempStore db_;
};

TEST_F(Generations, AnOldGenerationIsFreedWhenItsLastHolderLetsGo) {
    net::io_context io;
    config::Config first;
    first.node.pathhost = "first.test";
    NodeContext node(io, first, db_.store());
    std::weak_ptr<const Generation> watch = node.generation();
    GenerationPtr session = node.generation();  // a session started under the first

    auto next = std::make_shared<config::Config>(first);
    next->node.pathhost = "second.test";
    node.install(next);
    EXPECT_EQ(node.cfg().node.pathhost, "second.test");
    ASSERT_FALSE(watch.expired());  // the session still runs under it
    EXPECT_EQ(session->config->node.pathhost, "first.test");

    session.reset();
    EXPECT_TRUE(watch.expired());
}

TEST_F(Generations, EachGenerationCompilesItsOwnFeedTable) {
    net::io_context io;
    config::Config cfg;
    config::Peer p;
    p.name = "out";
    p.path_identity = "out";
    p.outgoing = config::HostPort{"127.0.0.1", 119};
    p.max_article_bytes = 1000000;
    cfg.peers.push_back(p);
    NodeContext node(io, cfg, db_.store());
    EXPECT_EQ(node.feeds().select("misc.test", "x", 10, nullptr), std::vector<std::string>{"out"});
    auto none = std::make_shared<config::Config>(cfg);
    none->peers.clear();
    node.install(none);
    EXPECT_TRUE(node.feeds().select("misc.test", "x", 10, nullptr).empty());
}

}  // namespace
}  // namespace tidings::server
