// The TOML loader end to end: one table row per accepted or refused input (the rows are the
// file's length: ~400 lines of cases, kept together so a reader sees every rule in one place).
#include "config/config.h"
#include "config/checks.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace tidings::config {
namespace {

using Lines = std::vector<std::string>;

Lines errors_of(std::string_view toml) { return load_string(toml, "tidings.toml").errors; }

// One row per kind of mistake: the file and every line the loader must print for it.
struct BadRow {
    const char* kind;
    const char* toml;
    Lines errors;
};

const BadRow bad_rows[] = {
    {"syntax error", "[node]\nlog_level = = \"info\"\n",
     {"tidings.toml:2:13: syntax error: could not determine value type (in value)"}},
    {"unknown top-level key, suggests the section",
     "pathhost = \"news.example.com\"\n",
     {"tidings.toml:1:1: pathhost: unknown key (did you mean \"node.pathhost\"?)"}},
    {"unknown quoted key", "[node]\n\"log\\tlevel\" = 1\n",
     {"tidings.toml:2:1: node.\"log\\x09level\": unknown key (did you mean \"log_level\"?)"}},
    {"unknown section", "[nodes]\n",
     {"tidings.toml:1:2: nodes: unknown key (did you mean \"node\"?)"}},
    {"unknown key in a table", "[node]\npathost = \"x\"\n",
     {"tidings.toml:2:1: node.pathost: unknown key (did you mean \"pathhost\"?)"}},
    {"unknown key in an array of tables", "[[peer]]\nname = \"hub\"\nhostz = []\n",
     {"tidings.toml:3:1: peer[0].hostz: unknown key (did you mean \"hosts\"?)"}},
    {"unknown key in a nested array of tables",
     "[[expire.rule]]\npattern = \"*\"\ndays = 1\nweeks = 2\n",
     {"tidings.toml:4:1: expire.rule[0].weeks: unknown key"}},
    {"wrong type", "[node]\ndata_dir = 3\n",
     {"tidings.toml:2:12: node.data_dir: expected a string, got an integer"}},
    {"wrong type in an array", "[readers]\nanonymous_hosts = [\"::1\", 7]\n",
     {"tidings.toml:2:27: readers.anonymous_hosts[1]: expected a string, got an integer"}},
    {"section of the wrong shape", "[peer]\nname = \"hub\"\n",
     {"tidings.toml:1:1: peer: expected [[peer]] tables, got a table"}},
    {"table expected", "node = 1\n",
     {"tidings.toml:1:8: node: expected a [node] table, got an integer"}},
    {"bad port", "[[listen]]\nport = 70000\n",
     {"tidings.toml:2:8: listen[0].port: 70000 is not a port (0-65535)"}},
    {"negative port", "[http]\nport = -1\n",
     {"tidings.toml:2:8: http.port: -1 is not a port (0-65535)"}},
    {"bad wildmat", "[readers]\nanonymous_read = \"comp.*,\"\n",
     {"tidings.toml:2:18: readers.anonymous_read: bad wildmat \"comp.*,\": empty pattern in "
      "wildmat list"}},
    {"bad wildmat in an array of tables",
     "[[user]]\nname = \"joe\"\npassword_hash = \"$6$abcdefgh\"\nread = \"comp.[a-z]*\"\n",
     {"tidings.toml:4:8: user[0].read: bad wildmat \"comp.[a-z]*\": character not allowed "
      "inside a wildmat pattern"}},
    {"duplicate peer name",
     "[[peer]]\nname = \"hub\"\n\n[[peer]]\nname = \"leaf\"\n\n[[peer]]\nname = \"hub\"\n",
     {"tidings.toml:8:8: peer[2].name: duplicate peer name \"hub\" (first at line 2)"}},
    {"duplicate group", "[[group]]\nname = \"local.test\"\n[[group]]\nname = \"local.test\"\n",
     {"tidings.toml:4:8: group[1].name: duplicate group name \"local.test\" (first at line 2)"}},
    {"duplicate user",
     "[[user]]\nname = \"joe\"\npassword_hash = \"$y$j9T$abcdef\"\n"
     "[[user]]\nname = \"joe\"\npassword_hash = \"$y$j9T$abcdef\"\n",
     {"tidings.toml:5:8: user[1].name: duplicate user name \"joe\" (first at line 2)"}},
    {"missing required key", "[[peer]]\nhosts = [\"192.0.2.1\"]\n",
     {"tidings.toml:1:1: peer[0].name: missing required key"}},
    {"missing required keys, nested", "[expire]\n[[expire.rule]]\n",
     {"tidings.toml:2:1: expire.rule[0].pattern: missing required key",
      "tidings.toml:2:1: expire.rule[0].days: missing required key"}},
    {"bad enum value", "[node]\nlog_level = \"verbose\"\n",
     {"tidings.toml:2:13: node.log_level: \"verbose\" is not one of trace, debug, info, warn, "
      "error"}},
    {"bad enum in a list", "[[listen]]\nroles = [\"reader\", \"feeder\"]\n",
     {"tidings.toml:2:20: listen[0].roles[1]: \"feeder\" is not one of reader, transit"}},
    {"empty roles", "[[listen]]\nroles = []\n",
     {"tidings.toml:2:9: listen[0].roles: must list at least one of reader, transit"}},
    {"bad address", "[[listen]]\naddress = \"127.0.0.256\"\n",
     {"tidings.toml:2:11: listen[0].address: bad address \"127.0.0.256\": not an IPv4 or IPv6 "
      "address"}},
    {"bad CIDR", "[http]\nallow_hosts = [\"10.0.0.0/33\"]\n",
     {"tidings.toml:2:16: http.allow_hosts[0]: bad address or CIDR \"10.0.0.0/33\": prefix "
      "length above 32"}},
    {"host name where an address is needed",
     "[[peer]]\nname = \"hub\"\nhosts = [\"hub.example.net\"]\n",
     {"tidings.toml:3:10: peer[0].hosts[0]: bad address or CIDR \"hub.example.net\": not an "
      "IPv4 or IPv6 address (host names are not resolved; give an IP address)"}},
    {"bad path alias",
     "[[peer]]\nname = \"hub\"\npath_aliases = [\"ok.example\", \"not ok\"]\n",
     {"tidings.toml:3:31: peer[0].path_aliases[1]: bad path identity \"not ok\": a path identity "
      "uses letters, digits, '-', '.', ':' and '_'"}},
    {"bad host:port", "[[peer]]\nname = \"hub\"\noutgoing = \"::1:119\"\n",
     {"tidings.toml:3:12: peer[0].outgoing: bad host:port \"::1:119\": write IPv6 addresses "
      "as [address]:port"}},
    {"bad newsgroup name", "[[group]]\nname = \"local..general\"\n",
     {"tidings.toml:2:8: group[0].name: bad newsgroup name \"local..general\": empty "
      "component in newsgroup name"}},
    {"bad pathhost", "[node]\npathhost = \"news!example\"\n",
     {"tidings.toml:2:12: node.pathhost: bad path identity \"news!example\": a path identity "
      "uses letters, digits, '-', '.', ':' and '_'"}},
    {"pathhost that cannot be a domain", "[node]\npathhost = \"news_1\"\n",
     {"tidings.toml:1:1: node.domain: required: pathhost \"news_1\" is not a domain"}},
    {"number out of range", "[[peer]]\nname = \"hub\"\nconnections = 65\n",
     {"tidings.toml:3:15: peer[0].connections: 65 is out of range (1-64)"}},
    {"bad password hash", "[[user]]\nname = \"joe\"\npassword_hash = \"hunter2\"\n",
     {"tidings.toml:3:17: user[0].password_hash: bad password hash: not a yescrypt ($y$) or "
      "SHA-512-crypt ($6$) hash"}},
    {"bad distribution", "[[peer]]\nname = \"hub\"\ndistributions = [\"local\", \"all\"]\n",
     {"tidings.toml:3:27: peer[0].distributions[1]: bad distribution \"all\": \"all\" is "
      "reserved"}},
    {"auth_user names no user", "[[peer]]\nname = \"hub\"\nauth_user = \"hubfeed\"\n",
     {"tidings.toml:3:13: peer[0].auth_user: no [[user]] named \"hubfeed\""}},
    {"tls key without cert", "[[listen]]\nport = 563\ntls = \"implicit\"\ntls_key = \"/k.pem\"\n",
     {"tidings.toml:1:1: listen[0].tls_cert: required when the other TLS file is set"}},
    {"peer tls without a pin", "[[peer]]\nname = \"hub\"\noutgoing = \"hub.example:563\"\ntls = \"implicit\"\n",
     {"tidings.toml:4:7: peer[0].tls_pin: required when tls is not \"none\" (or tls_ca_file): a certificate "
      "nobody checks proves nothing"}},
    {"peer tls without outgoing", "[[peer]]\nname = \"hub\"\ntls = \"starttls\"\ntls_pin = \"sha256//"
     "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"\n",
     {"tidings.toml:3:7: peer[0].tls: needs outgoing (TLS is for the feed we send)"}},
    {"bad pin", "[[peer]]\nname = \"hub\"\ntls_pin = \"AAAA\"\n",
     {"tidings.toml:3:11: peer[0].tls_pin: bad pin \"AAAA\": must start with sha256// (tidingsd "
      "--print-identity prints one)"}},
    {"duplicate listener",
     "[[listen]]\naddress = \"::\"\nport = 119\n[[listen]]\naddress = \"::0\"\nport = 119\n",
     {"tidings.toml:4:1: listen[1]: duplicate listener [::]:119 (first at line 1)"}},
    {"listener on the default http port", "[[listen]]\nport = 8119\n",
     {"tidings.toml:1:1: listen[0]: 127.0.0.1:8119 is also the [http] address (http.port "
      "default)"}},
    {"http on a listener's port", "[[listen]]\n[http]\nport = 1119\n",
     {"tidings.toml:3:8: http.port: 127.0.0.1:1119 is already listen[0] (line 1)"}},
    {"no listener", "listen = []\n",
     {"tidings.toml:1:10: listen: at least one [[listen]] is needed"}},
    {"peer claiming our own pathhost",
     "[node]\npathhost = \"news.example.org\"\n[[peer]]\nname = \"hub\"\n"
     "path_identity = \"news.example.org\"\n",
     {"tidings.toml:5:17: peer[0].path_identity: \"news.example.org\" is this server's own "
      "pathhost"}},
    {"listen that is not an array", "listen = \"127.0.0.1:119\"\n",
     {"tidings.toml:1:10: listen: expected [[listen]] tables, got a string"}},
    {"array section element that is not a table", "peer = [\"hub\"]\n",
     {"tidings.toml:1:9: peer[0]: expected a table, got a string"}},
    {"token and token_file", "[http]\ntoken = \"s3cret\"\ntoken_file = \"/etc/tidings/token\"\n",
     {"tidings.toml:3:14: http.token_file: set token or token_file, not both"}},
};

TEST(LoadString, ReportsEachKindOfMistakeAtItsPosition) {
    for (const auto& row : bad_rows) {
        LoadResult r = load_string(row.toml, "tidings.toml");
        EXPECT_FALSE(r.config) << row.kind;
        EXPECT_EQ(r.errors, row.errors) << row.kind;
    }
}

// "file:line:col: key.path: reason", the shape --check-config users grep for.
const std::regex error_line(R"(^[^:]+:[0-9]+:[0-9]+: (syntax error|[^ :]+): .+$)");

TEST(LoadString, EveryErrorHasFileLineColumnKeyAndReason) {
    for (const auto& row : bad_rows)
        for (const auto& e : row.errors) EXPECT_TRUE(std::regex_match(e, error_line)) << e;
}

// Every prefix of a full file (a truncated copy, an editor crash): the loader returns a
// Config or well-formed errors, never both, never neither, never a crash.
TEST(LoadString, EveryPrefixOfTheExampleGivesConfigOrErrors) {
    std::ifstream in(std::string(TIDINGS_SOURCE_DIR) + "/config/tidings.example.toml");
    std::stringstream text;
    text << in.rdbuf();
    const std::string full = text.str();
    ASSERT_GT(full.size(), 1000u);
    for (std::size_t n = 0; n <= full.size(); ++n) {
        LoadResult r = load_string(std::string_view(full).substr(0, n), "cut.toml");
        ASSERT_NE(r.config.has_value(), !r.errors.empty()) << n;
        for (const auto& e : r.errors)
            ASSERT_TRUE(std::regex_match(e, error_line)) << n << ": " << e;
    }
}

TEST(LoadString, CollectsAllErrorsInFileOrder) {
    Lines errors = errors_of(
        "[[peer]]\nname = \"hub\"\nconnections = 0\n"
        "[node]\nlog_level = \"loud\"\n"
        "[[group]]\nname = \"a..b\"\n");
    ASSERT_EQ(errors.size(), 3u);
    EXPECT_EQ(errors[0], "tidings.toml:3:15: peer[0].connections: 0 is out of range (1-64)");
    EXPECT_EQ(errors[1].substr(0, 30), "tidings.toml:5:13: node.log_le");
    EXPECT_EQ(errors[2].substr(0, 29), "tidings.toml:7:8: group[0].na");
}

TEST(LoadString, EmptyFileIsTheStructDefaultsWithDerivedValues) {
    LoadResult r = load_string("", "empty.toml");
    ASSERT_TRUE(r.config) << r.errors.front();
    Config expected;
    expected.node.pathhost = default_pathhost();
    expected.node.domain = expected.node.pathhost;
    EXPECT_EQ(*r.config, expected);
    ASSERT_EQ(r.config->listeners.size(), 1u);
    EXPECT_EQ(r.config->listeners[0].port, 1119);
}

TEST(LoadString, DerivesPeerDefaultsFromNameAndLimits) {
    LoadResult r = load_string(
        "[limits]\nmax_article_bytes = 250000\n"
        "[[peer]]\nname = \"hub\"\n"
        "[[peer]]\nname = \"leaf\"\npath_identity = \"leaf.example.net\"\n"
        "max_article_bytes = 5000\n",
        "t.toml");
    ASSERT_TRUE(r.config) << r.errors.front();
    const auto& p = r.config->peers;
    ASSERT_EQ(p.size(), 2u);
    EXPECT_EQ(p[0].path_identity, "hub");
    EXPECT_EQ(p[0].max_article_bytes, 250000u);
    EXPECT_EQ(p[1].path_identity, "leaf.example.net");
    EXPECT_EQ(p[1].max_article_bytes, 5000u);
}

TEST(LoadString, ReadsEveryFieldOfAFullPeer) {
    LoadResult r = load_string(R"(
[[user]]
name = "hubfeed"
password_hash = "$y$j9T$abcdefgh"
[[peer]]
name = "hub"
path_aliases = ["hub-in.example.net", "hub-out.example.net"]
hosts = ["192.0.2.0/24", "2001:db8::1"]
auth_user = "hubfeed"
outgoing = "[2001:db8::1]:119"
newsgroups = "*,!junk,@alt.binaries.*"
distributions = ["world", "local"]
connections = 4
streaming = false
takethis_only = true
window = 128
max_backlog = 5000
max_backlog_age_h = 24
retry_s = 30
)",
                               "t.toml");
    ASSERT_TRUE(r.config) << r.errors.front();
    Peer want;
    want.name = want.path_identity = "hub";
    want.path_aliases = {"hub-in.example.net", "hub-out.example.net"};
    want.hosts = {*Cidr::parse("192.0.2.0/24"), *Cidr::parse("2001:db8::1")};
    want.auth_user = "hubfeed";
    want.outgoing = HostPort{"2001:db8::1", 119};
    want.newsgroups = "*,!junk,@alt.binaries.*";
    want.distributions = {"world", "local"};
    want.max_article_bytes = 1000000;
    want.connections = 4;
    want.streaming = false;
    want.takethis_only = true;
    want.window = 128;
    want.max_backlog = 5000;
    want.max_backlog_age_h = 24;
    want.retry_s = 30;
    EXPECT_EQ(r.config->peers.at(0), want);
}

