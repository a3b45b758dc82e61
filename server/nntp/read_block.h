// Reading the multi-line block that follows POST, IHAVE and TAKETHIS (RFC 3977 §3.1.1): one
// reader for every command that takes an article, and for the dispatcher when it refuses a
// TAKETHIS whose article follows anyway (RFC 4644 §2.5).
#pragma once

#include <cstddef>
#include <string>

#include "server/net/net.h"
#include "server/nntp/session_state.h"

namespace tidings::server {

enum class BlockRead { ok, too_big, closed };

// Reads the block into `out` in wire form (dot-stuffed, CRLF, without the final ".\r\n"),
// keeping at most `limit` bytes: a longer block is read to its end and dropped (too_big).
// `closed`: the connection ended first.
awaitable<BlockRead> read_block(Session& s, std::size_t limit, std::string& out);

}  // namespace tidings::server
