// The node skeleton end to end: a real tidingsd on an ephemeral port, spoken to over TCP.
#include "harness.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

using namespace tidings::testing;

namespace {

std::string config(std::string_view extra = "") {
    std::string c = node_config("test.tidings") + R"(
[[group]]
name = "local.test"
)";
    c += extra;
    return c;
}

class Foundation : public ::testing::Test {
protected:
    void SetUp() override {
        daemon_ = std::make_unique<Daemon>(config());
        ASSERT_TRUE(daemon_->start()) << daemon_->log();
        ASSERT_TRUE(client_.connect(daemon_->port()));
        greeting_ = client_.read_line();
    }
    std::unique_ptr<Daemon> daemon_;
    NntpClient client_;
    std::string greeting_;
};

TEST_F(Foundation, GreetsWith200Or201NamingThePathhost) {
    EXPECT_TRUE(greeting_.rfind("200 ", 0) == 0 || greeting_.rfind("201 ", 0) == 0) << greeting_;
    EXPECT_NE(greeting_.find("test.tidings"), std::string::npos);
}

TEST_F(Foundation, CapabilitiesListsVersionAndImplementation) {
    EXPECT_EQ(client_.command("CAPABILITIES").substr(0, 4), "101 ");
    auto lines = client_.read_block();
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines[0], "VERSION 2");
    EXPECT_NE(std::find_if(lines.begin(), lines.end(),
                           [](auto& l) { return l.rfind("IMPLEMENTATION Tidings", 0) == 0; }),
              lines.end());
}

TEST_F(Foundation, VerbsAreCaseInsensitive) {
    EXPECT_EQ(client_.command("capabilities").substr(0, 3), "101");
    client_.read_block();
    EXPECT_EQ(client_.command("dAtE").substr(0, 3), "111");
}

TEST_F(Foundation, HelpListsCommands) {
    EXPECT_EQ(client_.command("HELP").substr(0, 4), "100 ");
    auto lines = client_.read_block();
    bool has_caps = false;
    for (auto& l : lines) has_caps |= l.find("CAPABILITIES") != std::string::npos;
    EXPECT_TRUE(has_caps);
}

TEST_F(Foundation, DateIsFourteenDigitsUtc) {
    std::string r = client_.command("DATE");
    EXPECT_TRUE(std::regex_match(r, std::regex("111 20[0-9]{12}"))) << r;
}

TEST_F(Foundation, UnknownCommandGets500) {
    EXPECT_EQ(client_.command("FROBNICATE").substr(0, 4), "500 ");
    EXPECT_EQ(client_.command("DATE").substr(0, 3), "111");
}

TEST_F(Foundation, TenUnknownCommandsGet400AndClose) {
    for (int i = 0; i < 9; ++i) EXPECT_EQ(client_.command("BOGUS").substr(0, 3), "500");
    EXPECT_EQ(client_.command("BOGUS").substr(0, 3), "400");
    EXPECT_TRUE(client_.closed_by_server());
}

TEST_F(Foundation, OverlongLineIsEatenAndAnswered500) {
    // RFC 3977 §3.1: 512 octets including CRLF. 511 + CRLF is one too many.
    EXPECT_EQ(client_.command(std::string(511, 'A')).substr(0, 4), "500 ");
    EXPECT_EQ(client_.command("DATE").substr(0, 3), "111");
}

TEST_F(Foundation, LineAtExactlyTheLimitIsParsed) {
    std::string line = "DATE" + std::string(506, ' ');  // 510 + CRLF = 512
    EXPECT_EQ(client_.command(line).substr(0, 3), "111");
}

TEST_F(Foundation, HugeLineSentInPiecesDoesNotHang) {
    std::string big(1 << 20, 'x');
    client_.send_raw(big);
    client_.send_raw("\r\nDATE\r\n");
    EXPECT_EQ(client_.read_line().substr(0, 3), "500");
    EXPECT_EQ(client_.read_line().substr(0, 3), "111");
}

TEST_F(Foundation, NulByteIsASyntaxError) {
    client_.send_raw(std::string("DA\0TE\r\n", 7));
    EXPECT_EQ(client_.read_line().substr(0, 3), "501");
}

TEST_F(Foundation, PipelinedCommandsAnswerInOrder) {
    client_.send_raw("DATE\r\nFOO\r\nDATE\r\nQUIT\r\n");
    EXPECT_EQ(client_.read_line().substr(0, 3), "111");
    EXPECT_EQ(client_.read_line().substr(0, 3), "500");
    EXPECT_EQ(client_.read_line().substr(0, 3), "111");
    EXPECT_EQ(client_.read_line().substr(0, 3), "205");
    EXPECT_TRUE(client_.closed_by_server());
}