TEST(LoadString, ListenReplacesTheDefaultListener) {
    LoadResult r = load_string(
        "[[listen]]\naddress = \"::\"\nport = 119\nroles = [\"transit\"]\n"
        "[[listen]]\naddress = \"0.0.0.0\"\nport = 563\nroles = [\"reader\"]\ntls = \"implicit\"\n"
        "tls_cert = \"/etc/ssl/news.pem\"\ntls_key = \"/etc/ssl/news.key\"\n",
        "t.toml");
    ASSERT_TRUE(r.config) << r.errors.front();
    const auto& l = r.config->listeners;
    ASSERT_EQ(l.size(), 2u);
    EXPECT_EQ(l[0].address, "::");
    EXPECT_FALSE(l[0].reader);
    EXPECT_TRUE(l[0].transit);
    EXPECT_TRUE(l[1].reader);
    EXPECT_FALSE(l[1].transit);
    EXPECT_EQ(l[1].tls, Tls::implicit);
    EXPECT_EQ(l[1].tls_key, "/etc/ssl/news.key");
}

TEST(LoadString, BadListenersAreNotAlsoReportedAsDuplicates) {
    Lines errors = errors_of("[[listen]]\naddress = \"x\"\n[[listen]]\naddress = \"y\"\n");
    ASSERT_EQ(errors.size(), 2u);
    EXPECT_EQ(errors[1].substr(0, 36), "tidings.toml:4:11: listen[1].address");
}

