// Path header handling (RFC 5536 §3.1.5, RFC 5537 §3.2.1).
#include "protocol/path.h"
#include "protocol/ascii.h"

namespace tidings::protocol {

namespace {

constexpr bool is_fws(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }


std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && is_fws(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_fws(s.back())) s.remove_suffix(1);
    return s;
}

// Calls `f` on each trimmed entry between "!" separators, empty ones included.
template <class F>
void for_each_entry(std::string_view value, F&& f) {
    std::size_t start = 0;
    while (start <= value.size()) {
        std::size_t end = value.find('!', start);
        if (end == std::string_view::npos) end = value.size();
        if (!f(trim(value.substr(start, end - start)))) return;
        start = end + 1;
    }
}

}  // namespace

bool is_valid_path_identity(std::string_view id) noexcept {
    if (id.empty()) return false;
    auto alnum = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    };
    if (!alnum(id.front())) return false;
    for (char c : id)
        if (!alnum(c) && c != '-' && c != '.' && c != ':' && c != '_') return false;
    return true;
}

std::optional<std::string_view> path_error(std::string_view value) noexcept {
    if (trim(value).empty()) return "empty Path";
    std::optional<std::string_view> error;
    for_each_entry(value, [&](std::string_view entry) {
        for (unsigned char c : entry) {
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                error = "blank inside a Path entry";
                return false;
            }
            if (c < 0x21 || c > 0x7e) {
                error = "control or 8-bit octet in Path";
                return false;
            }
        }
        return true;
    });
    return error;
}

std::vector<std::string_view> path_entries(std::string_view value) {
    std::vector<std::string_view> out;
    for_each_entry(value, [&](std::string_view entry) {
        if (!entry.empty()) out.push_back(entry);
        return true;
    });
    return out;
}

bool path_contains(std::string_view value, std::string_view pathhost) noexcept {
    bool found = false;
    for_each_entry(value, [&](std::string_view entry) {
        found = iequals(entry, pathhost);
        return !found;
    });
    return found;
}

std::string prepend_path(std::string_view value, std::string_view pathhost) {
    while (!value.empty() && is_fws(value.front())) value.remove_prefix(1);
    std::string out(pathhost);
    if (!value.empty()) {
        out.push_back('!');
        out.append(value);
    }
    return out;
}

}  // namespace tidings::protocol
