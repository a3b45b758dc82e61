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
    Impl() {
        // Level 6 (zlib's default), a 32 KiB window each way: the receiver adapts to whatever
        // the sender chose (RFC 8054 §2.2.2).
        out.reset(6, 15, 8, zlib::Strategy::normal);
        in.reset(15);
    }
};

CompressLayer::CompressLayer() : impl_(std::make_unique<Impl>()) {}
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

bool CompressLayer::decompress(std::string_view data, std::string& out) {
    if (impl_->ended) return data.empty();
    zlib::z_params zs;
    zs.next_in = data.data();
    zs.avail_in = data.size();
    while (zs.avail_in > 0) {
        const std::size_t at = out.size();
        const std::size_t room = zs.avail_in * 4 + 4096;
        out.resize(at + room);
        zs.next_out = out.data() + at;
        zs.avail_out = room;
        boost::system::error_code ec;
        impl_->in.write(zs, zlib::Flush::sync, ec);
        out.resize(at + (room - zs.avail_out));
        if (ec == zlib::error::end_of_stream) {
            impl_->ended = true;  // a final block: the client may not send anything after it
            return zs.avail_in == 0;
        }
        if (ec && ec != zlib::error::need_buffers) return false;
        if (ec == zlib::error::need_buffers && zs.avail_out != 0 && zs.avail_in != 0) return false;
    }
    return true;
}

}  // namespace tidings::server