TEST(LoadString, EmptyArraysOfOptionalSectionsAreFine) {
    EXPECT_EQ(errors_of("peer = []\ngroup = []\nuser = []\n[expire]\nrule = []\n"), Lines{});
}

TEST(LoadString, PortZeroListenersMayRepeat) {
    EXPECT_EQ(errors_of("[[listen]]\nport = 0\n[[listen]]\nport = 0\n[http]\nport = 0\n"), Lines{});
}

TEST(LoadString, ReadsEnumsAndExpireRules) {
    LoadResult r = load_string(R"(
[node]
log_level = "debug"
log_format = "json"
[storage]
durability = "relaxed"
[readers]
others = "refuse"
[[group]]
name = "local.mod"
status = "m"
[expire]
default_days = 0
[[expire.rule]]
pattern = "alt.binaries.*"
days = 3
)",
                               "t.toml");
    ASSERT_TRUE(r.config) << r.errors.front();
    EXPECT_EQ(r.config->node.log_level, LogLevel::debug);
    EXPECT_EQ(r.config->node.log_format, LogFormat::json);
    EXPECT_EQ(r.config->storage.durability, Durability::relaxed);
    EXPECT_EQ(r.config->readers.others, OthersPolicy::refuse);
    EXPECT_EQ(r.config->groups.at(0).status, GroupStatus::m);
    EXPECT_EQ(r.config->expire.default_days, 0u);
    EXPECT_EQ(r.config->expire.rules, (std::vector<ExpireRule>{{"alt.binaries.*", 3}}));
}

