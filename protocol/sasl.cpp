#include "protocol/sasl.h"

namespace tidings::protocol {

std::optional<SaslPlain> parse_sasl_plain(std::string_view message) noexcept {
    const auto first = message.find('\0');
    if (first == std::string_view::npos) return std::nullopt;
    const auto second = message.find('\0', first + 1);
    if (second == std::string_view::npos || message.find('\0', second + 1) != std::string_view::npos)
        return std::nullopt;
    return SaslPlain{message.substr(0, first), message.substr(first + 1, second - first - 1),
                     message.substr(second + 1)};
}

}  // namespace tidings::protocol
