// Snapshot::check_integrity: cross-checks every database against the others (an fsck). Used by
// the crash test after each SIGKILL and available to admin tools.
#include "storage/codec.h"
#include "storage/journal.h"
#include "storage/snapshot_state.h"

#include <filesystem>
#include <map>

namespace tidings::storage {

namespace {

// One pass of the check: each step cross-checks one database against the others and notes at
// most 100 problems in all. Steps share what earlier ones counted (the groups, the live
// articles per journal file).
class IntegrityCheck {
public:
    IntegrityCheck(const Snapshot& snap, const mdb::Txn& txn, const detail::Environment* env)
        : snap_(snap), txn(txn), dbi(env->dbi), env_(env) {}

    std::vector<std::string> run() {
        groups_against_index();
        articles_against_the_rest();
        journal_file_counters();
        history_entries();
        queues();
        return std::move(problems_);
    }

private:
    void problem(std::string p) {
        if (problems_.size() < 100) problems_.push_back(std::move(p));
    }

    // Groups against their index; the index against overview and articles.
    void groups_against_index() {
        std::size_t index_total = 0;
        snap_.for_each_group([&](const GroupInfo& g) {
            groups[g.name] = true;
            auto prefix = codec::group_prefix(g.name);
            std::uint64_t n = 0, min = 0, max = 0;
            mdb::Cursor c(txn, dbi.group_index);
            for (bool at = c.seek(prefix); at && c.key().starts_with(prefix); at = c.next()) {
                auto number = codec::get_u64(c.key(), prefix.size());
                if (n == 0) min = number;
                max = number;
                ++n;
                std::string id(c.value());
                if (!txn.get(dbi.overview, c.key()))
                    problem(g.name + ":" + std::to_string(number) + " has no overview record");
                auto art = txn.get(dbi.articles, id);
                auto meta = art ? codec::decode_article_meta(*art) : std::nullopt;
                if (!meta) {
                    problem(g.name + ":" + std::to_string(number) + " points to missing article " + id);
                    continue;
                }
                bool placed = false;
                for (const auto& [pg, pn] : meta->placements) placed |= pg == g.name && pn == number;
                if (!placed) problem(id + " does not list " + g.name + ":" + std::to_string(number));
            }
            index_total += n;
            if (n != g.count)
                problem(g.name + " count " + std::to_string(g.count) + " but index has " + std::to_string(n));
            if (n && (g.low != min || g.high < max))
                problem(g.name + " low/high " + std::to_string(g.low) + "/" + std::to_string(g.high) +
                        " but index spans " + std::to_string(min) + "-" + std::to_string(max));
            if (!n && g.low != g.high + 1) problem(g.name + " is empty but low != high + 1");
            return true;
        });
        MDB_stat st{};
        mdb_stat(txn.handle(), dbi.group_index, &st);
        if (st.ms_entries != index_total)
            problem("group index has " + std::to_string(st.ms_entries) + " entries, groups account for " +
                    std::to_string(index_total));
        mdb_stat(txn.handle(), dbi.overview, &st);
        if (st.ms_entries != index_total)
            problem("overview has " + std::to_string(st.ms_entries) + " entries, index has " +
                    std::to_string(index_total));

    }

    // Articles against history, placements, expiry and the article log.
    void articles_against_the_rest() {
        std::map<std::uint64_t, std::uint64_t> file_size;
        for (const auto& [first, path] : detail::Journal::files(env_->dir)) {
            std::error_code ec;
            file_size[first] = std::filesystem::file_size(path, ec);
    }
    {
        mdb::Cursor c(txn, dbi.articles);
        for (bool at = c.first(); at; at = c.next()) {
            std::string id(c.key());
            if (txn.get(dbi.history, id)) problem(id + " is stored and also has a refusal entry");
            auto meta = codec::decode_article_meta(c.value());
            auto loc = codec::article_locator(c.value());
            if (!meta || !loc) {
                problem(id + " has an undecodable record");
                continue;
            }
            ++per_file[loc->file];
            per_file_bytes[loc->file] += loc->length;
            auto size = file_size.find(loc->file);
            if (size == file_size.end())
                problem(id + " lives in " + detail::Journal::file_name(loc->file) + ", which is missing");
            else if (loc->offset + loc->length > size->second)
                problem(id + " lies past the end of " + detail::Journal::file_name(loc->file));
            else if (std::string bytes; env_->log.read(*loc, bytes))
                problem(id + "'s bytes in " + detail::Journal::file_name(loc->file) +
                        " cannot be read or fail their CRC");
            for (const auto& [g, n] : meta->placements) {
                if (!groups.count(g)) continue;  // group removed since
                auto v = txn.get(dbi.group_index, codec::number_key(g, n));
                if (!v || *v != id) problem(id + " lists " + g + ":" + std::to_string(n) + " not in the index");
            }
            if (meta->expires) {
                auto e = txn.get(dbi.expiry, codec::time_key(meta->expires, meta->expiry_seq));
                if (!e || *e != id) problem(id + " has no expiry entry");
            }
        }
    }
    }

