#include "server/pull/ingest_fetched.h"

#include "protocol/status.h"
#include "server/core/filter_note.h"
#include "server/core/group_control.h"
#include "server/core/ingest.h"
#include "server/core/withdraw.h"
#include "storage/snapshot.h"

#include <spdlog/spdlog.h>

namespace tidings::server {

void ingest_fetched(NodeContext& node, const GenerationPtr& gen, const std::string& source, std::string id,
                    std::string wire, std::function<void(Fetched)> done) {
    IngestVerdict v;
    {
        storage::Snapshot snap(node.store);
        if (snap.history(id)) {
            done(Fetched::duplicate);
            return;
        }
        const Filtering filtering = node.filtering();
        v = prepare_transit_article(*gen->config, gen->feeds, nullptr, id, std::move(wire), snap, &filtering, source);
    }
    if (v.filter) note_filter_match(node, 0, source, id, *v.filter);
    if (!v.accept) {
        if (v.reason == "malformed") {
            spdlog::warn("upstream={} event=pull_bad_article id={} detail=\"{}\"", source, protocol::sanitize_for_echo(id),
                         v.detail);
            done(Fetched::bad);
            return;
        }
        spdlog::info("upstream={} event=refused id={} reason={} detail=\"{}\"", source, protocol::sanitize_for_echo(id),
                     v.reason, v.detail);
        if (v.remember) node.store.remember(id, storage::HistoryStatus::rejected, [](bool) {});
        done(Fetched::refused);
        return;
    }
    if (cancelled_on_arrival(node, id, v.request.article)) {
        node.store.remember(id, storage::HistoryStatus::cancelled, [](bool) {});
        done(Fetched::refused);
        return;
    }
    if (v.withdrawal) apply_withdrawal(node, *v.withdrawal, id, source);
    const bool gc = v.group_control;
    NodeContext* n = &node;
    // Runs on the writer thread: the outcome moves to the I/O thread with everything it holds.
    node.store.submit(std::move(v.request), [n, gc, id = std::move(id), source, done = std::move(done)](
                                                storage::StoreResult r) mutable {
        net::post(n->io, [n, gc, id = std::move(id), source = std::move(source), done = std::move(done),
                          r = std::move(r)]() mutable {
            switch (r.status) {
                case storage::StoreStatus::stored:
                    if (n->wake_feeds) n->wake_feeds();
                    if (gc) net::co_spawn(n->io, run_group_control(*n, id, std::move(r.request.article), source), net::detached);
                    done(Fetched::stored);
                    break;
                case storage::StoreStatus::duplicate: done(Fetched::duplicate); break;
                case storage::StoreStatus::rejected: done(Fetched::refused); break;
                default: done(Fetched::not_now); break;
            }
        });
    });
}

}  // namespace tidings::server
