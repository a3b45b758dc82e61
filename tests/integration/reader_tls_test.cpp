// STARTTLS (RFC 4642/8143) and implicit-TLS listeners, end to end with an OpenSSL client.
#include "harness.h"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace tidings::testing;

namespace {

// A blocking NNTP client that can switch to TLS.
class TlsClient {
public:
    ~TlsClient() {
        if (ssl_) SSL_free(ssl_);
        if (ctx_) SSL_CTX_free(ctx_);
        if (fd_ >= 0) ::close(fd_);
    }
    bool connect(int port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<std::uint16_t>(port));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        timeval tv{10, 0};
        setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        return ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    }
    // max_version: 0 for the library's highest.
    bool handshake(int max_version = 0) {
        ctx_ = SSL_CTX_new(TLS_client_method());
        SSL_CTX_set_min_proto_version(ctx_, TLS1_VERSION);
        if (max_version) SSL_CTX_set_max_proto_version(ctx_, max_version);
        SSL_CTX_set_security_level(ctx_, 0);  // allow offering TLS 1.0/1.1 to test refusal
        ssl_ = SSL_new(ctx_);
        SSL_set_fd(ssl_, fd_);
        return SSL_connect(ssl_) == 1;
    }
    std::string version() const { return ssl_ ? SSL_get_version(ssl_) : ""; }
    void send_line(std::string_view l) {
        std::string s = std::string(l) + "\r\n";
        if (ssl_) SSL_write(ssl_, s.data(), static_cast<int>(s.size()));
        else (void)!::write(fd_, s.data(), s.size());
    }
    std::string read_line() {
        for (;;) {
            auto p = buf_.find("\r\n");
            if (p != std::string::npos) {
                std::string l = buf_.substr(0, p);
                buf_.erase(0, p + 2);
                return l;
            }
            char b[4096];
            int n = ssl_ ? SSL_read(ssl_, b, sizeof b) : static_cast<int>(::read(fd_, b, sizeof b));
            if (n <= 0) return "";
            buf_.append(b, static_cast<std::size_t>(n));
        }
    }
    std::vector<std::string> read_block() {
        std::vector<std::string> out;
        for (std::string l = read_line(); l != "." && !l.empty(); l = read_line()) out.push_back(l);
        return out;
    }
    std::string command(std::string_view l) {
        send_line(l);
        return read_line();
    }

private:
    int fd_ = -1;
    SSL_CTX* ctx_ = nullptr;
    SSL* ssl_ = nullptr;
    std::string buf_;
};

// A self-signed certificate made once per test binary run.
const std::string& cert_dir() {
    static std::string dir = [] {
        std::string d = std::filesystem::temp_directory_path() / ("tidings-tls-" + std::to_string(getpid()));
        std::filesystem::create_directories(d);
        std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -keyout " + d + "/key.pem -out " + d +
                          "/cert.pem -days 2 -subj /CN=localhost >/dev/null 2>&1";
        EXPECT_EQ(std::system(cmd.c_str()), 0);
        return d;
    }();
    return dir;
}

std::string tls_config(std::string_view mode) {
    return R"([node]
pathhost = "tls.tidings"
data_dir = "{DATA}"

[readers]
anonymous_hosts = []

[[listen]]
address = "127.0.0.1"
port = 0
tls = ")" + std::string(mode) + R"("
tls_cert = ")" + cert_dir() + R"(/cert.pem"
tls_key = ")" + cert_dir() + R"(/key.pem"

[[group]]
name = "local.test"

[[user]]
name = "alice"
password_hash = "$y$j9T$5EtO3ASWi4dtuF3YOjC9K/$FMmngWY6Q2RBMcCs89uLGsifn/.Nw2nJXwP4oZKwBD9"
)";
}

