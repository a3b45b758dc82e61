// The node's configuration: plain validated structs loaded from one TOML file.
//
// Every key is declared once in config/schema.cpp (name, type, field, default, range, doc);
// that table drives the reading into these structs, the unknown-key check, the README
// reference and the example-file test. The defaults below must agree with it
// (tests/config/schema_test.cpp checks they do).
//
// Contract: a Config returned by load_file/load_string/default_config is fully validated —
// every port, address, CIDR, wildmat, name and cross-reference has been checked, and the
// derived defaults (node.pathhost, node.domain, peer.path_identity, peer.max_article_bytes)
// are filled in. Consumers never re-validate. A Config is a value: copy it, pass
// `const Config&`, no globals. Optional strings are empty when unset.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/cidr.h"

namespace tidings::config {

// Enumerators are declared in the order of their spellings in the schema (schema.cpp).
enum class LogLevel : std::uint8_t { trace, debug, info, warn, error };
enum class LogFormat : std::uint8_t { text, json };
// durable: fsync at every group commit (235/239 mean "on disk"); relaxed: MDB_NOSYNC-style,
// a crash may lose the last batches but never corrupts.
enum class Durability : std::uint8_t { durable, relaxed };
enum class Tls : std::uint8_t { none, starttls, implicit };
// Whether a TLS listener asks clients for a certificate (peers known by its key: Peer::client_pin).
enum class ClientCerts : std::uint8_t { none, request, require };
// What happens to a reader connecting from outside readers.anonymous_hosts.
enum class OthersPolicy : std::uint8_t { auth, refuse };  // must AUTHINFO | 502 at greeting
// LIST ACTIVE status: y posting allowed, n no posting, m moderated.
enum class GroupStatus : std::uint8_t { y, n, m };
// What peering does with announcements of nodes we are not peered with.
enum class Seek : std::uint8_t { off, list, propose };
// What a cancel or Supersedes needs to withdraw an article (server/core/withdrawal.h): a
// Cancel-Key matching one of the target's Cancel-Locks (RFC 8315), nothing, or it is ignored.
enum class CancelPolicy : std::uint8_t { key, accept, ignore };
// [[control.group_rule]]: which group control messages a rule is for, and what it does (INN's
// control.ctl actions).
enum class GroupControlKinds : std::uint8_t { all, newgroup, rmgroup, checkgroups };
enum class GroupControlAction : std::uint8_t { doit, log, drop, mail };
// What a [[filter.rule]] does to an article it matches.
enum class FilterAction : std::uint8_t { reject, quarantine, accept };

// Each enumerator's spelling in the configuration file, from the schema's one list of them
// (config/schema.cpp): to_string(LogLevel::warn) == "warn", to_string(GroupStatus::m) == "m".
// The views are static. spdlog::level::from_str takes every LogLevel spelling.
std::string_view to_string(LogLevel level) noexcept;
std::string_view to_string(LogFormat format) noexcept;
std::string_view to_string(Durability durability) noexcept;
std::string_view to_string(Tls tls) noexcept;
std::string_view to_string(OthersPolicy policy) noexcept;
std::string_view to_string(ClientCerts c) noexcept;
std::string_view to_string(CancelPolicy p) noexcept;
std::string_view to_string(FilterAction a) noexcept;
std::string_view to_string(GroupControlKinds k) noexcept;
std::string_view to_string(GroupControlAction a) noexcept;
std::string_view to_string(GroupStatus status) noexcept;
std::string_view to_string(Seek s) noexcept;

// [node]
struct Node {
    std::string pathhost;  // RFC 5536 §3.1.5 path-identity; loader default: default_pathhost()
    std::string domain;    // right-hand side of generated Message-IDs; loader default: pathhost
    std::string data_dir = "./tidings-data";
    LogLevel log_level = LogLevel::info;
    LogFormat log_format = LogFormat::text;
    std::string organization;  // Organization header for local posts; empty = none
    std::string motd;          // LIST MOTD text; empty = none
    // The node's identity (server/net/identity.h): PEM certificate and key; both empty: made
    // on first start in <data_dir>/identity/.
    std::string identity_cert;
    std::string identity_key;
    bool operator==(const Node&) const = default;
};

// [storage]
struct Storage {
    Durability durability = Durability::durable;
    std::uint64_t initial_map_mb = 1024;
    std::uint64_t free_space_floor_mb = 100;  // below this free disk space, refuse (436/431)
    std::uint32_t batch_max_articles = 256;   // writer group commit: articles per transaction
    std::uint32_t batch_max_kb = 8192;        // ... bytes per transaction
    std::uint32_t batch_deadline_us = 0;      // ... longest wait to fill a batch (0: none)
    bool junk_unwanted = false;  // file articles for uncarried groups in "junk" instead of refusing
    bool operator==(const Storage&) const = default;
};

// [[listen]]
struct Listener {
    std::string address = "127.0.0.1";  // IPv4/IPv6 literal; "0.0.0.0" or "::" for all
    std::uint16_t port = 1119;          // 0 = ephemeral (tests)
    bool reader = true;                 // roles contains "reader"
    bool transit = true;                // roles contains "transit"
    Tls tls = Tls::none;
    std::string tls_cert;  // PEM paths; both non-empty when tls != none
    std::string tls_key;
    ClientCerts client_certs = ClientCerts::none;
    bool operator==(const Listener&) const = default;
};

// [limits]
struct Limits {
    std::uint64_t max_article_bytes = 1000000;
    std::uint32_t max_connections = 500;
    std::uint32_t max_connections_per_ip = 50;    // an IPv6 /64 counts as one address
    std::uint32_t peer_reserved_connections = 20;  // of max_connections: configured peers only
    std::uint32_t idle_timeout_s = 600;  // RFC 3977 §3.1 asks for at least 180
    std::uint32_t write_timeout_s = 60;
    std::uint32_t tls_handshake_timeout_s = 30;  // STARTTLS or implicit TLS, the whole handshake
    std::uint32_t line_timeout_s = 30;  // a begun command line, or a gap inside an article
    std::uint32_t max_pipeline = 1024;   // commands in flight per transit connection
    std::uint32_t max_output_kb = 1024;  // queued response bytes per connection, then stop reading
    std::uint32_t max_uncommitted_kb = 65536;  // a peer's received, not yet committed articles
    std::uint32_t max_unknown_commands = 10;  // then 400 and close (INN's behaviour)
    std::uint32_t max_check_promises = 1000;  // a session's unkept CHECK 238s, then 431
    std::uint32_t max_pending_cancels = 10000;  // cancels kept until their target arrives
    std::uint32_t max_body_hashes = 100000;     // bodies remembered for [[filter.rule]] min_body_copies
    std::uint32_t max_posts_per_minute = 60;  // per user, or per address (/64) when anonymous; 0: no limit
    std::uint32_t max_auth_failures = 5;      // failed logins on one connection, then 481 and close
    std::uint32_t max_auth_waiting = 200;     // logins waiting for a password check, node-wide
    std::uint32_t max_auth_waiting_per_ip = 4;  // of them from one address (/64); past either: 400
    bool operator==(const Limits&) const = default;
};

inline std::vector<Cidr> loopback_cidrs() {
    return {*Cidr::parse("127.0.0.0/8"), *Cidr::parse("::1/128")};
}

// [readers]
struct Readers {
    std::vector<Cidr> anonymous_hosts = loopback_cidrs();  // may read/post without AUTHINFO
    std::string anonymous_read = "*";                     // wildmat of groups they may read
    std::string anonymous_post = "*";                     // wildmat of groups they may post to
    bool anonymous_approve = false;  // may they post with Approved: (approve moderated posts)
    OthersPolicy others = OthersPolicy::auth;
    bool allow_plaintext_auth = false;  // AUTHINFO over non-loopback, non-TLS connections
    bool allow_newnews = true;          // NEWNEWS answered (INN's inn.conf allownewnews)
    bool operator==(const Readers&) const = default;
};

// "host:port" as written; host is a name or an IP literal (brackets removed).
struct HostPort {
    std::string host;
    std::uint16_t port = 0;
    bool operator==(const HostPort&) const = default;
};

// [[peer]]
struct Peer {
    std::string name;           // required, unique, [A-Za-z0-9._-]+
    std::string path_identity;  // Path entry meaning "the peer has it"; loader default: name
    std::vector<std::string> path_aliases;  // more such entries (INN newsfeeds site/exclude)
    std::vector<Cidr> hosts;    // addresses it may feed us from; empty = none by address
    std::string auth_user;      // a [[user]] whose authenticated sessions are this peer's feed
    std::optional<HostPort> outgoing;  // where we feed it; nullopt = we never connect out
    std::string newsgroups = "*";      // feed wildmat, with ! and @ (INN newsfeeds)
    std::vector<std::string> distributions;  // empty = all
    std::uint64_t max_article_bytes = 0;     // loader default: limits.max_article_bytes
    std::uint32_t connections = 1;
    bool streaming = true;       // MODE STREAM (CHECK/TAKETHIS) rather than IHAVE
    bool takethis_only = false;  // skip CHECK
    std::uint32_t window = 64;   // CHECK/TAKETHIS commands in flight
    std::uint64_t max_backlog = 1000000;  // queued articles before the oldest are dropped
    std::uint32_t max_backlog_age_h = 72;
    std::uint32_t retry_s = 60;
    // Outgoing feed over TLS (RFC 8143 §4 for implicit, RFC 4642 STARTTLS): the peer's
    // certificate is checked against tls_pin (its public key) and/or tls_ca_file (a chain to a
    // trusted CA, for tls_server_name); never a fallback to plaintext.
    Tls tls = Tls::none;
    std::string tls_pin;          // "sha256//BASE64" (tidingsd --print-identity on the peer)
    std::string tls_ca_file;      // PEM CA certificates
    std::string tls_server_name;  // SNI and the name verified; empty: outgoing's host
    // "username:password" for AUTHINFO on the outgoing feed (server/feeds/credentials.h); the
    // file is read at each connection, its contents never logged.
    std::string auth_file;
    // COMPRESS DEFLATE (RFC 8054) on the outgoing feed when the peer advertises it.
    bool compress = false;
    // The public key (sha256//BASE64) of the client certificate the peer presents when it
    // feeds us over TLS: a session showing it is this peer's feed, whatever its address.
    std::string client_pin;
    // Compare article sets with it by XRECONCILE (README "Reconciliation") at start-up, when
    // its feed reconnects, every reconcile.interval_s, and on request; needs `outgoing`.
    bool reconcile = false;
    bool operator==(const Peer&) const = default;
};

// [[upstream]]: a server we pull articles from as a reader does (Leafnode's fetchnews, INN's
// pullnews, suck): new articles of the groups we carry are found by GROUP and OVER and fetched
// with ARTICLE <id>, from every upstream at once (server/pull/).
struct Upstream {
    std::string name;                 // required, unique, [A-Za-z0-9._-]+
    std::optional<HostPort> address;  // required
    std::string groups = "*";         // wildmat over the groups this node carries
    std::uint32_t connections = 2;
    std::uint32_t window = 16;           // ARTICLE commands in flight per connection
    std::uint32_t max_articles = 20000;  // new articles taken per group and run
    std::uint32_t interval_s = 900;      // between runs; 0: only when asked (POST /pull)
    bool continuous = false;             // a run that fetched something is followed at once
    std::uint32_t max_age_days = 0;      // older articles (Date) are skipped; 0: none
    std::uint32_t timeout_s = 60;        // the longest wait for any answer
    bool newnews = false;                // ask NEWNEWS since the last run instead of every group
    // The same TLS and login keys as a [[peer]]'s outgoing feed.
    Tls tls = Tls::none;
    std::string tls_pin;
    std::string tls_ca_file;
    std::string tls_server_name;
    std::string auth_file;
    bool operator==(const Upstream&) const = default;
};

// [[group]]
struct Group {
    std::string name;  // RFC 5536 §3.1.4 newsgroup-name
    GroupStatus status = GroupStatus::y;
    std::string description;
    bool operator==(const Group&) const = default;
};

// [[user]]
struct User {
    std::string name;
    std::string password_hash;  // crypt(3): "$y$..." (yescrypt) or "$6$..." (SHA-512-crypt)
    std::string read = "*";
    std::string post = "*";
    std::vector<Cidr> hosts;  // empty = from anywhere
    bool approve = false;     // may post with Approved: (INN's readers.conf access `A`)
    bool operator==(const User&) const = default;
};

// [[expire.rule]]
struct ExpireRule {
    std::string pattern;  // wildmat; the first matching rule wins
    std::uint32_t days = 0;  // 0 = never expire
    bool operator==(const ExpireRule&) const = default;
};

// [expire]
struct Expire {
    std::uint32_t default_days = 30;  // 0 = never
    std::uint32_t remember_days = 11;  // keep Message-IDs of expired articles (INN /remember/)
    std::uint32_t interval_s = 3600;
    std::vector<ExpireRule> rules;
    bool operator==(const Expire&) const = default;
};

// [[moderation.rule]] (INN's moderators file)
struct ModerationRule {
    std::string pattern;  // wildmat; the first matching rule wins
    std::string address;  // submission address; "%s" = the group, '.' as '-'; "%%" = '%'
    bool operator==(const ModerationRule&) const = default;
};

// [moderation]: unapproved posts to moderated groups are mailed (RFC 5537 §3.5 step 5)
struct Moderation {
    std::string mail_command = "/usr/sbin/sendmail -oi -oem %s";  // split at spaces, no shell
    std::uint32_t timeout_s = 30;
    std::vector<ModerationRule> rules;
    bool operator==(const Moderation&) const = default;
};

// [[control.rule]] (in the spirit of INN's control.ctl, for cancels and Supersedes)
struct ControlRule {
    std::string pattern;  // wildmat on the target's newsgroups; the first rule matching one wins
    std::string sender;   // only withdrawals whose From address is this; empty = anyone
    CancelPolicy cancel = CancelPolicy::key;
    bool operator==(const ControlRule&) const = default;
};

// [[control.group_rule]]: newgroup, rmgroup and checkgroups (RFC 5537 §5.2); the first rule
// whose kind, pattern and sender fit decides. No rule: log.
struct GroupControlRule {
    GroupControlKinds kind = GroupControlKinds::all;
    std::string pattern;  // wildmat on the group (checkgroups: its lines outside are ignored)
    std::string sender;   // wildmat on the sender's address (Sender, else From); empty: anyone
    std::string verify;   // a PGP signer the message must carry (user id or its first word)
    GroupControlAction action = GroupControlAction::log;
    bool operator==(const GroupControlRule&) const = default;
};

// [control]
struct Control {
    // Secret of the Cancel-Lock put on local posts (RFC 8315 §4); empty: made on first start in
    // <data_dir>/cancel-lock.secret.
    std::string cancel_lock_secret_file;
    bool add_cancel_lock = true;
    std::vector<ControlRule> rules;
    std::string keyring;                  // gpgv --keyring for verify rules; empty: none can pass
    std::string gpgv = "/usr/bin/gpgv";   // Debian's gpgv
    std::string mail_to;                  // where action "mail" sends group control messages
    std::vector<GroupControlRule> group_rules;
    bool operator==(const Control&) const = default;
};

// [[filter.rule]]: every condition set must hold (an unset one always does); the first rule
// that matches decides. Regular expressions are RE2's (linear time, no backtracking).
struct FilterRule {
    std::string name;                  // for logs and counters; unique
    std::vector<std::string> sources;  // peer names or "local" (POST); empty: every source
    std::string header;                // with `regex`: a header field name
    std::string regex;                 // matches somewhere in one of the `header` fields' values
    std::string posting_host;          // regex on Injection-Info's posting-host (or NNTP-Posting-Host)
    std::uint64_t min_bytes = 0;       // the article is at least this large; 0: any size
    std::uint32_t min_groups = 0;      // Newsgroups names at least this many groups
    std::uint32_t min_followup_groups = 0;  // Followup-To names at least this many
    std::uint32_t min_body_copies = 0;      // the same body seen this often in body_window_s
    std::uint32_t body_window_s = 3600;
    FilterAction action = FilterAction::reject;
    bool operator==(const FilterRule&) const = default;
};

// [filter]
struct Filter {
    // Quarantined articles are filed here: hidden from readers, fed to no peer, released or
    // left to expire through the admin API.
    std::string quarantine_group = "tidings.quarantine";
    std::vector<FilterRule> rules;
    bool operator==(const Filter&) const = default;
    bool quarantines() const {
        for (const auto& r : rules)
            if (r.action == FilterAction::quarantine) return true;
        return false;
    }
};

// [http] admin and metrics endpoint
struct Http {
    bool enabled = true;
    std::string address = "127.0.0.1";
    std::uint16_t port = 8119;
    std::string token;       // bearer token; empty = none
    std::string token_file;  // file holding the token; empty = none (not read by the loader)
    std::vector<Cidr> allow_hosts = loopback_cidrs();
    bool operator==(const Http&) const = default;
};

// [reconcile]: range-based set reconciliation with peers (server/reconcile/).
struct Reconcile {
    bool serve = true;                  // answer XRECONCILE from configured peers
    std::string groups = "*";           // the articles compared: filed in a matching group
    std::uint32_t window_days = 30;     // and with a Date this recent
    std::uint32_t interval_s = 3600;    // between runs with each `reconcile` peer; 0: on request
    std::uint32_t max_rounds = 64;      // per session, both roles
    std::uint32_t max_seconds = 300;    // per session, both roles
    std::uint32_t max_sessions = 4;     // item sets held at once for peers that asked
    std::uint64_t max_message_bytes = 500000;  // one message we send (a round)
    std::uint64_t max_differences = 1000000;   // ids learned in one session before it stops
    std::uint32_t fetch_connections = 2;       // per peer, fetching what we lack
    bool operator==(const Reconcile&) const = default;
};

// [peering] (README "Peering"): signed announcements and proposals in an announcement group.
struct Peering {
    bool announce = false;                   // post our signed announcement
    std::string group = "tidings.peering";   // where announcements and proposals travel
    std::vector<std::string> addresses;      // host:port of our pinned-TLS listener
    std::string offers = "*", wants = "*";   // groups, as wildmats
    std::uint64_t capacity = 0;              // articles a day we offer to take; 0: unsaid
    std::string contact;
    std::uint32_t announce_interval_s = 86400;
    std::uint32_t validity_s = 259200;       // our messages' Expires - Issued
    std::uint32_t max_validity_s = 604800;   // longer-lived messages are refused
    std::uint32_t max_clock_skew_s = 600;
    std::uint32_t scan_interval_s = 10;      // how often the group is read
    Seek seek = Seek::off;                   // candidates: ignore, list for the admin, propose
    std::vector<std::string> trusted_keys;   // pins whose proposals are approved at once
    std::string peers_file;                  // approvals are written here; must be included
    std::uint32_t max_proposals_per_hour = 20;  // taken from others; more are refused
    std::uint32_t max_candidates = 1000;
    bool operator==(const Peering&) const = default;
};

struct Config {
    // The files `include` named (resolved), whether they existed or not: peering's peers_file
    // must be one of them.
    std::vector<std::string> includes;
    Node node;
    Storage storage;
    std::vector<Listener> listeners{Listener{}};  // never empty after loading
    Limits limits;
    Readers readers;
    std::vector<Peer> peers;
    std::vector<Upstream> upstreams;
    std::vector<Group> groups;
    std::vector<User> users;
    Expire expire;
    Moderation moderation;
    Control control;
    Filter filter;
    Reconcile reconcile;
    Peering peering;
    Http http;
    bool operator==(const Config&) const = default;
};

struct LoadResult {
    std::optional<Config> config;     // set exactly when errors is empty
    std::vector<std::string> errors;  // "file:line:col: key.path: reason", in file order
};

// Reads and validates `path`. An unreadable file gives one error "path: cannot read: reason".
// Never throws for bad input; std::logic_error means a bug in the loader itself (a schema
// key it never reads), which the tests catch; std::bad_alloc as ever.
LoadResult load_file(const std::string& path);

// Same on text already in memory; `source_name` is the file name used in errors.
LoadResult load_string(std::string_view toml, std::string_view source_name);

// The embedded default configuration (see default_config_toml()); never fails.
Config default_config();
// Its TOML text, as printed by `tidingsd --print-default-config`. pathhost is not in it:
// it comes from default_pathhost() at load time.
std::string_view default_config_toml();

// The machine's hostname (gethostname), lowercased, with characters invalid in an RFC 5536
// path-identity replaced by '-'; "localhost" if empty. Dotless names are kept: an FQDN is
// better (RFC 5537 §3.2.1) but only the admin knows it.
std::string default_pathhost();

}  // namespace tidings::config
