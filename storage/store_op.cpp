// The store request: history check, article numbers, Xref, article, index, overview and peer
// queues — all in the batch's one transaction.
#include "storage/codec.h"
#include "storage/write_ops.h"
#include "storage/xref.h"

#include <algorithm>

namespace tidings::storage::detail {

namespace {

constexpr std::size_t max_message_id = 250;  // RFC 3977 §3.6

std::chrono::seconds retention_for(const Options& opts, std::string_view group) {
    std::chrono::seconds keep = opts.default_retention;
    for (const auto& rule : opts.retention_rules)  // last match wins, as in INN's expire.ctl
        if (wildmat_match(rule.wildmat, group)) keep = rule.keep;
    return keep;
}

class StoreOp final : public Op {
public:
    StoreOp(StoreRequest req, unique_function<void(StoreResult)> done)
        : req_(std::move(req)), done_(std::move(done)) {}

    bool is_article() const override { return true; }
    std::size_t bytes() const override { return req_.article.size(); }
    void reset() override { result_ = {}; }

    void apply(WriteCtx& ctx) override {
        result_ = {};
        const auto& id = req_.message_id;
        if (id.empty() || id.size() > max_message_id || req_.article.empty()) {
            result_.status = StoreStatus::rejected;
            return;
        }
        if (!req_.replace_from.empty()) {
            auto v = ctx.txn.get(ctx.dbi.articles, id);
            auto meta = v ? codec::decode_article_meta(*v) : std::nullopt;
            const bool there = meta && std::any_of(meta->placements.begin(), meta->placements.end(),
                                                   [&](const auto& p) { return p.first == req_.replace_from; });
            if (!there) {
                result_.status = StoreStatus::duplicate;
                return;
            }
            unfile_article(ctx, id);
        }
        if (ctx.txn.get(ctx.dbi.articles, id) || ctx.txn.get(ctx.dbi.history, id)) {
            result_.status = StoreStatus::duplicate;
            return;
        }
        const std::int64_t arrival = req_.arrival ? req_.arrival : ctx.now;
        codec::ArticleMeta meta;
        meta.arrival = arrival;
        std::chrono::seconds keep{0};
        bool forever = false;
        std::string xref;
        for (const auto& name : req_.groups) {
            if (std::any_of(meta.placements.begin(), meta.placements.end(),
                            [&](const auto& p) { return p.first == name; }))
                continue;
            GroupInfo* group = ctx.group(name);
            if (!group) continue;  // not carried here (the caller filters; be safe)
            std::uint64_t number = ++group->high;
            if (group->count++ == 0) group->low = number;
            ctx.touch_group(name);
            meta.placements.emplace_back(name, number);
            if (!xref.empty()) xref.push_back(' ');
            xref.append(name).append(":").append(std::to_string(number));
            auto k = retention_for(ctx.opts, name);
            if (k.count() == 0) forever = true;
            keep = std::max(keep, k);
        }
        if (meta.placements.empty()) {
            keep = ctx.opts.default_retention;
            forever = keep.count() == 0;
        }
        // An article is kept as long as its longest-lived group keeps it.
        meta.expires = forever ? 0 : arrival + keep.count();

        std::string xref_line;
        if (!xref.empty()) xref_line = "Xref: " + ctx.opts.pathhost + " " + xref + "\r\n";
        // The stored bytes: the article with our Xref as its last header line. A caller that
        // dropped every Xref already says where (no rewrite: the parts go straight into the
        // journal record); otherwise the article is rewritten first.
        std::string rewritten;
        std::string_view head = req_.article, insert = xref_line, tail;
        if (req_.xref_at && *req_.xref_at <= req_.article.size()) {
            head = std::string_view(req_.article).substr(0, *req_.xref_at);
            tail = std::string_view(req_.article).substr(*req_.xref_at);
        } else {
            rewritten = with_xref(req_.article, xref_line);
            head = rewritten;
            insert = {};
        }
        const std::size_t article_size = head.size() + insert.size() + tail.size();

        if (meta.expires) {
            meta.expiry_seq = ctx.take_seq();
            ctx.txn.put(ctx.dbi.expiry, codec::time_key(meta.expires, meta.expiry_seq), id);
        }
        auto at = ctx.log_article({head, insert, tail});  // into the journal record, not LMDB
        ctx.txn.put(ctx.dbi.articles, id, codec::article_value(meta, codec::locator_bytes(at)));
        // No history entry for a stored article: the articles record is its history (status
        // stored, its arrival). One random-keyed B-tree per article instead of two halves the
        // pages a durable commit writes — see README "Storage design".

        if (!meta.placements.empty()) {
            const auto& o = req_.overview;
            std::string record;
            record.reserve(256);
            record.append(o.subject).push_back('\t');
            record.append(o.from).push_back('\t');
            record.append(o.date).push_back('\t');
            record.append(o.message_id.empty() ? id : o.message_id).push_back('\t');
            record.append(o.references).push_back('\t');
            record.append(std::to_string(article_size)).push_back('\t');
            record.append(std::to_string(o.lines)).push_back('\t');
            record.append(std::string_view(xref_line).substr(0, xref_line.size() - 2));
            for (const auto& [name, number] : meta.placements) {
                auto key = codec::number_key(name, number);
                ctx.txn.put(ctx.dbi.group_index, key, id);
                ctx.txn.put(ctx.dbi.overview, key, record);
            }
        }

        std::vector<std::string_view> fed;
        for (const auto& peer : req_.feeds) {
            if (peer.empty() || std::find(fed.begin(), fed.end(), peer) != fed.end()) continue;
            fed.push_back(peer);
            std::uint64_t seq = ctx.take_seq();
            ctx.txn.put(ctx.dbi.queues, codec::queue_key(peer, seq), codec::queue_value(ctx.now, 0, id));
            ++ctx.queue_delta[peer];
        }
        result_.status = StoreStatus::stored;
        result_.xref = std::move(xref);
    }

    bool complete() override {
        auto done = std::move(done_);
        result_.request = std::move(req_);
        if (done) done(std::move(result_));
        return true;
    }
    void fail(StoreStatus why) override {
        auto done = std::move(done_);
        StoreResult r{why, {}, std::move(req_)};
        if (done) done(std::move(r));
    }

private:
    StoreRequest req_;
    unique_function<void(StoreResult)> done_;
    StoreResult result_;
};

}  // namespace

std::unique_ptr<Op> make_store_op(StoreRequest req, unique_function<void(StoreResult)> done) {
    return std::make_unique<StoreOp>(std::move(req), std::move(done));
}

}  // namespace tidings::storage::detail
