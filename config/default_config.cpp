// The embedded default configuration (`tidingsd` with no --config) and the default pathhost.
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <iostream>

#include "config/config.h"

namespace tidings::config {
namespace {

// What `tidingsd --print-default-config` prints: a working single-node setup on loopback.
// pathhost is omitted on purpose so that it defaults to this machine's hostname.
constexpr std::string_view default_toml =
    R"(# Tidings default configuration (tidingsd --print-default-config).
# A single node on loopback: readers and peers on 127.0.0.1:1119, admin HTTP on 127.0.0.1:8119.

[node]
# pathhost defaults to this machine's hostname; set it to the server's FQDN.
data_dir = "./tidings-data"
log_level = "info"

[[listen]]
address = "127.0.0.1"
port = 1119
roles = ["reader", "transit"]

[readers]
# Loopback readers may read and post without AUTHINFO; others must authenticate.
anonymous_hosts = ["127.0.0.0/8", "::1/128"]
anonymous_read = "*"
anonymous_post = "*"
others = "auth"

[[group]]
name = "local.general"
status = "y"
description = "Local general discussion."

[[group]]
name = "local.test"
status = "y"
description = "Local test postings."

[http]
enabled = true
address = "127.0.0.1"
port = 8119
)";

}  // namespace

std::string_view default_config_toml() { return default_toml; }

Config default_config() {
    LoadResult r = load_string(default_toml, "<default>");
    if (!r.config) {
        // A bug in the text above, caught by tests/config/default_config_test.cpp.
        for (const auto& e : r.errors) std::cerr << e << '\n';
        std::abort();
    }
    return std::move(*r.config);
}

std::string default_pathhost() {
    char buf[256] = {};
    std::string host;
    if (::gethostname(buf, sizeof buf - 1) == 0) host = buf;
    std::string out;
    for (char c : host) {
        auto u = static_cast<unsigned char>(c);
        // '.', '-' and alphanumerics are valid in both a path identity and a domain, so the
        // result also serves as the default node.domain.
        out += std::isalnum(u) || c == '.' || c == '-' ? static_cast<char>(std::tolower(u)) : '-';
    }
    // RFC 5536 §3.1.5: a path identity starts with a letter or digit; labels are non-empty.
    while (!out.empty() && !std::isalnum(static_cast<unsigned char>(out.front()))) out.erase(0, 1);
    while (!out.empty() && !std::isalnum(static_cast<unsigned char>(out.back()))) out.pop_back();
    for (std::size_t i; (i = out.find("..")) != std::string::npos;) out.erase(i, 1);
    return out.empty() ? "localhost" : out;
}

}  // namespace tidings::config
