#include "config/schema.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "config/config.h"

namespace tidings::config {
namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    EXPECT_TRUE(in) << path;
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

const std::string source_dir = TIDINGS_SOURCE_DIR;
const std::string example_path = source_dir + "/config/tidings.example.toml";

TEST(Schema, EveryKeyIsWellFormed) {
    std::set<std::string> sections;
    for (const auto& s : schema()) {
        EXPECT_TRUE(sections.insert(std::string(s.name)).second) << s.name;
        EXPECT_FALSE(s.doc.empty()) << s.name;
        std::set<std::string_view> keys;
        for (const auto& k : s.keys) {
            std::string where = std::string(s.name) + "." + std::string(k.name);
            EXPECT_TRUE(keys.insert(k.name).second) << where;
            EXPECT_FALSE(k.doc.empty()) << where;
            EXPECT_FALSE(k.required && !k.def.empty()) << where;
            bool choice = k.kind == Kind::choice || k.kind == Kind::choice_list;
            EXPECT_EQ(choice, !k.choices.empty()) << where;
            if (k.kind == Kind::integer || k.kind == Kind::port) {
                EXPECT_LT(k.min, k.max) << where;
            }
            EXPECT_EQ(find_key(s, k.name), &k);
        }
        EXPECT_EQ(find_section(s.name), &s);
    }
}

// Loads "[section]\nkey = default..." for every key with a literal default.
std::string defaults_toml(const SectionSpec& s, std::string_view required = "") {
    std::string out = (s.array ? "[[" : "[") + std::string(s.name) + (s.array ? "]]\n" : "]\n");
    out += required;
    for (const auto& k : s.keys)
        if (!k.def.empty()) out += std::string(k.name) + " = " + std::string(k.def) + "\n";
    return out;
}

Config load_ok(const std::string& toml) {
    LoadResult r = load_string(toml, "defaults.toml");
    EXPECT_EQ(r.errors, std::vector<std::string>{}) << toml;
    return r.config.value_or(Config{});
}

TEST(Schema, DocumentedDefaultsAreTheStructDefaults) {
    const Config d;
    Config node = load_ok(defaults_toml(*find_section("node")));
    node.node.pathhost = node.node.domain = "";  // derived at load time, empty in the struct
    EXPECT_EQ(node.node, d.node);
    EXPECT_EQ(load_ok(defaults_toml(*find_section("storage"))).storage, d.storage);
    EXPECT_EQ(load_ok(defaults_toml(*find_section("listen"))).listeners, d.listeners);
    EXPECT_EQ(load_ok(defaults_toml(*find_section("limits"))).limits, d.limits);
    EXPECT_EQ(load_ok(defaults_toml(*find_section("readers"))).readers, d.readers);
    EXPECT_EQ(load_ok(defaults_toml(*find_section("expire"))).expire, d.expire);
    EXPECT_EQ(load_ok(defaults_toml(*find_section("moderation"))).moderation, d.moderation);
    EXPECT_EQ(load_ok(defaults_toml(*find_section("control"))).control, d.control);
    EXPECT_EQ(load_ok(defaults_toml(*find_section("http"))).http, d.http);
    EXPECT_EQ(load_ok(defaults_toml(*find_section("reconcile"))).reconcile, d.reconcile);

    Peer peer;
    peer.name = peer.path_identity = "hub";
    peer.max_article_bytes = d.limits.max_article_bytes;
    EXPECT_EQ(load_ok(defaults_toml(*find_section("peer"), "name = \"hub\"\n")).peers,
              std::vector<Peer>{peer});
    Upstream up;
    up.name = "up";
    up.address = HostPort{"192.0.2.1", 119};
    EXPECT_EQ(load_ok(defaults_toml(*find_section("upstream"), "name = \"up\"\naddress = \"192.0.2.1:119\"\n")).upstreams,
              std::vector<Upstream>{up});
    Group group;
    group.name = "a.b";
    EXPECT_EQ(load_ok(defaults_toml(*find_section("group"), "name = \"a.b\"\n")).groups,
              std::vector<Group>{group});
    User user;
    user.name = "joe";
    user.password_hash = "$6$saltsalt$x";
    EXPECT_EQ(load_ok(defaults_toml(*find_section("user"),
                                    "name = \"joe\"\npassword_hash = \"$6$saltsalt$x\"\n"))
                  .users,
              std::vector<User>{user});
}

// Only listen.roles (one key, two fields) is read by hand; every other key names its field.
TEST(Schema, EveryKeyButListenRolesHasAField) {
    for (const auto& s : schema())
        for (const auto& k : s.keys) {
            bool by_hand = s.name == "listen" && k.name == "roles";
            EXPECT_EQ(k.field.read == nullptr, by_hand) << s.name << "." << k.name;
            EXPECT_EQ(k.field.owner == nullptr, by_hand) << s.name << "." << k.name;
        }
}

// A valid value unlike the key's default (and unlike the fillers of required keys below).
std::string probe_value(const KeySpec& k) {
    switch (k.kind) {
    case Kind::boolean: return k.def == "true" ? "false" : "true";
    case Kind::integer:
    case Kind::port:
        return std::to_string(k.def == std::to_string(k.min) ? k.max : k.min);
    case Kind::choice: {
        std::string last = "\"" + std::string(k.choices.back()) + "\"";
        return k.def == last ? "\"" + std::string(k.choices.front()) + "\"" : last;
    }
    case Kind::string:  // moderation.mail_command needs an absolute program path
    case Kind::path: return R"("/probe")";
    case Kind::mail_address: return R"("probe@example.org")";
    case Kind::spki_pin: return R"("sha256//BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=")";
    case Kind::wildmat:
    case Kind::feed_wildmat: return R"("probe.*")";
    case Kind::address: return R"("192.0.2.1")";
    case Kind::host_port: return R"("192.0.2.1:119")";
    case Kind::cidr_list: return R"(["192.0.2.0/24"])";
    case Kind::newsgroup: return R"("probe.group")";
    case Kind::pathhost: return R"("probe.example")";
    case Kind::domain: return R"("probe-domain.example")";  // not node.domain's derived value
    case Kind::pathhost_list: return R"(["probe.example"])";
    case Kind::distributions: return R"(["probe"])";
    case Kind::name:
    case Kind::user_name:
    case Kind::regex: return R"("probe")";
    case Kind::name_list: return R"(["probe"])";
    case Kind::host_port_list: return R"(["probe.example:563"])";
    case Kind::pin_list: return R"(["sha256//BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB="])";
    case Kind::password_hash: return R"("$y$probeprobe")";
    case Kind::choice_list: break;
    }
    return "";
}

// The schema binds each key to a field by hand (field<&Struct::member>); a row naming the wrong
// member compiles. So: setting one key alone to a value unlike its default changes its section,
// and setting two keys of a section changes it unlike setting either alone (were both bound to
// one field, the later would overwrite the earlier).
TEST(Schema, EachKeyReachesItsOwnField) {
    struct Probe {
        const char* section;
        const char* before;  // sections the probes need, e.g. a [[user]] for peer.auth_user
        const char* fillers;  // values for required keys (a probe of one replaces it)
        bool (*same)(const Config&, const Config&);
    };
    const Probe probes[] = {
        {"node", "", "identity_cert = \"/c\"\nidentity_key = \"/k\"\n",  // set both or neither
         [](const Config& a, const Config& b) { return a.node == b.node; }},
        {"storage", "", "",
         [](const Config& a, const Config& b) { return a.storage == b.storage; }},
        {"listen", "", "tls = \"starttls\"\ntls_cert = \"/c\"\ntls_key = \"/k\"\n",  // for client_certs
         [](const Config& a, const Config& b) { return a.listeners == b.listeners; }},
        {"limits", "", "", [](const Config& a, const Config& b) { return a.limits == b.limits; }},
        {"readers", "", "",
         [](const Config& a, const Config& b) { return a.readers == b.readers; }},
        {"peer", "[[user]]\nname = \"probe\"\npassword_hash = \"$6$saltsalt$x\"\n",
         "name = \"hub\"\noutgoing = \"192.0.2.9:119\"\n"  // outgoing and a pin: for tls = "implicit"
         "tls_pin = \"sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"\n",
         [](const Config& a, const Config& b) { return a.peers == b.peers; }},
        {"upstream", "", "name = \"up\"\naddress = \"192.0.2.9:119\"\n"
         "tls_pin = \"sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"\n",
         [](const Config& a, const Config& b) { return a.upstreams == b.upstreams; }},
        {"group", "", "name = \"a.b\"\n",
         [](const Config& a, const Config& b) { return a.groups == b.groups; }},
        {"user", "", "name = \"joe\"\npassword_hash = \"$6$saltsalt$x\"\n",
         [](const Config& a, const Config& b) { return a.users == b.users; }},
        {"expire", "", "", [](const Config& a, const Config& b) { return a.expire == b.expire; }},
        {"expire.rule", "", "pattern = \"*\"\ndays = 1\n",
         [](const Config& a, const Config& b) { return a.expire.rules == b.expire.rules; }},
        {"moderation", "", "",
         [](const Config& a, const Config& b) { return a.moderation == b.moderation; }},
        {"moderation.rule", "", "pattern = \"*\"\naddress = \"a@b.example\"\n",
         [](const Config& a, const Config& b) { return a.moderation.rules == b.moderation.rules; }},
        {"control", "", "", [](const Config& a, const Config& b) { return a.control == b.control; }},
        {"control.rule", "", "pattern = \"*\"\n",
         [](const Config& a, const Config& b) { return a.control.rules == b.control.rules; }},
        {"control.group_rule", "[control]\nkeyring = \"/k\"\nmail_to = \"a@b.example\"\n", "pattern = \"*\"\n",
         [](const Config& a, const Config& b) { return a.control.group_rules == b.control.group_rules; }},
        {"filter", "", "", [](const Config& a, const Config& b) { return a.filter == b.filter; }},
        {"filter.rule", "[[peer]]\nname = \"probe\"\n", "name = \"r\"\nheader = \"Subject\"\nregex = \"x\"\n",
         [](const Config& a, const Config& b) { return a.filter.rules == b.filter.rules; }},
        {"reconcile", "", "", [](const Config& a, const Config& b) { return a.reconcile == b.reconcile; }},
        // The groups it may name carried, and peers_file's probe value included.
        {"peering", "include = [\"/probe\"]\n[[group]]\nname = \"tidings.peering\"\n[[group]]\nname = \"probe.group\"\n",
         "addresses = [\"a.example:563\"]\n",
         [](const Config& a, const Config& b) { return a.peering == b.peering; }},
        {"http", "", "", [](const Config& a, const Config& b) { return a.http == b.http; }},
    };
    std::size_t sections = 0;
    for (const auto& p : probes) {
        const SectionSpec* s = find_section(p.section);
        ASSERT_TRUE(s) << p.section;
        ++sections;
        std::vector<const KeySpec*> keys;
        for (const auto& k : s->keys)
            if (k.field.read) keys.push_back(&k);
        // The section with `set` (key = probe value) and the fillers of the keys not in it.
        auto load_with = [&](std::vector<const KeySpec*> set) {
            std::string text = p.before;
            text += (s->array ? "[[" : "[") + std::string(s->name) + (s->array ? "]]\n" : "]\n");
            std::istringstream fillers(p.fillers);
            for (std::string f; std::getline(fillers, f);) {
                bool probed = false;
                for (const KeySpec* k : set)
                    probed = probed || f.starts_with(std::string(k->name) + " =");
                if (!probed) text += f + "\n";
            }
            for (const KeySpec* k : set)
                text += std::string(k->name) + " = " + probe_value(*k) + "\n";
            return load_ok(text);
        };
        const Config baseline = load_with({});
        std::vector<Config> alone;
        for (const KeySpec* k : keys) {
            alone.push_back(load_with({k}));
            EXPECT_FALSE(p.same(alone.back(), baseline))
                << s->name << "." << k->name << " changed nothing";
        }
        for (std::size_t a = 0; a < keys.size(); ++a)
            for (std::size_t b = a + 1; b < keys.size(); ++b) {
                // Both set is an error of its own; each alone was checked above.
                if (s->name == "http" && keys[a]->name == "token" && keys[b]->name == "token_file")
                    continue;
                // max_connections alone also lowers peer_reserved_connections' derived default
                // (a quarter of it), here to 0, the probe value of the other: alike by design.
                if (s->name == "limits" && keys[a]->name == "max_connections" &&
                    keys[b]->name == "peer_reserved_connections")
                    continue;
                Config both = load_with({keys[a], keys[b]});
                EXPECT_FALSE(p.same(both, alone[a]) || p.same(both, alone[b]))
                    << s->name << "." << keys[a]->name << " and " << keys[b]->name
                    << " set one field";
            }
    }
    EXPECT_EQ(sections, schema().size()) << "a section without a probe row here";
}

// config.h declares each enum in the order of its spellings in the schema.
TEST(Schema, ChoiceSpellingsMapToTheirEnumerators) {
    struct Row {
        const char* section;
        const char* key;
        const char* prefix;  // keys a [[section]] needs besides this one
        int (*get)(const Config&);
        std::string_view (*name)(int);  // to_string of the enumerator
        const char* before = "";        // TOML before the section (keys of its parent)
    };
    const Row rows[] = {
        {"node", "log_level", "", [](const Config& c) { return int(c.node.log_level); },
         [](int i) { return to_string(LogLevel(i)); }},
        {"node", "log_format", "", [](const Config& c) { return int(c.node.log_format); },
         [](int i) { return to_string(LogFormat(i)); }},
        {"storage", "durability", "", [](const Config& c) { return int(c.storage.durability); },
         [](int i) { return to_string(Durability(i)); }},
        {"listen", "tls", "tls_cert = \"c\"\ntls_key = \"k\"\n",
         [](const Config& c) { return int(c.listeners.at(0).tls); },
         [](int i) { return to_string(Tls(i)); }},
        {"listen", "client_certs", "tls = \"implicit\"\ntls_cert = \"c\"\ntls_key = \"k\"\n",
         [](const Config& c) { return int(c.listeners.at(0).client_certs); },
         [](int i) { return to_string(ClientCerts(i)); }},
        {"readers", "others", "", [](const Config& c) { return int(c.readers.others); },
         [](int i) { return to_string(OthersPolicy(i)); }},
        {"peer", "tls", "name = \"hub\"\noutgoing = \"192.0.2.9:119\"\n"
                        "tls_pin = \"sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"\n",
         [](const Config& c) { return int(c.peers.at(0).tls); },
         [](int i) { return to_string(Tls(i)); }},
        {"upstream", "tls", "name = \"up\"\naddress = \"192.0.2.9:119\"\n"
                            "tls_pin = \"sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"\n",
         [](const Config& c) { return int(c.upstreams.at(0).tls); },
         [](int i) { return to_string(Tls(i)); }},
        {"control.rule", "cancel", "pattern = \"*\"\n",
         [](const Config& c) { return int(c.control.rules.at(0).cancel); },
         [](int i) { return to_string(CancelPolicy(i)); }},
        {"control.group_rule", "kind", "pattern = \"*\"\n",
         [](const Config& c) { return int(c.control.group_rules.at(0).kind); },
         [](int i) { return to_string(GroupControlKinds(i)); }},
        {"control.group_rule", "action", "pattern = \"*\"\n",
         [](const Config& c) { return int(c.control.group_rules.at(0).action); },
         [](int i) { return to_string(GroupControlAction(i)); }, "[control]\nmail_to = \"a@b.example\"\n"},
        {"filter.rule", "action", "name = \"r\"\n",
         [](const Config& c) { return int(c.filter.rules.at(0).action); },
         [](int i) { return to_string(FilterAction(i)); }},
        {"group", "status", "name = \"a.b\"\n",
         [](const Config& c) { return int(c.groups.at(0).status); },
         [](int i) { return to_string(GroupStatus(i)); }},
        {"peering", "seek", "", [](const Config& c) { return int(c.peering.seek); },
         [](int i) { return to_string(Seek(i)); }, "[[group]]\nname = \"tidings.peering\"\n"},
    };
    std::size_t checked = 0;
    for (const auto& row : rows) {
        const SectionSpec* s = find_section(row.section);
        const KeySpec* k = find_key(*s, row.key);
        ASSERT_TRUE(k) << row.key;
        for (std::size_t i = 0; i < k->choices.size(); ++i) {
            std::string toml = row.before + std::string(s->array ? "[[" : "[") + std::string(row.section) +
                               (s->array ? "]]\n" : "]\n") + row.prefix + row.key + " = \"" +
                               std::string(k->choices[i]) + "\"\n";
            EXPECT_EQ(row.get(load_ok(toml)), int(i)) << toml;
            EXPECT_EQ(row.name(int(i)), k->choices[i]) << toml;
        }
        ++checked;
    }
    std::size_t choice_keys = 0;
    for (const auto& s : schema())
        for (const auto& k : s.keys) choice_keys += k.kind == Kind::choice;
    EXPECT_EQ(checked, choice_keys) << "a choice key without a row here";
}

// server/ logs and reports these spellings; they are the file's, "error" not spdlog's "err".
TEST(Schema, ToStringSpellsEnumeratorsAsTheFileDoes) {
    EXPECT_EQ(to_string(LogLevel::trace), "trace");
    EXPECT_EQ(to_string(LogLevel::warn), "warn");
    EXPECT_EQ(to_string(LogLevel::error), "error");
    EXPECT_EQ(to_string(LogFormat::json), "json");
    EXPECT_EQ(to_string(Durability::relaxed), "relaxed");
    EXPECT_EQ(to_string(Tls::starttls), "starttls");
    EXPECT_EQ(to_string(OthersPolicy::refuse), "refuse");
    EXPECT_EQ(to_string(GroupStatus::m), "m");
    EXPECT_EQ(to_string(static_cast<LogLevel>(200)), "?");
}

TEST(ExampleFile, LoadsCleanly) {
    LoadResult r = load_file(example_path);
    EXPECT_EQ(r.errors, std::vector<std::string>{});
    ASSERT_TRUE(r.config);
    EXPECT_FALSE(r.config->peers.empty());
    EXPECT_FALSE(r.config->users.empty());
    EXPECT_FALSE(r.config->expire.rules.empty());
    EXPECT_FALSE(r.config->moderation.rules.empty());
}

// Every section header and every key appears in the example, set or commented out
// ("# key = ..."), under its own section.
TEST(ExampleFile, MentionsEverySchemaKey) {
    std::istringstream in(slurp(example_path));
    const std::regex header(R"(^#?\s*\[\[?([a-z_.]+)\]\]?\s*$)");
    const std::regex assignment(R"(^#?\s*([a-z_]+)\s*=)");
    std::set<std::string> seen;
    std::string section, line;
    std::smatch m;
    while (std::getline(in, line)) {
        if (std::regex_search(line, m, header)) {
            section = m[1];
            seen.insert(section);
        } else if (std::regex_search(line, m, assignment) && !section.empty()) {
            seen.insert(section + "." + std::string(m[1]));
        }
    }
    for (const auto& s : schema()) {
        EXPECT_TRUE(seen.count(std::string(s.name))) << "section " << s.name;
        for (const auto& k : s.keys)
            EXPECT_TRUE(seen.count(std::string(s.name) + "." + std::string(k.name)))
                << s.name << "." << k.name;
    }
}

TEST(Readme, ConfigurationSectionIsTheGeneratedReference) {
    std::string readme = slurp(source_dir + "/README.md");
    const std::string begin = "<!-- config:begin -->\n", end = "<!-- config:end -->";
    auto b = readme.find(begin), e = readme.find(end);
    ASSERT_NE(b, std::string::npos);
    ASSERT_NE(e, std::string::npos);
    std::string section = readme.substr(b + begin.size(), e - b - begin.size());
    EXPECT_EQ(section, reference_markdown())
        << "regenerate with: build/tools/config-doc/tidings-config-doc --update README.md";
}

TEST(Reference, DocumentsEveryKeyWithTypeAndDefault) {
    std::string md = reference_markdown();
    for (const auto& s : schema())
        for (const auto& k : s.keys) {
            std::string row = "| `" + std::string(k.name) + "` | " + type_text(k) + " | ";
            EXPECT_NE(md.find(row), std::string::npos) << s.name << "." << k.name;
        }
    EXPECT_NE(md.find("### `[[expire.rule]]`"), std::string::npos);
}

}  // namespace
}  // namespace tidings::config
