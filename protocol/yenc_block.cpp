#include "protocol/yenc_block.h"

namespace tidings::protocol {

std::string yenc_encode_block(std::string_view bytes, std::size_t line_length) {
    std::string out;
    out.reserve(bytes.size() + bytes.size() / 32 + 16);
    std::size_t col = 0;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        auto c = static_cast<unsigned char>(static_cast<unsigned char>(bytes[i]) + 42);
        bool last_on_line = col + 1 >= line_length || i + 1 == bytes.size();
        bool escape = c == 0 || c == '\r' || c == '\n' || c == '=' ||
                      ((col == 0 || last_on_line) && (c == '\t' || c == ' ')) || (col == 0 && c == '.');
        if (escape) {
            out.push_back('=');
            out.push_back(static_cast<char>(static_cast<unsigned char>(c + 64)));
            col += 2;
        } else {
            out.push_back(static_cast<char>(c));
            ++col;
        }
        if (col >= line_length || i + 1 == bytes.size()) {
            out += "\r\n";
            col = 0;
        }
    }
    return out;
}

std::optional<std::string> yenc_decode_block(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    bool line_start = true;
    for (std::size_t i = 0; i < text.size(); ++i) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c == '\r') {
            if (i + 1 >= text.size() || text[i + 1] != '\n') return std::nullopt;
            continue;
        }
        if (c == '\n') {
            line_start = true;
            continue;
        }
        if (c == 0 || (line_start && c == '.')) return std::nullopt;
        line_start = false;
        if (c == '=') {
            if (i + 1 >= text.size()) return std::nullopt;
            auto e = static_cast<unsigned char>(text[++i]);
            if (e == '\r' || e == '\n') return std::nullopt;
            c = static_cast<unsigned char>(e - 64);
        }
        out.push_back(static_cast<char>(static_cast<unsigned char>(c - 42)));
    }
    return out;
}

}  // namespace tidings::protocol
