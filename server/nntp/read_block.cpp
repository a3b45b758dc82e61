// The multi-line block reader shared by POST, IHAVE, TAKETHIS and the dispatcher.
#include "server/nntp/read_block.h"

#include "protocol/dot_stuffing.h"

namespace tidings::server {

awaitable<BlockRead> read_block(Session& s, std::size_t limit, std::string& out) {
    protocol::BlockReader block(protocol::BlockMode::wire, limit);
    for (;;) {
        auto step = block.step(s.reader.pending(), out);
        s.reader.consume(step.consumed);
        if (step.status == protocol::BlockStatus::done) co_return BlockRead::ok;
        if (step.status == protocol::BlockStatus::too_big_done) co_return BlockRead::too_big;
        // limits.line_timeout_s bounds each pause inside the article, not the whole of it: a
        // megabyte on a slow link may take minutes, a client that stops sending may not.
        s.conn->set_input_deadline(Connection::clock::now() + s.conn->line_timeout());
        const bool more = co_await s.reader.fill(*s.conn);
        s.conn->clear_input_deadline();
        if (!more) co_return BlockRead::closed;
    }
}

}  // namespace tidings::server