TEST(LoadString, ReadsModerationRules) {
    LoadResult r = load_string(R"(
[moderation]
mail_command = "/usr/lib/sendmail  -oi %s"
timeout_s = 5
[[moderation.rule]]
pattern = "local.announce"
address = "admin@example.org"
[[moderation.rule]]
pattern = "*"
address = "%s@moderators.isc.org"
)",
                               "t.toml");
    ASSERT_TRUE(r.config) << r.errors.front();
    EXPECT_EQ(r.config->moderation.timeout_s, 5u);
    EXPECT_EQ(r.config->moderation.rules,
              (std::vector<ModerationRule>{{"local.announce", "admin@example.org"},
                                           {"*", "%s@moderators.isc.org"}}));
    EXPECT_EQ(split_command(r.config->moderation.mail_command),
              (std::vector<std::string>{"/usr/lib/sendmail", "-oi", "%s"}));
}

TEST(LoadString, BadModerationSettingsNameLineAndKey) {
    EXPECT_EQ(errors_of("[moderation]\nmail_command = \"sendmail %s\"\n"),
              Lines{"tidings.toml:2:16: moderation.mail_command: must start with an absolute program "
                    "path (it is run without a shell)"});
    Lines bad = errors_of("[moderation]\n[[moderation.rule]]\npattern = \"*\"\n"
                          "address = \"x@y.org\\nBcc: all@example.org\"\n");
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].rfind("tidings.toml:4:11: moderation.rule[0].address: bad mail address", 0), 0u) << bad[0];
    EXPECT_EQ(errors_of("[[moderation.rule]]\npattern = \"*\"\naddress = \"%s-%s@x.org\"\n").size(), 1u);
    EXPECT_EQ(errors_of("[[moderation.rule]]\npattern = \"*\"\naddress = \"100%@x.org\"\n").size(), 1u);
    EXPECT_EQ(errors_of("[[moderation.rule]]\npattern = \"*\"\naddress = \"nobody\"\n").size(), 1u);
    EXPECT_EQ(errors_of("[[moderation.rule]]\npattern = \"*\"\naddress = \"100%%-%s@x.org\"\n"), Lines{});
}

