// Expiry: removes articles whose retention ran out and prunes history entries of refused,
// cancelled and expired ids after the remember window — a few hundred per write transaction, so
// ingest batches interleave with a long pass instead of waiting behind it.
#include "storage/codec.h"
#include "storage/write_ops.h"

#include <spdlog/spdlog.h>

namespace tidings::storage::detail {

namespace {

class ExpiryOp final : public SlicedOp<ExpiryStats> {
public:
    using SlicedOp::SlicedOp;

    void reset() override { slice_ = {}; more_ = false; }

    void apply(WriteCtx& ctx) override {
        reset();
        const std::size_t limit = std::max<std::size_t>(1, ctx.opts.expiry_batch);
        for (const auto& [key, id] : due(ctx, ctx.dbi.expiry, limit)) {
            ctx.txn.del(ctx.dbi.expiry, key);
            if (drop_article(ctx, id, HistoryStatus::expired)) ++slice_.articles_expired;
        }
        for (const auto& [key, id] : due(ctx, ctx.dbi.prune, limit)) {
            ctx.txn.del(ctx.dbi.prune, key);
            // Only refused ids are pruned; a stored entry (re-stored after pruning raced) stays.
            auto h = ctx.txn.get(ctx.dbi.history, id);
            auto e = h ? codec::decode_history(*h) : std::nullopt;
            if (e && e->status != HistoryStatus::stored &&
                e->when + ctx.opts.remember.count() <= ctx.now) {
                ctx.txn.del(ctx.dbi.history, id);
                ++slice_.history_pruned;
            }
        }
    }

    bool complete() override {
        total_.articles_expired += slice_.articles_expired;
        total_.history_pruned += slice_.history_pruned;
        if (more_) return false;
        if (total_.articles_expired || total_.history_pruned)
            spdlog::info("storage event=expiry_done expired={} pruned={}", total_.articles_expired,
                         total_.history_pruned);
        report();
        return true;
    }

private:
    // Up to `limit` entries (key, Message-ID; copied) due by now, oldest first.
    std::vector<std::pair<std::string, std::string>> due(WriteCtx& ctx, MDB_dbi db, std::size_t limit) {
        std::vector<std::pair<std::string, std::string>> entries;
        mdb::Cursor c(ctx.txn, db);
        for (bool at = c.first(); at; at = c.next()) {
            if (codec::key_time(c.key()) > ctx.now) break;
            if (entries.size() == limit) {
                more_ = true;
                break;
            }
            entries.emplace_back(c.key(), c.value());
        }
        return entries;
    }
};

}  // namespace

std::unique_ptr<Op> make_expiry_op(unique_function<void(ExpiryStats)> done) {
    return std::make_unique<ExpiryOp>(std::move(done));
}

}  // namespace tidings::storage::detail
