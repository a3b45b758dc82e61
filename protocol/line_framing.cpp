// Command-line framing over caller-owned buffers (RFC 3977 §3.1).
#include "protocol/line_framing.h"

#include <cstring>

namespace tidings::protocol {

LineStep next_line(std::string_view in, std::size_t limit) noexcept {
    if (limit < 2) limit = 2;  // room for the line end at least; a 0 limit is a caller bug
    const std::size_t window = in.size() < limit ? in.size() : limit;
    const void* lf = window ? std::memchr(in.data(), '\n', window) : nullptr;
    if (lf == nullptr) {
        if (in.size() < limit) return {Framing::need_more, {}, 0};
        // `limit` bytes and no LF among them: the line (with CRLF) cannot fit any more.
        return {Framing::too_long, {}, window, false, false};
    }
    const std::size_t end = static_cast<const char*>(lf) - in.data();
    std::size_t text_len = end;
    if (text_len > 0 && in[text_len - 1] == '\r') --text_len;
    // Text plus two octets of line end must fit, whether the end was CRLF or a bare LF.
    if (text_len + 2 > limit) return {Framing::too_long, {}, end + 1, false, true};
    std::string_view line = in.substr(0, text_len);
    const bool nul = text_len != 0 && std::memchr(line.data(), '\0', text_len) != nullptr;
    return {Framing::line, line, end + 1, nul, false};
}

SkipStep skip_line(std::string_view in) noexcept {
    if (in.empty()) return {false, 0};
    const void* lf = std::memchr(in.data(), '\n', in.size());
    if (lf == nullptr) return {false, in.size()};
    return {true, static_cast<std::size_t>(static_cast<const char*>(lf) - in.data()) + 1};
}

}  // namespace tidings::protocol
