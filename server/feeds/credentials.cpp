// AUTHINFO credentials of an outgoing feed.
#include "server/feeds/credentials.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace tidings::server::feed {
namespace {

// RFC 4643 §4: user-char is any printable UTF-8 character but space (bytes >= 0x80 pass).
bool user_chars(std::string_view s) {
    if (s.empty()) return false;
    for (unsigned char c : s)
        if (c <= 0x20 || c == 0x7f) return false;
    return true;
}

CredentialsResult failed(std::string_view file, std::size_t line, std::string why) {
    CredentialsResult r;
    r.error = std::string(file);
    if (line) {
        r.error += ':';
        r.error += std::to_string(line);
    }
    r.error += ": ";
    r.error += why;
    return r;
}

}  // namespace

CredentialsResult parse_credentials(std::string_view text, std::string_view file) {
    std::size_t number = 0;
    while (!text.empty()) {
        const std::size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        ++number;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        const std::size_t first = line.find_first_not_of(" \t");
        if (first == std::string_view::npos || line[first] == '#') continue;
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos)
            return failed(file, number, "expected username:password");
        const std::string_view user = line.substr(0, colon), pass = line.substr(colon + 1);
        if (!user_chars(user))
            return failed(file, number, "the username is empty or has spaces or control characters");
        if (!user_chars(pass))
            return failed(file, number, "the password is empty or has spaces or control characters");
        CredentialsResult r;
        r.credentials = Credentials{std::string(user), std::string(pass)};
        return r;
    }
    return failed(file, 0, "no username:password line");
}

CredentialsResult read_credentials(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return failed(file, 0, std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    return parse_credentials(text.str(), file);
}

}  // namespace tidings::server::feed
