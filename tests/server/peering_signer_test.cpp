// Signing peering messages with a node key (server/peering/signer.h): a signature verifies with
// the public key the message carries, and with nothing else; the key's pin is the node's TLS
// pin, so an announcement and its listener are the same identity.
#include "server/peering/signer.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "protocol/peering.h"
#include "server/net/identity.h"

using namespace tidings::server;

namespace {

struct TwoNodes {
    std::filesystem::path dir = std::filesystem::temp_directory_path() / ("tidings-signer-" + std::to_string(::getpid()));
    NodeIdentity a, b;
    TwoNodes() {
        a = load_or_create_identity("", "", (dir / "a").string(), "a.example");
        b = load_or_create_identity("", "", (dir / "b").string(), "b.example");
    }
    ~TwoNodes() { std::filesystem::remove_all(dir); }
};

}  // namespace

TEST(PeeringSigner, SignaturesVerifyWithTheSignersKeyOnly) {
    TwoNodes n;
    peering::Signer a(n.a.key_file), b(n.b.key_file);
    EXPECT_EQ(a.pin(), n.a.pin);  // the TLS pin of the same node
    EXPECT_EQ(peering::pin_of_public_key(a.public_key()), n.a.pin);
    EXPECT_NE(a.pin(), b.pin());
    const std::string text = "Tidings-Peering: 1\r\nKind: announce\r\n";
    const std::string sig = a.sign(text);
    EXPECT_TRUE(peering::verify(a.public_key(), text, sig));
    EXPECT_FALSE(peering::verify(b.public_key(), text, sig));              // another key
    EXPECT_FALSE(peering::verify(a.public_key(), text + "x", sig));       // other bytes
    EXPECT_FALSE(peering::verify(a.public_key(), text, b.sign(text)));    // another signer
    EXPECT_FALSE(peering::verify("not base64!", text, sig));
    EXPECT_FALSE(peering::verify(a.public_key(), text, "AAAA"));
    EXPECT_FALSE(peering::verify(a.public_key().substr(0, 20), text, sig));  // a cut key
    EXPECT_EQ(peering::pin_of_public_key("%%%"), "");
}

TEST(PeeringSigner, ASignedMessageParsesAndVerifies) {
    TwoNodes n;
    peering::Signer a(n.a.key_file);
    namespace pp = tidings::protocol::peering;
    pp::Message m;
    m.kind = pp::Kind::propose;
    m.key = a.public_key();
    m.pathhost = "a.example";
    m.issued = 1'800'000'000;
    m.expires = m.issued + 3600;
    m.nonce = "00112233445566778899aabbccddeeff";
    m.to = "sha256//" + std::string(43, 'A') + "=";
    m.addresses = {"a.example:563"};
    const std::string unsigned_text = pp::format_unsigned(m);
    auto parsed = pp::parse(pp::format_signed(unsigned_text, a.sign(unsigned_text)));
    ASSERT_TRUE(parsed.message) << parsed.error;
    EXPECT_TRUE(peering::verify(parsed.message->key, parsed.message->signed_text, parsed.message->signature));
    EXPECT_EQ(peering::pin_of_public_key(parsed.message->key), n.a.pin);
}

TEST(PeeringSigner, AMissingKeyFileIsNamed) {
    try {
        peering::Signer s("/nonexistent/key.pem");
        FAIL() << "no exception";
    } catch (const std::exception& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/key.pem"), std::string::npos) << e.what();
    }
}
