// Fuzzes the COMPRESS DEFLATE layer (server/net/compress_layer.cpp, Beast's zlib port):
//  - the input as a client's compressed stream, arriving in pieces of a chosen size and inflated
//    in steps into a buffer of a chosen size: never a crash or a write outside the buffer (it
//    is allocated to exactly that size, so ASan sees any), never more output per step than
//    the buffer, never more consumed than given, and every step that can progress does;
//  - the input as answers: compressed in chosen batches and inflated through a small buffer,
//    they read back exactly, each flushed batch whole once its bytes are in.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "server/net/compress_layer.h"

using tidings::server::CompressLayer;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

// DEFLATE expands at most ~1032:1.
constexpr std::size_t max_ratio = 1032;

// Inflates `pending` through a buffer of `cap` bytes until the layer needs more input (or `out`
// holds `enough`); appends the output to `out`. False: the layer refused the stream.
bool inflate_all(CompressLayer& layer, std::string& pending, std::size_t cap, std::string& out,
                 std::size_t enough = SIZE_MAX) {
    auto buf = std::make_unique<char[]>(cap);
    for (;;) {  // ends: each step takes input or gives output, or returns
        const auto r = layer.decompress(pending, buf.get(), cap);
        check(r.produced <= cap && r.consumed <= pending.size());
        if (!r.ok) return false;
        out.append(buf.get(), r.produced);
        pending.erase(0, r.consumed);
        // A full buffer may leave output owed even with no input left: ask until a step
        // neither takes nor gives anything (it needs more input).
        if ((r.produced == 0 && r.consumed == 0) || out.size() >= enough) return true;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 3) return 0;
    const std::size_t piece = 1 + data[0] % 97;
    const std::size_t cap = 16 + data[1] % 240;  // a bomb through 1 byte a step is only slow
    const std::string_view stream(reinterpret_cast<const char*>(data) + 2, size - 2);

    {
        CompressLayer layer;
        std::string pending, out;
        for (std::size_t at = 0; at < stream.size(); at += piece) {
            pending.append(stream.substr(at, piece));
            // False: the server closes (RFC 8054 §2.2.2). Past 256 KiB a bomb has made its point:
            // the per-step bound held all along, and more steps would only slow the fuzzer.
            if (!inflate_all(layer, pending, cap, out, 256 * 1024)) break;
            check(out.size() <= (at + piece) * max_ratio + 258);
            if (out.size() >= 256 * 1024) break;
        }
    }

    FuzzedDataProvider in(data, size);
    CompressLayer server, client;
    std::string sent, received, pending;
    const std::size_t small = in.ConsumeIntegralInRange<std::size_t>(1, 64);
    while (in.remaining_bytes() > 0) {
        const std::string batch = in.ConsumeRandomLengthString(512);
        const std::size_t cut = in.ConsumeIntegralInRange<std::size_t>(1, 64);
        std::string wire;
        server.compress(batch, wire);
        if (!batch.empty()) check(!wire.empty());
        sent += batch;
        for (std::size_t at = 0; at < wire.size(); at += cut) {
            pending.append(std::string_view(wire).substr(at, cut));
            check(inflate_all(client, pending, small, received));
        }
        check(pending.empty() && received == sent);  // whole once the flushed batch is in
    }
    return 0;
}
