// The COMPRESS DEFLATE layer (RFC 8054) of one connection: raw DEFLATE (RFC 1951) each way,
// every batch of answers flushed so the client can decompress all of it at once. Boost.Beast's
// zlib port does the work; it stays out of this header.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace tidings::server {

class CompressLayer {
public:
    // `level`: zlib's 1 (fastest) to 9; readers' answers get 6, zlib's default. Outgoing feeds
    // take 1: on text it sends ~25% more bytes than 6 at a fifth of the CPU (BENCHMARKS.md,
    // "Peer links"), and a feed is CPU-bound long before a link of a few Mbit/s is full.
    explicit CompressLayer(int level = 6);
    ~CompressLayer();
    CompressLayer(const CompressLayer&) = delete;
    CompressLayer& operator=(const CompressLayer&) = delete;

    // Appends `in` compressed to `out`, with a sync flush after it.
    void compress(std::string_view in, std::string& out);
    // One inflate step: decompresses from the front of `in` (more of the client's compressed
    // stream) into out[0, out_size), stopping when either is used up. The caller keeps
    // in[consumed...] for the next step. Output is never more than `out_size`, whatever the
    // input: a 16 KiB read of a deflate "bomb" would otherwise expand to ~16 MB (DEFLATE's
    // ratio reaches ~1032:1), per connection. `ok` is false when the data is corrupt or comes
    // after the end of the stream: RFC 8054 §2.2.2 says close the connection then.
    struct Inflated {
        std::size_t consumed = 0;
        std::size_t produced = 0;
        bool ok = true;
    };
    Inflated decompress(std::string_view in, char* out, std::size_t out_size);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace tidings::server
