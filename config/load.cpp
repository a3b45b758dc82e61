// TOML -> Config: the sections in order, and every check that spans keys or sections.
//
// The schema drives the reading (config/schema.cpp binds each key to its field; TableReader in
// config/table_reader.cpp reads and checks them), so what is written here is only what one key
// cannot say alone: listen.roles (one key, two fields), derived defaults (node.pathhost and
// node.domain, peer.path_identity and peer.max_article_bytes), and checks across keys or
// sections (TLS files, token or token_file, the mailer path, duplicates, references between
// sections), run while the toml++ nodes and their positions are at hand.
#include <algorithm>
#include <cerrno>
#include <map>
#include <toml++/toml.h>

#include "config/checks.h"
#include "config/config.h"
#include "config/load_errors.h"
#include "config/schema.h"
#include "config/table_reader.h"

namespace tidings::config {
namespace {

void read_listener(TableReader& r, Listener& l, Errors& e) {
    r.read_fields(l);
    if (auto roles = r.read_choice_list("roles")) {  // schema order: reader, transit
        l.reader = (*roles)[0];
        l.transit = (*roles)[1];
    }
    // TLS without tls_cert and tls_key presents the node's identity (server/net/identity.h).
    if (l.tls_cert.empty() != l.tls_key.empty()) {
        const char* missing = l.tls_cert.empty() ? "tls_cert" : "tls_key";
        e.add(r.table().source(), r.key_path(missing), "required when the other TLS file is set");
    }
    if (l.client_certs != ClientCerts::none && l.tls == Tls::none)
        e.add(r.node("client_certs")->source(), r.key_path("client_certs"),
              "needs tls (certificates are only seen over TLS)");
}

void read_moderation(TableReader& r, Moderation& m, Errors& e) {
    r.read_fields(m);
    if (const toml::node* n = r.node("mail_command")) {
        auto words = split_command(m.mail_command);
        if (words.empty() || words.front().empty() || words.front()[0] != '/')
            e.add(n->source(), r.key_path("mail_command"),
                  "must start with an absolute program path (it is run without a shell)");
    }
}

void read_http(TableReader& r, Http& h, Errors& e) {
    r.read_fields(h);
    if (r.node("token") && r.node("token_file"))
        e.add(r.node("token_file")->source(), r.key_path("token_file"),
              "set token or token_file, not both");
}

const toml::table empty_table;

// The table for a [name] section of `parent`, or an empty one if absent or mistyped.
const toml::table& section_table(const toml::table& parent, std::string_view name) {
    auto* n = parent.get(name);
    return n && n->is_table() ? *n->as_table() : empty_table;
}

// Calls f(reader) for each [[name]] table of `parent`; reports non-tables.
template <class F>
void each_section_table(const toml::table& parent, const SectionSpec& spec,
                        std::string_view name, Errors& e, F f) {
    auto* n = parent.get(name);
    if (!n || !n->is_array()) return;
    std::size_t i = 0;
    for (const toml::node& elem : *n->as_array()) {
        std::string path = std::string(spec.name) + "[" + std::to_string(i) + "]";
        if (auto* t = elem.as_table()) {
            TableReader r(*t, spec, path, e);
            f(r);
            r.finish();
        } else {
            e.add(elem.source(), path, expected_got("a table", elem));
        }
        ++i;
    }
}

// Checks the top-level keys: each must be a known section of the right shape. A key that
// belongs inside a section ("pathhost" at the top) is pointed to its section.
void check_top_level(const toml::table& root, Errors& e) {
    for (auto&& [k, v] : root) {
        std::string name(k.str());
        if (name == "include") continue;  // merge_includes
        const SectionSpec* s = name.find('.') == std::string::npos ? find_section(name) : nullptr;
        if (!s) {
            std::vector<std::string> sections, homes;
            for (const auto& sec : schema()) {
                if (sec.name.find('.') == std::string_view::npos) sections.emplace_back(sec.name);
                if (find_key(sec, name)) homes.push_back(std::string(sec.name) + "." + name);
            }
            std::string hint = homes.empty() ? did_you_mean(name, sections)
                                             : " (did you mean \"" + homes.front() + "\"?)";
            e.add(k.source(), key_text(name), "unknown key" + hint);
        } else if (s->array && !v.is_array()) {
            e.add(v.source(), name, expected_got("[[" + name + "]] tables", v));
        } else if (!s->array && !v.is_table()) {
            e.add(v.source(), name, expected_got("a [" + name + "] table", v));
        }
    }
    // The nested [[expire.rule]], [[moderation.rule]] and [[control.rule]] are checked like
    // top-level arrays.
    const std::pair<std::string_view, std::string_view> nested[] = {
        {"expire", "rule"}, {"moderation", "rule"}, {"control", "rule"}, {"control", "group_rule"}, {"filter", "rule"}};
    for (auto [parent, child] : nested) {
        const toml::table& t = section_table(root, parent);
        std::string name = std::string(parent) + "." + std::string(child);
        if (auto* rule = t.get(child); rule && !rule->is_array())
            e.add(rule->source(), name, expected_got("[[" + name + "]] tables", *rule));
    }
}

TableReader section_reader(const toml::table& root, std::string_view name, Errors& e) {
    return TableReader(section_table(root, name), *find_section(name), std::string(name), e);
}

void read_node_section(const toml::table& root, Config& c, Errors& e) {
    TableReader r = section_reader(root, "node", e);
    r.read_fields(c.node);
    if (c.node.identity_cert.empty() != c.node.identity_key.empty()) {
        const char* missing = c.node.identity_cert.empty() ? "identity_cert" : "identity_key";
        e.add(r.table().source(), r.key_path(missing), "required when the other identity file is set");
    }
    r.finish();
    // An invalid pathhost or domain was reported and left empty: derive nothing from it.
    if (!r.node("pathhost")) c.node.pathhost = default_pathhost();
    if (r.node("domain") || c.node.pathhost.empty()) return;
    if (!domain_error(c.node.pathhost))
        c.node.domain = c.node.pathhost;
    else
        e.add(r.table().source(), "node.domain",
              "required: pathhost " + quote(c.node.pathhost) + " is not a domain");
}

// "127.0.0.1:119", "[::]:119": the canonical address, so "::0" and "::" collide.
std::string listener_key(const std::string& address, std::uint16_t port) {
    auto c = Cidr::parse(address);
    std::string a = c ? c->to_string() : address;
    a.resize(a.find('/') == std::string::npos ? a.size() : a.find('/'));
    if (a.find(':') != std::string::npos) a = "[" + a + "]";
    return a + ":" + std::to_string(port);
}

// [[listen]] replaces the default listener. Every address:port is bound once, the admin
// HTTP one included; port 0 (ephemeral) never collides.
void read_listeners(const toml::table& root, Config& c, const TableReader& http, Errors& e) {
    struct Bound {
        const toml::table* table;
        std::string path;
    };
    std::map<std::string, Bound> bound;
    if (root.get("listen")) c.listeners.clear();
    each_section_table(root, *find_section("listen"), "listen", e, [&](TableReader& r) {
        Listener& l = c.listeners.emplace_back();
        std::size_t errors_before = e.size();
        read_listener(r, l, e);
        // A listener with a bad address or port keeps a default one: do not compare it.
        if (l.port == 0 || e.size() != errors_before) return;
        auto [it, fresh] =
            bound.emplace(listener_key(l.address, l.port), Bound{&r.table(), r.path()});
        if (!fresh)
            e.add(r.table().source(), r.path(),
                  "duplicate listener " + it->first + " (first at line " +
                      line_of(*it->second.table) + ")");
    });
    if (auto* l = root.get("listen"); l && l->is_array() && l->as_array()->empty())
        e.add(l->source(), "listen", "at least one [[listen]] is needed");
    if (!c.http.enabled || c.http.port == 0) return;
    auto it = bound.find(listener_key(c.http.address, c.http.port));
    if (it == bound.end()) return;
    // Point at whichever side the admin wrote: http.port if set, else the listener.
    if (const toml::node* at = http.node("port"))
        e.add(at->source(), "http.port", it->first + " is already " + it->second.path + " (line " +
                                             line_of(*it->second.table) + ")");
    else
        e.add(it->second.table->source(), it->second.path,
              it->first + " is also the [http] address (http.port default)");
}

// [[upstream]] before [[filter.rule]]: a rule's sources may name one.
void read_upstreams(const toml::table& root, Config& c, Errors& e) {
    UniqueNames upstreams("upstream");
    each_section_table(root, *find_section("upstream"), "upstream", e, [&](TableReader& r) {
        Upstream& u = c.upstreams.emplace_back();
        r.read_fields(u);
        upstreams.check(u.name, r, "name", e);
        if (u.tls != Tls::none && u.tls_pin.empty() && u.tls_ca_file.empty())
            e.add(r.node("tls")->source(), r.key_path("tls_pin"),
                  "required when tls is not \"none\" (or tls_ca_file): a certificate nobody checks "
                  "proves nothing");
    });
}

// [[filter.rule]] after [[peer]]: its sources name peers (or "local").
void read_filter(const toml::table& root, Config& c, Errors& e) {
    TableReader filter = section_reader(root, "filter", e);
    filter.read_fields(c.filter);
    filter.finish();
    UniqueNames names("filter.rule");
    each_section_table(filter.table(), *find_section("filter.rule"), "rule", e, [&](TableReader& r) {
        FilterRule& rule = c.filter.rules.emplace_back();
        r.read_fields(rule);
        names.check(rule.name, r, "name", e);
        for (const auto& s : rule.sources)
            if (s != "local" && std::none_of(c.peers.begin(), c.peers.end(), [&](const Peer& p) { return p.name == s; }) &&
                std::none_of(c.upstreams.begin(), c.upstreams.end(), [&](const Upstream& u) { return u.name == s; }))
                e.add(r.node("sources")->source(), r.key_path("sources"),
                      "no [[peer]] or [[upstream]] named " + quote(s) + " (or \"local\" for posts)");
        if (rule.header.empty() != rule.regex.empty()) {
            const char* missing = rule.header.empty() ? "header" : "regex";
            const toml::node* at = r.node(rule.header.empty() ? "regex" : "header");
            e.add(at ? at->source() : r.table().source(), r.key_path(missing), "required with the other of header and regex");
        }
    });
}

// [[user]] before [[peer]]: a peer's auth_user must name one.
void read_accounts(const toml::table& root, Config& c, Errors& e) {
    UniqueNames users("user");
    each_section_table(root, *find_section("user"), "user", e, [&](TableReader& r) {
        User& u = c.users.emplace_back();
        r.read_fields(u);
        users.check(u.name, r, "name", e);
    });
    UniqueNames peers("peer");
    std::map<std::string, std::string> client_pins;  // pin -> the first peer with it
    each_section_table(root, *find_section("peer"), "peer", e, [&](TableReader& r) {
        Peer& p = c.peers.emplace_back();
        r.read_fields(p);
        peers.check(p.name, r, "name", e);
        if (p.path_identity.empty() && !r.node("path_identity")) p.path_identity = p.name;
        if (p.max_article_bytes == 0) p.max_article_bytes = c.limits.max_article_bytes;
        if (p.tls != Tls::none) {
            if (!p.outgoing)
                e.add(r.node("tls")->source(), r.key_path("tls"), "needs outgoing (TLS is for the feed we send)");
            else if (p.tls_pin.empty() && p.tls_ca_file.empty() && !r.node("tls_pin") && !r.node("tls_ca_file"))
                e.add(r.node("tls")->source(), r.key_path("tls_pin"),
                      "required when tls is not \"none\" (or tls_ca_file): a certificate nobody checks "
                      "proves nothing");
        }
        if (!p.auth_file.empty() && !p.outgoing)
            e.add(r.node("auth_file")->source(), r.key_path("auth_file"),
                  "needs outgoing (the login is for the feed we send)");
        if (p.reconcile && !p.outgoing)
            e.add(r.node("reconcile")->source(), r.key_path("reconcile"),
                  "needs outgoing (reconciliation connects where the feed goes)");
        if (!p.client_pin.empty()) {
            auto [it, fresh] = client_pins.emplace(p.client_pin, p.name);
            if (!fresh)
                e.add(r.node("client_pin")->source(), r.key_path("client_pin"),
                      "the same key as peer " + quote(it->second) + "'s");
        }
        if (!p.auth_user.empty() && !users.contains(p.auth_user))
            e.add(r.node("auth_user")->source(), r.key_path("auth_user"),
                  "no [[user]] named " + quote(p.auth_user));
        // Our own identity in a peer's place would make us drop every article we inject.
        const toml::node* id = r.node("path_identity") ? r.node("path_identity") : r.node("name");
        if (id && !p.path_identity.empty() && p.path_identity == c.node.pathhost)
            e.add(id->source(), r.key_path("path_identity"),
                  quote(p.path_identity) + " is this server's own pathhost");
    });
}

// `include = ["peers.toml", ...]`: files of [[peer]] tables (what peering approvals write,
// README "Peering"), read as if their tables followed the main file's. A relative path is taken
// from the main file's folder; a file that does not exist counts as empty (peering creates it
// at its first approval). Errors in one name that file and its line.
void merge_includes(toml::table& root, std::string_view main_name, Errors& e, std::vector<std::string>& included) {
    const toml::node* n = root.get("include");
    if (!n) return;
    const toml::array* files = n->as_array();
    if (!files) {
        e.add(n->source(), "include", expected_got("an array of file names", *n));
        return;
    }
    const auto slash = main_name.rfind('/');
    const std::string dir = slash == std::string_view::npos ? std::string() : std::string(main_name.substr(0, slash + 1));
    std::vector<toml::table> tables;
    std::size_t i = 0;
    for (const toml::node& f : *files) {
        const std::string key = "include[" + std::to_string(i++) + "]";
        const auto* name = f.as_string();
        if (!name || name->get().empty()) {
            e.add(f.source(), key, name ? "an empty file name" : expected_got("a file name", f));
            continue;
        }
        const std::string path = name->get()[0] == '/' ? name->get() : dir + name->get();
        included.push_back(path);
        std::string text;
        if (int err = read_config_text(path, text)) {
            if (err != ENOENT) e.add(f.source(), key, path + ": cannot read: " + read_error_text(err));
            continue;
        }
        toml::table inc;
        try {
            inc = toml::parse(text, path);
        } catch (const toml::parse_error& err) {
            e.add(err.source(), "include", "syntax error: " + syntax_reason(err));
            continue;
        }
        for (auto&& [k, v] : inc) {
            if (k.str() != "peer") {
                e.add(k.source(), key_text(k.str()), "an included file holds only [[peer]] tables");
            } else if (!v.is_array()) {
                e.add(v.source(), "peer", expected_got("[[peer]] tables", v));
            } else {
                // Moved, not copied: a copied toml++ node forgets its file and line.
                for (toml::node& t : *v.as_array()) {
                    if (auto* table = t.as_table()) tables.push_back(std::move(*table));
                    else e.add(t.source(), "peer", expected_got("a table", t));
                }
            }
        }
    }
    root.erase("include");
    if (tables.empty()) return;
    if (!root.get("peer")) root.insert("peer", toml::array{});
    if (toml::array* peers = root.get("peer")->as_array())
        for (auto& t : tables) peers->push_back(std::move(t));
}

// [peering] against the rest: where it announces, the group it uses, the file it writes.
void check_peering(const TableReader& r, Config& c, std::string_view main_name, Errors& e) {
    const Peering& p = c.peering;
    if (p.announce && p.addresses.empty())
        e.add(r.node("announce")->source(), r.key_path("addresses"), "required with announce = true (where peers reach us)");
    if ((p.announce || p.seek != Seek::off) &&
        std::none_of(c.groups.begin(), c.groups.end(), [&](const Group& g) { return g.name == p.group; })) {
        const toml::node* at = r.node("group") ? r.node("group") : r.node("announce") ? r.node("announce") : r.node("seek");
        if (at) e.add(at->source(), r.key_path("group"), "no [[group]] named " + quote(p.group) + " (it must be carried)");
    }
    if (!p.peers_file.empty()) {
        const auto slash = main_name.rfind('/');
        const std::string resolved = p.peers_file[0] == '/' || slash == std::string_view::npos
                                         ? p.peers_file
                                         : std::string(main_name.substr(0, slash + 1)) + p.peers_file;
        c.peering.peers_file = resolved;
        if (std::find(c.includes.begin(), c.includes.end(), resolved) == c.includes.end())
            e.add(r.node("peers_file")->source(), r.key_path("peers_file"),
                  "must be listed in the top-level include (approvals write there; your file is never rewritten)");
    }
}

Config build(const toml::table& root, Errors& e, std::string_view main_name, std::vector<std::string> included) {
    Config c;
    c.includes = std::move(included);
    check_top_level(root, e);
    read_node_section(root, c, e);
    TableReader storage = section_reader(root, "storage", e);
    storage.read_fields(c.storage);
    TableReader limits = section_reader(root, "limits", e);
    limits.read_fields(c.limits);
    // Derived default: 20, or a quarter of a smaller max_connections, so that lowering only
    // max_connections never locks readers out.
    if (!limits.node("peer_reserved_connections"))
        c.limits.peer_reserved_connections = std::min<std::uint32_t>(20, c.limits.max_connections / 4);
    else if (c.limits.peer_reserved_connections >= c.limits.max_connections)
        e.add(limits.node("peer_reserved_connections")->source(), limits.key_path("peer_reserved_connections"),
              "must be less than limits.max_connections (" + std::to_string(c.limits.max_connections) +
                  "), or no reader could connect");
    TableReader readers = section_reader(root, "readers", e);
    readers.read_fields(c.readers);
    TableReader http = section_reader(root, "http", e);
    read_http(http, c.http, e);
    TableReader expire = section_reader(root, "expire", e);
    expire.read_fields(c.expire);
    TableReader moderation = section_reader(root, "moderation", e);
    read_moderation(moderation, c.moderation, e);
    TableReader control = section_reader(root, "control", e);
    control.read_fields(c.control);
    TableReader reconcile = section_reader(root, "reconcile", e);
    reconcile.read_fields(c.reconcile);
    TableReader peering = section_reader(root, "peering", e);
    peering.read_fields(c.peering);
    // gpgv looks a keyring named without a '/' up in ~/.gnupg, and runs argv[0] as given.
    for (const char* key : {"keyring", "gpgv"}) {
        const std::string& v = std::string_view(key) == "keyring" ? c.control.keyring : c.control.gpgv;
        if (!v.empty() && v[0] != '/' && control.node(key))
            e.add(control.node(key)->source(), control.key_path(key), "must be an absolute path");
    }
    for (const TableReader* r : {&storage, &limits, &readers, &http, &expire, &moderation, &control, &reconcile, &peering})
        r->finish();
    each_section_table(expire.table(), *find_section("expire.rule"), "rule", e,
                       [&](TableReader& r) { r.read_fields(c.expire.rules.emplace_back()); });
    each_section_table(moderation.table(), *find_section("moderation.rule"), "rule", e,
                       [&](TableReader& r) { r.read_fields(c.moderation.rules.emplace_back()); });
    each_section_table(control.table(), *find_section("control.rule"), "rule", e,
                       [&](TableReader& r) { r.read_fields(c.control.rules.emplace_back()); });
    each_section_table(control.table(), *find_section("control.group_rule"), "group_rule", e, [&](TableReader& r) {
        GroupControlRule& g = c.control.group_rules.emplace_back();
        r.read_fields(g);
        if (!g.verify.empty() && c.control.keyring.empty())
            e.add(r.node("verify")->source(), r.key_path("verify"), "needs control.keyring (the keys it is checked against)");
        if (g.action == GroupControlAction::mail && c.control.mail_to.empty() && r.node("action"))
            e.add(r.node("action")->source(), r.key_path("action"), "\"mail\" needs control.mail_to");
    });
    read_listeners(root, c, http, e);
    read_accounts(root, c, e);
    read_upstreams(root, c, e);
    read_filter(root, c, e);
    UniqueNames groups("group");
    each_section_table(root, *find_section("group"), "group", e, [&](TableReader& r) {
        Group& g = c.groups.emplace_back();
        r.read_fields(g);
        groups.check(g.name, r, "name", e);
    });
    check_peering(peering, c, main_name, e);
    return c;
}

}  // namespace

LoadResult load_string(std::string_view text, std::string_view source_name) {
    Errors errors;
    errors.set_main(std::string(source_name));
    LoadResult result;
    toml::table root;
    try {
        root = toml::parse(text, std::string(source_name));
    } catch (const toml::parse_error& err) {
        const auto& at = err.source().begin;
        std::string line(source_name);
        line.append(":").append(std::to_string(at.line));
        line.append(":").append(std::to_string(at.column));
        result.errors.push_back(line.append(": syntax error: ").append(syntax_reason(err)));
        return result;
    }
    std::vector<std::string> included;
    merge_includes(root, source_name, errors, included);
    Config c = build(root, errors, source_name, std::move(included));
    if (errors.empty()) result.config = std::move(c);
    else result.errors = errors.format(source_name);
    return result;
}

}  // namespace tidings::config
