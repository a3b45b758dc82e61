// Fuzzes wildmat validation and matching against a tiny backtracking oracle.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/wildmat.h"

using namespace tidings::protocol;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

// Characters as the matcher sees them: valid UTF-8 sequences, else single octets.
std::vector<std::string_view> chars_of(std::string_view s) {
    std::vector<std::string_view> out;
    for (std::size_t i = 0; i < s.size();) {
        const auto b = static_cast<unsigned char>(s[i]);
        std::size_t len = 1;
        std::uint32_t code = 0, min = 0;
        if ((b & 0xe0) == 0xc0) len = 2, code = b & 0x1f, min = 0x80;
        else if ((b & 0xf0) == 0xe0) len = 3, code = b & 0x0f, min = 0x800;
        else if ((b & 0xf8) == 0xf0) len = 4, code = b & 0x07, min = 0x10000;
        bool ok = len > 1 && i + len <= s.size();
        for (std::size_t k = 1; ok && k < len; ++k) {
            const auto c = static_cast<unsigned char>(s[i + k]);
            ok = (c & 0xc0) == 0x80;
            code = code << 6 | (c & 0x3f);
        }
        if (!ok || code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) len = 1;
        out.push_back(s.substr(i, len));
        i += len;
    }
    return out;
}

bool naive(const std::vector<std::string_view>& p, std::size_t pi,
           const std::vector<std::string_view>& t, std::size_t ti, int& budget) {
    if (--budget < 0) return false;
    if (pi == p.size()) return ti == t.size();
    if (p[pi] == "*") {
        for (std::size_t k = ti; k <= t.size(); ++k)
            if (naive(p, pi + 1, t, k, budget)) return true;
        return false;
    }
    if (ti == t.size()) return false;
    if (p[pi] != "?" && p[pi] != t[ti]) return false;
    return naive(p, pi + 1, t, ti + 1, budget);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    const std::size_t nl = in.find('\n');
    const std::string_view pattern = in.substr(0, nl);
    const std::string_view text = nl == std::string_view::npos ? std::string_view{} : in.substr(nl + 1);

    (void)wildmat_error(pattern);
    (void)wildmat_error(pattern, true);
    const Wildmat w(pattern);
    const bool got = w.matches(text);
    check(got == wildmat_match(pattern, text));

    // The oracle: last matching pattern wins; skip when backtracking would take too long.
    bool want = false;
    int budget = 200000;
    std::size_t start = 0;
    while (start <= pattern.size()) {
        std::size_t end = pattern.find(',', start);
        if (end == std::string_view::npos) end = pattern.size();
        std::string_view p = pattern.substr(start, end - start);
        const bool neg = !p.empty() && p[0] == '!';
        if (neg) p.remove_prefix(1);
        if (naive(chars_of(p), 0, chars_of(text), 0, budget)) want = !neg;
        start = end + 1;
    }
    if (budget >= 0) check(got == want);

    const Wildmat feed(pattern, true);
    (void)feed_match(feed, text);
    return 0;
}
