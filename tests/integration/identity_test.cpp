// The node's identity (server/net/identity.h) end to end: made on first start, the same after a
// restart, printed by `tidingsd --print-identity`, refused when the key is not the certificate's.
#include "harness.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <regex>

using namespace tidings::testing;

namespace {

std::string logged_pin(const std::string& log) {
    std::smatch m;
    static const std::regex re("event=identity pin=(sha256//[A-Za-z0-9+/=]{44})");
    return std::regex_search(log, m, re) ? m[1].str() : std::string();
}

TEST(Identity, MadeOnFirstStartKeptAcrossRestartsAndPrinted) {
    Daemon d(node_config("id.tidings"));
    ASSERT_TRUE(d.start()) << d.log();
    const std::string pin = logged_pin(d.log());
    ASSERT_FALSE(pin.empty()) << d.log();
    struct stat st{};
    ASSERT_EQ(::stat((d.data_dir() + "/identity/key.pem").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);

    std::string out, err;
    ASSERT_EQ(run_tidingsd({"--print-identity", "--config", d.dir() + "/tidings.toml"}, &out, &err), 0) << err;
    EXPECT_EQ(out, pin + "\n");
    EXPECT_NE(err.find(d.data_dir() + "/identity/cert.pem"), std::string::npos) << err;

    ASSERT_EQ(d.stop(SIGTERM), 0);
    ASSERT_TRUE(d.start()) << d.log();
    const std::string log = d.log();
    const auto second = log.rfind("event=identity");
    ASSERT_NE(second, std::string::npos);
    EXPECT_EQ(logged_pin(log.substr(second)), pin);  // the same key, not a new one
    EXPECT_EQ(log.substr(second).find("created=yes"), std::string::npos);
}

TEST(Identity, AKeyThatIsNotTheCertificatesStopsTheStart) {
    Daemon a(node_config("a.tidings"));
    Daemon b(node_config("b.tidings"));
    ASSERT_TRUE(a.start());
    ASSERT_TRUE(b.start());
    const std::string config = node_config("c.tidings") + "\n" ;
    // [node] is the first table node_config writes: the two keys go right under its header.
    std::string mixed = config;
    const auto at = mixed.find("[node]\n");
    ASSERT_NE(at, std::string::npos);
    mixed.insert(at + 7, "identity_cert = \"" + a.data_dir() + "/identity/cert.pem\"\nidentity_key = \"" +
                             b.data_dir() + "/identity/key.pem\"\n");
    Daemon c(mixed);
    EXPECT_FALSE(c.start());
    EXPECT_NE(c.log().find("is not the key of"), std::string::npos) << c.log();
}

}  // namespace
