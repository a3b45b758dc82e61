// The loader's error list and the wording of its messages: "file:line:col: key.path: reason".
//
// Private to config/*.cpp (it names toml++ types, which must not reach other modules; STYLE §1).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>
#include <toml++/toml.h>

namespace tidings::config {

// Every error found in one file, reported in file order whatever order they were found in.
class Errors {
public:
    // The main file's name as toml++ records it in every node's source (errors elsewhere are in
    // an included file).
    void set_main(std::string name) { main_ = std::move(name); }
    // `path` is the key path ("peer[1].port"); `reason` what is wrong with it.
    void add(const toml::source_region& at, std::string_view path, std::string_view reason);
    bool empty() const { return list_.empty(); }
    std::size_t size() const { return list_.size(); }

    // "file:line:col: key.path: reason" each, sorted by position (stable: equal positions keep
    // the order they were added in). A position of line 0 (an absent table) prints "file: ...".
    // Errors in an included file name that file (its nodes carry their path), after the
    // main file's.
    std::vector<std::string> format(std::string_view file);

private:
    struct Error {
        std::uint32_t line, column;
        std::string text;  // "key.path: reason"
        std::string file;  // the included file it is in; empty: the main file
    };
    std::vector<Error> list_;
    std::string main_;
};

// "a string", "an integer", "a date-time"...
std::string_view type_name(toml::node_type t);

// "expected a string, got an integer"
std::string expected_got(std::string_view expected, const toml::node& got);

// The line of `n` as text, for "(first at line N)".
std::string line_of(const toml::node& n);

// A toml++ parse error as our reason text: "encountered end-of-file (in table header)", with
// control characters as \xNN.
std::string syntax_reason(const toml::parse_error& err);

// Reads a whole configuration file (at most 16 MiB) into `text`: 0, or the errno of the failure
// (EFBIG: too large). load_file.cpp.
int read_config_text(const std::string& path, std::string& text);
std::string read_error_text(int err);

// A key as written, or quoted when it is not a bare key (TOML allows "any \t thing" = 1).
std::string key_text(std::string_view key);

}  // namespace tidings::config
