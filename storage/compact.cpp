// Compaction: a journal file whose live articles are a small part of it (most expired or
// cancelled, a few kept longer) is emptied by copying those articles into the current batch's
// record — new locators in the same transaction — so the next checkpoint deletes the file.
// Runs in slices (a few MiB of articles per write transaction), like expiry.
#include "storage/codec.h"
#include "storage/crc32c.h"
#include "storage/file_io.h"
#include "storage/write_ops.h"

#include <spdlog/spdlog.h>

#include <filesystem>

namespace tidings::storage::detail {

namespace {

constexpr std::size_t slice_bytes = std::size_t{4} << 20;  // articles moved per transaction

class CompactOp final : public SlicedOp<CompactStats> {
public:
    using SlicedOp::SlicedOp;

    void reset() override {
        pos_ = slice_start_;
        slice_ = {};
        more_ = false;
    }

    void apply(WriteCtx& ctx) override {
        reset();
        if (!file_ && !choose(ctx)) return;
        std::size_t moved = 0;
        while (moved < slice_bytes) {
            auto rec = Journal::record_in(data_, pos_, *file_);
            if (!rec) break;  // the file's end (or a torn tail: nothing of it was ever live)
            const std::uint64_t payload_at = pos_ + Journal::header_size;
            pos_ += Journal::header_size + rec->payload.size();
            if (rec->seq < *file_) break;  // a recycled file's older life
            moved += move_live(ctx, rec->payload, payload_at);
        }
        more_ = Journal::record_in(data_, pos_, *file_).has_value();
    }

    bool complete() override {
        slice_start_ = pos_;
        total_.articles_moved += slice_.articles_moved;
        total_.bytes_moved += slice_.bytes_moved;
        if (more_) return false;  // the next slice, behind whatever arrived meanwhile
        if (file_)
            spdlog::info("storage event=compacted file={} articles={} bytes={}", Journal::file_name(*file_),
                         total_.articles_moved, total_.bytes_moved);
        total_.files += file_ ? 1 : 0;
        data_.clear();
        report();
        return true;
    }

private:
    // The file with the smallest share of live bytes, if it is below the threshold: not the
    // one being written, and at least half full (a file cut short by a restart is small, not
    // sparse). Reads it whole.
    bool choose(WriteCtx& ctx) {
        const auto& opts = ctx.core.opts;
        if (opts.compact_below <= 0) return false;
        std::optional<std::uint64_t> best;
        double best_share = opts.compact_below;
        mdb::Cursor c(ctx.txn, ctx.dbi.meta);
        const auto prefix = codec::segment_bytes_prefix;
        for (bool at = c.seek(prefix); at && c.key().starts_with(prefix); at = c.next()) {
            if (c.key().size() != prefix.size() + 8 || c.value().size() != 8) continue;
            auto file = codec::get_u64(c.key(), prefix.size());
            if (file == ctx.log_file) continue;
            std::error_code ec;
            auto size = std::filesystem::file_size(opts.dir + "/" + Journal::file_name(file), ec);
            if (ec || size < opts.journal_file_bytes / 2) continue;
            double share = static_cast<double>(codec::get_u64(c.value(), 0)) / static_cast<double>(size);
            if (share < best_share) {
                best_share = share;
                best = file;
            }
        }
        if (!best) return false;
        if (int err = read_all(opts.dir + "/" + Journal::file_name(*best), data_)) {
            spdlog::error("storage event=compact_failed file={} error=\"{}\"", Journal::file_name(*best),
                          std::strerror(err));
            return false;
        }
        file_ = best;
        pos_ = slice_start_ = 0;
        return true;
    }

    // Moves the articles of one record that still live here; returns their bytes.
    std::size_t move_live(WriteCtx& ctx, std::string_view payload, std::uint64_t payload_at) {
        std::size_t moved = 0;
        mdb::redo::for_each(payload, [&](mdb::redo::Kind kind, MDB_dbi dbi, std::string_view id,
                                         std::string_view value, std::size_t) {
            if (kind != mdb::redo::put || dbi != ctx.dbi.articles) return;
            auto then = codec::article_locator(value);
            if (!then || then->file != *file_ || then->offset < payload_at ||
                then->offset + then->length > payload_at + payload.size())
                return;
            // Still this article's place? (It may have been cancelled, expired or moved since.)
            auto now = ctx.txn.get(ctx.dbi.articles, id);
            auto at = now ? codec::article_locator(*now) : std::nullopt;
            if (!at || at->file != then->file || at->offset != then->offset) return;
            std::string_view bytes(data_.data() + at->offset, at->length);
            if (crc32c(bytes) != at->crc) {
                spdlog::error("storage event=compact_skipped id={} reason=crc", id);
                return;
            }
            auto meta = codec::decode_article_meta(*now);
            if (!meta) return;
            auto moved_to = ctx.log_article(bytes);
            ctx.txn.put(ctx.dbi.articles, id, codec::article_value(*meta, codec::locator_bytes(moved_to)));
            ctx.forget_article(*at);
            moved += bytes.size();
            ++slice_.articles_moved;
            slice_.bytes_moved += bytes.size();
        });
        return moved;
    }

    std::optional<std::uint64_t> file_;
    std::string data_;  // the file's contents
    std::uint64_t pos_ = 0, slice_start_ = 0;
};

}  // namespace

std::unique_ptr<Op> make_compact_op(unique_function<void(CompactStats)> done) {
    return std::make_unique<CompactOp>(std::move(done));
}

}  // namespace tidings::storage::detail