TEST_F(Foundation, QuitSays205AndCloses) {
    EXPECT_EQ(client_.command("QUIT").substr(0, 4), "205 ");
    EXPECT_TRUE(client_.closed_by_server());
}

TEST_F(Foundation, SigtermStopsCleanlyWithExitZero) {
    int status = daemon_->stop(SIGTERM);
    ASSERT_TRUE(WIFEXITED(status)) << daemon_->log();
    EXPECT_EQ(WEXITSTATUS(status), 0);
    EXPECT_NE(daemon_->log().find("event=stopped"), std::string::npos);
}

TEST(FoundationLimits, IdleClientGets400AndIsClosed) {
    Daemon d(config("\n[limits]\nidle_timeout_s = 1\n"));
    ASSERT_TRUE(d.start()) << d.log();
    NntpClient c;
    ASSERT_TRUE(c.connect(d.port()));
    c.read_line();
    EXPECT_EQ(c.read_line(std::chrono::seconds(5)).substr(0, 3), "400");
    EXPECT_TRUE(c.closed_by_server());
}

// limits.line_timeout_s: a client that starts a line and dribbles (slowloris) is closed after
// the line deadline, while a silent one between commands waits for the idle timeout.
TEST(FoundationLimits, AStalledLineIsClosedByTheLineDeadlineNotTheIdleTimeout) {
    Daemon d(config("\n[limits]\nline_timeout_s = 1\nidle_timeout_s = 600\n"));
    ASSERT_TRUE(d.start()) << d.log();
    NntpClient quiet, slow;
    ASSERT_TRUE(quiet.connect(d.port()));
    ASSERT_TRUE(slow.connect(d.port()));
    quiet.read_line();
    slow.read_line();
    const auto t0 = std::chrono::steady_clock::now();
    ASSERT_TRUE(slow.send_raw("DA"));
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    ASSERT_TRUE(slow.send_raw("T"));  // progress does not extend the line's deadline
    EXPECT_EQ(slow.read_line(std::chrono::seconds(5)).substr(0, 3), "400");
    EXPECT_TRUE(slow.closed_by_server());
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
    // The quiet one is still served: between commands only the idle timeout applies.
    EXPECT_EQ(quiet.command("DATE").substr(0, 3), "111");
    EXPECT_NE(d.log().find("reason=line_timeout"), std::string::npos) << d.log();
}

// Inside an article each pause is bounded by the line deadline: a client that stops halfway
// through a POST is closed, not kept until the idle timeout.
TEST(FoundationLimits, AnArticleThatStopsArrivingIsClosedByTheLineDeadline) {
    Daemon d(config("\n[limits]\nline_timeout_s = 1\nidle_timeout_s = 600\n"));
    ASSERT_TRUE(d.start()) << d.log();
    NntpClient c;
    ASSERT_TRUE(c.connect(d.port()));
    c.read_line();
    ASSERT_EQ(c.command("POST").substr(0, 3), "340");
    ASSERT_TRUE(c.send_raw("From: a@example.org\r\nNewsgroups: local.test\r\n"));
    EXPECT_TRUE(c.closed_by_server(std::chrono::seconds(4)));
}

TEST(FoundationLimits, ConnectionsPerAddressAreCapped) {
    Daemon d(config("\n[limits]\nmax_connections_per_ip = 2\n"));
    ASSERT_TRUE(d.start()) << d.log();
    NntpClient a, b, c;
    ASSERT_TRUE(a.connect(d.port()));
    EXPECT_EQ(a.read_line().substr(0, 1), "2");
    ASSERT_TRUE(b.connect(d.port()));
    EXPECT_EQ(b.read_line().substr(0, 1), "2");
    ASSERT_TRUE(c.connect(d.port()));
    EXPECT_EQ(c.read_line().substr(0, 3), "400");
    a.command("QUIT");
    ASSERT_TRUE(a.closed_by_server());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    NntpClient e;
    ASSERT_TRUE(e.connect(d.port()));
    EXPECT_EQ(e.read_line().substr(0, 1), "2");
}

