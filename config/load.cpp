// TOML -> Config: walks the toml++ tree against the schema, collecting every error.
//
// One file, longer than we like: toml++ types may not appear in headers (STYLE §1), so the
// reader and the code that uses it cannot be split across files without one.
//
// Each section has a small read_* function naming its keys; TableReader does the generic
// work from the KeySpec (unknown keys, types, ranges, value syntax, required keys), so a
// key's rules live in schema.cpp only. Cross-checks that need positions (duplicates,
// references between sections) run here while the toml++ nodes are still at hand.
#include <algorithm>
#include <limits>
#include <map>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <toml++/toml.h>

#include "config/checks.h"
#include "config/config.h"
#include "config/schema.h"

namespace tidings::config {
namespace {

struct Error {
    std::uint32_t line, column;
    std::string text;  // "key.path: reason"
};

class Errors {
public:
    void add(const toml::source_region& at, std::string_view path, std::string_view reason) {
        list_.push_back({at.begin.line, at.begin.column,
                         std::string(path) + ": " + std::string(reason)});
    }
    bool empty() const { return list_.empty(); }
    std::size_t size() const { return list_.size(); }

    // Sorted by position so the output reads top to bottom, whatever order we checked in.
    std::vector<std::string> format(std::string_view file) {
        std::stable_sort(list_.begin(), list_.end(), [](const Error& a, const Error& b) {
            return std::tie(a.line, a.column) < std::tie(b.line, b.column);
        });
        std::vector<std::string> out;
        for (const auto& e : list_) {
            // Appends only: GCC 12 -O2 warns falsely (-Wrestrict) on ":" + std::string&&.
            std::string s(file);
            if (e.line != 0) {
                s.append(":").append(std::to_string(e.line));
                s.append(":").append(std::to_string(e.column));
            }
            out.push_back(s.append(": ").append(e.text));
        }
        return out;
    }

private:
    std::vector<Error> list_;
};

std::string_view type_name(toml::node_type t) {
    switch (t) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    default: return "nothing";
    }
}

// "expected a string, got an integer"
std::string expected_got(std::string_view expected, const toml::node& got) {
    std::string out = "expected ";
    out.append(expected).append(", got ").append(type_name(got.type()));
    return out;
}

std::string line_of(const toml::node& n) { return std::to_string(n.source().begin.line); }

// toml++ says "Error while parsing table header: encountered end-of-file"; we print
// "encountered end-of-file (in table header)" so the key slot of our format stays fixed.
// Control characters as \xNN: toml++'s messages quote what they saw ("saw 'f\x01'"), and an
// error line must never carry a terminal escape from the file to the admin's screen (found by
// fuzz_config).
std::string without_controls(std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if (c >= 0x20 && c != 0x7f) {
            out.push_back(ch);
            continue;
        }
        out.append("\\x");
        out.push_back(hex[c >> 4]);
        out.push_back(hex[c & 15]);
    }
    return out;
}

std::string syntax_reason(const toml::parse_error& err) {
    std::string_view d = err.description();
    constexpr std::string_view lead = "Error while parsing ";
    auto colon = d.find(": ");
    if (!d.starts_with(lead) || colon == std::string_view::npos) return without_controls(d);
    std::string out(d.substr(colon + 2));
    out.append(" (in ").append(d.substr(lead.size(), colon - lead.size())).append(")");
    return without_controls(out);
}

// A key as written, or quoted when it is not a bare key (TOML allows "any \t thing" = 1).
std::string key_text(std::string_view key) {
    bool bare = !key.empty();
    for (char c : key)
        bare = bare && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '-');
    return bare ? std::string(key) : quote(key);
}

// One TOML table checked against one SectionSpec. The constructor reports unknown keys;
// each read() fetches one declared key, checks type, range and syntax, and leaves `out`
// untouched (its struct default) when the key is absent or wrong.
class TableReader {
public:
    TableReader(const toml::table& t, const SectionSpec& spec, std::string path, Errors& errors)
        : table_(t), spec_(spec), path_(std::move(path)), errors_(errors),
          read_(spec.keys.size()) {
        std::vector<std::string> names;
        for (const auto& key : spec.keys) names.emplace_back(key.name);
        for (auto&& [k, v] : t) {
            if (find_key(spec, k.str())) continue;
            std::string child = std::string(spec.name) + "." + std::string(k.str());
            if (find_section(child)) continue;  // read by the parent's driver
            errors_.add(k.source(), path_ + "." + key_text(k.str()),
                        "unknown key" + did_you_mean(k.str(), names));
        }
    }

