// One TOML table read against one SectionSpec: every key's type, range and syntax checked.
//
// Private to config/*.cpp (it names toml++ types; STYLE §1). The generic work lives here, so a
// key's rules live in schema.cpp only: unknown keys (with "did you mean"), required keys, the
// value's TOML type, integer ranges, string syntax by Kind, choices. A key with a Field is
// read by read_fields(); the loader reads the rest by hand and checks what spans keys.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <toml++/toml.h>

#include "config/field.h"
#include "config/load_errors.h"
#include "config/schema.h"

namespace tidings::config {

class TableReader final : public FieldReader {
public:
    // Reports the keys of `t` that `spec` does not declare (nested sections excepted: their
    // parent's driver reads them). `path` names the table in errors: "node", "peer[2]".
    TableReader(const toml::table& t, const SectionSpec& spec, std::string path, Errors& errors);

    // Reads every key of the section that has a Field into `object` (of the struct the schema
    // binds them to, checked: std::logic_error otherwise), in schema order.
    template <class Struct>
    void read_fields(Struct& object) {
        read_fields(&owner_tag<Struct>, &object);
    }

    // Throws std::logic_error (a bug, not bad input) unless every key of the section was
    // read: a key declared in the schema but never parsed would be silently ignored.
    void finish() const;

    std::string key_path(std::string_view key) const { return path_ + "." + std::string(key); }
    const std::string& path() const { return path_; }
    const toml::table& table() const { return table_; }
    // The node of `key` as written (any type), or nullptr: for checks across keys.
    const toml::node* node(std::string_view key) const { return table_.get(key); }

    // FieldReader: each leaves `out` untouched (its struct default) when the key is absent or
    // wrong, and reports why.
    void read(const KeySpec& key, bool& out) override;
    void read(const KeySpec& key, std::uint16_t& out) override;  // integer and port Kinds
    void read(const KeySpec& key, std::uint32_t& out) override;
    void read(const KeySpec& key, std::uint64_t& out) override;
    void read(const KeySpec& key, std::string& out) override;  // any string Kind
    void read(const KeySpec& key, std::optional<HostPort>& out) override;
    void read(const KeySpec& key, std::vector<Cidr>& out) override;
    void read(const KeySpec& key, std::vector<std::string>& out) override;  // name lists
    std::optional<std::size_t> read_choice(const KeySpec& key) override;

    // A `choice_list` key, by name: which of its choices it lists; nullopt if absent or wrong.
    std::optional<std::vector<bool>> read_choice_list(std::string_view key);

private:
    void read_fields(const void* owner, void* object);
    template <class Int>
    void read_unsigned(const KeySpec& k, Int& out);
    const KeySpec& mark_read(const KeySpec& k, Kind kind, std::optional<Kind> or_kind = {});
    const toml::node* fetch(const KeySpec& k, toml::node_type want);
    template <class F>
    bool each_string(const KeySpec& k, F f);
    std::optional<std::size_t> choice_index(const KeySpec& k, const toml::node& n,
                                            const std::string& path);

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
    // Reports `name` (the value of `key` in `r`) if an earlier table had it; empty names and
    // absent keys are skipped (reported elsewhere).
    void check(const std::string& name, const TableReader& r, std::string_view key, Errors& e);
    bool contains(const std::string& name) const { return first_.count(name) != 0; }

private:
    std::string what_;
    std::map<std::string, std::string> first_;
};

}  // namespace tidings::config
