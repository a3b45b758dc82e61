// Multi-line data blocks (RFC 3977 §3.1.1): incremental reading up to the final "." line,
// and dot-stuffing for sending.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tidings::protocol {

// RFC 3977 §3.1.1: a block is a sequence of CRLF-terminated lines ended by a line holding a
// single "."; every other line starting with "." is sent with one more "." in front.
//
// Line policy (both modes): a line ends only at CRLF. A lone CR or a bare LF inside an article
// is kept as a data byte and ends nothing, so "\n.\r\n" does not end a block and
// "\r\n.\n" neither: only CRLF "." CRLF (or "." CRLF as the very first line) does. This is the
// letter of RFC 3977 §3.1.1, and it means the stored wire form can be sent back unchanged.
//
// Serving from wire form: an article kept in wire form, cut at a line boundary, is still in
// wire form, so ARTICLE, HEAD (ParsedArticle::headers) and BODY (what follows the
// empty line) go out as stored, then ".\r\n", with no stuffing pass.
enum class BlockMode : std::uint8_t {
    wire,       // output = the bytes as received, still dot-stuffed, minus the final ".\r\n"
    unstuffed,  // output = the text: the leading "." of every line that starts with one removed
};

enum class BlockStatus : std::uint8_t {
    need_more,     // all of `in` consumed, the block goes on: call step() with the next bytes
    too_big,       // as need_more, but the block exceeds its byte limit: nothing more is
                   // appended to the output, bytes are still consumed and dropped until the end,
                   // so the server can answer 437/439/441 without buffering the article.
                   // Returned from the step where the limit is passed and every step after.
    done,          // the final "." line was consumed; `consumed` stops right after it
    too_big_done,  // the final line was consumed, and the block was over the limit
};

struct BlockStep {
    BlockStatus status;
    std::size_t consumed;  // bytes of `in` used; the rest (after done) is the next command
};

// Reads one block from successive buffers; a new BlockReader (or reset()) per block.
//
// Work is linear in the input: lines are found with memchr, runs of bytes are appended with
// one append per step (plus one per line starting with "."), and no input byte is looked at
// twice. The reader keeps at most two bytes of state across calls (a held ".", ".\r"), so the
// caller drops all `consumed` bytes every time and need not keep a tail.
//
// Limit: `max_bytes` counts the block as received in wire form, without the final ".\r\n".
// The output never grows past `max_bytes` bytes (the limit is checked before each append).
// After too_big the output holds an unspecified prefix of the block: discard it.
//
// Not thread-safe; the output string is caller-owned and only appended to.
class BlockReader {
public:
    BlockReader(BlockMode mode, std::size_t max_bytes) noexcept
        : mode_(mode), max_bytes_(max_bytes) {}

    // Consumes bytes from `in`, appending the block's content to `out`. After done or
    // too_big_done, further calls consume nothing and return the same status.
    BlockStep step(std::string_view in, std::string& out);

    // Starts a new block with the same mode and limit.
    void reset() noexcept;

    // Bytes of the block received so far in wire form (held bytes and final line excluded).
    std::uint64_t wire_bytes() const noexcept { return wire_bytes_; }
    // Complete (CRLF-terminated) lines of the block so far, final "." line excluded.
    std::uint64_t lines() const noexcept { return lines_; }
    bool finished() const noexcept { return state_ == State::finished; }
    bool too_big() const noexcept { return too_big_; }

private:
    enum class State : std::uint8_t {
        line_start,   // at the first byte of a line (block start or just after CRLF)
        mid_line,     // inside a line, the previous byte was not CR
        mid_line_cr,  // inside a line, the previous byte (in an earlier buffer) was CR
        dot,          // the line so far is "." (held back)
        dot_cr,       // the line so far is ".\r" (held back)
        finished,
    };

    void emit(std::string_view bytes, std::string& out);

    BlockMode mode_;
    State state_ = State::line_start;
    bool too_big_ = false;
    std::size_t max_bytes_;
    std::uint64_t wire_bytes_ = 0;
    std::uint64_t lines_ = 0;
};

// True when `text` has a line that starts with "." (at its start or after a CRLF), i.e. when
// dot_stuff_append would change it. Uses memchr, so a clean body costs one scan.
bool needs_stuffing(std::string_view text) noexcept;

// Appends `text` (a whole, CRLF-lined text) to `out` with a "." added in front of each line
// that starts with ".". No terminator is added: see DotStuffer::finish.
void dot_stuff_append(std::string_view text, std::string& out);

// The incremental form for text arriving in chunks cut anywhere (even between CR and LF).
// Lines are split at CRLF only, exactly the inverse of BlockReader's unstuffed mode.
class DotStuffer {
public:
    void append(std::string_view chunk, std::string& out);
    // Ends the block: adds CRLF when the text did not end with one, then ".\r\n".
    // Afterwards the stuffer is ready for a new block.
    void finish(std::string& out);

private:
    bool at_line_start_ = true;
    bool after_cr_ = false;
};

}  // namespace tidings::protocol
