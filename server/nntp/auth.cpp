// Reader access rules, AUTHINFO USER/PASS and password hashing.
#include "server/nntp/auth.h"

#include <crypt.h>
#include <cctype>
#include <spdlog/spdlog.h>

#include <cstring>
#include <memory>
#include <optional>
#include <thread>

#include "protocol/base64.h"
#include "protocol/sasl.h"
#include "protocol/status.h"
#include "protocol/wildmat.h"
#include "server/net/address_key.h"
#include "server/net/off_thread.h"
#include "server/nntp/peer_attribution.h"

namespace tidings::server {

namespace st = protocol::status;

ReaderRights reader_rights(const config::Config& cfg, bool anonymous, const config::User* user,
                           std::string_view ip) {
    ReaderRights r;
    if (user) {
        bool from_ok = user->hosts.empty();
        for (const auto& c : user->hosts)
            if (c.contains(std::string(ip))) from_ok = true;
        if (!from_ok) return r;
        r.read_pattern = user->read;
        r.post_pattern = user->post;
        r.approve = user->approve;
    } else if (anonymous) {
        r.read_pattern = cfg.readers.anonymous_read;
        r.post_pattern = cfg.readers.anonymous_post;
        r.approve = cfg.readers.anonymous_approve;
    }
    r.read = !r.read_pattern.empty();
    r.post = r.read && !r.post_pattern.empty();
    r.approve = r.approve && r.post;
    r.hidden = cfg.filter.quarantine_group;
    return r;
}

ReaderRights reader_rights(const Session& s) {
    ReaderRights r = reader_rights(s.cfg(), s.anonymous, s.user, s.ip);
    // A configured peer we reconcile with may read the groups we compare: XRECONCILE NAMES
    // tells it the Message-IDs it lacks, and it fetches them with ARTICLE (README
    // "Reconciliation"). It is fed every one of those articles anyway.
    const config::Reconcile& rc = s.cfg().reconcile;
    if (!r.read && !s.user && s.peer && rc.serve) {
        r.read_pattern = rc.groups;
        r.read = true;
    }
    return r;
}

bool may_read_group(const ReaderRights& r, std::string_view group) {
    return r.read && group != r.hidden && (r.read_pattern == "*" || protocol::wildmat_match(r.read_pattern, group));
}

bool may_post_group(const ReaderRights& r, std::string_view group) {
    return r.post && (r.post_pattern == "*" || protocol::wildmat_match(r.post_pattern, group));
}

bool plaintext_auth_allowed(bool loopback, bool tls_active, bool allow_plaintext_auth) noexcept {
    return loopback || tls_active || allow_plaintext_auth;
}

bool plaintext_auth_allowed(const Session& s) noexcept {
    return plaintext_auth_allowed(s.loopback, s.tls_active, s.cfg().readers.allow_plaintext_auth);
}

bool authinfo_available(const Session& s) noexcept {
    // RFC 8054 §2.2.2: no authentication once compression is on (CRIME-style leaks).
    return !s.cfg().users.empty() && s.user == nullptr && !s.compress_active && plaintext_auth_allowed(s);
}

bool verify_password(std::string_view hash, std::string_view password) {
    if (hash.empty()) return false;
    auto data = std::make_unique<crypt_data>();  // ~32 KB: not on the coroutine's stack
    std::memset(data.get(), 0, sizeof(crypt_data));
    const char* out = crypt_r(std::string(password).c_str(), std::string(hash).c_str(), data.get());
    // crypt_r returns a string starting with '*' on failure (libxcrypt), never null there.
    if (!out || out[0] == '*') return false;
    std::size_t n = std::strlen(out);
    if (n != hash.size()) return false;
    unsigned char diff = 0;  // compare without an early exit
    for (std::size_t i = 0; i < n; ++i) diff |= static_cast<unsigned char>(out[i] ^ hash[i]);
    return diff == 0;
}

std::string hash_password(std::string_view password) {
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    if (!crypt_gensalt_rn("$y$", 0, nullptr, 0, salt, sizeof salt)) return {};
    auto data = std::make_unique<crypt_data>();
    std::memset(data.get(), 0, sizeof(crypt_data));
    const char* out = crypt_r(std::string(password).c_str(), salt, data.get());
    if (!out || out[0] == '*') return {};
    return out;
}

namespace {

const config::User* find_user(const config::Config& cfg, std::string_view name) {
    for (const auto& u : cfg.users)
        if (u.name == name) return &u;
    return nullptr;
}

std::string auth_address_key(const Session& s) {
    return "address:" + address_key(net::ip::make_address(s.ip));
}
std::string auth_user_key(std::string_view name) { return "user:" + std::string(name); }

// crypt(3) with yescrypt costs ~12 ms of CPU by design: run it on its own thread so the I/O
// thread keeps serving every other session meanwhile. Two checks run at once (a flood of
// AUTHINFO attempts cannot take every core); further logins wait in node.password_checks, a
// fair queue by address (server/net/fair_gate.h). nullopt: the queue is full.
awaitable<std::optional<bool>> check_password_off_thread(Session& s, std::string hash, std::string password) {
    const auto& limits = s.cfg().limits;
    auto turn = co_await s.node.password_checks.enter(auth_address_key(s), limits.max_auth_waiting_per_ip,
                                                      limits.max_auth_waiting);
    if (!turn) co_return std::nullopt;
    // A named lambda: gcc 12 destroys a temporary one inside a co_await expression twice.
    auto job = [hash = std::move(hash), password = std::move(password)] { return verify_password(hash, password); };
    const bool ok = co_await run_off_thread(s.node.io, std::move(job));
    co_return ok;
}

void signed_in(Session& s, const config::User* u) {
    s.user = u;
    s.node.user_sessions[s.id] = u->name;
    // A peer that authenticates as its auth_user gets its transit rights (INN's readers.conf
    // does the same with an "access" block).
    attribute_peer(s, peer_for_user(s.cfg(), u->name));
}

// An unknown user's password is checked against this (yescrypt, the same cost as a real one)
// and refused whatever it says: the answer takes as long as for a known user, so the timing
// does not tell which names exist.
constexpr const char* unknown_user_hash = "$y$j9T$5EtO3ASWi4dtuF3YOjC9K/$FMmngWY6Q2RBMcCs89uLGsifn/.Nw2nJXwP4oZKwBD9";

// After a failed login the answer waits 100 ms, doubled per failure on the connection (at most
// 2 s), and limits.max_auth_failures failures close it: guessing passwords costs time, and a
// guesser must reconnect (past the per-address connection limit).
awaitable<void> after_failure(Session& s, std::string_view name) {
    ++s.auth_failures;
    // Spent per address and per user too: a guesser cannot get round the per-connection limit
    // by reconnecting, nor by spreading over connections.
    const auto now = RateLimiter::Clock::now();
    const std::uint32_t per_minute = s.cfg().limits.max_auth_failures;
    s.node.auth_failures.allow(auth_address_key(s), per_minute, now);
    s.node.auth_failures.allow(auth_user_key(name), per_minute, now);
    const auto delay = std::min<std::chrono::milliseconds>(
        std::chrono::milliseconds(100 << std::min<std::uint32_t>(s.auth_failures - 1, 5)), std::chrono::seconds(2));
    net::steady_timer t(s.node.io, delay);
    boost::system::error_code ec;
    co_await t.async_wait(net::redirect_error(use_awaitable, ec));
    if (s.auth_failures >= s.cfg().limits.max_auth_failures) {
        ++s.node.counters.refused["auth_failures_closed"];
        spdlog::warn("conn={} event=auth_closed remote={} failures={}", s.id, s.ip, s.auth_failures);
        s.closing = true;
        s.conn->set_close_reason(CloseReason::limit);
    }
}

enum class SignIn { ok, failed, busy };

// Checks a user's password (off the I/O thread) and read rights; signs the session in.
// `busy`: the password-check queue is full; the session is closing and the caller answers 400.
awaitable<SignIn> sign_in(Session& s, std::string_view name, std::string password) {
    // limits.max_auth_failures failed logins a minute per address and per user name: past
    // either, no password is checked; the answer is the slowest failure's, then the close.
    const auto now = RateLimiter::Clock::now();
    const std::uint32_t per_minute = s.cfg().limits.max_auth_failures;
    if (!s.node.auth_failures.available(auth_address_key(s), per_minute, now) ||
        !s.node.auth_failures.available(auth_user_key(name), per_minute, now)) {
        ++s.node.counters.refused["auth_throttled"];
        spdlog::warn("conn={} event=auth_throttled remote={} user={}", s.id, s.ip, protocol::sanitize_for_echo(name));
        net::steady_timer t(s.node.io, std::chrono::seconds(2));
        boost::system::error_code ec;
        co_await t.async_wait(net::redirect_error(use_awaitable, ec));
        s.closing = true;
        s.conn->set_close_reason(CloseReason::limit);
        co_return SignIn::failed;
    }
    const config::User* u = find_user(s.cfg(), name);
    // Named first: gcc 12 mishandles a temporary built inside a co_await expression.
    std::string hash = u ? u->password_hash : std::string(unknown_user_hash);
    const std::optional<bool> checked = co_await check_password_off_thread(s, std::move(hash), std::move(password));
    if (!checked) {
        ++s.node.counters.refused["auth_queue_full"];
        spdlog::warn("conn={} event=auth_queue_full remote={} waiting={}", s.id, s.ip,
                     s.node.password_checks.waiting());
        s.closing = true;
        s.conn->set_close_reason(CloseReason::limit);
        co_return SignIn::busy;
    }
    const bool ok = *checked && u && reader_rights(s.cfg(), s.anonymous, u, s.ip).read;
    if (!ok) {
        ++s.node.counters.refused["auth_failed"];
        spdlog::info("conn={} event=auth_failed remote={} user={}", s.id, s.ip, protocol::sanitize_for_echo(name));
        co_await after_failure(s, name);
        co_return SignIn::failed;
    }
    signed_in(s, u);
    spdlog::info("conn={} event=auth remote={} user={}", s.id, s.ip, u->name);
    co_return SignIn::ok;
}

// The answer to a login that did not succeed.
void push_refusal(Session& s, SignIn result) {
    if (result == SignIn::busy)  // RFC 3977 §3.2.1: 400 may answer any command; then close
        s.conn->push(protocol::response(st::fail_terminating, "Too many logins waiting; try again later"));
    else
        s.conn->push(protocol::response(st::fail_auth_reject, "Authentication failed"));
}

// AUTHINFO SASL PLAIN (RFC 4643 §2.4, RFC 4616): "authzid NUL authcid NUL passwd" in base64,
// given with the command or after our "383 =" (an empty challenge). PLAIN carries the password
// as USER/PASS does, so it is offered under the same rule (TLS or loopback).
awaitable<void> run_sasl_plain(Session& s, const protocol::Command& cmd) {
    std::string mechanism(cmd.argument);
    for (auto& c : mechanism) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (mechanism != "PLAIN") {
        s.conn->push(protocol::response(st::err_unavailable, "Mechanism not supported; use PLAIN"));
        co_return;
    }
    std::string coded(cmd.initial_response);
    if (coded.empty()) {
        s.conn->push(protocol::response(st::cont_sasl, "="));
        ReadLine rl = co_await s.reader.read_line(*s.conn);
        if (rl.kind == ReadKind::closed) co_return;
        if (rl.kind != ReadKind::line) {
            s.conn->push(protocol::response(st::fail_auth_reject, "Authentication failed"));
            co_return;
        }
        if (rl.line == "*") {  // the client cancels the exchange
            s.conn->push(protocol::response(st::fail_auth_reject, "Authentication cancelled"));
            co_return;
        }
        coded = std::move(rl.line);
    }
    auto plain = protocol::base64_decode(coded);
    if (!plain) {
        s.conn->push(protocol::response(st::err_base64, "Base64 encoding error"));
        co_return;
    }
    const auto message = protocol::parse_sasl_plain(*plain);
    if (!message) {
        s.conn->push(protocol::response(st::fail_auth_reject, "Authentication failed"));
        co_return;
    }
    const std::string authzid(message->authzid);
    const std::string authcid(message->authcid);
    std::string password(message->password);
    // Acting as another user is not something accounts here can grant.
    SignIn result = SignIn::failed;
    if (!authcid.empty() && (authzid.empty() || authzid == authcid))
        result = co_await sign_in(s, authcid, std::move(password));
    if (result != SignIn::ok) {
        push_refusal(s, result);
        co_return;
    }
    s.conn->push(protocol::response(st::ok_authinfo, "Authentication accepted"));
}

}  // namespace

awaitable<void> run_authinfo(Session& s, const protocol::ParseResult& parsed) {
    const auto& cmd = parsed.command;
    if (s.user) {  // RFC 4643 §2.2: once authenticated, AUTHINFO is refused
        s.conn->push(protocol::response(st::err_access, "Already authenticated"));
        co_return;
    }
    if (s.compress_active) {  // RFC 8054 §2.2.2
        s.conn->push(protocol::response(st::err_access, "DEFLATE compression already active"));
        co_return;
    }
    if (s.cfg().users.empty()) {
        s.conn->push(protocol::response(st::err_access, "No accounts on this server"));
        co_return;
    }
    if (!plaintext_auth_allowed(s)) {
        // RFC 4643 §2.2: 483 when a privacy layer must come first (STARTTLS).
        s.conn->push(protocol::response(st::fail_privacy_needed, "Encryption required: use STARTTLS"));
        co_return;
    }
    if (cmd.kind == protocol::Kind::authinfo_sasl) {
        co_await run_sasl_plain(s, cmd);
        co_return;
    }
    if (cmd.kind == protocol::Kind::authinfo_user) {
        s.pending_user = std::string(cmd.argument);
        s.user_given = true;
        s.conn->push(protocol::response(st::cont_authinfo, "Enter password"));
        co_return;
    }
    // AUTHINFO PASS
    if (!s.user_given) {
        s.conn->push(protocol::response(st::fail_auth_sequence, "Authentication commands issued out of sequence"));
        co_return;
    }
    s.user_given = false;
    // Copied before the co_await: cmd views the command line, which lives on meanwhile, but the
    // copy keeps the password check independent of the session's buffers.
    std::string user = std::move(s.pending_user);
    s.pending_user.clear();
    std::string password(cmd.argument);
    const SignIn result = co_await sign_in(s, user, std::move(password));
    if (result != SignIn::ok) {
        push_refusal(s, result);
        co_return;
    }
    s.conn->push(protocol::response(st::ok_authinfo, "Authentication accepted"));
}

}  // namespace tidings::server
