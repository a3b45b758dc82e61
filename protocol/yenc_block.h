// Binary messages in an NNTP multi-line block, yEnc-style (the Usenet binaries' encoding):
// each byte is sent as byte+42; NUL, CR, LF and '=' — and TAB, SP and '.' at a line's start, TAB
// and SP at its end — are escaped as '=' then byte+64. About 2 % overhead where base64 costs 33 %.
// No line starts with '.', so the block needs no dot-stuffing. Used by XRECONCILE.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tidings::protocol {

// `bytes` as lines of at most `line_length` encoded characters (an escape may add one), each
// ended by CRLF; without the terminating ".\r\n". Empty input: no line.
std::string yenc_encode_block(std::string_view bytes, std::size_t line_length = 128);
// The bytes of a block as yenc_encode_block writes it (CRLF or LF line ends; the terminator
// already removed). nullopt when a line starts with '.', an escape is cut by a line end, or a
// NUL or lone CR appears.
std::optional<std::string> yenc_decode_block(std::string_view text);

}  // namespace tidings::protocol