    // Every journal file's live-article count (what decides when it is deleted) and live bytes
    // (what compaction weighs) against what the articles say.
    void journal_file_counters() {
        mdb::Cursor c(txn, dbi.meta);
        auto check = [&](std::string_view prefix, std::map<std::uint64_t, std::uint64_t>& want, const char* what) {
            for (bool at = c.seek(prefix); at && c.key().starts_with(prefix); at = c.next()) {
                if (c.key().size() != prefix.size() + 8 || c.value().size() != 8) {
                    problem(std::string("malformed journal file ") + what + " counter");
                    continue;
                }
                auto file = codec::get_u64(c.key(), prefix.size());
                auto n = codec::get_u64(c.value(), 0);
                if (want[file] != n)
                    problem(detail::Journal::file_name(file) + " " + what + " counter " + std::to_string(n) +
                            " but " + std::to_string(want[file]) + " live in it");
                want.erase(file);
            }
            for (const auto& [file, n] : want)
                if (n) problem(detail::Journal::file_name(file) + " has live " + what + " but no counter");
        };
        check(codec::segment_count_prefix, per_file, "articles");
        check(codec::segment_bytes_prefix, per_file_bytes, "bytes");
    }

    // The history database holds refusals only; each got a prune entry when written.
    void history_entries() {
        mdb::Cursor c(txn, dbi.history);
        for (bool at = c.first(); at; at = c.next()) {
            auto h = codec::decode_history(c.value());
            if (!h || h->status == HistoryStatus::stored)
                problem(std::string(c.key()) + " has a malformed history entry");
    }
    MDB_stat hs{}, ps{};
    mdb_stat(txn.handle(), dbi.history, &hs);
    mdb_stat(txn.handle(), dbi.prune, &ps);
    if (ps.ms_entries < hs.ms_entries)
        problem("history has " + std::to_string(hs.ms_entries) + " refusals but only " +
                std::to_string(ps.ms_entries) + " prune entries");
    }

    // Queues: every entry names an id the store has seen; counters match.
    void queues() {
        std::map<std::string, std::uint64_t> per_peer;
        {
            mdb::Cursor c(txn, dbi.queues);
            for (bool at = c.first(); at; at = c.next()) {
                auto split = codec::split_number_key(c.key());
                if (!split) {
                    problem("malformed queue key");
                    continue;
                }
                ++per_peer[std::string(split->first)];
                auto e = codec::decode_queue(split->second, c.value());
                if (!snap_.history(e.message_id)) problem("queue entry for unknown " + e.message_id);
            }
    }
    for (const auto& [peer, n] : per_peer)
        if (snap_.queue_depth(peer).entries != n)
            problem("queue " + peer + " counter " + std::to_string(snap_.queue_depth(peer).entries) +
                    " but " + std::to_string(n) + " entries");
    }

    // txn and dbi keep the names the steps have always used for the read transaction.
    const Snapshot& snap_;
    const mdb::Txn& txn;
    const detail::Dbis& dbi;
    const detail::Environment* env_;
    std::vector<std::string> problems_;
    std::map<std::string, bool> groups;                // the groups that exist
    std::map<std::uint64_t, std::uint64_t> per_file;   // live articles by journal file
    std::map<std::uint64_t, std::uint64_t> per_file_bytes;
};

}  // namespace

std::vector<std::string> Snapshot::check_integrity() const {
    return IntegrityCheck(*this, state_->txn, state_->env).run();
}

}  // namespace tidings::storage