TEST(LoadString, SyntaxErrorsNeverEchoControlCharacters) {  // found by fuzz_config
    Lines errors = errors_of("[http]\nenabled = f\x01\n");
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].find('\x01'), std::string::npos) << errors[0];
    EXPECT_NE(errors[0].find("\\x01"), std::string::npos) << errors[0];
    EXPECT_EQ(errors[0].rfind("tidings.toml:2:", 0), 0u) << errors[0];
}

TEST(LoadString, NeverEchoesControlCharacters) {
    Lines errors = errors_of("[node]\nlog_level = \"in\\u001b[31mfo\"\n");
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].find('\x1b'), std::string::npos);
    EXPECT_NE(errors[0].find("\\x1b"), std::string::npos);
}

TEST(LoadFile, UnreadableFileIsOneError) {
    LoadResult r = load_file("/nonexistent/tidings.toml");
    EXPECT_FALSE(r.config);
    EXPECT_EQ(r.errors, Lines{"/nonexistent/tidings.toml: cannot read: No such file or directory"});
    EXPECT_EQ(load_file("/").errors, Lines{"/: cannot read: Is a directory"});
}

TEST(LoadFile, NamesTheFileInErrors) {
    std::string path = ::testing::TempDir() + "tidings_load_file_test.toml";
    std::ofstream(path) << "[limits]\nmax_connections = 0\n";
    EXPECT_EQ(load_file(path).errors,
              Lines{path + ":2:19: limits.max_connections: 0 is out of range (1-1000000)"});
    std::remove(path.c_str());
}

