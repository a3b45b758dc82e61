// Fuzzes BlockReader (both modes, split at a data-chosen point) and the DotStuffer round trip.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocol/dot_stuffing.h"

using namespace tidings::protocol;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

struct Outcome {
    BlockStatus status;
    std::size_t consumed;
    std::string out;
    std::uint64_t lines, wire_bytes;
};

Outcome read_in_pieces(std::string_view in, BlockMode mode, std::size_t limit, std::size_t piece) {
    BlockReader reader(mode, limit);
    Outcome o{BlockStatus::need_more, 0, {}, 0, 0};
    while (true) {
        const std::string_view chunk = in.substr(o.consumed, piece);
        BlockStep s = reader.step(chunk, o.out);
        check(s.consumed <= chunk.size());
        o.consumed += s.consumed;
        o.status = s.status;
        check(o.out.size() <= limit);
        if (s.status == BlockStatus::done || s.status == BlockStatus::too_big_done) break;
        check(s.consumed == chunk.size());
        if (o.consumed >= in.size()) break;
    }
    o.lines = reader.lines();
    o.wire_bytes = reader.wire_bytes();
    return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const std::size_t piece = 1 + data[0] % 64;
    const std::size_t limit = data[1] < 128 ? data[1] : std::size_t{1} << 20;
    const std::string_view in(reinterpret_cast<const char*>(data) + 2, size - 2);

    for (BlockMode mode : {BlockMode::wire, BlockMode::unstuffed}) {
        const Outcome whole = read_in_pieces(in, mode, limit, in.size() + 1);
        const Outcome split = read_in_pieces(in, mode, limit, piece);
        check(whole.status == split.status && whole.consumed == split.consumed);
        check(whole.lines == split.lines && whole.wire_bytes == split.wire_bytes);
        const bool finished = whole.status == BlockStatus::done;
        if (finished) {
            check(whole.out == split.out);
            // What was read, stuffed again, reads back the same (the inverse holds for text).
            if (mode == BlockMode::unstuffed) {
                std::string again;
                DotStuffer stuffer;
                stuffer.append(whole.out, again);
                stuffer.finish(again);
                BlockReader reader(BlockMode::unstuffed, std::size_t{1} << 21);
                std::string back;
                BlockStep s = reader.step(again, back);
                check(s.status == BlockStatus::done && s.consumed == again.size());
                check(back == whole.out);
            } else {
                check(whole.wire_bytes == whole.out.size());
                check(in.substr(0, whole.out.size()) == whole.out);
            }
        }
    }
    // Stuffing arbitrary text never produces an early terminator.
    std::string stuffed;
    DotStuffer stuffer;
    stuffer.append(in.substr(0, in.size() / 2), stuffed);
    stuffer.append(in.substr(in.size() / 2), stuffed);
    const bool clean = !needs_stuffing(in);
    stuffer.finish(stuffed);
    BlockReader reader(BlockMode::wire, std::size_t{1} << 21);
    std::string back;
    BlockStep s = reader.step(stuffed, back);
    check(s.status == BlockStatus::done && s.consumed == stuffed.size());
    if (clean) check(back.compare(0, in.size(), in) == 0);
    return 0;
}