    // Throws std::logic_error (a bug, not bad input) unless every key of the section was
    // read: a key declared in the schema but never parsed would be silently ignored.
    void finish() const {
        for (std::size_t i = 0; i < spec_.keys.size(); ++i)
            if (!read_[i])
                throw std::logic_error("config: " + std::string(spec_.name) + "." +
                                       std::string(spec_.keys[i].name) + " is never read");
    }

    std::string key_path(std::string_view key) const { return path_ + "." + std::string(key); }
    const std::string& path() const { return path_; }
    const toml::table& table() const { return table_; }
    const toml::node* node(std::string_view key) const { return table_.get(key); }

    void read(std::string_view key, bool& out) {
        if (auto* n = fetch(spec(key, Kind::boolean), toml::node_type::boolean))
            out = n->as_boolean()->get();
    }

    template <class Int>
        requires std::is_unsigned_v<Int>
    void read(std::string_view key, Int& out) {
        const KeySpec& k = spec(key, Kind::integer, Kind::port);
        if (static_cast<std::uint64_t>(k.max) > std::numeric_limits<Int>::max() || k.min < 0)
            throw std::logic_error("config: range of " + key_path(key) + " exceeds its field");
        auto* n = fetch(k, toml::node_type::integer);
        if (!n) return;
        std::int64_t v = n->as_integer()->get();
        if (v < k.min || v > k.max) {
            std::string what = k.kind == Kind::port ? " is not a port (" : " is out of range (";
            errors_.add(n->source(), key_path(key),
                        std::to_string(v) + what + std::to_string(k.min) + "-" +
                            std::to_string(k.max) + ")");
            return;
        }
        out = static_cast<Int>(v);
    }

    // Any string kind; value_error() checks its syntax.
    void read(std::string_view key, std::string& out) {
        const KeySpec& k = spec(key, Kind::string, Kind::path);
        auto* n = fetch(k, toml::node_type::string);
        if (!n) return;
        const std::string& v = n->as_string()->get();
        if (auto why = value_error(k.kind, v)) {
            errors_.add(n->source(), key_path(key), *why);
            return;
        }
        out = v;
    }

    void read(std::string_view key, std::optional<HostPort>& out) {
        auto* n = fetch(spec(key, Kind::host_port), toml::node_type::string);
        if (!n) return;
        const std::string& v = n->as_string()->get();
        auto hp = parse_host_port(v);
        if (!hp.value) {
            errors_.add(n->source(), key_path(key), "bad host:port " + quote(v) + ": " + hp.error);
            return;
        }
        out = *hp.value;
    }

    void read(std::string_view key, std::vector<Cidr>& out) {
        std::vector<Cidr> list;
        bool ok = each_string(spec(key, Kind::cidr_list), [&](const std::string& v,
                                                              const toml::node& n, std::string p) {
            std::string why;
            if (auto c = Cidr::parse(v, &why)) list.push_back(*c);
            else errors_.add(n.source(), p, "bad address or CIDR " + quote(v) + ": " + why +
                                                host_name_hint(v));
        });
        if (ok) out = std::move(list);
    }

    // An array of names, each checked like a string of its element kind.
    void read(std::string_view key, std::vector<std::string>& out) {
        const KeySpec& k = spec(key, Kind::distributions, Kind::pathhost_list);
        std::vector<std::string> list;
        auto check = [&](const std::string& v, const toml::node& n, std::string p) {
            if (auto why = value_error(k.kind, v)) errors_.add(n.source(), p, *why);
            else list.push_back(v);
        };
        if (each_string(k, check)) out = std::move(list);
    }

    // A `choice` key: sets `out` to the enumerator at the spelling's index in spec.choices.
    template <class Enum>
        requires std::is_enum_v<Enum>
    void read(std::string_view key, Enum& out) {
        const KeySpec& k = spec(key, Kind::choice);
        auto* n = fetch(k, toml::node_type::string);
        if (!n) return;
        if (auto i = choice_index(k, *n, key_path(key))) out = static_cast<Enum>(*i);
    }

