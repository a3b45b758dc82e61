// NodeIdentity: made once, then loaded; its pin is the SHA-256 of the certificate's
// SubjectPublicKeyInfo, as the openssl command line computes it.
#include "server/net/identity.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "temp_store.h"

using namespace tidings::server;

namespace {

using tidings::server::test::TempDir;

std::string slurp(const std::string& file) {
    std::ifstream in(file);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string shell(const std::string& cmd) {
    std::string out;
    if (FILE* p = ::popen(cmd.c_str(), "r")) {
        char buf[512];
        while (std::fgets(buf, sizeof buf, p)) out += buf;
        ::pclose(p);
    }
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
}

}  // namespace

TEST(Identity, MadeOnceThenLoaded) {
    TempDir d;
    auto first = load_or_create_identity("", "", d.path, "news.example.org");
    EXPECT_TRUE(first.created);
    EXPECT_EQ(first.cert_file, d.path + "/identity/cert.pem");
    ASSERT_EQ(first.pin.rfind("sha256//", 0), 0u);
    EXPECT_EQ(first.pin.size(), 8u + 44u);  // base64 of 32 bytes
    struct stat st{};
    ASSERT_EQ(::stat(first.key_file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0077, 0u);  // the key is the owner's alone
    auto again = load_or_create_identity("", "", d.path, "news.example.org");
    EXPECT_FALSE(again.created);
    EXPECT_EQ(again.pin, first.pin);
    EXPECT_EQ(spki_pin_of_pem(slurp(first.cert_file)), first.pin);
    // Named explicitly, the same files give the same identity.
    auto named = load_or_create_identity(first.cert_file, first.key_file, "/nonexistent", "");
    EXPECT_EQ(named.pin, first.pin);
    EXPECT_FALSE(named.created);
}

TEST(Identity, PinMatchesTheOpensslCommandLine) {
    if (std::system("command -v openssl >/dev/null 2>&1") != 0) GTEST_SKIP() << "no openssl command";
    TempDir d;
    auto id = load_or_create_identity("", "", d.path, "pin.example.org");
    // The recipe README gives admins for a peer's certificate.
    const std::string b64 = shell("openssl x509 -in " + id.cert_file + " -pubkey -noout | openssl pkey -pubin -outform der"
                                  " | openssl dgst -sha256 -binary | openssl enc -base64");
    EXPECT_EQ(id.pin, "sha256//" + b64);
    EXPECT_NE(shell("openssl x509 -in " + id.cert_file + " -noout -subject").find("pin.example.org"), std::string::npos);
}

TEST(Identity, MismatchedOrMissingFilesAreErrorsNamingTheFile) {
    TempDir a, b;
    auto ia = load_or_create_identity("", "", a.path, "a");
    auto ib = load_or_create_identity("", "", b.path, "b");
    try {
        load_or_create_identity(ia.cert_file, ib.key_file, "", "");
        FAIL() << "a foreign key was accepted";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(ib.key_file + ": is not the key of"), std::string::npos) << e.what();
    }
    EXPECT_THROW(load_or_create_identity(a.path + "/missing.pem", ia.key_file, "", ""), std::runtime_error);
    EXPECT_TRUE(spki_pin_of_pem("not a certificate").empty());
}
