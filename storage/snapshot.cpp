// Snapshot: read-only views into the store through one LMDB read transaction.
#include "storage/snapshot.h"

#include "storage/codec.h"
#include "storage/core.h"
#include "storage/snapshot_state.h"
#include "storage/store.h"

#include <spdlog/spdlog.h>

#include <cstring>
#include <stdexcept>

namespace tidings::storage {

using detail::Journal;

Snapshot::Snapshot(const Store& store) : state_(nullptr) {
    const detail::Environment* env = &store.core_->env;
    env->gate.enter();
    try {
        if (!env->handle) throw mdb::Error("store is shut down", EINVAL);
        state_ = new State{env, mdb::Txn::adopt(env->acquire_read()), {}};
    } catch (const mdb::Error& e) {
        env->gate.leave();
        throw std::runtime_error(std::string("storage: cannot open a snapshot: ") + e.what());
    }
}

Snapshot::~Snapshot() {
    if (!state_) return;
    state_->env->release_read(state_->txn.release());
    state_->env->gate.leave();
    delete state_;
}

Snapshot::Snapshot(Snapshot&& other) noexcept : state_(std::exchange(other.state_, nullptr)) {}

std::optional<HistoryEntry> Snapshot::history(std::string_view message_id) const {
    if (message_id.empty() || message_id.size() > 511) return std::nullopt;
    // A stored article is its own history entry (see store_op.cpp).
    if (auto a = state_->txn.get(state_->env->dbi.articles, message_id)) {
        auto meta = codec::decode_article_meta(*a);
        return HistoryEntry{meta ? meta->arrival : 0, HistoryStatus::stored};
    }
    auto v = state_->txn.get(state_->env->dbi.history, message_id);
    return v ? codec::decode_history(*v) : std::nullopt;
}

// Reads an article's bytes (all, or only its head) from the article log into a buffer the
// Snapshot owns.
std::optional<std::string_view> Snapshot::read_article(std::string_view message_id, bool head_only) const {
    State& st = *state_;
    if (message_id.empty() || message_id.size() > 511) return std::nullopt;
    auto v = st.txn.get(st.env->dbi.articles, message_id);
    auto at = v ? codec::article_locator(*v) : std::nullopt;
    if (!at) return std::nullopt;
    auto& bytes = st.articles.emplace_back();
    if (int err = head_only ? st.env->log.read_head(*at, bytes) : st.env->log.read(*at, bytes)) {
        // Its file is gone (an older Snapshot than the checkpoint that deleted it: the article
        // expired meanwhile) or damaged.
        st.articles.pop_back();
        spdlog::warn("storage event=article_unreadable id={} file={} error=\"{}\"", message_id,
                     Journal::file_name(at->file), std::strerror(err));
        return std::nullopt;
    }
    return std::string_view(bytes);
}

std::optional<std::string_view> Snapshot::article(std::string_view message_id) const {
    return read_article(message_id, false);
}

std::optional<std::string_view> Snapshot::article_head(std::string_view message_id) const {
    return read_article(message_id, true);
}

bool Snapshot::has_article(std::string_view message_id) const {
    if (message_id.empty() || message_id.size() > 511) return false;
    return state_->txn.get(state_->env->dbi.articles, message_id).has_value();
}

std::optional<std::string_view> Snapshot::message_id_at(std::string_view group, std::uint64_t number) const {
    if (group.empty() || group.size() > 255) return std::nullopt;
    return state_->txn.get(state_->env->dbi.group_index, codec::number_key(group, number));
}

std::optional<ArticleRef> Snapshot::by_number(std::string_view group, std::uint64_t number) const {
    auto id = message_id_at(group, number);
    if (!id) return std::nullopt;
    auto bytes = article(*id);
    if (!bytes) return std::nullopt;
    return ArticleRef{*id, *bytes};
}

std::optional<GroupInfo> Snapshot::group(std::string_view name) const {
    if (name.empty() || name.size() > 511) return std::nullopt;
    auto v = state_->txn.get(state_->env->dbi.groups, name);
    return v ? codec::decode_group(name, *v) : std::nullopt;
}

std::optional<std::uint64_t> Snapshot::mark(std::string_view key) const {
    if (key.empty() || key.size() > 400) return std::nullopt;
    auto v = state_->txn.get(state_->env->dbi.meta, "mark:" + std::string(key));
    if (!v || v->size() != 8) return std::nullopt;
    return codec::get_u64(*v, 0);
}

void Snapshot::for_each_group(const std::function<bool(const GroupInfo&)>& fn, std::string_view from) const {
    mdb::Cursor c(state_->txn, state_->env->dbi.groups);
    for (bool at = from.empty() ? c.first() : c.seek(from); at; at = c.next()) {
        auto g = codec::decode_group(c.key(), c.value());
        if (g && !fn(*g)) return;
    }
}

bool Snapshot::overview(std::string_view group, std::uint64_t lo, std::uint64_t hi,
                        const std::function<bool(const OverviewItem&)>& fn) const {
    if (!this->group(group)) return false;
    if (lo > hi) return true;
    mdb::Cursor c(state_->txn, state_->env->dbi.overview);
    auto prefix = codec::group_prefix(group);
    for (bool at = c.seek(codec::number_key(group, lo)); at; at = c.next()) {
        if (!c.key().starts_with(prefix) || c.key().size() != prefix.size() + 8) break;
        auto number = codec::get_u64(c.key(), prefix.size());
        if (number > hi) break;
        if (!fn(OverviewItem{number, c.value()})) break;
    }
    return true;
}

std::optional<std::string_view> Snapshot::overview_record(std::string_view group, std::uint64_t number) const {
    if (group.empty() || group.size() > 255) return std::nullopt;
    return state_->txn.get(state_->env->dbi.overview, codec::number_key(group, number));
}

void Snapshot::for_each_article(const std::function<bool(const StoredArticle&)>& fn) const {
    mdb::Cursor c(state_->txn, state_->env->dbi.articles);
    StoredArticle a;
    for (bool at = c.first(); at; at = c.next()) {
        auto meta = codec::decode_article_meta(c.value());
        if (!meta) continue;
        a.message_id = c.key();
        a.arrival = meta->arrival;
        a.placements = std::move(meta->placements);
        if (!fn(a)) return;
    }
}

std::vector<std::pair<std::string, std::uint64_t>> Snapshot::placements(std::string_view message_id) const {
    if (message_id.empty() || message_id.size() > 511) return {};
    auto v = state_->txn.get(state_->env->dbi.articles, message_id);
    auto meta = v ? codec::decode_article_meta(*v) : std::nullopt;
    return meta ? std::move(meta->placements) : std::vector<std::pair<std::string, std::uint64_t>>{};
}

std::vector<QueueEntry> Snapshot::queue_peek(std::string_view peer, std::size_t max) const {
    std::vector<QueueEntry> out;
    if (peer.empty() || peer.size() > 255) return out;
    mdb::Cursor c(state_->txn, state_->env->dbi.queues);
    auto prefix = codec::group_prefix(peer);
    for (bool at = c.seek(prefix); at && out.size() < max; at = c.next()) {
        if (!c.key().starts_with(prefix) || c.key().size() != prefix.size() + 8) break;
        out.push_back(codec::decode_queue(codec::get_u64(c.key(), prefix.size()), c.value()));
    }
    return out;
}

QueueDepth Snapshot::queue_depth(std::string_view peer) const {
    QueueDepth d;
    if (peer.empty() || peer.size() > 255) return d;
    if (auto v = state_->txn.get(state_->env->dbi.meta, codec::queue_count_key(peer)); v && v->size() == 8)
        d.entries = codec::get_u64(*v, 0);
    auto head = queue_peek(peer, 1);
    if (!head.empty()) d.oldest = head.front().enqueued;
    return d;
}

}  // namespace tidings::storage
