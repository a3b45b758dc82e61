// Private to storage/: constructors of the writer's requests (one Op per public verb).
#pragma once

#include "storage/unique_function.h"
#include "storage/write_ctx.h"

namespace tidings::storage::detail {

std::unique_ptr<Op> make_store_op(StoreRequest req, unique_function<void(StoreResult)> done);
std::unique_ptr<Op> make_remember_op(std::string id, HistoryStatus why, unique_function<void(bool)> done);
std::unique_ptr<Op> make_cancel_op(std::string id, unique_function<void(bool)> done);
std::unique_ptr<Op> make_create_group_op(std::string name, char flag, std::string creator,
                                         std::int64_t created, unique_function<void(bool)> done);
std::unique_ptr<Op> make_set_flag_op(std::string name, char flag, unique_function<void(bool)> done);
std::unique_ptr<Op> make_remove_group_op(std::string name, unique_function<void(bool)> done);
std::unique_ptr<Op> make_marks_op(std::vector<std::pair<std::string, std::uint64_t>> marks, unique_function<void(bool)> done);
std::unique_ptr<Op> make_compact_op(unique_function<void(CompactStats)> done);
std::unique_ptr<Op> make_expiry_op(unique_function<void(ExpiryStats)> done);
std::unique_ptr<Op> make_queue_op(std::string peer, std::vector<std::uint64_t> seqs, bool defer,
                                  unique_function<void(std::size_t)> done);
std::unique_ptr<Op> make_enqueue_op(std::string peer, std::vector<std::string> ids,
                                    unique_function<void(std::size_t)> done);

// A request that runs in slices, one per write transaction, re-queued behind whatever arrived
// meanwhile until it is done (expiry, compaction): totals over the slices, one report at the end.
template <class Stats>
class SlicedOp : public Op {
public:
    explicit SlicedOp(unique_function<void(Stats)> done) : done_(std::move(done)) {}
    void fail(StoreStatus) override { report(); }

protected:
    void report() {
        auto done = std::move(done_);
        if (done) done(total_);
    }
    Stats slice_, total_;
    bool more_ = false;  // another slice is due

private:
    unique_function<void(Stats)> done_;
};

// Forgets an article: its bytes, placements and expiry entry; history becomes `why` (cancelled or
// expired) with a prune entry after the remember window. False when the article is not stored.
bool drop_article(WriteCtx& ctx, std::string_view message_id, HistoryStatus why);
// The same without a history entry (the article is about to be stored again: StoreRequest::replace).
bool unfile_article(WriteCtx& ctx, std::string_view message_id);

// Removes one (group, number) placement: index, overview and the group's counters.
void remove_placement(WriteCtx& ctx, std::string_view group, std::uint64_t number);

}  // namespace tidings::storage::detail
