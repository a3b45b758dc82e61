// Value types shared by the storage/ interface: options, requests, results and read records.
// No LMDB type appears here (STYLE §6): the server sees only these plain structs.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tidings::storage {

// One retention rule: groups matching `wildmat` (RFC 3977 §4 syntax, '!' negates) keep articles
// for `keep`; keep == 0 means "never expire". The last matching rule wins, as in INN's
// expire.ctl; a group no rule matches gets Options::default_retention.
struct RetentionRule {
    std::string wildmat;
    std::chrono::seconds keep{0};
};

struct Options {
    std::string dir;       // data directory; created if missing. The store lives in dir/ (data.mdb).
    std::string pathhost;  // goes in the Xref header: "Xref: <pathhost> g:n ..."
    // Durable (default): a completion runs only after the batch reached the disk — its journal
    // record fdatasync()ed (journal.h); LMDB is synced behind it at checkpoints.
    // Relaxed (no fdatasync per batch; the journal is synced at checkpoints only): a crash of
    // the process loses nothing, a crash of the machine may lose the last second or so of
    // acknowledged writes (the store stays consistent). For benchmarks; open() warns.
    bool durable = true;
    std::size_t initial_map_bytes = std::size_t{1} << 30;  // address space; grows on demand
    // MDB_WRITEMAP: the writer writes into a writable shared map instead of pwrite()ing pages
    // (less CPU per commit; same pages synced). Off by default: any stray write in the process
    // could then corrupt the store. When on, the data file is fallocate()d to the map size so a
    // full disk shows up as a failed map growth (requests `deferred`), never as SIGBUS.
    bool write_map = false;
    std::uint64_t free_space_floor_bytes = std::uint64_t{100} << 20;  // below it: `deferred`
    std::size_t batch_max_articles = 256;      // a batch closes at this many requests,
    std::size_t batch_max_bytes = std::size_t{8} << 20;  // or this many article bytes,
    std::chrono::microseconds batch_deadline{500};        // or this long after its first request.
    std::chrono::seconds remember{std::chrono::hours{24 * 11}};  // refused/expired ids stay refused
    std::chrono::seconds default_retention{std::chrono::hours{24 * 30}};  // 0 = never expire
    std::vector<RetentionRule> retention_rules;
    // How often the writer starts a background expiry pass (in small write batches, between
    // ingest batches); 0 disables the automatic pass (Store::run_expiry still works).
    std::chrono::seconds expiry_interval{std::chrono::minutes{10}};
    std::size_t expiry_batch = 256;  // deletions per expiry write transaction
    // Durable mode: how often LMDB is synced behind the journal (and the journal files before
    // it deleted), and after how many journal bytes a checkpoint starts earlier. Longer: less
    // I/O (pages rewritten between checkpoints are written once), a bigger data file (pages of
    // the checkpointed state are not reused until the next one) and a longer replay at start.
    std::chrono::milliseconds checkpoint_interval{1000};
    std::uint64_t checkpoint_journal_bytes = std::uint64_t{256} << 20;
    // The journal (which holds the articles' bytes) starts a new file past this size; a file is
    // deleted when no article in it is left. Smaller: space comes back sooner after expiry;
    // larger: fewer files.
    std::uint64_t journal_file_bytes = std::uint64_t{64} << 20;
    // After a checkpoint, when no deleted file waits for reuse, write the next journal file
    // full of zeros ahead of time (the checkpointer thread), so its fdatasyncs overwrite.
    bool prepare_spare = true;
    // Compaction (with each expiry pass, and Store::compact): a journal file whose live
    // articles are less than this share of its size has them copied forward, so the file can
    // go. 0 disables it.
    double compact_below = 0.25;
};

// Fields of the overview record the caller supplies (RFC 3977 §8.3). The caller sanitizes them:
// no TAB, CR or LF. The store adds :bytes, :lines and the Xref it generated.
struct OverviewFields {
    std::string subject, from, date, message_id, references;
    std::uint64_t lines = 0;
};

struct StoreRequest {
    std::string message_id;  // with the angle brackets, at most 250 octets (RFC 3977 §3.6)
    // Wire form: CRLF lines, dot-stuffed, WITHOUT the final ".\r\n"; Path already prepended.
    // The writer removes any Xref header and inserts "Xref: <pathhost> g:n ...\r\n" as the last
    // header line when the article is filed in at least one group.
    std::string article;
    // Set by a caller that already dropped every Xref field (protocol::rewrite_for_storage):
    // the offset where the header section's last line ends. The writer then inserts its Xref
    // line there while copying the bytes into the journal, instead of first rewriting them.
    std::optional<std::size_t> xref_at;
    std::vector<std::string> groups;  // groups to file in (existing ones), Newsgroups order
    OverviewFields overview;
    std::vector<std::string> feeds;   // peers whose outgoing queues get the article, same txn
    std::int64_t arrival = 0;         // unix seconds; 0 = now
    // Set: the id must be stored and filed in this group; its old copy (bytes, placements,
    // expiry) goes first, in the same transaction, and this request takes its place — a
    // quarantined article released into its groups. Otherwise (gone, or released already) the
    // request is a duplicate. Ids only in history (refused, cancelled, expired) stay there.
    std::string replace_from;
};