    // A `choice_list` key: which of spec.choices it lists; nullopt if absent or wrong.
    std::optional<std::vector<bool>> read_choice_list(std::string_view key) {
        const KeySpec& k = spec(key, Kind::choice_list);
        std::vector<bool> seen(k.choices.size());
        bool any = false;
        bool ok = each_string(k, [&](const std::string&, const toml::node& n, std::string p) {
            if (auto i = choice_index(k, n, p)) {
                if (seen[*i]) errors_.add(n.source(), p, quote(k.choices[*i]) + " listed twice");
                seen[*i] = any = true;
            }
        });
        if (!ok) return std::nullopt;
        if (!any) {
            errors_.add(node(key)->source(), key_path(key),
                        "must list at least one of " + choice_list(k));
            return std::nullopt;
        }
        return seen;
    }

private:
    // The schema entry for `key`, marked read. A read() naming a key that is not in the
    // schema, or with the wrong kind, is a bug in this file.
    const KeySpec& spec(std::string_view key, Kind kind, std::optional<Kind> or_kind = {}) {
        const KeySpec* k = find_key(spec_, key);
        bool string_kind = kind == Kind::string && k && value_kind_is_string(k->kind);
        if (!k || !(k->kind == kind || k->kind == or_kind || string_kind))
            throw std::logic_error("config: read() of " + std::string(spec_.name) + "." +
                                   std::string(key) + " does not match the schema");
        read_[static_cast<std::size_t>(k - spec_.keys.data())] = true;
        return *k;
    }

    static bool value_kind_is_string(Kind k) {
        switch (k) {
        case Kind::string: case Kind::path: case Kind::wildmat: case Kind::feed_wildmat:
        case Kind::address: case Kind::newsgroup: case Kind::pathhost: case Kind::domain:
        case Kind::name: case Kind::user_name: case Kind::password_hash: case Kind::mail_address:
            return true;
        default:
            return false;
        }
    }

    // The node for `k` if present and of type `want`; reports missing required keys (at
    // the table, the nearest position there is) and wrong types.
    const toml::node* fetch(const KeySpec& k, toml::node_type want) {
        const toml::node* n = table_.get(k.name);
        if (!n) {
            if (k.required) errors_.add(table_.source(), key_path(k.name), "missing required key");
            return nullptr;
        }
        if (n->type() != want) {
            errors_.add(n->source(), key_path(k.name), expected_got(type_name(want), *n));
            return nullptr;
        }
        return n;
    }

    // Calls f(value, node, path) for each string of an array key; false if the key is absent,
    // not an array, or holds a non-string (reported).
    template <class F>
    bool each_string(const KeySpec& k, F f) {
        auto* n = fetch(k, toml::node_type::array);
        if (!n) return false;
        bool ok = true;
        std::size_t i = 0;
        for (const toml::node& e : *n->as_array()) {
            std::string p = key_path(k.name) + "[" + std::to_string(i++) + "]";
            if (auto* s = e.as_string()) {
                f(s->get(), e, p);
            } else {
                errors_.add(e.source(), p, expected_got("a string", e));
                ok = false;
            }
        }
        return ok;
    }

    static std::string choice_list(const KeySpec& k) {
        std::string out;
        for (std::size_t i = 0; i < k.choices.size(); ++i) {
            if (i) out += ", ";
            out += k.choices[i];
        }
        return out;
    }

    std::optional<std::size_t> choice_index(const KeySpec& k, const toml::node& n,
                                            const std::string& p) {
        if (!n.is_string()) return std::nullopt;
        const std::string& v = n.as_string()->get();
        for (std::size_t i = 0; i < k.choices.size(); ++i)
            if (k.choices[i] == v) return i;
        errors_.add(n.source(), p, quote(v) + " is not one of " + choice_list(k));
        return std::nullopt;
    }

    const toml::table& table_;
    const SectionSpec& spec_;
    std::string path_;
    Errors& errors_;
    std::vector<bool> read_;  // by index in spec_.keys
};

// Remembers the first line of each name to report duplicates as "(first at line N)".
class UniqueNames {
public:
    explicit UniqueNames(std::string what) : what_(std::move(what)) {}
    void check(const std::string& name, const TableReader& r, std::string_view key, Errors& e) {
        const toml::node* n = r.node(key);
        if (name.empty() || !n) return;
        auto [it, fresh] = first_.emplace(name, line_of(*n));
        if (!fresh)
            e.add(n->source(), r.key_path(key), "duplicate " + what_ + " name " + quote(name) +
                                                    " (first at line " + it->second + ")");
    }
    bool contains(const std::string& name) const { return first_.count(name) != 0; }

private:
    std::string what_;
    std::map<std::string, std::string> first_;
};

