// The writer's other requests: remember a refused id, cancel, group changes, queue ack/defer.
#include "protocol/newsgroup.h"
#include "storage/codec.h"
#include "storage/write_ops.h"

namespace tidings::storage::detail {

namespace {

// An Op whose result is one value computed by a function of the transaction.
template <class R>
class SimpleOp final : public Op {
public:
    using Fn = unique_function<R(WriteCtx&)>;
    SimpleOp(Fn fn, R on_failure, unique_function<void(R)> done)
        : fn_(std::move(fn)), failure_(on_failure), done_(std::move(done)) {}
    void apply(WriteCtx& ctx) override { result_ = fn_(ctx); }
    void reset() override { result_ = failure_; }
    bool complete() override {
        auto done = std::move(done_);
        if (done) done(result_);
        return true;
    }
    void fail(StoreStatus) override {
        auto done = std::move(done_);
        if (done) done(failure_);
    }

private:
    Fn fn_;
    R failure_;
    R result_{};
    unique_function<void(R)> done_;
};

template <class R, class F>
std::unique_ptr<Op> simple(F fn, R on_failure, unique_function<void(R)> done) {
    return std::make_unique<SimpleOp<R>>(std::move(fn), on_failure, std::move(done));
}

// The store's last guard; callers (config, the admin API) have applied the stricter rule for
// names we create. One grammar for all of them: protocol/newsgroup.h.
bool valid_group_name(std::string_view name) { return protocol::is_valid_newsgroup_name(name); }

bool valid_flag(char f) { return f == 'y' || f == 'n' || f == 'm'; }

void set_history_refused(WriteCtx& ctx, std::string_view id, HistoryStatus why) {
    ctx.txn.put(ctx.dbi.history, id, codec::history_value({ctx.now, why}));
    auto until = ctx.now + ctx.opts.remember.count();
    ctx.txn.put(ctx.dbi.prune, codec::time_key(until, ctx.take_seq()), id);
}

}  // namespace

void remove_placement(WriteCtx& ctx, std::string_view group, std::uint64_t number) {
    auto key = codec::number_key(group, number);
    if (!ctx.txn.del(ctx.dbi.group_index, key)) return;  // the group was removed meanwhile
    ctx.txn.del(ctx.dbi.overview, key);
    GroupInfo* g = ctx.group(group);
    if (!g) return;
    if (g->count > 0) --g->count;
    if (g->count == 0) {
        g->low = g->high + 1;
    } else if (number == g->low) {
        mdb::Cursor c(ctx.txn, ctx.dbi.group_index);
        auto prefix = codec::group_prefix(group);
        if (c.seek(codec::number_key(group, number + 1)) && c.key().starts_with(prefix)) {
            if (auto split = codec::split_number_key(c.key())) g->low = split->second;
        }
    }
    ctx.touch_group(group);
}

bool drop_article(WriteCtx& ctx, std::string_view id, HistoryStatus why) {
    if (!unfile_article(ctx, id)) return false;
    set_history_refused(ctx, id, why);
    return true;
}

bool unfile_article(WriteCtx& ctx, std::string_view id) {
    auto v = ctx.txn.get(ctx.dbi.articles, id);
    if (!v) return false;
    auto meta = codec::decode_article_meta(*v);
    if (meta) {
        for (const auto& [group, number] : meta->placements) remove_placement(ctx, group, number);
        if (meta->expires) ctx.txn.del(ctx.dbi.expiry, codec::time_key(meta->expires, meta->expiry_seq));
    }
    if (auto at = codec::article_locator(*v)) ctx.forget_article(*at);
    ctx.txn.del(ctx.dbi.articles, id);
    return true;
}

std::unique_ptr<Op> make_remember_op(std::string id, HistoryStatus why, unique_function<void(bool)> done) {
    return simple<bool>(
        [id = std::move(id), why](WriteCtx& ctx) {
            if (id.empty() || id.size() > 250 || why == HistoryStatus::stored) return false;
            if (ctx.txn.get(ctx.dbi.articles, id) || ctx.txn.get(ctx.dbi.history, id)) return false;
            set_history_refused(ctx, id, why);
            return true;
        },
        false, std::move(done));
}

std::unique_ptr<Op> make_cancel_op(std::string id, unique_function<void(bool)> done) {
    return simple<bool>(
        [id = std::move(id)](WriteCtx& ctx) {
            if (id.empty() || id.size() > 250) return false;
            return drop_article(ctx, id, HistoryStatus::cancelled);
        },
        false, std::move(done));
}

std::unique_ptr<Op> make_create_group_op(std::string name, char flag, std::string creator,
                                         std::int64_t created, unique_function<void(bool)> done) {
    return simple<bool>(
        [name = std::move(name), flag, creator = std::move(creator), created](WriteCtx& ctx) {
            if (!valid_group_name(name) || !valid_flag(flag)) return false;
            if (ctx.group(name)) return false;
            GroupInfo g;
            g.name = name;
            g.flag = flag;
            g.created = created ? created : ctx.now;
            g.creator = creator;
            // Numbers are never reused: a re-created group continues after its old high mark.
            auto gone_key = "gone:" + name;
            if (auto old = ctx.txn.get(ctx.dbi.meta, gone_key); old && old->size() == 8) {
                g.high = codec::get_u64(*old, 0);
                ctx.txn.del(ctx.dbi.meta, gone_key);
            }
            g.low = g.high + 1;
            ctx.put_group(g);
            return true;
        },
        false, std::move(done));
}

std::unique_ptr<Op> make_set_flag_op(std::string name, char flag, unique_function<void(bool)> done) {
    return simple<bool>(
        [name = std::move(name), flag](WriteCtx& ctx) {
            if (!valid_flag(flag)) return false;
            GroupInfo* g = ctx.group(name);
            if (!g) return false;
            g->flag = flag;
            ctx.touch_group(name);
            return true;
        },
        false, std::move(done));
}

std::unique_ptr<Op> make_remove_group_op(std::string name, unique_function<void(bool)> done) {
    return simple<bool>(
        [name = std::move(name)](WriteCtx& ctx) {
            const GroupInfo* g = ctx.group(name);
            if (!g) return false;
            const std::uint64_t high_mark = g->high;
            auto prefix = codec::group_prefix(name);
            // Articles forget their placement here, so a re-created group's index and the
            // articles' placement lists keep agreeing (check_integrity relies on it).
            std::vector<std::string> ids;
            {
                mdb::Cursor c(ctx.txn, ctx.dbi.group_index);
                for (bool at = c.seek(prefix); at && c.key().starts_with(prefix); at = c.next())
                    ids.emplace_back(c.value());
            }
            for (const auto& id : ids) {
                auto v = ctx.txn.get(ctx.dbi.articles, id);
                auto meta = v ? codec::decode_article_meta(*v) : std::nullopt;
                if (!meta) continue;
                std::string tail(*codec::article_tail(*v));
                std::erase_if(meta->placements, [&](const auto& p) { return p.first == name; });
                ctx.txn.put(ctx.dbi.articles, id, codec::article_value(*meta, tail));
            }
            for (MDB_dbi db : {ctx.dbi.group_index, ctx.dbi.overview}) {
                mdb::Cursor c(ctx.txn, db);
                // Re-seek after each delete: LMDB 0.9's cursor position after mdb_cursor_del
                // at a page end is not something to lean on.
                while (c.seek(prefix) && c.key().starts_with(prefix)) c.del();
            }
            std::string high;
            codec::put_u64(high, high_mark);
            ctx.txn.put(ctx.dbi.meta, "gone:" + name, high);
            ctx.delete_group(name);
            return true;
        },
        false, std::move(done));
}

std::unique_ptr<Op> make_marks_op(std::vector<std::pair<std::string, std::uint64_t>> marks,
                                  unique_function<void(bool)> done) {
    return simple<bool>(
        [marks = std::move(marks)](WriteCtx& ctx) {
            for (const auto& [key, value] : marks)
                if (key.empty() || key.size() > 400) return false;
            for (const auto& [key, value] : marks) {
                std::string v;
                codec::put_u64(v, value);
                ctx.txn.put(ctx.dbi.meta, "mark:" + key, v);
            }
            return true;
        },
        false, std::move(done));
}

std::unique_ptr<Op> make_enqueue_op(std::string peer, std::vector<std::string> ids,
                                    unique_function<void(std::size_t)> done) {
    return simple<std::size_t>(
        [peer = std::move(peer), ids = std::move(ids)](WriteCtx& ctx) {
            std::size_t queued = 0;
            if (peer.empty()) return queued;
            for (const auto& id : ids) {
                if (id.empty() || id.size() > 511 || !ctx.txn.get(ctx.dbi.articles, id)) continue;
                ctx.txn.put(ctx.dbi.queues, codec::queue_key(peer, ctx.take_seq()), codec::queue_value(ctx.now, 0, id));
                ++ctx.queue_delta[peer];
                ++queued;
            }
            return queued;
        },
        std::size_t{0}, std::move(done));
}

std::unique_ptr<Op> make_queue_op(std::string peer, std::vector<std::uint64_t> seqs, bool defer,
                                  unique_function<void(std::size_t)> done) {
    return simple<std::size_t>(
        [peer = std::move(peer), seqs = std::move(seqs), defer](WriteCtx& ctx) {
            std::size_t found = 0;
            for (auto seq : seqs) {
                auto key = codec::queue_key(peer, seq);
                auto v = ctx.txn.get(ctx.dbi.queues, key);
                if (!v) continue;
                ++found;
                if (defer) {
                    auto e = codec::decode_queue(seq, *v);
                    std::string value = codec::queue_value(ctx.now, e.attempts + 1, e.message_id);
                    ctx.txn.del(ctx.dbi.queues, key);
                    ctx.txn.put(ctx.dbi.queues, codec::queue_key(peer, ctx.take_seq()), value);
                } else {
                    ctx.txn.del(ctx.dbi.queues, key);
                    --ctx.queue_delta[peer];
                }
            }
            return found;
        },
        std::size_t{0}, std::move(done));
}

}  // namespace tidings::storage::detail
