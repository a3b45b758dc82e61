// The one declaration of every configuration key: name, type, default, range, doc and field.
//
// The loader rejects any key not listed here, validates each value by its Kind and stores it
// in the key's Field; the README reference (reference_markdown) and tests/config/schema_test.cpp
// are driven from the same table (STYLE §7, after Redis's static_configs).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace tidings::config {

// How a value is checked. Every kind is one TOML type plus a validator.
enum class Kind : std::uint8_t {
    boolean,
    integer,       // range [min, max]
    port,          // integer 1-65535 (0-65535 when min is 0)
    string,        // any string
    path,          // non-empty string, a file system path
    choice,        // one of `choices`
    choice_list,   // non-empty array of distinct `choices`
    wildmat,       // RFC 3977 §4 wildmat
    feed_wildmat,  // wildmat with INN's '@' poison patterns
    address,       // IPv4 or IPv6 literal
    cidr_list,     // array of address or address/prefix
    host_port,     // "host:port", "[v6]:port"
    newsgroup,     // RFC 5536 §3.1.4 newsgroup-name
    pathhost,      // RFC 5536 §3.1.5 path-identity
    domain,        // dot-separated labels of letters, digits, '-'
    name,          // peer name: [A-Za-z0-9._-]+
    user_name,     // 1-64 printable ASCII characters, no space or ':'
    password_hash, // crypt(3) string: $y$ or $6$
    distributions, // array of RFC 5536 §3.2.4 dist-names
    pathhost_list, // array of path identities
    mail_address,  // local@domain, one address; may hold one "%s" (and "%%")
    spki_pin,      // "sha256//" + base64 of a SHA-256 (44 characters): a public-key pin
    regex,         // an RE2 regular expression
    name_list,     // array of names (peer names, "local")
    host_port_list,  // array of "host:port"
    pin_list,        // array of spki_pin
};

class FieldReader;
struct KeySpec;

// Where the loader puts a key's value: one field of its section's struct in config.h, made by
// `field<&Struct::member>` (config/field.h). Empty (read == nullptr) for a key whose value is
// not one field, which its section's code in config/load.cpp reads by hand.
struct Field {
    const void* owner = nullptr;  // the struct the member belongs to, as field.h's owner_tag
    void (*read)(FieldReader& reader, const KeySpec& key, void* object) = nullptr;
};

struct KeySpec {
    std::string_view name;
    Kind kind;
    Field field;            // where its value goes; see Field
    std::string_view def;   // TOML literal of the default; "" = required or derived (see doc)
    std::string_view doc;   // one line; describes derived defaults
    bool required = false;
    std::int64_t min = 0;   // integer and port ranges, inclusive
    std::int64_t max = 0;
    std::span<const std::string_view> choices = {};  // choice and choice_list spellings
};

struct SectionSpec {
    std::string_view name;  // "node", "peer", "expire.rule"
    bool array;             // [[name]] rather than [name]
    std::string_view doc;
    std::span<const KeySpec> keys;
};

// Every section, in README order. A nested section ("expire.rule") follows its parent.
std::span<const SectionSpec> schema();

// The section named `name` ("expire.rule"), or nullptr.
const SectionSpec* find_section(std::string_view name);
// The key `key` of `section`, or nullptr.
const KeySpec* find_key(const SectionSpec& section, std::string_view key);

// Human-readable type, e.g. "integer 1-64", "`durable` | `relaxed`", "array of CIDR".
std::string type_text(const KeySpec& key);

// The README "## Configuration" section (between the config markers), generated from schema().
std::string reference_markdown();

}  // namespace tidings::config
