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
    // `path` is the key path ("peer[1].port"); `reason` what is wrong with it.
    void add(const toml::source_region& at, std::string_view path, std::string_view reason);
    bool empty() const { return list_.empty(); }
    std::size_t size() const { return list_.size(); }

    // "file:line:col: key.path: reason" each, sorted by position (stable: equal positions keep
    // the order they were added in). A position of line 0 (an absent table) prints "file: ...".
    std::vector<std::string> format(std::string_view file);

private:
    struct Error {
        std::uint32_t line, column;
        std::string text;  // "key.path: reason"
    };
    std::vector<Error> list_;
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

// A key as written, or quoted when it is not a bare key (TOML allows "any \t thing" = 1).
std::string key_text(std::string_view key);

}  // namespace tidings::config
