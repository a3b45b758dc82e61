// Snapshot: a consistent read-only view of the store (an LMDB read-only transaction, MDB_NOTLS).
#pragma once

#include "storage/types.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tidings::storage {

class Store;

struct ArticleRef {
    std::string_view message_id;
    std::string_view article;  // wire bytes: CRLF, dot-stuffed, without ".\r\n"; Xref inserted
};

struct StoredArticle {
    std::string_view message_id;
    std::int64_t arrival = 0;
    std::vector<std::pair<std::string, std::uint64_t>> placements;
};

struct OverviewItem {
    std::uint64_t number = 0;
    // "subject\tfrom\tdate\tmessage-id\treferences\tbytes\tlines\tXref: host g:n ..." — the
    // OVER line without its leading "number\t" (RFC 3977 §8.3.2).
    std::string_view record;
};

// Rules:
//  * Any thread; may move between threads (MDB_NOTLS). Movable, not copyable. Opening a second
//    one while holding one is allowed (the map-growth gate never deadlocks on it) but pointless.
//  * Every string_view returned points into the memory map (or, for article bytes, a buffer the
//    Snapshot owns) and is valid until the Snapshot is
//    destroyed (or reset()). Copy what must outlive it.
//  * Keep it short-lived: never hold one across a client write or while waiting for the writer.
//    While one is open, LMDB cannot reuse pages freed after it began, and map growth (hence
//    every write, when the map is full) waits for it to close.
//  * Opening fails only if the store is shut down or LMDB runs out of reader slots: then it
//    throws std::runtime_error (a bug or misuse, not an input problem).
class Snapshot {
public:
    explicit Snapshot(const Store& store);
    ~Snapshot();
    Snapshot(Snapshot&& other) noexcept;
    Snapshot& operator=(Snapshot&&) = delete;
    Snapshot(const Snapshot&) = delete;
    Snapshot& operator=(const Snapshot&) = delete;

    std::optional<HistoryEntry> history(std::string_view message_id) const;
    // Read from the article log (one pread); the view lives as long as the Snapshot.
    std::optional<std::string_view> article(std::string_view message_id) const;
    // Only the header section, through the empty line after it (or the whole article when it
    // has no body): reads a few KiB, not the article (LogFiles::read_head).
    std::optional<std::string_view> article_head(std::string_view message_id) const;
    std::optional<ArticleRef> by_number(std::string_view group, std::uint64_t number) const;
    // Cheap presence checks (LMDB only, no read of the bytes).
    bool has_article(std::string_view message_id) const;
    std::optional<std::string_view> message_id_at(std::string_view group, std::uint64_t number) const;
    std::optional<GroupInfo> group(std::string_view name) const;
    // A progress mark set with Store::put_marks.
    std::optional<std::uint64_t> mark(std::string_view key) const;
    // Calls fn for every group in name order, from the first named `from` or after it (all
    // when empty); stop early by returning false.
    void for_each_group(const std::function<bool(const GroupInfo&)>& fn, std::string_view from = {}) const;
    // The group numbers and overview records in [lo, hi], ascending, one at a time (no range is
    // built). fn returns false to stop. Returns false when the group does not exist.
    bool overview(std::string_view group, std::uint64_t lo, std::uint64_t hi,
                  const std::function<bool(const OverviewItem&)>& fn) const;
    // One group's overview record of one article (the OVER line without its number).
    std::optional<std::string_view> overview_record(std::string_view group, std::uint64_t number) const;
    // Calls fn for every stored article, in Message-ID byte order: its id, arrival and the
    // (group, number) pairs it is filed under. Stop early by returning false. A full scan (a
    // reconciliation's item set, server/reconcile/): run it off the I/O thread.
    void for_each_article(const std::function<bool(const StoredArticle&)>& fn) const;
    // The (group, number) pairs an article is filed under, in Newsgroups order.
    std::vector<std::pair<std::string, std::uint64_t>> placements(std::string_view message_id) const;

    // Up to `max` entries from the head of a peer's outgoing queue, oldest first.
    std::vector<QueueEntry> queue_peek(std::string_view peer, std::size_t max) const;
    QueueDepth queue_depth(std::string_view peer) const;

    // Cross-checks every index against the others (an fsck): every group's count, low and high
    // against its index, the index against overview and articles, every article's placements,
    // history and queues. Returns a description of each problem found; empty when consistent.
    // Walks everything: for tests and admin tools, not for the serving path.
    std::vector<std::string> check_integrity() const;

private:
    struct State;
    std::optional<std::string_view> read_article(std::string_view message_id, bool head_only) const;
    State* state_;  // opaque: holds the LMDB read transaction (no LMDB type in this header)
};

}  // namespace tidings::storage
