// Compaction: a journal file whose live articles are a small part of it (most expired or
// cancelled, a few kept longer) is emptied by copying those articles into the current batch's
// record — new locators in the same transaction — so the next checkpoint deletes the file.
// Runs in slices (a few MiB of articles per write transaction), like expiry.
#include "storage/codec.h"
#include "storage/crc32c.h"
#include "storage/journal.h"
#include "storage/write_ops.h"

#include <spdlog/spdlog.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace tidings::storage::detail {

namespace {

constexpr std::size_t slice_bytes = std::size_t{4} << 20;  // articles moved per transaction
// The file is read a window at a time (a record bigger than this gets a window of its own):
// memory stays at a slice's worth, not a whole file's, and no single read stalls the writer.
constexpr std::size_t window_bytes = std::size_t{4} << 20;

class CompactOp final : public SlicedOp<CompactStats> {
public:
    using SlicedOp::SlicedOp;
    ~CompactOp() override { close_file(); }

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
            auto rec = record_at(pos_);
            if (!rec) break;  // the file's end (or a torn tail: nothing of it was ever live)
            const std::uint64_t payload_at = pos_ + Journal::header_size;
            pos_ += Journal::header_size + rec->payload.size();
            if (rec->seq < *file_) break;  // a recycled file's older life
            moved += move_live(ctx, rec->payload, payload_at);
        }
        more_ = record_at(pos_).has_value();
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
        close_file();
        report();
        return true;
    }

private:
    // The file with the smallest share of live bytes, if it is below the threshold: not the
    // one being written, and at least half full (a file cut short by a restart is small, not
    // sparse). Opens it; records are read a window at a time.
    bool choose(WriteCtx& ctx) {
        const auto& opts = ctx.opts;
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
        // Kept open across slices: should the file go meanwhile (its last articles expired) and
        // be recycled, its new life's records carry another tag and no locator points into it.
        fd_ = ::open((opts.dir + "/" + Journal::file_name(*best)).c_str(), O_RDONLY | O_CLOEXEC);
        struct stat st {};
        if (fd_ < 0 || ::fstat(fd_, &st) != 0) {
            spdlog::error("storage event=compact_failed file={} error=\"{}\"", Journal::file_name(*best),
                          std::strerror(errno));
            close_file();
            return false;
        }
        file_size_ = static_cast<std::uint64_t>(st.st_size);
        window_.clear();
        win_off_ = 0;
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
            // Inside this record's payload, so inside the window that holds it.
            std::string_view bytes(window_.data() + (at->offset - win_off_), at->length);
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

    // The intact record of the file at `pos`, read into the window if needed.
    std::optional<Journal::Record> record_at(std::uint64_t pos) {
        if (!cover(pos, Journal::header_size)) return std::nullopt;
        auto len = Journal::payload_length(std::string_view(window_).substr(pos - win_off_, Journal::header_size));
        if (!len || !cover(pos, Journal::header_size + *len)) return std::nullopt;
        return Journal::record_in(window_, pos - win_off_, *file_);
    }

    // Makes the window hold [pos, pos + need) of the file; false past its end or on an error.
    bool cover(std::uint64_t pos, std::uint64_t need) {
        if (pos >= win_off_ && pos + need <= win_off_ + window_.size()) return true;
        if (fd_ < 0 || pos > file_size_ || need > file_size_ - pos) return false;  // also a bad length
        std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(std::max<std::uint64_t>(need, window_bytes),
                                                                            file_size_ - pos));
        window_.resize(want);
        std::size_t got = 0;
        while (got < want) {
            ssize_t n = ::pread(fd_, window_.data() + got, want - got, static_cast<off_t>(pos + got));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            got += static_cast<std::size_t>(n);
        }
        window_.resize(got);
        win_off_ = pos;
        return got >= need;
    }

    void close_file() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
        window_.clear();
        window_.shrink_to_fit();
    }

    std::optional<std::uint64_t> file_;
    int fd_ = -1;
    std::uint64_t file_size_ = 0;
    std::string window_;  // bytes of the file from win_off_
    std::uint64_t win_off_ = 0;
    std::uint64_t pos_ = 0, slice_start_ = 0;
};

}  // namespace

std::unique_ptr<Op> make_compact_op(unique_function<void(CompactStats)> done) {
    return std::make_unique<CompactOp>(std::move(done));
}

}  // namespace tidings::storage::detail
