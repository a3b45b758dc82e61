// Store: the public face of the writer (requests in, completions out) and of the statistics.
#include "storage/store.h"

#include "storage/core.h"
#include "storage/snapshot.h"
#include "storage/write_ops.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace tidings::storage {

std::string_view to_string(StoreStatus s) noexcept {
    switch (s) {
        case StoreStatus::stored: return "stored";
        case StoreStatus::duplicate: return "duplicate";
        case StoreStatus::rejected: return "rejected";
        case StoreStatus::deferred: return "deferred";
        case StoreStatus::failed: return "failed";
        case StoreStatus::shutting_down: return "shutting_down";
    }
    return "unknown";
}

std::string_view to_string(HistoryStatus s) noexcept {
    switch (s) {
        case HistoryStatus::stored: return "stored";
        case HistoryStatus::rejected: return "rejected";
        case HistoryStatus::cancelled: return "cancelled";
        case HistoryStatus::expired: return "expired";
    }
    return "unknown";
}

Store::Store(std::unique_ptr<detail::Core> core) : core_(std::move(core)) {}

std::unique_ptr<Store> Store::open(const Options& opts) {
    return detail::open_store(opts, std::make_unique<detail::CommitIo>());
}

std::unique_ptr<Store> detail::open_store(const Options& opts, std::unique_ptr<CommitIo> io) {
    if (opts.dir.empty()) throw std::runtime_error("storage: no data directory configured");
    auto core = std::make_unique<Core>(opts, std::move(io));
    core->open_env();
    if (!opts.durable)
        spdlog::warn("storage event=relaxed_durability dir={} note=\"a crash may lose recently "
                     "acknowledged articles\"", opts.dir);
    spdlog::info("storage event=open dir={} durable={} map_bytes={}", opts.dir, opts.durable,
                 core->stats.map_bytes());
    core->start();
    return std::unique_ptr<Store>(new Store(std::move(core)));
}

Store::~Store() { shutdown(); }

void Store::submit(StoreRequest req, unique_function<void(StoreResult)> done) {
    core_->post(detail::make_store_op(std::move(req), std::move(done)));
}
void Store::remember(std::string id, HistoryStatus why, unique_function<void(bool)> done) {
    core_->post(detail::make_remember_op(std::move(id), why, std::move(done)));
}
void Store::cancel(std::string id, unique_function<void(bool)> done) {
    core_->post(detail::make_cancel_op(std::move(id), std::move(done)));
}
void Store::create_group(std::string name, char flag, std::string creator, std::int64_t created,
                         unique_function<void(bool)> done) {
    core_->post(detail::make_create_group_op(std::move(name), flag, std::move(creator), created,
                                             std::move(done)));
}
void Store::set_group_flag(std::string name, char flag, unique_function<void(bool)> done) {
    core_->post(detail::make_set_flag_op(std::move(name), flag, std::move(done)));
}
void Store::remove_group(std::string name, unique_function<void(bool)> done) {
    core_->post(detail::make_remove_group_op(std::move(name), std::move(done)));
}
void Store::put_marks(std::vector<std::pair<std::string, std::uint64_t>> marks, unique_function<void(bool)> done) {
    core_->post(detail::make_marks_op(std::move(marks), std::move(done)));
}
void Store::enqueue(std::string peer, std::vector<std::string> message_ids, unique_function<void(std::size_t)> done) {
    core_->post(detail::make_enqueue_op(std::move(peer), std::move(message_ids), std::move(done)));
}
void Store::queue_ack(std::string peer, std::vector<std::uint64_t> seqs,
                      unique_function<void(std::size_t)> done) {
    core_->post(detail::make_queue_op(std::move(peer), std::move(seqs), false, std::move(done)));
}
void Store::queue_defer(std::string peer, std::vector<std::uint64_t> seqs,
                        unique_function<void(std::size_t)> done) {
    core_->post(detail::make_queue_op(std::move(peer), std::move(seqs), true, std::move(done)));
}
void Store::run_expiry(unique_function<void(ExpiryStats)> done) {
    core_->post(detail::make_expiry_op(std::move(done)));
}

void Store::compact(unique_function<void(CompactStats)> done) {
    core_->post(detail::make_compact_op(std::move(done)));
}

std::vector<QueueEntry> Store::queue_peek(std::string_view peer, std::size_t max) const {
    return Snapshot(*this).queue_peek(peer, max);
}
QueueDepth Store::queue_depth(std::string_view peer) const { return Snapshot(*this).queue_depth(peer); }

void Store::set_free_space_floor(std::uint64_t bytes) noexcept { core_->floor_bytes = bytes; }

void Store::shutdown() {
    if (!core_) return;
    core_->stop();
    if (core_->env.handle) {
        core_->env.gate.close();  // waits for Snapshots still open (a misuse, but not a crash)
        core_->close_env();
        core_->env.gate.open();
        spdlog::info("storage event=closed dir={}", core_->opts.dir);
    }
}

const Options& Store::options() const noexcept { return core_->opts; }

StoreStats Store::stats() const {
    StoreStats s = core_->stats.read();
    s.checkpoints_stopped = core_->checkpointer.sync_failed();
    const auto& env = core_->env;
    env.gate.enter();
    if (env.handle) {
        MDB_envinfo info{};
        MDB_stat env_st{};
        mdb_env_info(env.handle, &info);
        mdb_env_stat(env.handle, &env_st);
        s.map_bytes = info.me_mapsize;
        s.used_bytes = std::uint64_t(info.me_last_pgno + 1) * env_st.ms_psize;
        mdb::Txn txn;
        if (mdb::Txn::begin(env.handle, MDB_RDONLY, txn) == 0) {
            MDB_stat st{};
            if (mdb_stat(txn.handle(), env.dbi.articles, &st) == 0) s.articles = st.ms_entries;
            if (mdb_stat(txn.handle(), env.dbi.history, &st) == 0) s.history = st.ms_entries;
            if (mdb_stat(txn.handle(), env.dbi.groups, &st) == 0) s.groups = st.ms_entries;
        }
    }
    env.gate.leave();
    return s;
}

}  // namespace tidings::storage