// Readers can fill every slot but the reserved ones; a configured peer still gets in, and the
// refusals are counted by reason.
TEST(FoundationLimits, ReadersCannotTakeTheSlotsReservedForPeers) {
    Daemon d(config("\n[limits]\nmax_connections = 4\npeer_reserved_connections = 2\n"
                    "\n[[peer]]\nname = \"hub\"\nhosts = [\"127.0.0.1\"]\n"));
    ASSERT_TRUE(d.start()) << d.log();
    NntpClient r1, r2, r3;  // readers, from an address no peer has
    ASSERT_TRUE(r1.connect(d.port(), "127.0.0.1", "127.0.0.2"));
    EXPECT_EQ(r1.read_line().substr(0, 1), "2");
    ASSERT_TRUE(r2.connect(d.port(), "127.0.0.1", "127.0.0.2"));
    EXPECT_EQ(r2.read_line().substr(0, 1), "2");
    ASSERT_TRUE(r3.connect(d.port(), "127.0.0.1", "127.0.0.3"));
    EXPECT_EQ(r3.read_line(), "400 Too many connections");
    NntpClient p1, p2, p3;  // the peer, from its address
    ASSERT_TRUE(p1.connect(d.port()));
    EXPECT_EQ(p1.read_line().substr(0, 1), "2");
    EXPECT_EQ(p1.command("MODE STREAM").substr(0, 3), "203");
    ASSERT_TRUE(p2.connect(d.port()));
    EXPECT_EQ(p2.read_line().substr(0, 1), "2");
    ASSERT_TRUE(p3.connect(d.port()));  // max_connections binds peers too
    EXPECT_EQ(p3.read_line(), "400 Too many connections");
    std::string log = d.log();
    EXPECT_NE(log.find("reason=peer_reserved_connections"), std::string::npos);
    EXPECT_NE(log.find("reason=max_connections"), std::string::npos);
}

TEST(FoundationLimits, AReservationThatLeavesReadersNothingIsAConfigError) {
    Daemon d(config("\n[limits]\nmax_connections = 4\npeer_reserved_connections = 4\n"));
    EXPECT_FALSE(d.start());
    EXPECT_NE(d.log().find("limits.peer_reserved_connections: must be less than limits.max_connections (4)"),
              std::string::npos)
        << d.log();
}

// Nothing tidingsd writes is open to other users (0640 files, 0750 folders).
TEST(FoundationFiles, DataFilesAreNotWorldReadable) {
    Daemon d(config("\n[[peer]]\nname = \"hub\"\nhosts = [\"127.0.0.1\"]\n"));
    ASSERT_TRUE(d.start()) << d.log();
    NntpClient c;
    ASSERT_TRUE(c.connect(d.port()));
    c.read_line();
    ASSERT_EQ(c.command("IHAVE <perm@test>").substr(0, 3), "335");
    c.send_raw(make_article("<perm@test>", "local.test") + ".\r\n");
    ASSERT_EQ(c.read_line().substr(0, 3), "235");
    std::size_t files = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(d.data_dir())) {
        auto perms = e.status().permissions();
        EXPECT_EQ(perms & std::filesystem::perms::others_all, std::filesystem::perms::none)
            << e.path() << " is open to others";
        EXPECT_EQ(perms & std::filesystem::perms::group_write, std::filesystem::perms::none) << e.path();
        ++files;
    }
    EXPECT_GE(files, 4u);  // data.mdb, lock.mdb, a journal file, tidingsd.listen at least
}

TEST(FoundationCli, VersionAndHelpExitZero) {
    std::string out;
    EXPECT_EQ(run_tidingsd({"--version"}, &out, nullptr), 0);
    EXPECT_EQ(out.rfind("tidingsd ", 0), 0u);
    EXPECT_EQ(run_tidingsd({"--help"}, &out, nullptr), 0);
    EXPECT_NE(out.find("--check-config"), std::string::npos);
    EXPECT_EQ(run_tidingsd({"--bogus"}, nullptr, nullptr), 2);
}

TEST(FoundationCli, ExampleConfigChecksClean) {
    std::string out, err;
    EXPECT_EQ(run_tidingsd({"--check-config", std::string(SOURCE_DIR) + "/config/tidings.example.toml"},
                           &out, &err),
              0)
        << err;
}

TEST(FoundationCli, DefaultConfigPrintsAndChecksClean) {
    std::string out;
    ASSERT_EQ(run_tidingsd({"--print-default-config"}, &out, nullptr), 0);
    auto path = std::filesystem::temp_directory_path() / "tidings-default-check.toml";
    { std::ofstream(path) << out; }
    EXPECT_EQ(run_tidingsd({"--check-config", path.string()}, nullptr, nullptr), 0);
    std::filesystem::remove(path);
}

// Every sample mistake in tests/config/bad/ is reported as file:line:col: key: reason (a TOML
// syntax error has no key), exit 2.
TEST(FoundationCli, EachBadConfigIsOneClearLineAndExit2) {
    int seen = 0;
    for (auto& e : std::filesystem::directory_iterator(std::string(SOURCE_DIR) + "/tests/config/bad")) {
        if (e.path().extension() != ".toml") continue;
        ++seen;
        std::string err;
        EXPECT_EQ(run_tidingsd({"--check-config", e.path().string()}, nullptr, &err), 2) << e.path();
        std::string name = e.path().filename().string();
        EXPECT_TRUE(std::regex_search(err, std::regex(std::regex_replace(name, std::regex("\\."), "\\.") +
                                                      ":[0-9]+:[0-9]+: .+")))
            << e.path() << ": " << err;
    }
    EXPECT_GT(seen, 5);
}

}  // namespace