bool has(const std::vector<std::string>& v, std::string_view s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

std::vector<std::string> caps(TlsClient& c) {
    c.send_line("CAPABILITIES");
    EXPECT_EQ(c.read_line().substr(0, 3), "101");
    return c.read_block();
}

TEST(ReaderTls, StarttlsThenAuthenticate) {
    Daemon d(tls_config("starttls"));
    ASSERT_TRUE(d.start()) << d.log();
    TlsClient c;
    ASSERT_TRUE(c.connect(d.port()));
    EXPECT_EQ(c.read_line().substr(0, 3), "201");
    auto before = caps(c);
    EXPECT_TRUE(has(before, "STARTTLS"));
    EXPECT_TRUE(has(before, "AUTHINFO USER SASL"));  // loopback: plaintext allowed
    EXPECT_EQ(c.command("STARTTLS").substr(0, 3), "382");
    ASSERT_TRUE(c.handshake());
    EXPECT_TRUE(c.version() == "TLSv1.2" || c.version() == "TLSv1.3") << c.version();
    auto after = caps(c);
    EXPECT_FALSE(has(after, "STARTTLS"));  // RFC 4642 §2.2.2
    EXPECT_TRUE(has(after, "AUTHINFO USER SASL"));
    EXPECT_EQ(c.command("STARTTLS").substr(0, 3), "502");
    EXPECT_EQ(c.command("GROUP local.test").substr(0, 3), "480");
    EXPECT_EQ(c.command("AUTHINFO USER alice").substr(0, 3), "381");
    EXPECT_EQ(c.command("AUTHINFO PASS secret").substr(0, 3), "281");
    EXPECT_EQ(c.command("GROUP local.test").substr(0, 3), "211");
}

TEST(ReaderTls, ImplicitTlsListener) {
    Daemon d(tls_config("implicit"));
    ASSERT_TRUE(d.start()) << d.log();
    TlsClient c;
    ASSERT_TRUE(c.connect(d.port()));
    ASSERT_TRUE(c.handshake());
    EXPECT_EQ(c.read_line().substr(0, 3), "201");
    auto cs = caps(c);
    EXPECT_FALSE(has(cs, "STARTTLS"));
    EXPECT_TRUE(has(cs, "AUTHINFO USER SASL"));
    EXPECT_EQ(c.command("STARTTLS").substr(0, 3), "502");
    EXPECT_EQ(c.command("QUIT").substr(0, 3), "205");
}

// A client that connects to an implicit-TLS port and never finishes the handshake holds its
// slot for limits.tls_handshake_timeout_s, not for the idle timeout.
TEST(ReaderTls, AStalledHandshakeIsClosedAtItsOwnDeadline) {
    Daemon d(tls_config("implicit") + "\n[limits]\ntls_handshake_timeout_s = 1\nidle_timeout_s = 600\n");
    ASSERT_TRUE(d.start()) << d.log();
    NntpClient raw;  // plain TCP: sends nothing, so the server waits for a ClientHello
    ASSERT_TRUE(raw.connect(d.port()));
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_TRUE(raw.closed_by_server(std::chrono::seconds(5)));
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(4));
}

TEST(ReaderTls, Tls11IsRefused) {
    Daemon d(tls_config("implicit"));
    ASSERT_TRUE(d.start()) << d.log();
    TlsClient c;
    ASSERT_TRUE(c.connect(d.port()));
    EXPECT_FALSE(c.handshake(TLS1_1_VERSION));
}

TEST(ReaderTls, StarttlsWithoutTlsConfiguredIs580) {
    Daemon d("[node]\ndata_dir = \"{DATA}\"\n[[listen]]\naddress = \"127.0.0.1\"\nport = 0\n");
    ASSERT_TRUE(d.start()) << d.log();
    TlsClient c;
    ASSERT_TRUE(c.connect(d.port()));
    EXPECT_EQ(c.read_line().substr(0, 3), "200");
    EXPECT_FALSE(has(caps(c), "STARTTLS"));
    EXPECT_EQ(c.command("STARTTLS").substr(0, 3), "580");
}

}  // namespace
