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
    CompressLayer();
    ~CompressLayer();
    CompressLayer(const CompressLayer&) = delete;
    CompressLayer& operator=(const CompressLayer&) = delete;

    // Appends `in` compressed to `out`, with a sync flush after it.
    void compress(std::string_view in, std::string& out);
    // Appends what `in` (more of the client's compressed stream) decompresses to. False when
    // the data is corrupt or the stream ended: RFC 8054 §2.2.2 says close the connection then.
    bool decompress(std::string_view in, std::string& out);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace tidings::server
