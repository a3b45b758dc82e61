// Xref header rewriting for stored articles and a small wildmat matcher for retention rules.
#include "storage/xref.h"

#include <cctype>
#include <optional>
#include <vector>

namespace tidings::storage::detail {

namespace {

bool starts_with_xref(std::string_view line) {
    static constexpr std::string_view name = "xref:";
    if (line.size() < name.size()) return false;
    for (std::size_t i = 0; i < name.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return false;
    return true;
}

}  // namespace

std::string with_xref(std::string_view article, std::string_view xref_line) {
    std::size_t blank = article.find("\r\n\r\n");
    std::size_t header_end = blank == std::string_view::npos ? article.size() : blank + 2;
    std::string out;
    out.reserve(article.size() + xref_line.size() + 2);
    bool dropping = false;
    std::size_t at = 0;
    while (at < header_end) {
        std::size_t eol = article.find("\r\n", at);
        std::size_t next = (eol == std::string_view::npos || eol + 2 > header_end) ? header_end : eol + 2;
        std::string_view line = article.substr(at, next - at);
        bool continuation = !line.empty() && (line[0] == ' ' || line[0] == '\t');
        if (!continuation) dropping = starts_with_xref(line);
        if (!dropping) out.append(line);
        at = next;
    }
    if (!out.empty() && !out.ends_with("\r\n")) out.append("\r\n");
    out.append(xref_line);
    out.append(article.substr(header_end));
    return out;
}

namespace {

// Matches one pattern (no commas, no leading '!') against text; iterative star backtracking.
bool match_one(std::string_view p, std::string_view t) {
    std::size_t pi = 0, ti = 0, star_p = std::string_view::npos, star_t = 0;
    auto match_class = [&](std::size_t& i, unsigned char c) -> std::optional<bool> {
        // p[i] == '['; on success i points past ']'
        std::size_t j = i + 1;
        bool negate = false;
        if (j < p.size() && p[j] == '^') { negate = true; ++j; }
        bool found = false, first = true;
        while (j < p.size() && (p[j] != ']' || first)) {
            first = false;
            unsigned char lo = static_cast<unsigned char>(p[j]);
            if (p[j] == '\\' && j + 1 < p.size()) lo = static_cast<unsigned char>(p[++j]);
            unsigned char hi = lo;
            if (j + 2 < p.size() && p[j + 1] == '-' && p[j + 2] != ']') {
                hi = static_cast<unsigned char>(p[j + 2]);
                j += 2;
            }
            if (c >= lo && c <= hi) found = true;
            ++j;
        }
        if (j >= p.size()) return std::nullopt;  // unterminated: treat '[' literally
        i = j + 1;
        return found != negate;
    };
    while (ti < t.size()) {
        bool advanced = false;
        if (pi < p.size()) {
            char pc = p[pi];
            if (pc == '*') {
                star_p = ++pi;
                star_t = ti;
                continue;
            }
            if (pc == '?') {
                ++pi; ++ti; advanced = true;
            } else if (pc == '[') {
                std::size_t i = pi;
                auto r = match_class(i, static_cast<unsigned char>(t[ti]));
                if (!r) {
                    if (t[ti] == '[') { ++pi; ++ti; advanced = true; }
                } else if (*r) {
                    pi = i; ++ti; advanced = true;
                }
            } else {
                if (pc == '\\' && pi + 1 < p.size()) pc = p[pi + 1];
                std::size_t width = p[pi] == '\\' && pi + 1 < p.size() ? 2 : 1;
                if (pc == t[ti]) { pi += width; ++ti; advanced = true; }
            }
        }
        if (!advanced) {
            if (star_p == std::string_view::npos) return false;
            pi = star_p;
            ti = ++star_t;
        }
    }
    while (pi < p.size() && p[pi] == '*') ++pi;
    return pi == p.size();
}

}  // namespace

bool wildmat_match(std::string_view wildmat, std::string_view text) {
    bool result = false;
    std::size_t at = 0;
    while (at <= wildmat.size()) {
        std::size_t comma = wildmat.find(',', at);
        if (comma == std::string_view::npos) comma = wildmat.size();
        std::string_view pat = wildmat.substr(at, comma - at);
        bool negate = !pat.empty() && pat[0] == '!';
        if (negate) pat.remove_prefix(1);
        if (!pat.empty() && match_one(pat, text)) result = !negate;
        at = comma + 1;
    }
    return result;
}

}  // namespace tidings::storage::detail
