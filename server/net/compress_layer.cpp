#include "server/net/compress_layer.h"

#include "server/net/net.h"

#include <boost/beast/zlib/deflate_stream.hpp>
#include <boost/beast/zlib/inflate_stream.hpp>

namespace tidings::server {

namespace zlib = boost::beast::zlib;

struct CompressLayer::Impl {
    zlib::deflate_stream out;
    zlib::inflate_stream in;
    bool ended = false;
    explicit Impl(int level) {
        // A 32 KiB window each way: the receiver adapts to whatever the sender chose
        // (RFC 8054 §2.2.2).
        out.reset(level, 15, 8, zlib::Strategy::normal);
        in.reset(15);
    }
};

CompressLayer::CompressLayer(int level) : impl_(std::make_unique<Impl>(level)) {}
CompressLayer::~CompressLayer() = default;

void CompressLayer::compress(std::string_view data, std::string& out) {
    zlib::z_params zs;
    zs.next_in = data.data();
    zs.avail_in = data.size();
    for (;;) {
        const std::size_t at = out.size();
        const std::size_t room = data.size() / 2 + 64;
        out.resize(at + room);
        zs.next_out = out.data() + at;
        zs.avail_out = room;
        boost::system::error_code ec;
        impl_->out.write(zs, zlib::Flush::sync, ec);
        out.resize(at + (room - zs.avail_out));
        // Done when all input is taken and the flush fitted (output space left over).
        if (zs.avail_in == 0 && zs.avail_out != 0) return;
        if (ec && ec != zlib::error::need_buffers) return;
    }
}

CompressLayer::Inflated CompressLayer::decompress(std::string_view data, char* out, std::size_t out_size) {
    Inflated r;
    if (impl_->ended) {
        r.ok = data.empty();  // a final block: the client may not send anything after it
        return r;
    }
    if (out_size == 0) return r;
    zlib::z_params zs;
    zs.next_in = data.data();
    zs.avail_in = data.size();
    zs.next_out = out;
    zs.avail_out = out_size;
    // Called with empty input too: a long match cut short by a full buffer is still owed.
    while (zs.avail_out > 0) {
        const std::size_t in_before = zs.avail_in, out_before = zs.avail_out;
        boost::system::error_code ec;
        impl_->in.write(zs, zlib::Flush::sync, ec);
        if (ec == zlib::error::end_of_stream) {
            impl_->ended = true;
            r.ok = zs.avail_in == 0;
            break;
        }
        if (ec && ec != zlib::error::need_buffers) {
            r.ok = false;
            break;
        }
        if (zs.avail_in == in_before && zs.avail_out == out_before) {
            // No progress: with input left and room for output the stream is corrupt.
            r.ok = zs.avail_in == 0;
            break;
        }
    }
    r.consumed = data.size() - zs.avail_in;
    r.produced = out_size - zs.avail_out;
    return r;
}

}  // namespace tidings::server
