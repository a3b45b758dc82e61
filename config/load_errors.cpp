// The loader's error list and message wording (see load_errors.h).
#include "config/load_errors.h"

#include <algorithm>
#include <tuple>

#include "config/checks.h"

namespace tidings::config {

void Errors::add(const toml::source_region& at, std::string_view path, std::string_view reason) {
    list_.push_back({at.begin.line, at.begin.column, std::string(path) + ": " + std::string(reason),
                     at.path && *at.path != main_ ? *at.path : std::string()});
}

// Sorted by position so the output reads top to bottom, whatever order we checked in.
std::vector<std::string> Errors::format(std::string_view file) {
    std::stable_sort(list_.begin(), list_.end(), [](const Error& a, const Error& b) {
        return std::tie(a.file, a.line, a.column) < std::tie(b.file, b.line, b.column);
    });
    std::vector<std::string> out;
    for (const auto& e : list_) {
        // Appends only: GCC 12 -O2 warns falsely (-Wrestrict) on ":" + std::string&&.
        std::string s(e.file.empty() ? file : std::string_view(e.file));
        if (e.line != 0) {
            s.append(":").append(std::to_string(e.line));
            s.append(":").append(std::to_string(e.column));
        }
        out.push_back(s.append(": ").append(e.text));
    }
    return out;
}

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

std::string expected_got(std::string_view expected, const toml::node& got) {
    std::string out = "expected ";
    out.append(expected).append(", got ").append(type_name(got.type()));
    return out;
}

std::string line_of(const toml::node& n) { return std::to_string(n.source().begin.line); }

namespace {

// toml++'s messages quote what they saw ("saw 'f\x01'"), and an error line must never carry a
// terminal escape from the file to the admin's screen (found by fuzz_config).
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

}  // namespace

// toml++ says "Error while parsing table header: encountered end-of-file"; we print
// "encountered end-of-file (in table header)" so the key slot of our format stays fixed.
std::string syntax_reason(const toml::parse_error& err) {
    std::string_view d = err.description();
    constexpr std::string_view lead = "Error while parsing ";
    auto colon = d.find(": ");
    if (!d.starts_with(lead) || colon == std::string_view::npos) return without_controls(d);
    std::string out(d.substr(colon + 2));
    out.append(" (in ").append(d.substr(lead.size(), colon - lead.size())).append(")");
    return without_controls(out);
}

std::string key_text(std::string_view key) {
    bool bare = !key.empty();
    for (char c : key)
        bare = bare && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '-');
    return bare ? std::string(key) : quote(key);
}

}  // namespace tidings::config
