// Peering messages (protocol/peering.h): what is written parses back to the same fields and the
// same signed bytes; every malformed or hostile body gets a named error; times and replays are
// judged as documented.
#include "protocol/peering.h"

#include <gtest/gtest.h>

namespace pp = tidings::protocol::peering;

namespace {

pp::Message announcement() {
    pp::Message m;
    m.kind = pp::Kind::announce;
    m.key = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEabc+/def==";
    m.pathhost = "news.example.org";
    m.issued = 1'800'000'000;
    m.expires = m.issued + 86400;
    m.nonce = "0123456789abcdef0123456789abcdef";
    m.addresses = {"news.example.org:563", "[2001:db8::1]:563"};
    m.offers = "comp.*,!comp.binaries.*";
    m.wants = "*";
    m.capacity = 100000;
    m.contact = "usenet@example.org";
    return m;
}

std::string signed_body(const pp::Message& m, const std::string& sig = "c2lnbmF0dXJl") {
    return pp::format_signed(pp::format_unsigned(m), sig);
}

}  // namespace

TEST(Peering, AnAnnouncementRoundTrips) {
    const auto m = announcement();
    const std::string unsigned_text = pp::format_unsigned(m);
    auto p = pp::parse(pp::format_signed(unsigned_text, "c2lnbmF0dXJl") + "\r\n");
    ASSERT_TRUE(p.message) << p.error;
    EXPECT_EQ(p.message->signed_text, unsigned_text);  // exactly the bytes that were signed
    EXPECT_EQ(p.message->signature, "c2lnbmF0dXJl");
    EXPECT_EQ(p.message->kind, pp::Kind::announce);
    EXPECT_EQ(p.message->key, m.key);
    EXPECT_EQ(p.message->pathhost, m.pathhost);
    EXPECT_EQ(p.message->issued, m.issued);
    EXPECT_EQ(p.message->expires, m.expires);
    EXPECT_EQ(p.message->addresses, m.addresses);
    EXPECT_EQ(p.message->offers, m.offers);
    EXPECT_EQ(p.message->capacity, 100000u);
    EXPECT_EQ(p.message->contact, m.contact);
    EXPECT_TRUE(p.message->to.empty());
}

TEST(Peering, EveryKindRoundTripsWithItsOwnFields) {
    for (auto kind : {pp::Kind::propose, pp::Kind::accept, pp::Kind::refuse, pp::Kind::withdraw}) {
        auto m = announcement();
        m.kind = kind;
        m.to = "sha256//AAAAbbbbCCCCdddd+/==";
        m.in_reply_to = "fedcba9876543210fedcba9876543210";
        auto p = pp::parse(signed_body(m));
        ASSERT_TRUE(p.message) << pp::to_string(kind) << ": " << p.error;
        EXPECT_EQ(p.message->to, m.to);
        const bool reply = kind == pp::Kind::accept || kind == pp::Kind::refuse;
        EXPECT_EQ(p.message->in_reply_to, reply ? m.in_reply_to : "");
        EXPECT_EQ(p.message->addresses.empty(), kind != pp::Kind::propose);
    }
}

