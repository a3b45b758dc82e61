// Command-line framing: finds the next line in received bytes, with a length limit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tidings::protocol {

// RFC 3977 §3.1: a command line is at most 512 octets, including the terminating CRLF.
inline constexpr std::size_t max_command_line = 512;

enum class Framing : std::uint8_t {
    need_more,  // no complete line yet and the limit is not reached: read more, call again
    line,       // `line` holds one complete line
    too_long,   // the line exceeds the limit: see LineStep::terminated
};

struct LineStep {
    Framing kind;
    std::string_view line;   // without its line end; points into `in` (lives as long as it)
    std::size_t consumed;    // bytes the caller drops from the front of its buffer
    bool has_nul = false;    // `line` contains a NUL octet (RFC 3977 §3.1 forbids it): answer 501
    // For too_long only: true when `consumed` reaches past the line's end (the caller answers
    // 500 now); false when the end has not arrived yet, and the caller drops what follows with
    // skip_line() until it reports `done`, then answers 500 (INN's CSeatcommand state).
    bool terminated = false;
};

// Finds the next line in `in`, the unconsumed bytes received so far.
//
// `limit` is the longest acceptable line *including* its CRLF, as RFC 3977 counts: with the
// default 512 a line carries at most 510 octets of text. Never reads more than `limit` bytes
// of `in`, so a peer cannot make us scan (or buffer) a long line to learn that it is long.
//
// Line ends: CRLF, and also a bare LF, which is accepted for commands as INN's innd does
// (innd/nc.c, NCproc: "In case we only have \n, we also accept the command"); some old
// clients send it, and nothing is lost by accepting it here: the line text is the same.
// A bare LF still counts as two octets against the limit, so the rule "at most limit - 2
// octets of text" holds whatever the line end. A lone CR inside a line is part of the line
// (the command parser then rejects it as a syntax error).
//
// need_more: consumed is 0. line: consumed covers the line and its end. too_long: consumed
// covers the line and its end when `terminated`, else all of `in` scanned so far (up to
// `limit` bytes); `line` is empty.
LineStep next_line(std::string_view in, std::size_t limit = max_command_line) noexcept;

struct SkipStep {
    bool done;              // the line end was found and consumed
    std::size_t consumed;   // bytes to drop: all of `in` when !done
};

// Drops the rest of an over-long line: everything up to and including the next LF. No state
// is needed across reads because a CR never ends a line on its own.
SkipStep skip_line(std::string_view in) noexcept;

}  // namespace tidings::protocol
