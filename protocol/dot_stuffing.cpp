// Reading and writing dot-stuffed multi-line blocks (RFC 3977 §3.1.1).
#include "protocol/dot_stuffing.h"

#include <cstring>

namespace tidings::protocol {

namespace {

const char* find_lf(const char* from, const char* end) noexcept {
    return static_cast<const char*>(std::memchr(from, '\n', static_cast<std::size_t>(end - from)));
}

}  // namespace

void BlockReader::reset() noexcept {
    state_ = State::line_start;
    too_big_ = false;
    wire_bytes_ = 0;
    lines_ = 0;
}

// One function on purpose: it is the per-byte loop every article goes through (transit, POST),
// and its states and their transitions read best side by side, as one table.
BlockStep BlockReader::step(std::string_view in, std::string& out) {
    if (state_ == State::finished)
        return {too_big_ ? BlockStatus::too_big_done : BlockStatus::done, 0};

    if (in.empty()) return {too_big_ ? BlockStatus::too_big : BlockStatus::need_more, 0};
    const char* const p = in.data();
    const std::size_t n = in.size();
    // Wire bytes of the block before p[0], counting the bytes held back by the last call
    // (they are resolved, as data or as the final line, in this call).
    const std::uint64_t base = wire_bytes_ + (state_ == State::dot ? 1 : state_ == State::dot_cr ? 2 : 0);
    std::size_t i = 0;
    std::size_t span = 0;  // start of the run of input bytes not yet appended

    // Appends `bytes`, which end the block's first `resolved` wire bytes, unless over the limit.
    auto emit_upto = [&](std::uint64_t resolved, const char* data, std::size_t len) {
        if (too_big_) return;
        if (resolved > max_bytes_) {
            too_big_ = true;
            return;
        }
        if (len) out.append(data, len);
    };

    while (i < n) {
        switch (state_) {
        case State::line_start:
            if (p[i] == '.') {
                // Hold the dot back: until the next two bytes arrive we cannot tell the final
                // line from a stuffed one, and they may come in another read.
                emit_upto(base + i, p + span, i - span);
                span = ++i;
                state_ = State::dot;
            } else {
                state_ = State::mid_line;
            }
            break;

        case State::mid_line: {
            // The hot loop: one memchr per line; stays here while lines do not start with ".".
            for (;;) {
                const char* lf = find_lf(p + i, p + n);
                if (lf == nullptr) {
                    if (p[n - 1] == '\r') state_ = State::mid_line_cr;
                    i = n;
                    break;
                }
                const std::size_t j = static_cast<std::size_t>(lf - p);
                // j == i only after a byte that cannot be CR (see the states), so a bare LF.
                const bool crlf = j > i && p[j - 1] == '\r';
                i = j + 1;
                if (crlf) {
                    ++lines_;
                    if (i == n || p[i] == '.') {
                        state_ = State::line_start;
                        break;
                    }
                }
            }
            break;
        }

        case State::mid_line_cr:
            if (p[i] == '\n') {
                ++lines_;
                ++i;
                state_ = State::line_start;
            } else {
                state_ = State::mid_line;
            }
            break;

        case State::dot:
            if (p[i] == '\r') {
                span = ++i;
                state_ = State::dot_cr;
            } else {
                // A stuffed line (or a dot line a sender forgot to stuff): RFC 3977 §3.1.1 says
                // the receiver removes the leading dot whatever follows it.
                if (mode_ == BlockMode::wire) emit_upto(base + i, ".", 1);
                span = i;
                state_ = State::mid_line;
            }
            break;

        case State::dot_cr:
            if (p[i] == '\n') {
                ++i;
                state_ = State::finished;
                wire_bytes_ = base + i - 3;  // the final ".\r\n" is not part of the block
                return {too_big_ ? BlockStatus::too_big_done : BlockStatus::done, i};
            }
            // ".\r" then something else: a line of data starting with "." and a lone CR.
            if (mode_ == BlockMode::wire) emit_upto(base + i, ".\r", 2);
            else emit_upto(base + i, "\r", 1);
            span = i;
            state_ = State::mid_line;
            break;

        case State::finished:
            break;  // unreachable: returned above
        }
    }

    const std::size_t held = state_ == State::dot ? 1 : state_ == State::dot_cr ? 2 : 0;
    // In the dot states the held bytes end the buffer and span == n: nothing to append.
    emit_upto(base + n - held, p + span, n - span);
    wire_bytes_ = base + n - held;
    return {too_big_ ? BlockStatus::too_big : BlockStatus::need_more, n};
}

bool needs_stuffing(std::string_view text) noexcept {
    if (text.empty()) return false;
    if (text.front() == '.') return true;
    return text.find("\r\n.") != std::string_view::npos;
}

void DotStuffer::append(std::string_view chunk, std::string& out) {
    const char* const p = chunk.data();
    const std::size_t n = chunk.size();
    if (n == 0) return;
    std::size_t i = 0;
    std::size_t span = 0;
    while (i < n) {
        if (at_line_start_) {
            at_line_start_ = false;
            if (p[i] == '.') {
                out.append(p + span, i - span);
                out.push_back('.');
                span = i;  // the original dot goes out with the next run
            }
        }
        const char* lf = find_lf(p + i, p + n);
        if (lf == nullptr) break;
        const std::size_t j = static_cast<std::size_t>(lf - p);
        const bool crlf = j > 0 ? p[j - 1] == '\r' : after_cr_;
        i = j + 1;
        if (crlf) at_line_start_ = true;
    }
    out.append(p + span, n - span);
    after_cr_ = p[n - 1] == '\r';
}

void DotStuffer::finish(std::string& out) {
    if (!at_line_start_) out.append("\r\n", 2);
    out.append(".\r\n", 3);
    at_line_start_ = true;
    after_cr_ = false;
}

void dot_stuff_append(std::string_view text, std::string& out) {
    DotStuffer stuffer;
    stuffer.append(text, out);
}

}  // namespace tidings::protocol
