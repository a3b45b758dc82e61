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
        if (!co_await s.reader.fill(*s.conn)) co_return BlockRead::closed;
    }
}

}  // namespace tidings::server
