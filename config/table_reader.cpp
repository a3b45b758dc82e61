// TableReader: one TOML table checked key by key against its SectionSpec (table_reader.h).
#include "config/table_reader.h"

#include <limits>
#include <stdexcept>
#include <type_traits>

#include "config/checks.h"

namespace tidings::config {
namespace {

bool is_string_kind(Kind k) {
    switch (k) {
    case Kind::string: case Kind::path: case Kind::wildmat: case Kind::feed_wildmat:
    case Kind::address: case Kind::newsgroup: case Kind::pathhost: case Kind::domain:
    case Kind::name: case Kind::user_name: case Kind::password_hash: case Kind::mail_address:
    case Kind::spki_pin: case Kind::regex:
        return true;
    default:
        return false;
    }
}

std::string choice_list(const KeySpec& k) {
    std::string out;
    for (std::size_t i = 0; i < k.choices.size(); ++i) {
        if (i) out += ", ";
        out += k.choices[i];
    }
    return out;
}

}  // namespace

TableReader::TableReader(const toml::table& t, const SectionSpec& spec, std::string path,
                         Errors& errors)
    : table_(t), spec_(spec), path_(std::move(path)), errors_(errors), read_(spec.keys.size()) {
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

void TableReader::read_fields(const void* owner, void* object) {
    for (const KeySpec& k : spec_.keys) {
        if (!k.field.read) continue;  // read by hand: see its section in load.cpp
        if (k.field.owner != owner)
            throw std::logic_error("config: " + std::string(spec_.name) + "." +
                                   std::string(k.name) + " is bound to a field of another struct");
        k.field.read(*this, k, object);
    }
}

void TableReader::finish() const {
    for (std::size_t i = 0; i < spec_.keys.size(); ++i)
        if (!read_[i])
            throw std::logic_error("config: " + std::string(spec_.name) + "." +
                                   std::string(spec_.keys[i].name) + " is never read");
}

void TableReader::read(const KeySpec& key, bool& out) {
    if (auto* n = fetch(mark_read(key, Kind::boolean), toml::node_type::boolean))
        out = n->as_boolean()->get();
}

void TableReader::read(const KeySpec& key, std::uint16_t& out) { read_unsigned(key, out); }
void TableReader::read(const KeySpec& key, std::uint32_t& out) { read_unsigned(key, out); }
void TableReader::read(const KeySpec& key, std::uint64_t& out) { read_unsigned(key, out); }

template <class Int>
void TableReader::read_unsigned(const KeySpec& key, Int& out) {
    static_assert(std::is_unsigned_v<Int>);
    const KeySpec& k = mark_read(key, Kind::integer, Kind::port);
    if (static_cast<std::uint64_t>(k.max) > std::numeric_limits<Int>::max() || k.min < 0)
        throw std::logic_error("config: range of " + key_path(k.name) + " exceeds its field");
    auto* n = fetch(k, toml::node_type::integer);
    if (!n) return;
    std::int64_t v = n->as_integer()->get();
    if (v < k.min || v > k.max) {
        std::string what = k.kind == Kind::port ? " is not a port (" : " is out of range (";
        errors_.add(n->source(), key_path(k.name),
                    std::to_string(v) + what + std::to_string(k.min) + "-" +
                        std::to_string(k.max) + ")");
        return;
    }
    out = static_cast<Int>(v);
}

void TableReader::read(const KeySpec& key, std::string& out) {
    const KeySpec& k = mark_read(key, Kind::string);
    auto* n = fetch(k, toml::node_type::string);
    if (!n) return;
    const std::string& v = n->as_string()->get();
    if (auto why = value_error(k.kind, v)) {
        errors_.add(n->source(), key_path(k.name), *why);
        return;
    }
    out = v;
}

void TableReader::read(const KeySpec& key, std::optional<HostPort>& out) {
    auto* n = fetch(mark_read(key, Kind::host_port), toml::node_type::string);
    if (!n) return;
    const std::string& v = n->as_string()->get();
    auto hp = parse_host_port(v);
    if (!hp.value) {
        errors_.add(n->source(), key_path(key.name), "bad host:port " + quote(v) + ": " + hp.error);
        return;
    }
    out = *hp.value;
}

void TableReader::read(const KeySpec& key, std::vector<Cidr>& out) {
    std::vector<Cidr> list;
    auto check = [&](const std::string& v, const toml::node& n, std::string p) {
        std::string why;
        if (auto c = Cidr::parse(v, &why)) list.push_back(*c);
        else errors_.add(n.source(), p, "bad address or CIDR " + quote(v) + ": " + why +
                                            host_name_hint(v));
    };
    if (each_string(mark_read(key, Kind::cidr_list), check)) out = std::move(list);
}

// An array of names, each checked like a string of its element kind.
void TableReader::read(const KeySpec& key, std::vector<std::string>& out) {
    const KeySpec& k = mark_read(key, Kind::distributions, Kind::pathhost_list);
    std::vector<std::string> list;
    auto check = [&](const std::string& v, const toml::node& n, std::string p) {
        if (auto why = value_error(k.kind, v)) errors_.add(n.source(), p, *why);
        else list.push_back(v);
    };
    if (each_string(k, check)) out = std::move(list);
}

std::optional<std::size_t> TableReader::read_choice(const KeySpec& key) {
    const KeySpec& k = mark_read(key, Kind::choice);
    auto* n = fetch(k, toml::node_type::string);
    if (!n) return std::nullopt;
    return choice_index(k, *n, key_path(k.name));
}

std::optional<std::vector<bool>> TableReader::read_choice_list(std::string_view key) {
    const KeySpec* found = find_key(spec_, key);
    if (!found) throw std::logic_error("config: " + key_path(key) + " is not in the schema");
    const KeySpec& k = mark_read(*found, Kind::choice_list);
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

// Marks `k` read. A read of a key that is not this section's, or into a field its Kind does
// not fit, is a bug in the schema's bindings or in load.cpp.
const KeySpec& TableReader::mark_read(const KeySpec& k, Kind kind, std::optional<Kind> or_kind) {
    bool ours = &k >= spec_.keys.data() && &k < spec_.keys.data() + spec_.keys.size();
    // The string lists share one reader.
    bool list = kind == Kind::distributions &&
                (k.kind == Kind::name_list || k.kind == Kind::host_port_list || k.kind == Kind::pin_list);
    bool fits = k.kind == kind || k.kind == or_kind || list ||
                (kind == Kind::string && is_string_kind(k.kind));
    if (!ours || !fits)
        throw std::logic_error("config: read of " + std::string(spec_.name) + "." +
                               std::string(k.name) + " does not match the schema");
    read_[static_cast<std::size_t>(&k - spec_.keys.data())] = true;
    return k;
}

// The node for `k` if present and of type `want`; reports missing required keys (at the
// table, the nearest position there is) and wrong types.
const toml::node* TableReader::fetch(const KeySpec& k, toml::node_type want) {
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
bool TableReader::each_string(const KeySpec& k, F f) {
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

std::optional<std::size_t> TableReader::choice_index(const KeySpec& k, const toml::node& n,
                                                     const std::string& path) {
    if (!n.is_string()) return std::nullopt;
    const std::string& v = n.as_string()->get();
    for (std::size_t i = 0; i < k.choices.size(); ++i)
        if (k.choices[i] == v) return i;
    errors_.add(n.source(), path, quote(v) + " is not one of " + choice_list(k));
    return std::nullopt;
}

void UniqueNames::check(const std::string& name, const TableReader& r, std::string_view key,
                        Errors& e) {
    const toml::node* n = r.node(key);
    if (name.empty() || !n) return;
    auto [it, fresh] = first_.emplace(name, line_of(*n));
    if (!fresh)
        e.add(n->source(), r.key_path(key), "duplicate " + what_ + " name " + quote(name) +
                                                " (first at line " + it->second + ")");
}

}  // namespace tidings::config
