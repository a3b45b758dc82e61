// AUTHINFO credentials of an outgoing feed (as innfeed's username/password), read from the
// peer's auth_file each time a connection is opened, so a changed password needs no reload.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tidings::server::feed {

struct Credentials {
    std::string username;
    std::string password;
};

struct CredentialsResult {
    std::optional<Credentials> credentials;
    std::string error;  // when credentials is empty: names the file and line, never the secret
};

// The first line that is neither blank nor a '#' comment is `username:password`; the password
// may itself contain ':'. Both must be 1*user-char of RFC 4643 §4 (printable, no space): they
// travel as one argument of AUTHINFO USER / PASS.
CredentialsResult parse_credentials(std::string_view text, std::string_view file);

// Reads and parses `file`.
CredentialsResult read_credentials(const std::string& file);

}  // namespace tidings::server::feed