void read_node(TableReader& r, Node& n) {
    r.read("pathhost", n.pathhost);
    r.read("domain", n.domain);
    r.read("data_dir", n.data_dir);
    r.read("log_level", n.log_level);
    r.read("log_format", n.log_format);
    r.read("organization", n.organization);
    r.read("motd", n.motd);
}

void read_storage(TableReader& r, Storage& s) {
    r.read("durability", s.durability);
    r.read("initial_map_mb", s.initial_map_mb);
    r.read("free_space_floor_mb", s.free_space_floor_mb);
    r.read("batch_max_articles", s.batch_max_articles);
    r.read("batch_max_kb", s.batch_max_kb);
    r.read("batch_deadline_us", s.batch_deadline_us);
    r.read("junk_unwanted", s.junk_unwanted);
}

void read_listener(TableReader& r, Listener& l, Errors& e) {
    r.read("address", l.address);
    r.read("port", l.port);
    if (auto roles = r.read_choice_list("roles")) {  // schema order: reader, transit
        l.reader = (*roles)[0];
        l.transit = (*roles)[1];
    }
    r.read("tls", l.tls);
    r.read("tls_cert", l.tls_cert);
    r.read("tls_key", l.tls_key);
    if (l.tls != Tls::none) {
        for (auto [key, value] : {std::pair{"tls_cert", &l.tls_cert}, {"tls_key", &l.tls_key}})
            if (value->empty() && !r.node(key))
                e.add(r.table().source(), r.key_path(key), "required when tls is not \"none\"");
    }
}

void read_limits(TableReader& r, Limits& l) {
    r.read("max_article_bytes", l.max_article_bytes);
    r.read("max_connections", l.max_connections);
    r.read("max_connections_per_ip", l.max_connections_per_ip);
    r.read("idle_timeout_s", l.idle_timeout_s);
    r.read("write_timeout_s", l.write_timeout_s);
    r.read("max_pipeline", l.max_pipeline);
    r.read("max_output_kb", l.max_output_kb);
    r.read("max_uncommitted_kb", l.max_uncommitted_kb);
    r.read("max_unknown_commands", l.max_unknown_commands);
}

void read_readers(TableReader& r, Readers& rd) {
    r.read("anonymous_hosts", rd.anonymous_hosts);
    r.read("anonymous_read", rd.anonymous_read);
    r.read("anonymous_post", rd.anonymous_post);
    r.read("others", rd.others);
    r.read("allow_plaintext_auth", rd.allow_plaintext_auth);
}

void read_peer(TableReader& r, Peer& p) {
    r.read("name", p.name);
    r.read("path_identity", p.path_identity);
    r.read("path_aliases", p.path_aliases);
    r.read("hosts", p.hosts);
    r.read("auth_user", p.auth_user);
    r.read("outgoing", p.outgoing);
    r.read("newsgroups", p.newsgroups);
    r.read("distributions", p.distributions);
    r.read("max_article_bytes", p.max_article_bytes);
    r.read("connections", p.connections);
    r.read("streaming", p.streaming);
    r.read("takethis_only", p.takethis_only);
    r.read("window", p.window);
    r.read("max_backlog", p.max_backlog);
    r.read("max_backlog_age_h", p.max_backlog_age_h);
    r.read("retry_s", p.retry_s);
}

void read_group(TableReader& r, Group& g) {
    r.read("name", g.name);
    r.read("status", g.status);
    r.read("description", g.description);
}

void read_user(TableReader& r, User& u) {
    r.read("name", u.name);
    r.read("password_hash", u.password_hash);
    r.read("read", u.read);
    r.read("post", u.post);
    r.read("hosts", u.hosts);
}

void read_expire(TableReader& r, Expire& x) {
    r.read("default_days", x.default_days);
    r.read("remember_days", x.remember_days);
    r.read("interval_s", x.interval_s);
}

void read_expire_rule(TableReader& r, ExpireRule& x) {
    r.read("pattern", x.pattern);
    r.read("days", x.days);
}