enum class StoreStatus : std::uint8_t {
    stored,         // committed (durably unless Options::durable is false)
    duplicate,      // the id is in history (stored, rejected, cancelled or expired), or an
                    // earlier request of the same batch carried it
    rejected,       // malformed request (empty or over-long message-id, empty article)
    deferred,       // temporary: disk below the free-space floor or full; NNTP 436/431
    failed,         // the commit failed for another reason; the article is not stored
    shutting_down,  // submitted after or during shutdown; nothing written
};
std::string_view to_string(StoreStatus) noexcept;

struct StoreResult {
    StoreStatus status = StoreStatus::failed;
    std::string xref;  // "g:n g:n" when stored in groups (without pathhost), else empty
    // The request, handed back: its buffers were allocated by the submitting thread, and a
    // caller that moves the result there frees them there, not on the writer thread (freeing
    // across threads costs the allocator more than the allocation did).
    StoreRequest request;
};

enum class HistoryStatus : std::uint8_t { stored = 1, rejected = 2, cancelled = 3, expired = 4 };
std::string_view to_string(HistoryStatus) noexcept;

struct HistoryEntry {
    std::int64_t when = 0;  // arrival (stored) or the time of the refusal/cancel/expiry
    HistoryStatus status = HistoryStatus::stored;
};

struct GroupInfo {
    std::string name;
    std::uint64_t low = 1;    // lowest present number; high + 1 when the group is empty
    std::uint64_t high = 0;   // highest number ever assigned (never decreases)
    std::uint64_t count = 0;  // exact number of articles present
    char flag = 'y';          // 'y' posting ok, 'n' no local posting, 'm' moderated
    std::int64_t created = 0;
    std::string creator;
};

// One outgoing-queue entry for a peer.
struct QueueEntry {
    std::uint64_t seq = 0;    // identifies the entry for ack/defer; unique for the store's life
    std::string message_id;
    std::int64_t enqueued = 0;   // unix seconds when queued (or re-queued by defer)
    std::uint32_t attempts = 0;  // how many times it was deferred
};

struct QueueDepth {
    std::uint64_t entries = 0;
    std::int64_t oldest = 0;  // enqueued time of the head entry; 0 when empty
};

struct ExpiryStats {
    std::uint64_t articles_expired = 0;
    std::uint64_t history_pruned = 0;
};

struct CompactStats {
    std::uint64_t files = 0;           // journal files emptied (deleted at the next checkpoint)
    std::uint64_t articles_moved = 0;
    std::uint64_t bytes_moved = 0;
};

struct StoreStats {
    std::uint64_t articles = 0;      // articles present
    std::uint64_t history = 0;       // refused/cancelled/expired ids remembered
    std::uint64_t groups = 0;        // newsgroups (one record each: O(1) to count)
    std::uint64_t map_bytes = 0;     // current map size
    std::uint64_t used_bytes = 0;    // pages in use × page size
    std::uint64_t map_grows = 0;
    std::uint64_t commits = 0;
    std::uint64_t commit_failures = 0;
    std::uint64_t deferred_low_space = 0;  // requests answered `deferred`
    std::uint64_t last_batch_size = 0;
    std::uint64_t checkpoints = 0;         // durable mode: LMDB synced behind the journal
    std::uint64_t last_checkpoint_ms = 0;  // how long the last one's sync took
    bool checkpoints_stopped = false;      // a data-file sync failed: restart to rebuild (storage/README.md)
    std::uint64_t journal_files = 0;       // journal files (the article log) in the directory
    std::uint64_t journal_bytes = 0;       // and their total size (as of the last checkpoint)
    // Over the last (up to) 4096 commits:
    std::uint64_t commit_p50_us = 0, commit_p99_us = 0, commit_max_us = 0;
    double mean_batch_size = 0;
    // Since open, for histograms (the admin API's /metrics): commits counted by duration and by
    // batch size (requests per commit). Entry i counts values <= bound i and > bound i-1; the
    // last entry counts those above every bound. Sums are of the values counted.
    static constexpr std::array<std::uint32_t, 12> commit_bounds_us{
        100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 1000000};
    static constexpr std::array<std::uint32_t, 10> batch_bounds{1, 2, 4, 8, 16, 32, 64, 128, 256, 1024};
    std::array<std::uint64_t, commit_bounds_us.size() + 1> commits_by_duration{};
    std::array<std::uint64_t, batch_bounds.size() + 1> commits_by_batch_size{};
    std::uint64_t commit_us_sum = 0;
    std::uint64_t batch_size_sum = 0;
};

}  // namespace tidings::storage
