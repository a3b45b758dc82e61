// Reader access rules and AUTHINFO USER/PASS (RFC 4643): who may read and post which groups,
// password checks with crypt(3) (yescrypt "$y$", SHA-512-crypt "$6$").
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"
#include "protocol/command.h"
#include "server/net/net.h"
#include "server/nntp/session_state.h"

namespace tidings::server {

// What a reader may do, as decided by the configuration for one connection. Pure: unit-tested
// in tests/server/auth_test.cpp.
struct ReaderRights {
    bool read = false;          // reading commands allowed (else 480: authenticate first)
    bool post = false;          // POST allowed to some groups
    std::string read_pattern;   // wildmat of readable groups
    std::string post_pattern;   // wildmat of groups one may post to
    bool approve = false;       // may post with Approved: (config: user.approve, readers.anonymous_approve)
    std::string hidden;         // never readable: the filter's quarantine group
};

// Rights of a connection from `ip` (is it in readers.anonymous_hosts: `anonymous`), signed
// in as `user` (or not). An account whose `hosts` do not contain `ip` gets nothing.
ReaderRights reader_rights(const config::Config& cfg, bool anonymous, const config::User* user,
                           std::string_view ip);
// A session's rights: the above, or (when those give no reading) for a configured [[peer]]
// while reconcile.serve, reading the groups of reconcile.groups.
ReaderRights reader_rights(const Session& s);

bool may_read_group(const ReaderRights& r, std::string_view group);
bool may_post_group(const ReaderRights& r, std::string_view group);

// RFC 4643 §2.2 / our rule: passwords go in clear only over loopback or TLS, unless the admin
// set readers.allow_plaintext_auth.
bool plaintext_auth_allowed(bool loopback, bool tls_active, bool allow_plaintext_auth) noexcept;
bool plaintext_auth_allowed(const Session& s) noexcept;
// AUTHINFO USER is offered now: accounts exist, not yet authenticated, privacy rule satisfied.
bool authinfo_available(const Session& s) noexcept;

// True when `password` matches the crypt(3) `hash`. Constant work per hash (crypt's own).
bool verify_password(std::string_view hash, std::string_view password);
// A new yescrypt hash of `password` ("$y$..."), from a fresh random salt; empty on failure.
std::string hash_password(std::string_view password);

// AUTHINFO USER, AUTHINFO PASS, AUTHINFO SASL.
awaitable<void> run_authinfo(Session& s, const protocol::ParseResult& parsed);

}  // namespace tidings::server