// tests/config/bad/*.toml are the demo files for `tidingsd --check-config`: one kind of
// mistake each, with the exact lines expected as "# expect: " comments at the end.
TEST(LoadFile, BadSamplesGiveExactlyTheirExpectedLines) {
    namespace fs = std::filesystem;
    std::size_t files = 0;
    const fs::path dir = fs::path(TIDINGS_SOURCE_DIR) / "tests/config/bad";
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.path().extension() != ".toml") continue;
        ++files;
        std::ifstream in(entry.path());
        std::stringstream text;
        text << in.rdbuf();
        Lines expected;
        std::string line;
        for (std::istringstream lines(text.str()); std::getline(lines, line);)
            if (line.starts_with("# expect: ")) expected.push_back(line.substr(10));
        std::string name = entry.path().filename().string();
        EXPECT_FALSE(expected.empty()) << name;
        EXPECT_EQ(load_string(text.str(), name).errors, expected) << name;
    }
    EXPECT_GE(files, 20u);
}

TEST(LoadString, IdentityFilesComeInPairs) {
    EXPECT_EQ(errors_of("[node]\nidentity_cert = \"/etc/c.pem\"\n"),
              Lines{"tidings.toml:1:1: node.identity_key: required when the other identity file is set"});
    EXPECT_EQ(errors_of("[node]\nidentity_key = \"/etc/k.pem\"\n"),
              Lines{"tidings.toml:1:1: node.identity_cert: required when the other identity file is set"});
    EXPECT_TRUE(errors_of("[node]\nidentity_cert = \"/etc/c.pem\"\nidentity_key = \"/etc/k.pem\"\n").empty());
}

}  // namespace
}  // namespace tidings::config

