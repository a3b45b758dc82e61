// ARTICLE, HEAD, BODY, STAT (RFC 3977 §6.2): by number, by message-ID, or the current article.
// The store keeps articles in wire form (dot-stuffed, CRLF), so the bytes are copied once from
// the Snapshot into the answer, with no stuffing pass (protocol/dot_stuffing.h).
#include "server/reader/util.h"

#include "protocol/status.h"

namespace tidings::server::reader {

namespace st = protocol::status;

awaitable<void> run_article(Session& s, const protocol::Command& c) {
    std::string out;
    {
        storage::Snapshot snap(s.node.store);
        const Part need = c.kind == protocol::Kind::head   ? Part::head
                          : c.kind == protocol::Kind::stat ? Part::none
                                                           : Part::whole;
        auto f = resolve(s, snap, c.target, true, need);
        if (!f) co_return;
        int code = c.kind == protocol::Kind::article ? st::ok_article
                   : c.kind == protocol::Kind::head  ? st::ok_head
                   : c.kind == protocol::Kind::body  ? st::ok_body
                                                     : st::ok_stat;
        std::string_view part = c.kind == protocol::Kind::article ? f->article
                                : c.kind == protocol::Kind::head  ? article_headers(f->article)
                                : c.kind == protocol::Kind::body  ? article_body(f->article)
                                                                  : std::string_view{};
        std::string line = std::to_string(f->number) + " " + std::string(f->message_id);
        out.reserve(line.size() + part.size() + 16);
        protocol::append_response(out, code, line);
        if (code != st::ok_stat) {
            out.append(part);
            if (!part.empty() && !part.ends_with("\r\n")) out += "\r\n";
            out += ".\r\n";
        }
    }  // the Snapshot ends before the write
    s.conn->push(std::move(out));
}

}  // namespace tidings::server::reader
