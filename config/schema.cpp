// The configuration schema: every key once, with its type, field, default, range and doc.
//
// field<&Struct::member> is where the loader stores the value (config/field.h); a key without
// one is read by hand in config/load.cpp. Defaults are TOML literals so that tests can load
// them and compare with the struct defaults in config.h; keep the two in step (schema_test
// does).
#include "config/schema.h"

#include <array>

#include "config/config.h"
#include "config/field.h"

namespace tidings::config {
namespace {

constexpr std::int64_t max_u32 = 4294967295;

// Spellings in the order of the enumerators in config.h: the loader maps the index of a
// spelling to the enumerator, and to_string() maps back. A choice list with an enum has one
// static_assert below that it names every enumerator.
constexpr std::string_view log_levels[] = {"trace", "debug", "info", "warn", "error"};
constexpr std::string_view log_formats[] = {"text", "json"};
constexpr std::string_view durabilities[] = {"durable", "relaxed"};
constexpr std::string_view roles[] = {"reader", "transit"};
constexpr std::string_view tls_modes[] = {"none", "starttls", "implicit"};
constexpr std::string_view others_policies[] = {"auth", "refuse"};
constexpr std::string_view client_cert_modes[] = {"none", "request", "require"};
constexpr std::string_view cancel_policies[] = {"key", "accept", "ignore"};
constexpr std::string_view group_statuses[] = {"y", "n", "m"};
constexpr std::string_view filter_actions[] = {"reject", "quarantine", "accept"};
constexpr std::string_view group_control_kinds[] = {"all", "newgroup", "rmgroup", "checkgroups"};
constexpr std::string_view group_control_actions[] = {"doit", "log", "drop", "mail"};
constexpr std::string_view seek_modes[] = {"off", "list", "propose"};

template <class Enum, std::size_t N>
constexpr bool names_every(const std::string_view (&)[N], Enum last) {
    return N == static_cast<std::size_t>(last) + 1;
}
static_assert(names_every(log_levels, LogLevel::error));
static_assert(names_every(log_formats, LogFormat::json));
static_assert(names_every(durabilities, Durability::relaxed));
static_assert(names_every(tls_modes, Tls::implicit));
static_assert(names_every(others_policies, OthersPolicy::refuse));
static_assert(names_every(client_cert_modes, ClientCerts::require));
static_assert(names_every(cancel_policies, CancelPolicy::ignore));
static_assert(names_every(group_statuses, GroupStatus::m));
static_assert(names_every(filter_actions, FilterAction::accept));
static_assert(names_every(group_control_kinds, GroupControlKinds::checkgroups));
static_assert(names_every(group_control_actions, GroupControlAction::mail));
static_assert(names_every(seek_modes, Seek::propose));

template <class Enum, std::size_t N>
std::string_view spelling(const std::string_view (&names)[N], Enum e) noexcept {
    auto i = static_cast<std::size_t>(e);
    return i < N ? names[i] : std::string_view("?");  // only a cast of a bad integer gets "?"
}

constexpr KeySpec node_keys[] = {
    {"pathhost", Kind::pathhost, field<&Node::pathhost>, "",
     "This server's Path identity (RFC 5536 §3.1.5), ideally its FQDN. "
     "Default: the machine's hostname."},
    {"domain", Kind::domain, field<&Node::domain>, "",
     "Right-hand side of Message-IDs generated for local posts. Default: `pathhost`."},
    {"data_dir", Kind::path, field<&Node::data_dir>, R"("./tidings-data")",
     "Directory of the LMDB store, created if missing; relative to the working directory."},
    {"identity_cert", Kind::path, field<&Node::identity_cert>, "",
     "The node's own certificate (PEM), whose public key peers pin (`tidingsd --print-identity`). "
     "Empty, with `identity_key`: a key pair and self-signed certificate are made on first start "
     "in `<data_dir>/identity/`."},
    {"identity_key", Kind::path, field<&Node::identity_key>, "",
     "The private key (PEM) of `identity_cert`; set both or neither."},
    {"log_level", Kind::choice, field<&Node::log_level>, R"("info")",
     "Least severe log level written.", false, 0, 0, log_levels},
    {"log_format", Kind::choice, field<&Node::log_format>, R"("text")",
     "One line per event: `key=value` text or JSON.", false, 0, 0, log_formats},
    {"organization", Kind::string, field<&Node::organization>, "",
     "Organization header added to local posts lacking one."},
    {"motd", Kind::string, field<&Node::motd>, "", "Message of the day returned by LIST MOTD."},
};

constexpr KeySpec storage_keys[] = {
    {"durability", Kind::choice, field<&Storage::durability>, R"("durable")",
     "`durable`: 235/239 only once the article is synced to disk (its batch's journal record "
     "fdatasync()ed); `relaxed`: the journal is synced only once a second — a killed process "
     "loses nothing, a machine crash may lose the last second or so (the store stays consistent).",
     false, 0, 0, durabilities},
    {"initial_map_mb", Kind::integer, field<&Storage::initial_map_mb>, "1024",
     "Initial LMDB map size in MiB: address space, not disk (the file grows as it fills). The "
     "map grows on demand; each growth syncs the store first, so fewer growths mean fewer pauses.",
     false, 1, 16777216},
    {"free_space_floor_mb", Kind::integer, field<&Storage::free_space_floor_mb>, "100",
     "Below this much free disk space, refuse articles (436/431) instead of failing.",
     false, 0, 16777216},
    {"batch_max_articles", Kind::integer, field<&Storage::batch_max_articles>, "256",
     "Most articles in one group commit.", false, 1, 100000},
    {"batch_max_kb", Kind::integer, field<&Storage::batch_max_kb>, "8192",
     "Most KiB of articles in one group commit.", false, 1, 1048576},
    {"batch_deadline_us", Kind::integer, field<&Storage::batch_deadline_us>, "0",
     "Longest wait, in microseconds, for more articles to fill a group commit; 0 commits what is "
     "queued as soon as the writer is free (batches still form while a commit runs).",
     false, 0, 1000000},
    {"junk_unwanted", Kind::boolean, field<&Storage::junk_unwanted>, "false",
     "File articles for groups we do not carry in the `junk` group instead of refusing them."},
};

constexpr KeySpec listen_keys[] = {
    {"address", Kind::address, field<&Listener::address>, R"("127.0.0.1")",
     "IPv4 or IPv6 address to listen on; `0.0.0.0` or `::` for all."},
    {"port", Kind::port, field<&Listener::port>, "1119",
     "TCP port; 0 picks a free one (tests).", false, 0, 65535},
    // Two fields, Listener::reader and Listener::transit: read by hand (load.cpp).
    {"roles", Kind::choice_list, {}, R"(["reader", "transit"])",
     "What clients may do here: read and post (`reader`), feed articles (`transit`).",
     false, 0, 0, roles},
    {"tls", Kind::choice, field<&Listener::tls>, R"("none")",
     "`starttls`: plain until STARTTLS (RFC 4642); `implicit`: TLS from the first byte.",
     false, 0, 0, tls_modes},
    {"tls_cert", Kind::path, field<&Listener::tls_cert>, "",
     "PEM certificate chain. Unset (with `tls_key`): the node's identity certificate "
     "(`[node] identity_cert`, or the one made in `<data_dir>/identity/`)."},
    {"tls_key", Kind::path, field<&Listener::tls_key>, "",
     "PEM private key of `tls_cert`; set both or neither."},
    {"client_certs", Kind::choice, field<&Listener::client_certs>, R"("none")",
     "With TLS: `request` asks clients for a certificate; one whose key is a `[[peer]]`'s "
     "`client_pin` makes the session that peer's feed, an unknown one is refused (`502`, "
     "closed). `require` also refuses clients without a certificate. `none`: never asks.",
     false, 0, 0, client_cert_modes},
};

constexpr KeySpec limits_keys[] = {
    {"max_article_bytes", Kind::integer, field<&Limits::max_article_bytes>, "1000000",
     "Largest article accepted from readers, and from peers that do not set their own.",
     false, 1024, max_u32},
    {"max_connections", Kind::integer, field<&Limits::max_connections>, "500",
     "Most simultaneous connections.", false, 1, 1000000},
    {"max_connections_per_ip", Kind::integer, field<&Limits::max_connections_per_ip>, "50",
     "Most simultaneous connections per address; an IPv6 /64 counts as one address.", false, 1,
     1000000},
    {"peer_reserved_connections", Kind::integer, field<&Limits::peer_reserved_connections>, "20",
     "Of `max_connections`, the slots only configured peers (known by address on a transit "
     "listener) may take: readers are refused `400` once only these are left. Default: 20, or a quarter "
     "of `max_connections` when that is smaller.",
     false, 0, 1000000},
    {"idle_timeout_s", Kind::integer, field<&Limits::idle_timeout_s>, "600",
     "Seconds of silence before a connection is closed; RFC 3977 §3.1 asks for at least 180.",
     false, 1, 86400},
    {"write_timeout_s", Kind::integer, field<&Limits::write_timeout_s>, "60",
     "Seconds a client may leave our output unread before it is closed.", false, 1, 86400},
    {"tls_handshake_timeout_s", Kind::integer, field<&Limits::tls_handshake_timeout_s>, "30",
     "Seconds a TLS handshake (STARTTLS or an implicit-TLS listener) may take before the "
     "connection is closed.", false, 1, 3600},
    {"line_timeout_s", Kind::integer, field<&Limits::line_timeout_s>, "30",
     "Seconds a command line may take to arrive once its first byte has, and the longest pause "
     "inside an article being sent (IHAVE, TAKETHIS, POST); then the connection is closed. "
     "Separate from `idle_timeout_s`, which only applies between commands: a client that "
     "dribbles a byte at a time (slowloris) is closed after this, not after the idle timeout.",
     false, 1, 86400},
    {"max_pipeline", Kind::integer, field<&Limits::max_pipeline>, "1024",
     "Most commands in flight on one transit connection before we stop reading.", false, 1, 65536},
    {"max_output_kb", Kind::integer, field<&Limits::max_output_kb>, "1024",
     "KiB of responses queued for one client before we stop reading its commands.",
     false, 16, 1048576},
    {"max_uncommitted_kb", Kind::integer, field<&Limits::max_uncommitted_kb>, "65536",
     "KiB of a peer's articles received but not yet committed before we stop reading.",
     false, 1024, 4194304},
    {"max_unknown_commands", Kind::integer, field<&Limits::max_unknown_commands>, "10",
     "Unknown commands tolerated before `400` and close, as INN does.", false, 1, 1000},
    {"max_posts_per_minute", Kind::integer, field<&Limits::max_posts_per_minute>, "60",
     "Articles one reader may POST a minute (in bursts of as many): counted per authenticated "
     "user, else per address (an IPv6 /64 is one). Past it POST gets `441`. 0: no limit.",
     false, 0, 1000000},
    {"max_auth_failures", Kind::integer, field<&Limits::max_auth_failures>, "5",
     "Failed AUTHINFO logins on one connection before it is closed (each failure's answer is "
     "delayed 100 ms, doubling, at most 2 s); also the failures allowed a minute per address "
     "and per user name, past which logins are refused `481` unchecked and closed.", false, 1, 1000},
    {"max_auth_waiting", Kind::integer, field<&Limits::max_auth_waiting>, "200",
     "Logins waiting for a password check, node-wide (two checks run at once). The queue is "
     "fair: a freed turn goes to the waiting address with the fewest failed logins in the last "
     "minute, then to the one served least recently. Past it, `400` and close.", false, 1, 100000},
    {"max_auth_waiting_per_ip", Kind::integer, field<&Limits::max_auth_waiting_per_ip>, "4",
     "Of `max_auth_waiting`, logins from one address (an IPv6 /64 is one). Past it, `400` and "
     "close.", false, 1, 1000},
    {"max_check_promises", Kind::integer, field<&Limits::max_check_promises>, "1000",
     "CHECKs one peer connection may have answered `238` without sending the article yet "
     "(each lapses after 5 s); past it, `431` (try later).",
     false, 1, 1000000},
    {"max_pending_cancels", Kind::integer, field<&Limits::max_pending_cancels>, "10000",
     "Cancels kept in memory until their target arrives, when `[[control.rule]]` asks for a "
     "key (the target's Cancel-Lock is needed to judge them). Past it the oldest are "
     "forgotten (`tidings_pending_cancels_dropped_total`).", false, 0, 10000000},
    {"max_body_hashes", Kind::integer, field<&Limits::max_body_hashes>, "100000",
     "Article bodies remembered (as 64-bit hashes) for `[[filter.rule]] min_body_copies`. Past "
     "it the oldest are forgotten (`tidings_filter_bodies_forgotten_total`).", false, 1, 100000000},
};

constexpr KeySpec readers_keys[] = {
    {"anonymous_hosts", Kind::cidr_list, field<&Readers::anonymous_hosts>,
     R"(["127.0.0.0/8", "::1/128"])", "Networks whose readers need no AUTHINFO."},
    {"anonymous_read", Kind::wildmat, field<&Readers::anonymous_read>, R"("*")",
     "Groups anonymous readers may read (wildmat)."},
    {"anonymous_post", Kind::wildmat, field<&Readers::anonymous_post>, R"("*")",
     "Groups anonymous readers may post to (wildmat)."},
    {"anonymous_approve", Kind::boolean, field<&Readers::anonymous_approve>, "false",
     "Anonymous readers may post articles carrying `Approved:` (approve for moderated groups)."},
    {"others", Kind::choice, field<&Readers::others>, R"("auth")",
     "Readers from other hosts: `auth` must AUTHINFO first, `refuse` get 502 at once.",
     false, 0, 0, others_policies},
    {"allow_plaintext_auth", Kind::boolean, field<&Readers::allow_plaintext_auth>, "false",
     "Allow AUTHINFO over connections that are neither TLS nor loopback."},
    {"allow_newnews", Kind::boolean, field<&Readers::allow_newnews>, "true",
     "Answer NEWNEWS (off: `502`, and CAPABILITIES leaves it out; INN's `allownewnews`)."},
};

constexpr KeySpec peer_keys[] = {
    {"name", Kind::name, field<&Peer::name>, "",
     "Unique name used in logs and queues: letters, digits, `._-`.", true},
    {"path_identity", Kind::pathhost, field<&Peer::path_identity>, "",
     "The peer's Path entry; articles whose Path has it are not sent to it. Default: `name`."},
    {"path_aliases", Kind::pathhost_list, field<&Peer::path_aliases>, "[]",
     "More Path entries meaning the peer has the article (INN's `site/exclude,...`)."},
    {"hosts", Kind::cidr_list, field<&Peer::hosts>, "[]",
     "Addresses or networks the peer may feed us from (names are not resolved)."},
    {"auth_user", Kind::user_name, field<&Peer::auth_user>, "",
     "A `[[user]]` whose authenticated sessions count as this peer feeding us."},
    {"outgoing", Kind::host_port, field<&Peer::outgoing>, "",
     "Where we feed the peer, `host:port` (`[::1]:119` for IPv6); unset = we never connect."},
    {"newsgroups", Kind::feed_wildmat, field<&Peer::newsgroups>, R"("*")",
     "Groups fed to the peer: wildmat with `!` (exclude) and `@` (exclude crossposts too)."},
    {"distributions", Kind::distributions, field<&Peer::distributions>, "[]",
     "Distributions fed to the peer; empty = all."},
    {"max_article_bytes", Kind::integer, field<&Peer::max_article_bytes>, "",
     "Largest article exchanged with the peer. Default: `limits.max_article_bytes`.",
     false, 1024, max_u32},
    {"connections", Kind::integer, field<&Peer::connections>, "1",
     "Outgoing connections to the peer.", false, 1, 64},
    {"streaming", Kind::boolean, field<&Peer::streaming>, "true",
     "Use MODE STREAM (CHECK/TAKETHIS, RFC 4644) rather than IHAVE."},
    {"takethis_only", Kind::boolean, field<&Peer::takethis_only>, "false",
     "Skip CHECK: send every article with TAKETHIS."},
    {"window", Kind::integer, field<&Peer::window>, "64",
     "Streaming commands in flight per connection.", false, 1, 4096},
    {"max_backlog", Kind::integer, field<&Peer::max_backlog>, "1000000",
     "Articles queued for the peer before the oldest are dropped.", false, 1, 1000000000},
    {"max_backlog_age_h", Kind::integer, field<&Peer::max_backlog_age_h>, "72",
     "Hours an article may wait in the queue.", false, 1, 8760},
    {"retry_s", Kind::integer, field<&Peer::retry_s>, "60",
     "Seconds between reconnection attempts.", false, 1, 86400},
    {"tls", Kind::choice, field<&Peer::tls>, R"("none")",
     "The outgoing feed over TLS 1.2 or later: `implicit` (TLS from the first byte, RFC 8143), "
     "`starttls` (RFC 4642), or `none`. With TLS, `tls_pin` or `tls_ca_file` is required; a "
     "certificate that fails them stops the connection (logged, in /status), never a fallback "
     "to plaintext.", false, 0, 0, tls_modes},
    {"tls_pin", Kind::spki_pin, field<&Peer::tls_pin>, "",
     "The peer's public-key pin, `sha256//BASE64` (`tidingsd --print-identity` on the peer): "
     "its certificate must carry that key."},
    {"tls_ca_file", Kind::path, field<&Peer::tls_ca_file>, "",
     "PEM CA certificates: the peer's certificate must chain to one and name `tls_server_name`."},
    {"tls_server_name", Kind::string, field<&Peer::tls_server_name>, "",
     "The name sent as SNI and verified against the certificate (with `tls_ca_file`); default: "
     "the host of `outgoing`."},
    {"auth_file", Kind::path, field<&Peer::auth_file>, "",
     "A file whose first line (blank and `#` lines skipped) is `username:password`: the "
     "outgoing feed logs in with AUTHINFO USER/PASS (RFC 4643) before it sends. Read at each "
     "connection; never logged. Keep it mode 0600."},
    {"compress", Kind::boolean, field<&Peer::compress>, "false",
     "COMPRESS DEFLATE (RFC 8054) on the outgoing feed, when the peer's CAPABILITIES lists it "
     "(after TLS and AUTHINFO); else the feed goes uncompressed. Saves bytes on slow links at "
     "some CPU: BENCHMARKS.md, \"Peer links\"."},
    {"client_pin", Kind::spki_pin, field<&Peer::client_pin>, "",
     "The public-key pin, `sha256//BASE64`, of the client certificate the peer presents when "
     "it feeds us over TLS (its `tidingsd --print-identity`): on a listener with "
     "`client_certs`, a session showing it is this peer's feed from any address."},
    {"reconcile", Kind::boolean, field<&Peer::reconcile>, "false",
     "Compare article sets with this peer by XRECONCILE (a Tidings peer) at start-up, when its "
     "feed reconnects, every `reconcile.interval_s` and on `tidingsctl reconcile`: what it lacks is "
     "queued to its feed, what we lack is fetched from it (or any peer that has it). Needs `outgoing`."},
};

constexpr KeySpec upstream_keys[] = {
    {"name", Kind::name, field<&Upstream::name>, "",
     "Unique name used in logs, /status and metrics: letters, digits, `._-`.", true},
    {"address", Kind::host_port, field<&Upstream::address>, "",
     "The upstream's NNTP reader service, `host:port`.", true},
    {"groups", Kind::wildmat, field<&Upstream::groups>, R"("*")",
     "Which of the groups this node carries are pulled from it (wildmat)."},
    {"connections", Kind::integer, field<&Upstream::connections>, "2",
     "Connections fetching articles from it at once.", false, 1, 32},
    {"window", Kind::integer, field<&Upstream::window>, "16",
     "ARTICLE commands in flight per connection (pipelined, RFC 3977 §3.5).", false, 1, 256},
    {"max_articles", Kind::integer, field<&Upstream::max_articles>, "20000",
     "New articles taken per group and run; the rest wait for the next run.", false, 1, 10000000},
    {"interval_s", Kind::integer, field<&Upstream::interval_s>, "900",
     "Seconds between runs; 0: only when asked (`tidingsctl pull --now`, `POST /pull`).",
     false, 0, 604800},
    {"continuous", Kind::boolean, field<&Upstream::continuous>, "false",
     "Start the next run as soon as a run fetched anything; wait `interval_s` only after an "
     "empty one."},
    {"max_age_days", Kind::integer, field<&Upstream::max_age_days>, "0",
     "Skip articles whose Date is older; 0: no cut-off.", false, 0, 36500},
    {"timeout_s", Kind::integer, field<&Upstream::timeout_s>, "60",
     "The longest wait for any answer or write; a silent upstream's connection is dropped "
     "and its articles are fetched elsewhere.", false, 1, 3600},
    {"newnews", Kind::boolean, field<&Upstream::newnews>, "false",
     "Learn new ids with one NEWNEWS `groups` since the last run (RFC 3977 §7.4; the upstream "
     "must allow it, as INN's readers.conf `newnews`) instead of reading every group; the first "
     "run, and any run whose NEWNEWS is refused, reads the groups."},
    {"tls", Kind::choice, field<&Upstream::tls>, R"("none")",
     "TLS to the upstream: `implicit` (RFC 8143), `starttls` (RFC 4642) or `none`; with TLS, "
     "`tls_pin` or `tls_ca_file` is required.", false, 0, 0, tls_modes},
    {"tls_pin", Kind::spki_pin, field<&Upstream::tls_pin>, "",
     "The upstream's public-key pin, `sha256//BASE64`."},
    {"tls_ca_file", Kind::path, field<&Upstream::tls_ca_file>, "",
     "PEM CA certificates: the upstream's certificate must chain to one and name `tls_server_name`."},
    {"tls_server_name", Kind::string, field<&Upstream::tls_server_name>, "",
     "SNI and the name verified with `tls_ca_file`; default: the host of `address`."},
    {"auth_file", Kind::path, field<&Upstream::auth_file>, "",
     "A file whose first line is `username:password` for AUTHINFO USER/PASS (RFC 4643); read "
     "at each connection, never logged."},
};

constexpr KeySpec group_keys[] = {
    {"name", Kind::newsgroup, field<&Group::name>, "",
     "Newsgroup name (RFC 5536 §3.1.4), e.g. `local.general`.", true},
    {"status", Kind::choice, field<&Group::status>, R"("y")",
     "`y` posting allowed, `n` no local posting, `m` moderated.", false, 0, 0, group_statuses},
    {"description", Kind::string, field<&Group::description>, "", "One line for LIST NEWSGROUPS."},
};

constexpr KeySpec user_keys[] = {
    {"name", Kind::user_name, field<&User::name>, "", "AUTHINFO USER name.", true},
    {"password_hash", Kind::password_hash, field<&User::password_hash>, "",
     "crypt(3) hash, `$y$…` (yescrypt) or `$6$…` (SHA-512): `mkpasswd -m yescrypt`.", true},
    {"read", Kind::wildmat, field<&User::read>, R"("*")", "Groups the user may read (wildmat)."},
    {"post", Kind::wildmat, field<&User::post>, R"("*")", "Groups the user may post to (wildmat)."},
    {"hosts", Kind::cidr_list, field<&User::hosts>, "[]",
     "Networks the user may log in from; empty = anywhere."},
    {"approve", Kind::boolean, field<&User::approve>, "false",
     "May post articles carrying `Approved:` — a moderator's right (INN's access `A`); others get 441."},
};

constexpr KeySpec expire_keys[] = {
    {"default_days", Kind::integer, field<&Expire::default_days>, "30",
     "Days articles are kept; 0 = forever.", false, 0, 100000},
    {"remember_days", Kind::integer, field<&Expire::remember_days>, "11",
     "Days the Message-ID of an expired article is remembered, to refuse it again.",
     false, 0, 100000},
    {"interval_s", Kind::integer, field<&Expire::interval_s>, "3600",
     "Seconds between expiry runs.", false, 1, 604800},
};

constexpr KeySpec expire_rule_keys[] = {
    {"pattern", Kind::wildmat, field<&ExpireRule::pattern>, "",
     "Groups the rule applies to (wildmat); first match wins.", true},
    {"days", Kind::integer, field<&ExpireRule::days>, "",
     "Days to keep their articles; 0 = forever.", true, 0, 100000},
};

constexpr KeySpec moderation_keys[] = {
    {"mail_command", Kind::string, field<&Moderation::mail_command>,
     R"("/usr/sbin/sendmail -oi -oem %s")",
     "Mailer for unapproved posts to moderated groups: split at spaces and run without a shell, "
     "`%s` replaced by the submission address; the message is its standard input."},
    {"timeout_s", Kind::integer, field<&Moderation::timeout_s>, "30",
     "Seconds the mailer may take before it is killed and the post refused.", false, 1, 3600},
};

constexpr KeySpec moderation_rule_keys[] = {
    {"pattern", Kind::wildmat, field<&ModerationRule::pattern>, "",
     "Moderated groups the rule applies to (wildmat); first match wins.", true},
    {"address", Kind::mail_address, field<&ModerationRule::address>, "",
     "Submission address; `%s` becomes the group name with `.` as `-` "
     "(`\"%s@moderators.isc.org\"`), `%%` a `%`.", true},
};

constexpr KeySpec control_keys[] = {
    {"cancel_lock_secret_file", Kind::path, field<&Control::cancel_lock_secret_file>, "",
     "Secret (at least 32 bytes) for the Cancel-Lock of local posts (RFC 8315 §4). Unset: "
     "`<data_dir>/cancel-lock.secret`, made on first start."},
    {"add_cancel_lock", Kind::boolean, field<&Control::add_cancel_lock>, "true",
     "Add a Cancel-Lock to every local post, and the matching Cancel-Key to a local user's "
     "cancel or Supersedes of their own post."},
    {"keyring", Kind::path, field<&Control::keyring>, "",
     "OpenPGP keyring (`gpg --export` output) that `[[control.group_rule]] verify` checks "
     "signatures against, with gpgv. Unset: no signature passes."},
    {"gpgv", Kind::path, field<&Control::gpgv>, R"("/usr/bin/gpgv")",
     "The gpgv program (absolute path), run for each signed group control message (10 s at most)."},
    {"mail_to", Kind::mail_address, field<&Control::mail_to>, "",
     "Where `action = \"mail\"` sends group control messages, with `moderation.mail_command`."},
};

constexpr KeySpec group_rule_keys[] = {
    {"kind", Kind::choice, field<&GroupControlRule::kind>, R"("all")",
     "Which control messages: `newgroup`, `rmgroup`, `checkgroups` or `all`.", false, 0, 0,
     group_control_kinds},
    {"pattern", Kind::wildmat, field<&GroupControlRule::pattern>, "",
     "Groups the rule is for (wildmat). For checkgroups, lines naming other groups are ignored.",
     true},
    {"sender", Kind::wildmat, field<&GroupControlRule::sender>, "",
     "Wildmat on the sender's address (Sender, else From), e.g. `\"group-admin@isc.org\"`. "
     "Unset: anyone."},
    {"verify", Kind::string, field<&GroupControlRule::verify>, "",
     "Needs a good PGP signature (X-PGP-Sig, as INN's pgpverify) by this signer: a user id of a "
     "key in `control.keyring`, or its first word. A message that fails is only logged."},
    {"action", Kind::choice, field<&GroupControlRule::action>, R"("log")",
     "`doit`: create or remove the group (checkgroups: a diff for the admin to apply); `log`: "
     "one log line; `drop`: nothing (debug log); `mail`: mailed to `control.mail_to`.",
     false, 0, 0, group_control_actions},
};

constexpr KeySpec control_rule_keys[] = {
    {"pattern", Kind::wildmat, field<&ControlRule::pattern>, "",
     "Groups of the withdrawn article the rule applies to (wildmat); the first rule matching "
     "one of them (and `sender`) wins. No rule: `key`.", true},
    {"sender", Kind::mail_address, field<&ControlRule::sender>, "",
     "Only withdrawals whose From address is this one. Unset: from anyone."},
    {"cancel", Kind::choice, field<&ControlRule::cancel>, R"("key")",
     "What a cancel (`Control: cancel`) or `Supersedes` needs: `key`, a Cancel-Key matching "
     "one of the target's Cancel-Locks (RFC 8315); `accept`, nothing; `ignore`: never "
     "applied (the control message is still stored and relayed).",
     false, 0, 0, cancel_policies},
};

constexpr KeySpec filter_keys[] = {
    {"quarantine_group", Kind::newsgroup, field<&Filter::quarantine_group>, R"("tidings.quarantine")",
     "Group of quarantined articles, made at start: hidden from readers, fed to no peer; the "
     "admin API lists and releases them."},
};

constexpr KeySpec filter_rule_keys[] = {
    {"name", Kind::name, field<&FilterRule::name>, "",
     "Names the rule in logs and `tidings_filter_matches_total`; unique.", true},
    {"sources", Kind::name_list, field<&FilterRule::sources>, "[]",
     "Where the article comes from: `[[peer]]` names, `local` for POST. Empty: everywhere."},
    {"header", Kind::string, field<&FilterRule::header>, "",
     "Header field whose value `regex` is matched against (every field of that name)."},
    {"regex", Kind::regex, field<&FilterRule::regex>, "",
     "RE2 expression found anywhere in the `header` value (unfolded); `(?i)` ignores case."},
    {"posting_host", Kind::regex, field<&FilterRule::posting_host>, "",
     "RE2 expression on the posting host: `Injection-Info`'s `posting-host` parameter, else "
     "`NNTP-Posting-Host`. An article with neither does not match."},
    {"min_bytes", Kind::integer, field<&FilterRule::min_bytes>, "0",
     "Matches articles at least this many bytes long; 0: any size.", false, 0, 1099511627776},
    {"min_groups", Kind::integer, field<&FilterRule::min_groups>, "0",
     "Matches articles crossposted to at least this many groups (`Newsgroups`); 0: any.",
     false, 0, 100000},
    {"min_followup_groups", Kind::integer, field<&FilterRule::min_followup_groups>, "0",
     "Matches articles whose `Followup-To` names at least this many groups; 0: any.",
     false, 0, 100000},
    {"min_body_copies", Kind::integer, field<&FilterRule::min_body_copies>, "0",
     "Excessive multi-posting (EMP): matches when the same body arrived at least this many "
     "times (this copy included) within `body_window_s`, under any Message-ID; 0: off.",
     false, 0, 100000000},
    {"body_window_s", Kind::integer, field<&FilterRule::body_window_s>, "3600",
     "Seconds over which `min_body_copies` counts.", false, 1, 31536000},
    {"action", Kind::choice, field<&FilterRule::action>, R"("reject")",
     "`reject`: refused (`437`/`439`, `441` to a poster) and remembered; `quarantine`: stored "
     "in `filter.quarantine_group` only; `accept`: taken, later rules skipped.",
     false, 0, 0, filter_actions},
};

constexpr KeySpec http_keys[] = {
    {"enabled", Kind::boolean, field<&Http::enabled>, "true",
     "Serve the admin and metrics HTTP endpoint."},
    {"address", Kind::address, field<&Http::address>, R"("127.0.0.1")", "Address it listens on."},
    {"port", Kind::port, field<&Http::port>, "8119",
     "TCP port; 0 picks a free one (tests).", false, 0, 65535},
    {"token", Kind::string, field<&Http::token>, "",
     "Bearer token every changing request (POST, DELETE) must carry; read-only endpoints are open "
     "to `allow_hosts`. Unset (and no `token_file`): changes are refused with 403."},
    {"token_file", Kind::path, field<&Http::token_file>, "",
     "File holding the bearer token (instead of `token`)."},
    {"allow_hosts", Kind::cidr_list, field<&Http::allow_hosts>, R"(["127.0.0.0/8", "::1/128"])",
     "Networks allowed to connect."},
};

constexpr KeySpec reconcile_keys[] = {
    {"serve", Kind::boolean, field<&Reconcile::serve>, "true",
     "Answer XRECONCILE from configured peers on transit listeners."},
    {"groups", Kind::wildmat, field<&Reconcile::groups>, R"("*")",
     "The articles compared: those filed in at least one matching group."},
    {"window_days", Kind::integer, field<&Reconcile::window_days>, "30",
     "Only articles whose Date is this recent are compared (a new node's backfill window).",
     false, 1, 36500},
    {"interval_s", Kind::integer, field<&Reconcile::interval_s>, "3600",
     "Seconds between runs with each peer that has `reconcile = true`; 0: only after a "
     "connection and on request.", false, 0, 604800},
    {"max_rounds", Kind::integer, field<&Reconcile::max_rounds>, "64",
     "Rounds one session may take, either role; then it is ended (`492`).", false, 1, 100000},
    {"max_seconds", Kind::integer, field<&Reconcile::max_seconds>, "300",
     "Seconds one session may last, either role.", false, 1, 86400},
    {"max_sessions", Kind::integer, field<&Reconcile::max_sessions>, "4",
     "Peers' sessions (item sets in memory) at once; more get `492`.", false, 1, 1000},
    {"max_message_bytes", Kind::integer, field<&Reconcile::max_message_bytes>, "500000",
     "Bytes of one message we send; the rest of the answer waits for the next round. Twice "
     "this is the most we accept.", false, 1000, 16000000},
    {"max_differences", Kind::integer, field<&Reconcile::max_differences>, "1000000",
     "Differences one session may find before it stops (a hostile or empty peer).",
     false, 1, 100000000},
    {"fetch_connections", Kind::integer, field<&Reconcile::fetch_connections>, "2",
     "Connections to each peer that fetch what runs found we lack (pipelined ARTICLE, the "
     "ids split between every peer that has them).", false, 1, 64},
};

constexpr KeySpec peering_keys[] = {
    {"announce", Kind::boolean, field<&Peering::announce>, "false",
     "Post this node's signed announcement (willing to peer) to `group`, at start and every "
     "`announce_interval_s`. Needs `addresses`."},
    {"group", Kind::newsgroup, field<&Peering::group>, R"("tidings.peering")",
     "The announcement group: announcements and proposals are articles there, flooded like any "
     "other. Must be a `[[group]]` this node carries."},
    {"addresses", Kind::host_port_list, field<&Peering::addresses>, "[]",
     "Where peers reach this node: a listener with `tls = \"implicit\"` (feeds are pinned to "
     "the node key from the first byte)."},
    {"offers", Kind::wildmat, field<&Peering::offers>, R"("*")", "Groups this node offers to feed."},
    {"wants", Kind::wildmat, field<&Peering::wants>, R"("*")", "Groups this node wants fed."},
    {"capacity", Kind::integer, field<&Peering::capacity>, "0",
     "Articles a day it offers to take (0: not said).", false, 0, 1000000000000},
    {"contact", Kind::string, field<&Peering::contact>, "", "A contact for the admin, as announced."},
    {"announce_interval_s", Kind::integer, field<&Peering::announce_interval_s>, "86400",
     "Seconds between announcements.", false, 60, 31536000},
    {"validity_s", Kind::integer, field<&Peering::validity_s>, "259200",
     "How long our announcements and proposals stay valid (Expires − Issued).", false, 60, 31536000},
    {"max_validity_s", Kind::integer, field<&Peering::max_validity_s>, "604800",
     "Messages valid for longer are refused.", false, 60, 31536000},
    {"max_clock_skew_s", Kind::integer, field<&Peering::max_clock_skew_s>, "600",
     "Messages issued further in the future are refused.", false, 0, 86400},
    {"scan_interval_s", Kind::integer, field<&Peering::scan_interval_s>, "10",
     "Seconds between reads of the announcement group.", false, 1, 86400},
    {"seek", Kind::choice, field<&Peering::seek>, R"("off")",
     "What to do with announcements of nodes we are not peered with: `off` ignore, `list` show "
     "them to the admin (GET /peering), `propose` also send the best a signed proposal.",
     false, 0, 0, seek_modes},
    {"trusted_keys", Kind::pin_list, field<&Peering::trusted_keys>, "[]",
     "Node keys (sha256// pins) whose proposals are approved without the admin (a private network)."},
    {"peers_file", Kind::path, field<&Peering::peers_file>, "",
     "The file approvals write `[[peer]]` tables to; it must be in the top-level `include`. "
     "Unset: proposals can be listed, not approved."},
    {"max_proposals_per_hour", Kind::integer, field<&Peering::max_proposals_per_hour>, "20",
     "Proposals taken from others in an hour; more are refused and counted.", false, 0, 100000},
    {"max_candidates", Kind::integer, field<&Peering::max_candidates>, "1000",
     "Announced nodes remembered; the oldest announcements are forgotten first.", false, 1, 1000000},
};

constexpr SectionSpec sections[] = {
    {"node", false, "Who this server is and where it keeps its data.", node_keys},
    {"storage", false, "The LMDB store and its group-commit writer.", storage_keys},
    {"listen", true,
     "NNTP listeners; several allowed. Without any, one on 127.0.0.1:1119 with both roles.",
     listen_keys},
    {"limits", false, "Limits on clients and peers.", limits_keys},
    {"readers", false, "Who may read and post without an account.", readers_keys},
    {"peer", true, "Transit peers, in and out (INN's newsfeeds and incoming.conf).", peer_keys},
    {"upstream", true,
     "Servers this node pulls from as a reader (Leafnode's fetchnews, INN's pullnews), all at once.",
     upstream_keys},
    {"group", true, "Newsgroups carried (INN's active file).", group_keys},
    {"user", true, "Reader accounts for AUTHINFO USER/PASS (RFC 4643).", user_keys},
    {"expire", false, "Article expiry (INN's expire.ctl).", expire_keys},
    {"expire.rule", true, "Per-group retention, before `expire.default_days`.", expire_rule_keys},
    {"moderation", false,
     "Posts to moderated groups without `Approved:` are mailed to the moderator (INN's "
     "`moderators` file and `mta`). Without a matching rule they are refused.",
     moderation_keys},
    {"moderation.rule", true, "Submission addresses of moderated groups.", moderation_rule_keys},
    {"control", false,
     "Cancels and Supersedes (RFC 5537 §5.3, §5.4) and Cancel-Lock (RFC 8315).", control_keys},
    {"control.rule", true, "Who may withdraw articles, by group and sender.", control_rule_keys},
    {"control.group_rule", true,
     "newgroup, rmgroup and checkgroups (RFC 5537 §5.2; INN's control.ctl), first match wins.",
     group_rule_keys},
    {"filter", false, "Content filters on incoming articles (INN's filter_innd, cleanfeed).",
     filter_keys},
    {"filter.rule", true, "Filter rules, tried in order; the first that matches decides.",
     filter_rule_keys},
    {"reconcile", false,
     "Range-based set reconciliation with Tidings peers (XRECONCILE): repairs what outages lost.",
     reconcile_keys},
    {"peering", false,
     "Finding peers: signed announcements and proposals in an announcement group (README "
     "\"Peering\").",
     peering_keys},
    {"http", false, "Admin and metrics HTTP endpoint.", http_keys},
};

std::string join_choices(const KeySpec& k) {
    std::string out;
    for (std::size_t i = 0; i < k.choices.size(); ++i) {
        if (i) out += ", ";
        out += "`";
        out += k.choices[i];
        out += "`";
    }
    return out;
}

}  // namespace

std::span<const SectionSpec> schema() { return sections; }

std::string_view to_string(LogLevel level) noexcept { return spelling(log_levels, level); }
std::string_view to_string(LogFormat format) noexcept { return spelling(log_formats, format); }
std::string_view to_string(Durability d) noexcept { return spelling(durabilities, d); }
std::string_view to_string(Tls tls) noexcept { return spelling(tls_modes, tls); }
std::string_view to_string(OthersPolicy p) noexcept { return spelling(others_policies, p); }
std::string_view to_string(ClientCerts c) noexcept { return spelling(client_cert_modes, c); }
std::string_view to_string(CancelPolicy p) noexcept { return spelling(cancel_policies, p); }
std::string_view to_string(FilterAction a) noexcept { return spelling(filter_actions, a); }
std::string_view to_string(GroupControlKinds k) noexcept { return spelling(group_control_kinds, k); }
std::string_view to_string(GroupControlAction a) noexcept { return spelling(group_control_actions, a); }
std::string_view to_string(GroupStatus status) noexcept { return spelling(group_statuses, status); }
std::string_view to_string(Seek s) noexcept { return spelling(seek_modes, s); }

const SectionSpec* find_section(std::string_view name) {
    for (const auto& s : sections)
        if (s.name == name) return &s;
    return nullptr;
}

const KeySpec* find_key(const SectionSpec& section, std::string_view key) {
    for (const auto& k : section.keys)
        if (k.name == key) return &k;
    return nullptr;
}

std::string type_text(const KeySpec& k) {
    auto range = [&](std::string_view what) {
        return std::string(what) + " " + std::to_string(k.min) + "–" + std::to_string(k.max);
    };
    switch (k.kind) {
    case Kind::boolean: return "boolean";
    case Kind::integer: return range("integer");
    case Kind::port: return range("port");
    case Kind::string: return "string";
    case Kind::path: return "path";
    case Kind::choice: return "one of " + join_choices(k);
    case Kind::choice_list: return "array of " + join_choices(k);
    case Kind::wildmat: return "wildmat";
    case Kind::feed_wildmat: return "feed wildmat";
    case Kind::address: return "IP address";
    case Kind::cidr_list: return "array of address or CIDR";
    case Kind::host_port: return "host:port";
    case Kind::newsgroup: return "newsgroup name";
    case Kind::pathhost: return "path identity";
    case Kind::domain: return "domain";
    case Kind::name: return "name";
    case Kind::user_name: return "user name";
    case Kind::password_hash: return "crypt(3) hash";
    case Kind::distributions: return "array of distribution names";
    case Kind::pathhost_list: return "array of path identities";
    case Kind::mail_address: return "mail address";
    case Kind::spki_pin: return "sha256//BASE64 pin";
    case Kind::regex: return "RE2 regular expression";
    case Kind::name_list: return "array of names";
    case Kind::host_port_list: return "array of host:port";
    case Kind::pin_list: return "array of sha256//BASE64 pins";
    }
    return "?";
}

}  // namespace tidings::config