namespace tidings::config {
namespace {

// A folder with a main file and the files it includes.
struct IncludeDir {
    std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                ("tidings-include-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()));
    IncludeDir() { std::filesystem::create_directories(dir); }
    ~IncludeDir() { std::filesystem::remove_all(dir); }
    std::string write(const std::string& name, const std::string& text) {
        std::ofstream(dir / name) << text;
        return (dir / name).string();
    }
};

}  // namespace

TEST(LoadFile, IncludedFilesAddPeersAfterTheMainFilesOnes) {
    IncludeDir d;
    d.write("peers.toml", "# written by peering\n[[peer]]\nname = \"found\"\nhosts = [\"192.0.2.7\"]\n");
    const std::string main = d.write("tidings.toml", "include = [\"peers.toml\", \"later.toml\"]\n"
                                                     "[[peer]]\nname = \"typed\"\n");
    LoadResult r = load_file(main);
    ASSERT_TRUE(r.config) << (r.errors.empty() ? "" : r.errors.front());
    ASSERT_EQ(r.config->peers.size(), 2u);
    EXPECT_EQ(r.config->peers[0].name, "typed");
    EXPECT_EQ(r.config->peers[1].name, "found");
    // later.toml does not exist yet: empty. Both are listed, resolved from the main file's folder.
    EXPECT_EQ(r.config->includes, (std::vector<std::string>{(d.dir / "peers.toml").string(), (d.dir / "later.toml").string()}));
}

TEST(LoadFile, MistakesInAnIncludedFileNameThatFile) {
    IncludeDir d;
    const std::string peers = d.write("peers.toml", "[[peer]]\nname = \"typed\"\nretry_s = \"soon\"\n\n[node]\npathhost = \"x\"\n");
    const std::string main = d.write("tidings.toml", "include = [\"peers.toml\"]\n[[peer]]\nname = \"typed\"\n");
    LoadResult r = load_file(main);
    ASSERT_FALSE(r.config);
    EXPECT_EQ(r.errors, (Lines{
                            peers + ":2:8: peer[1].name: duplicate peer name \"typed\" (first at line 3)",
                            peers + ":3:11: peer[1].retry_s: expected an integer, got a string",
                            peers + ":5:2: node: an included file holds only [[peer]] tables",
                        }));
    const std::string bad = d.write("bad.toml", "[[peer]\n");
    const std::string main2 = d.write("t2.toml", "include = [\"bad.toml\", 3]\n");
    r = load_file(main2);
    ASSERT_FALSE(r.config);
    ASSERT_EQ(r.errors.size(), 2u);
    EXPECT_EQ(r.errors[0], main2 + ":1:24: include[1]: expected a file name, got an integer");
    EXPECT_EQ(r.errors[1].substr(0, bad.size() + 3), bad + ":1:");
    EXPECT_NE(r.errors[1].find("include: syntax error"), std::string::npos) << r.errors[1];
}

}  // namespace tidings::config

namespace tidings::config {

TEST(LoadString, PeeringNeedsItsAddressesGroupAndAnIncludedPeersFile) {
    EXPECT_EQ(load_string("[peering]\nannounce = true\n", "tidings.toml").errors,
              (std::vector<std::string>{
                  "tidings.toml:2:12: peering.addresses: required with announce = true (where peers reach us)",
                  "tidings.toml:2:12: peering.group: no [[group]] named \"tidings.peering\" (it must be carried)"}));
    EXPECT_EQ(load_string("[peering]\nseek = \"list\"\npeers_file = \"p.toml\"\n", "/etc/tidings/tidings.toml").errors,
              (std::vector<std::string>{
                  "/etc/tidings/tidings.toml:2:8: peering.group: no [[group]] named \"tidings.peering\" (it must be carried)",
                  "/etc/tidings/tidings.toml:3:14: peering.peers_file: must be listed in the top-level include (approvals "
                  "write there; your file is never rewritten)"}));
    LoadResult ok = load_string("include = [\"p.toml\"]\n[[group]]\nname = \"tidings.peering\"\n"
                                "[peering]\nseek = \"propose\"\npeers_file = \"p.toml\"\n",
                                "/nonexistent-dir/tidings.toml");
    ASSERT_TRUE(ok.config) << ok.errors.front();
    EXPECT_EQ(ok.config->peering.peers_file, "/nonexistent-dir/p.toml");
    EXPECT_EQ(ok.config->peering.seek, Seek::propose);
}

}  // namespace tidings::config
