// Reader service entry points. Reading commands are not served yet: they answer 503.
#include "server/reader.h"

#include "protocol/status.h"

namespace tidings::server {

bool is_reader_command(protocol::Kind k) noexcept {
    using K = protocol::Kind;
    switch (k) {
        case K::article: case K::body: case K::head: case K::stat: case K::group:
        case K::listgroup: case K::last: case K::next: case K::over: case K::hdr: case K::list:
        case K::newgroups: case K::newnews: case K::post: case K::mode_reader:
        case K::authinfo_user: case K::authinfo_pass: case K::authinfo_sasl: case K::starttls:
        case K::compress: case K::xover: case K::xhdr: case K::xpat: case K::xgtitle:
            return true;
        default:
            return false;
    }
}

awaitable<void> run_reader(Session& s, const protocol::ParseResult&) {
    s.conn->push(protocol::response(protocol::status::err_unavailable,
                                    "Command not available on this server"));
    co_return;
}

void add_reader_capabilities(const Session&, CapabilityState&) {}

}  // namespace tidings::server
