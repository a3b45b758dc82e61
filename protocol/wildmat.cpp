// Wildmat syntax validation (placeholder until the full matcher lands).
#include "protocol/wildmat.h"

namespace tidings::protocol {

std::optional<std::string> wildmat_error(std::string_view w, bool allow_poison) {
    if (w.empty()) return "empty wildmat";
    std::size_t start = 0;
    while (start <= w.size()) {
        std::size_t end = w.find(',', start);
        if (end == std::string_view::npos) end = w.size();
        std::string_view p = w.substr(start, end - start);
        if (!p.empty() && (p[0] == '!' || (allow_poison && p[0] == '@'))) p.remove_prefix(1);
        if (p.empty()) return "empty pattern in wildmat list";
        for (unsigned char c : p) {
            if (c <= 0x20 || c == 0x7f) return "control character or space in wildmat";
            if (c == '!' || c == '@' || c == '[' || c == ']' || c == '\\')
                return "character not allowed inside a wildmat pattern";
        }
        start = end + 1;
    }
    return std::nullopt;
}

}  // namespace tidings::protocol
