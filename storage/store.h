// The news store: one LMDB environment under the node's data dir, one writer thread doing group
// commit, and read-only Snapshots usable from any thread. See storage/README.md for the design.
#pragma once

#include "storage/types.h"
#include "storage/unique_function.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tidings::storage {

class Snapshot;
class Store;
namespace detail {
struct Core;
class CommitIo;
// Store::open with the commit path's I/O replaced: how tests inject faults (commit_io.h).
std::unique_ptr<Store> open_store(const Options& opts, std::unique_ptr<CommitIo> io);
}  // namespace detail

// Thread rules:
//  * Every member function is thread-safe.
//  * Completions (`done`) run on the writer thread, after the batch committed (successfully: in
//    durable mode its journal record is on disk, see journal.h) or with a failure status. Each runs
//    exactly once — also on shutdown (`shutting_down`) — and must not block: post the result to
//    your own executor. A completion may take a Snapshot; it must not wait for another request.
//    Exception: a request made after shutdown() began is answered at once, on the calling
//    thread, inside the call.
//  * Never wait for a completion while holding a Snapshot: growing the map waits for every
//    Snapshot to close, so that wait could be for yourself.
//  * Requests are not bounded here: callers keep their own window (feeders do).
class Store {
public:
    // Opens (creating if needed) the environment under opts.dir and starts the writer.
    // Throws std::runtime_error with a message naming the directory and the cause when the
    // directory cannot be created, LMDB refuses it, or the schema version is unknown.
    static std::unique_ptr<Store> open(const Options& opts);
    ~Store();  // shutdown() if not done yet
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // Queues an article. done(result) as described above. Two requests for one message-id in one
    // batch: the first wins, the second gets `duplicate`.
    void submit(StoreRequest req, unique_function<void(StoreResult)> done);

    // Records a refused id (status rejected or whatever `why` says) for the remember window, so
    // re-offers are refused cheaply. done(true) when recorded, false when already in history.
    void remember(std::string message_id, HistoryStatus why, unique_function<void(bool)> done);

    // Marks the article cancelled in history, deletes its bytes, removes it from every group
    // index and overview. done(false) when the id is not stored. Outgoing-queue entries stay:
    // the feeder finds no article for them and acks them (cheaper than scanning every queue).
    void cancel(std::string message_id, unique_function<void(bool)> done);

    // Creates a group (flag 'y', 'n' or 'm'). done(false) when it exists already or the name or
    // flag is invalid. Numbers of a re-created group continue after the old high-water mark.
    void create_group(std::string name, char flag, std::string creator, std::int64_t created,
                      unique_function<void(bool)> done);
    // Changes a group's flag. done(false) when the group does not exist.
    void set_group_flag(std::string name, char flag, unique_function<void(bool)> done);
    // Removes a group and its index and overview entries (articles stay while other groups or
    // queues hold them; they expire normally). done(false) when the group does not exist.
    void remove_group(std::string name, unique_function<void(bool)> done);

    // Progress marks of other subsystems (a puller's high-water mark per upstream and group):
    // named numbers, all set in one transaction, read back with Snapshot::mark. Committed in
    // order with everything submitted before them (one writer). done(false) for an empty key
    // or one over 400 bytes (then none is set).
    void put_marks(std::vector<std::pair<std::string, std::uint64_t>> marks, unique_function<void(bool)> done);

    // Appends the stored ones of `message_ids` to `peer`'s outgoing queue (a reconciliation
    // found the peer lacks them); ids not stored (cancelled, expired, never here) are skipped.
    // done(n) gets how many were queued.
    void enqueue(std::string peer, std::vector<std::string> message_ids, unique_function<void(std::size_t)> done);

    // Outgoing queues: entries are read with Snapshot::queue_peek; then either acknowledged
    // (removed: sent, or refused by the peer) or deferred (moved to the tail, attempts + 1, for a
    // later retry). done(n) gets how many of the seqs were found.
    void queue_ack(std::string peer, std::vector<std::uint64_t> seqs,
                   unique_function<void(std::size_t)> done);
    void queue_defer(std::string peer, std::vector<std::uint64_t> seqs,
                     unique_function<void(std::size_t)> done);
    // Conveniences over a short Snapshot (copies, any thread): the head of a peer's queue, and
    // its depth and oldest entry's time. Entries acked but not yet committed still show.
    std::vector<QueueEntry> queue_peek(std::string_view peer, std::size_t max) const;
    QueueDepth queue_depth(std::string_view peer) const;

    // Runs one complete expiry pass now (in small write batches interleaved with other requests)
    // and reports what it removed. The writer also runs passes every Options::expiry_interval.
    void run_expiry(unique_function<void(ExpiryStats)> done);
    // Empties the journal file with the smallest share of live articles, if that share is below
    // Options::compact_below, by copying them forward (in slices, between other requests); the
    // file is deleted at the next checkpoint. Also runs after every automatic expiry pass.
    void compact(unique_function<void(CompactStats)> done);

    // Drains: answers everything queued (pending requests are still written), stops the writer,
    // closes the environment. Later submissions get `shutting_down`. Idempotent. Do not call it
    // from a completion, and close every Snapshot first.
    void shutdown();

    // Changes Options::free_space_floor_bytes at run time (an admin knob; tests use it to
    // simulate a full disk). Takes effect from the next batch.
    void set_free_space_floor(std::uint64_t bytes) noexcept;

    StoreStats stats() const;  // any thread; opens a short read transaction
    const Options& options() const noexcept;

private:
    friend class Snapshot;
    friend std::unique_ptr<Store> detail::open_store(const Options&, std::unique_ptr<detail::CommitIo>);
    explicit Store(std::unique_ptr<detail::Core> core);
    std::unique_ptr<detail::Core> core_;
};

}  // namespace tidings::storage