TEST(Peering, MalformedBodiesAreNamed) {
    const std::string good = signed_body(announcement());
    auto error_of = [](const std::string& body) { return pp::parse(body).error; };
    auto replace = [&](const std::string& from, const std::string& to) {
        std::string b = good;
        b.replace(b.find(from), from.size(), to);
        return b;
    };
    EXPECT_EQ(error_of(""), "no Signature line");
    EXPECT_EQ(error_of(std::string(9000, 'x')), "longer than 8192 bytes");
    EXPECT_EQ(error_of(replace("Tidings-Peering: 1", "Tidings-Peering: 2")), "unknown version 2");
    EXPECT_EQ(error_of(replace("Kind: announce", "Kind: hello")), "unknown kind hello");
    EXPECT_EQ(error_of(replace("Nonce: 0123", "Nonce: 0X23")), "Nonce: not 32 lower-case hex digits");
    EXPECT_EQ(error_of(replace("Issued: ", "Issued: x")), "Issued: not a number");
    EXPECT_EQ(error_of(replace("Issued: ", "Issued: 0")), "Issued: not a number");  // one spelling only
    EXPECT_EQ(error_of(replace("Issued: ", "Issued: -")), "Issued: not a number");
    EXPECT_EQ(error_of(replace("news.example.org:563", "news.example.org:0")), "Address: not host:port");
    EXPECT_EQ(error_of(replace("news.example.org:563", "news example:563")), "Address: not host:port");
    EXPECT_EQ(error_of(replace("Offers: comp.*", "Offers: comp.[")), "Offers: not a wildmat");
    EXPECT_EQ(error_of(replace("Pathhost: news", "Pathhost: a!news")), "Pathhost: not a path identity");
    EXPECT_EQ(error_of(replace("Contact: usenet", "Contact: \x01usenet")), "Contact: control characters");
    EXPECT_EQ(error_of(replace("Contact: usenet@example.org", "Contact: ")), "Contact: empty");
    EXPECT_EQ(error_of(good + "More: text\r\n"), "text after the signature");
    EXPECT_EQ(error_of(good + "\r\nMore: text\r\n"), "text after the signature");
    EXPECT_EQ(error_of(replace("Kind: announce\r\n", "")), "missing or out of order: Kind");
    EXPECT_EQ(error_of(replace("Offers:", "Extra: 1\r\nOffers:")), "missing or out of order: Offers");
    EXPECT_EQ(error_of(replace("Contact: usenet@example.org", "Contact: " + std::string(600, 'c'))),
              "Contact: value too long");
    EXPECT_EQ(error_of(good.substr(0, good.size() - 2)), "a line without CRLF");
    std::string many = good;
    for (int i = 0; i < 8; ++i) many = std::string(many).insert(many.find("Offers:"), "Address: h:1\r\n");
    EXPECT_EQ(error_of(many), "more than 8 Address lines");
    auto m = announcement();
    m.expires = m.issued;
    EXPECT_EQ(error_of(signed_body(m)), "Expires is not after Issued");
    m = announcement();
    m.kind = pp::Kind::propose;
    m.to = "not-a-pin";
    EXPECT_EQ(error_of(signed_body(m)), "To: not a sha256// pin");
}

TEST(Peering, TimesAreJudgedAgainstNow) {
    auto m = announcement();
    const std::int64_t now = m.issued + 10;
    EXPECT_EQ(pp::check_times(m, now, 600, 7 * 86400), "");
    EXPECT_EQ(pp::check_times(m, m.expires, 600, 7 * 86400), "expired");
    EXPECT_EQ(pp::check_times(m, m.issued - 601, 600, 7 * 86400), "issued in the future");
    EXPECT_EQ(pp::check_times(m, m.issued - 600, 600, 7 * 86400), "");
    EXPECT_EQ(pp::check_times(m, now, 600, 3600), "valid for longer than allowed");
}

TEST(Peering, ReplaysAreRefused) {
    pp::ReplayGuard guard;
    auto m = announcement();
    EXPECT_TRUE(guard.admit(m));
    EXPECT_FALSE(guard.admit(m));  // the same message again (another article, same body)
    auto older = m;
    older.issued -= 100;
    older.nonce = "11111111111111111111111111111111";
    EXPECT_FALSE(guard.admit(older));  // superseded
    auto newer = m;
    newer.issued += 100;
    newer.nonce = "22222222222222222222222222222222";
    EXPECT_TRUE(guard.admit(newer));
    EXPECT_FALSE(guard.admit(m));  // now older than the newest
    auto other_kind = m;
    other_kind.kind = pp::Kind::propose;
    EXPECT_TRUE(guard.admit(other_kind));  // kinds are judged apart
    auto other_key = m;
    other_key.key = "b3RoZXI=";
    EXPECT_TRUE(guard.admit(other_key));
    // Many in one second: bounded.
    auto burst = newer;
    int admitted = 0;
    for (int i = 0; i < 40; ++i) {
        burst.nonce = std::string(30, 'a') + (i < 10 ? "0" : "") + std::to_string(i);
        admitted += guard.admit(burst);
    }
    EXPECT_EQ(admitted, static_cast<int>(pp::ReplayGuard::max_same_second) - 1);
}

TEST(Peering, TheGuardForgetsTheLeastRecentKeyPastItsBound) {
    pp::ReplayGuard guard(2);
    auto a = announcement(), b = announcement(), c = announcement();
    b.key = "Yg==";
    c.key = "Yw==";
    EXPECT_TRUE(guard.admit(a));
    EXPECT_TRUE(guard.admit(b));
    EXPECT_TRUE(guard.admit(c));
    EXPECT_EQ(guard.keys(), 2u);
    EXPECT_FALSE(guard.admit(c));
}
