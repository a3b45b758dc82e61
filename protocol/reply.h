// A server's status line as a client (our outgoing feeds) reads it: RFC 3977 §3.2.
#pragma once

#include <string_view>

namespace tidings::protocol {

// "239 <id@host> text": code 239, argument "<id@host>", text "<id@host> text". Views into the
// caller's line (without CRLF).
struct StatusLine {
    int code = 0;               // 100-599; 0: the line does not start with a status code
    std::string_view argument;  // first token after the code (a streaming answer's message-ID)
    std::string_view text;      // everything after the code and its separator
};

// A status code is three digits, the first 1-5, then the end of the line or a space (a tab
// is taken too): "2391 x" or "239<id>" have none (code 0), rather than a code read out of a
// longer number. The argument ends at the next space or tab and is empty when the text starts
// with one.
StatusLine parse_status_line(std::string_view line) noexcept;

}  // namespace tidings::protocol
