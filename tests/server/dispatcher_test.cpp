// The dispatcher's generic checks, read from the command table: role (502) before
// authentication (480) before syntax (the parser's code), for every kind of session.
#include "server/nntp/dispatcher.h"

#include <gtest/gtest.h>

#include "protocol/status.h"
#include "temp_store.h"

namespace tidings::server {
namespace {

namespace st = protocol::status;

class DispatcherChecks : public ::testing::Test {
protected:
    void SetUp() override {
        config::Peer hub;
        hub.name = "hub";
        cfg_.peers.push_back(hub);
        node_ = std::make_unique<NodeContext>(io_, cfg_, db_.store());
    }
    void TearDown() override { node_.reset(); }

    // A session on a listener with these roles; `peer`: attributed to "hub"; `reader`: may read.
    int code(std::string_view line, bool reader_listener, bool transit_listener, bool peer, bool may_read) {
        ListenerInfo info{"127.0.0.1", 119, reader_listener, transit_listener};
        Session s{*node_, info, 1, "192.0.2.9", nullptr, LineReader{}};
        s.anonymous = may_read;  // readers.anonymous_read is "*" by default
        if (peer) s.peer = &s.cfg().peers[0];
        return check_command(s, protocol::parse_command(line)).code;
    }

    test::TempStore db_;
    config::Config cfg_;
    net::io_context io_;
    std::unique_ptr<NodeContext> node_;
};

TEST_F(DispatcherChecks, ReaderCommandsNeedAReadingListenerThenAccessThenSyntax) {
    EXPECT_EQ(code("GROUP misc.test", true, true, false, true), 0);
    EXPECT_EQ(code("GROUP misc.test", false, true, true, true), st::err_access);       // 502
    EXPECT_EQ(code("GROUP misc.test", true, true, false, false), st::fail_auth_needed);  // 480
    EXPECT_EQ(code("GROUP", true, true, false, false), st::fail_auth_needed);  // 480 before 501
    EXPECT_EQ(code("GROUP", true, true, false, true), st::err_syntax);
    EXPECT_EQ(code("LIST ACTIVE", true, false, false, false), st::fail_auth_needed);
    EXPECT_EQ(code("POST", false, true, false, true), st::err_access);
}

TEST_F(DispatcherChecks, ModeReaderNeedsTheRoleButNoAuthentication) {
    EXPECT_EQ(code("MODE READER", true, false, false, false), 0);
    EXPECT_EQ(code("MODE READER", false, true, true, false), st::err_access);
}

TEST_F(DispatcherChecks, TransitCommandsNeedAConfiguredPeerOnATransitListener) {
    EXPECT_EQ(code("CHECK <a@b>", true, true, true, false), 0);
    EXPECT_EQ(code("IHAVE <a@b>", true, true, true, false), 0);
    EXPECT_EQ(code("CHECK <a@b>", true, true, false, true), st::err_access);
    EXPECT_EQ(code("TAKETHIS <a@b>", true, false, true, true), st::err_access);
    EXPECT_EQ(code("MODE STREAM", true, true, false, true), st::err_access);
    // A peer's bad Message-ID keeps INN's codes; a stranger is refused first.
    EXPECT_EQ(code("CHECK nobrackets", true, true, true, false), st::fail_check_refuse);
    EXPECT_EQ(code("IHAVE nobrackets", true, true, true, false), st::fail_ihave_refuse);
    EXPECT_EQ(code("TAKETHIS nobrackets", true, true, true, false), st::fail_takethis_reject);
    EXPECT_EQ(code("TAKETHIS nobrackets", true, true, false, false), st::err_access);
}

TEST_F(DispatcherChecks, SessionCommandsAreOpenToEveryone) {
    for (const char* line : {"CAPABILITIES", "HELP", "DATE", "QUIT", "AUTHINFO USER x", "STARTTLS",
                             "COMPRESS DEFLATE"}) {
        EXPECT_EQ(code(line, false, true, false, false), 0) << line;
        EXPECT_EQ(code(line, true, false, false, false), 0) << line;
    }
    EXPECT_EQ(code("HELP me", true, true, false, true), st::err_syntax);
}

TEST(CommandTable, EveryEntryNeedsAtMostOneRole) {
    for (const auto& spec : protocol::command_table()) {
        const bool reader = has(spec.needs, protocol::Needs::reader);
        const bool transit = has(spec.needs, protocol::Needs::transit);
        EXPECT_FALSE(reader && transit) << spec.verb;
        // Only reading is gated by authentication; peers are recognised, not logged in.
        if (has(spec.needs, protocol::Needs::auth)) {
            EXPECT_TRUE(reader) << spec.verb;
        }
        if (has(spec.needs, protocol::Needs::block_follows)) {
            EXPECT_TRUE(transit) << spec.verb;
        }
    }
}

}  // namespace
}  // namespace tidings::server