void read_moderation(TableReader& r, Moderation& m, Errors& e) {
    r.read("mail_command", m.mail_command);
    if (const toml::node* n = r.node("mail_command")) {
        auto words = split_command(m.mail_command);
        if (words.empty() || words.front().empty() || words.front()[0] != '/')
            e.add(n->source(), r.key_path("mail_command"),
                  "must start with an absolute program path (it is run without a shell)");
    }
    r.read("timeout_s", m.timeout_s);
}

void read_moderation_rule(TableReader& r, ModerationRule& m) {
    r.read("pattern", m.pattern);
    r.read("address", m.address);
}

void read_http(TableReader& r, Http& h, Errors& e) {
    r.read("enabled", h.enabled);
    r.read("address", h.address);
    r.read("port", h.port);
    r.read("token", h.token);
    r.read("token_file", h.token_file);
    r.read("allow_hosts", h.allow_hosts);
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
    // The nested [[expire.rule]] and [[moderation.rule]] are checked like top-level arrays.
    for (std::string_view parent : {"expire", "moderation"}) {
        const toml::table& t = section_table(root, parent);
        std::string name = std::string(parent) + ".rule";
        if (auto* rule = t.get("rule"); rule && !rule->is_array())
            e.add(rule->source(), name, expected_got("[[" + name + "]] tables", *rule));
    }
}

TableReader section_reader(const toml::table& root, std::string_view name, Errors& e) {
    return TableReader(section_table(root, name), *find_section(name), std::string(name), e);
}

void read_node_section(const toml::table& root, Config& c, Errors& e) {
    TableReader r = section_reader(root, "node", e);
    read_node(r, c.node);
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

// [[user]] before [[peer]]: a peer's auth_user must name one.
void read_accounts(const toml::table& root, Config& c, Errors& e) {
    UniqueNames users("user");
    each_section_table(root, *find_section("user"), "user", e, [&](TableReader& r) {
        User& u = c.users.emplace_back();
        read_user(r, u);
        users.check(u.name, r, "name", e);
    });
    UniqueNames peers("peer");
    each_section_table(root, *find_section("peer"), "peer", e, [&](TableReader& r) {
        Peer& p = c.peers.emplace_back();
        read_peer(r, p);
        peers.check(p.name, r, "name", e);
        if (p.path_identity.empty() && !r.node("path_identity")) p.path_identity = p.name;
        if (p.max_article_bytes == 0) p.max_article_bytes = c.limits.max_article_bytes;
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

Config build(const toml::table& root, Errors& e) {
    Config c;
    check_top_level(root, e);
    read_node_section(root, c, e);
    TableReader storage = section_reader(root, "storage", e);
    read_storage(storage, c.storage);
    TableReader limits = section_reader(root, "limits", e);
    read_limits(limits, c.limits);
    TableReader readers = section_reader(root, "readers", e);
    read_readers(readers, c.readers);
    TableReader http = section_reader(root, "http", e);
    read_http(http, c.http, e);
    TableReader expire = section_reader(root, "expire", e);
    read_expire(expire, c.expire);
    TableReader moderation = section_reader(root, "moderation", e);
    read_moderation(moderation, c.moderation, e);
    for (const TableReader* r : {&storage, &limits, &readers, &http, &expire, &moderation}) r->finish();
    each_section_table(expire.table(), *find_section("expire.rule"), "rule", e,
                       [&](TableReader& r) { read_expire_rule(r, c.expire.rules.emplace_back()); });
    each_section_table(moderation.table(), *find_section("moderation.rule"), "rule", e, [&](TableReader& r) {
        read_moderation_rule(r, c.moderation.rules.emplace_back());
    });
    read_listeners(root, c, http, e);
    read_accounts(root, c, e);
    UniqueNames groups("group");
    each_section_table(root, *find_section("group"), "group", e, [&](TableReader& r) {
        Group& g = c.groups.emplace_back();
        read_group(r, g);
        groups.check(g.name, r, "name", e);
    });
    return c;
}

}  // namespace

LoadResult load_string(std::string_view text, std::string_view source_name) {
    Errors errors;
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
    Config c = build(root, errors);
    if (errors.empty()) result.config = std::move(c);
    else result.errors = errors.format(source_name);
    return result;
}

}  // namespace tidings::config
