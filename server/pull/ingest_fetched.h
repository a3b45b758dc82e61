// An article we asked a server for by Message-ID (a pull, reconciliation's fallback for peers
// without XRECONCILE): the same verdict, withdrawal and store path as transit's accept_article,
// with the server's name as the source. I/O thread only.
#pragma once

#include "server/core/node_context.h"

#include <functional>
#include <string>

namespace tidings::server {

enum class Fetched {
    stored,     // committed (the feeds are woken, group control started)
    duplicate,  // we had it already, or another copy came first
    refused,    // our rules refused it (loop, unwanted group, filter, a cancel came first)
    bad,        // malformed, or not the article asked for: another server may have a good one
    not_now,    // the store could not take it now (full disk, shutting down)
};

// `done` runs exactly once on the I/O thread: at once, or when the store answered.
void ingest_fetched(NodeContext& node, const GenerationPtr& gen, const std::string& source, std::string id,
                    std::string wire, std::function<void(Fetched)> done);

}  // namespace tidings::server
