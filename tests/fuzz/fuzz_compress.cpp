// Fuzzes the COMPRESS DEFLATE layer (server/net/compress_layer.cpp, Beast's zlib port):
//  - the input as a client's compressed stream, fed in pieces of a chosen size: never a crash,
//    a read outside the buffer or a hang, and never more output than DEFLATE can encode;
//  - the input as answers: compressed in chosen batches, decompressed in chosen pieces, it
//    reads back exactly, each flushed batch whole as soon as its bytes arrive.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "server/net/compress_layer.h"

using tidings::server::CompressLayer;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

// A DEFLATE stream at most expands ~1032:1; an input of at most 4 KiB (libFuzzer's default
// max_len is far below this) can never legitimately produce more.
constexpr std::size_t max_ratio = 1032;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const std::size_t piece = 1 + data[0] % 97;
    const std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);

    {
        CompressLayer layer;
        std::string out;
        for (std::size_t at = 0; at < stream.size(); at += piece) {
            // False: the server closes the connection (RFC 8054 §2.2.2), so stop there.
            if (!layer.decompress(stream.substr(at, piece), out)) break;
            check(out.size() <= (at + piece) * max_ratio + 4096);
        }
    }

    FuzzedDataProvider in(data, size);
    CompressLayer server, client;
    std::string sent, received;
    while (in.remaining_bytes() > 0) {
        const std::string batch = in.ConsumeRandomLengthString(512);
        const std::size_t cut = in.ConsumeIntegralInRange<std::size_t>(1, 64);
        std::string wire;
        server.compress(batch, wire);
        if (!batch.empty()) check(!wire.empty());
        sent += batch;
        for (std::size_t at = 0; at < wire.size(); at += cut) check(client.decompress(std::string_view(wire).substr(at, cut), received));
        check(received == sent);  // whole once the flushed batch is in
    }
    return 0;
}
