// The journal (the durable commit point) and the checkpoint file: records come back in order,
// and whatever a crash can leave at the end — a torn record, garbage, a gap — ends the replay
// there instead of being applied.
#include "storage/checkpoint.h"
#include "storage/commit_io.h"
#include "storage/crc32c.h"
#include "storage/journal.h"
#include "storage/snapshot.h"
#include "storage/store.h"

#include "test_util.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>
#include <stdexcept>
#include <vector>

using namespace tidings::storage::detail;
using tidings::storage::test::TempDir;

namespace {

std::vector<std::pair<std::uint64_t, std::string>> replay_all(const std::string& dir, std::uint64_t after = 0) {
    std::vector<std::pair<std::uint64_t, std::string>> out;
    Journal::replay(dir, after, [&](std::uint64_t seq, std::string_view p) { out.emplace_back(seq, std::string(p)); });
    return out;
}

std::string only_file(const std::string& dir, std::string_view prefix) {
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().filename().string().starts_with(prefix)) return e.path().string();
    return {};
}

}  // namespace

TEST(Crc32c, KnownVector) {
    EXPECT_EQ(crc32c("123456789"), 0xE3069283u);  // the CRC-32C check value
    EXPECT_EQ(crc32c("6789", crc32c("12345")), 0xE3069283u);
    EXPECT_EQ(crc32c(""), 0u);
    // The interleaved hardware path against the byte-wise table: every length around the
    // 3-block boundaries, odd starting addresses, chained calls.
    std::string data(8000, '\0');
    std::uint32_t x = 12345;
    for (auto& ch : data) ch = static_cast<char>((x = x * 1103515245 + 12345) >> 16);
    for (std::size_t len : {0u, 1u, 7u, 8u, 1535u, 1536u, 1537u, 1543u, 3071u, 3072u, 3080u, 4999u, 7990u})
        for (std::size_t off : {0u, 1u, 3u}) {
            std::string_view v(data.data() + off, len);
            ASSERT_EQ(crc32c(v), crc32c_bytewise(v)) << len << "+" << off;
            ASSERT_EQ(crc32c(v, 0xdeadbeef), crc32c_bytewise(v, 0xdeadbeef)) << len << "+" << off;
        }
    for (std::size_t len = 0; len < 3200; len += 37)
        ASSERT_EQ(crc32c(std::string_view(data).substr(5, len)), crc32c_bytewise(std::string_view(data).substr(5, len))) << len;
}

TEST(Journal, ReplaysRecordsInOrderAcrossFilesAndSkipsCheckpointedOnes) {
    TempDir dir;
    Journal j(dir.path());
    ASSERT_EQ(j.start(1), 0);
    ASSERT_EQ(j.append(1, "one"), 0);
    ASSERT_EQ(j.append(2, std::string(100000, 'x')), 0);
    ASSERT_EQ(j.sync(), 0);
    ASSERT_EQ(j.start(3), 0);  // a checkpoint rotated the file
    ASSERT_EQ(j.append(3, ""), 0);
    ASSERT_EQ(j.append(4, "four"), 0);
    ASSERT_EQ(j.sync(), 0);
    auto all = replay_all(dir.path());
    ASSERT_EQ(all.size(), 4u);
    EXPECT_EQ(all[0], std::make_pair(std::uint64_t{1}, std::string("one")));
    EXPECT_EQ(all[1].second.size(), 100000u);
    EXPECT_EQ(all[3], std::make_pair(std::uint64_t{4}, std::string("four")));
    auto after = replay_all(dir.path(), 2);
    ASSERT_EQ(after.size(), 2u);
    EXPECT_EQ(after[0].first, 3u);
    // Files wholly before the checkpoint are article storage: not even read.
    {
        std::ofstream f(dir.path() + "/journal.0000000000000001", std::ios::binary | std::ios::trunc);
        f << "not a journal";
    }
    EXPECT_EQ(replay_all(dir.path(), 2).size(), 2u);
    Journal::remove(dir.path(), {1});
    EXPECT_EQ(replay_all(dir.path(), 2).size(), 2u);
    EXPECT_THROW(replay_all(dir.path()), std::runtime_error) << "records 1-2 are missing: refuse, do not skip";
}

TEST(Journal, TornTailCorruptionAndGapsEndTheReplay) {
    TempDir dir;
    {
        Journal j(dir.path());
        ASSERT_EQ(j.start(1), 0);
        for (std::uint64_t s = 1; s <= 3; ++s) ASSERT_EQ(j.append(s, "record " + std::to_string(s)), 0);
        ASSERT_EQ(j.sync(), 0);
    }
    auto file = only_file(dir.path(), "journal.");
    auto size = std::filesystem::file_size(file);
    std::filesystem::resize_file(file, size - 3);  // the last record torn
    EXPECT_EQ(Journal::replay(dir.path(), 0, [](auto, auto) {}), 2u);
    int fd = ::open(file.c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::pwrite(fd, "X", 1, 24 + 3), 1);  // a payload byte of record 1 flipped
    ::close(fd);
    // Record 2 is intact after the damaged record 1: no crash tears a synced record in the
    // middle, so a durable store refuses to start (strict); a relaxed one or a restored copy
    // (not strict) stops there.
    EXPECT_THROW(Journal::replay(dir.path(), 0, [](auto, auto) {}), std::runtime_error);
    EXPECT_EQ(Journal::replay(dir.path(), 0, [](auto, auto) {}, false), 0u);

    TempDir gap;
    Journal j(gap.path());
    ASSERT_EQ(j.start(1), 0);
    ASSERT_EQ(j.append(1, "a"), 0);
    ASSERT_EQ(j.append(3, "c"), 0);  // 2 missing: 3 cannot be trusted
    EXPECT_EQ(Journal::replay(gap.path(), 0, [](auto, auto) {}), 1u);
}

TEST(Journal, IntactRecordsAfterADamagedOneRefuseTheStart) {
    TempDir dir;
    Journal j(dir.path());
    ASSERT_EQ(j.start(1), 0);
    ASSERT_EQ(j.append(1, "one"), 0);
    ASSERT_EQ(j.append(2, "two"), 0);
    ASSERT_EQ(j.sync(), 0);
    ASSERT_EQ(j.start(3), 0);
    ASSERT_EQ(j.append(3, "three"), 0);
    ASSERT_EQ(j.sync(), 0);
    EXPECT_EQ(replay_all(dir.path()).size(), 3u);
    auto file = dir.path() + "/journal.0000000000000001";
    int fd = ::open(file.c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::pwrite(fd, "X", 1, 24 + 3 + 24 + 1), 1);  // record 2 damaged; 3 is intact
    ::close(fd);
    EXPECT_THROW(replay_all(dir.path()), std::runtime_error);
    EXPECT_EQ(replay_all(dir.path(), 2).size(), 1u) << "a checkpoint past the damage needs nothing of it";
    // The same inside one file: record 2 of 3 damaged, 3 intact after it.
    TempDir one;
    Journal k(one.path());
    ASSERT_EQ(k.start(1), 0);
    for (std::uint64_t s = 1; s <= 3; ++s) ASSERT_EQ(k.append(s, "record " + std::to_string(s)), 0);
    ASSERT_EQ(k.sync(), 0);
    fd = ::open((one.path() + "/journal.0000000000000001").c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::pwrite(fd, "X", 1, 24 + 8 + 24 + 2), 1);
    ::close(fd);
    EXPECT_THROW(replay_all(one.path()), std::runtime_error);
    std::filesystem::remove(dir.path() + "/journal.0000000000000003");
    EXPECT_EQ(replay_all(dir.path()).size(), 1u) << "a damaged last record is a torn tail";
}

TEST(Journal, TruncateCutsBackToTheLastSync) {
    TempDir dir;
    Journal j(dir.path());
    ASSERT_EQ(j.start(1), 0);
    ASSERT_EQ(j.append(1, "kept"), 0);
    ASSERT_EQ(j.sync(), 0);
    ASSERT_EQ(j.append(2, "failed"), 0);  // say its fdatasync failed
    ASSERT_EQ(j.truncate(j.good_bytes()), 0);
    EXPECT_EQ(replay_all(dir.path()).size(), 1u);
    ASSERT_EQ(j.append(2, "retried"), 0);
    ASSERT_EQ(j.sync(), 0);
    auto all = replay_all(dir.path());
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[1].second, "retried");
}

TEST(CheckpointFile, RoundTripsAndRefusesDamage) {
    TempDir dir;
    EXPECT_FALSE(read_checkpoint(dir.path()));
    Checkpoint c;
    c.seq = 42;
    c.txnid = 7;
    c.meta_page.assign(4096, '\0');
    std::memcpy(c.meta_page.data() + 144, &c.txnid, 8);
    ASSERT_EQ(write_checkpoint(dir.path(), c), 0);
    auto back = read_checkpoint(dir.path());
    ASSERT_TRUE(back);
    EXPECT_EQ(back->seq, 42u);
    EXPECT_EQ(back->txnid, 7u);
    EXPECT_EQ(back->meta_page, c.meta_page);
    int fd = ::open((dir.path() + "/checkpoint").c_str(), O_WRONLY);
    ASSERT_EQ(::pwrite(fd, "\x01", 1, 100), 1);
    ::close(fd);
    EXPECT_THROW(read_checkpoint(dir.path()), std::runtime_error);
}

TEST(StoreLock, ASecondProcessOrStoreCannotOpenTheSameDirectory) {
    TempDir dir;
    auto store = tidings::storage::Store::open(tidings::storage::test::small_options(dir.path()));
    EXPECT_THROW(tidings::storage::Store::open(tidings::storage::test::small_options(dir.path())),
                 std::runtime_error);
}

TEST(Journal, ARecycledFileEndsWhereItsNewRecordsEnd) {
    TempDir dir;
    Journal j(dir.path());
    ASSERT_EQ(j.start(1), 0);
    for (std::uint64_t s = 1; s <= 5; ++s) ASSERT_EQ(j.append(s, std::string(1000, 'a')), 0);
    ASSERT_EQ(j.sync(), 0);
    ASSERT_EQ(j.start(6), 0);
    Journal::remove(dir.path(), {1});  // journal.1 becomes the spare
    EXPECT_TRUE(std::filesystem::exists(dir.path() + "/journal.spare"));
    ASSERT_EQ(j.append(6, "six"), 0);
    ASSERT_EQ(j.sync(), 0);
    ASSERT_EQ(j.start(7), 0);  // takes the spare: 5,000 bytes of stale records from seq 1..5
    EXPECT_FALSE(std::filesystem::exists(dir.path() + "/journal.spare"));
    ASSERT_EQ(j.append(7, "seven"), 0);  // overwrites the start of stale record 1
    ASSERT_EQ(j.append(8, std::string(1500, 'b')), 0);
    ASSERT_EQ(j.sync(), 0);
    auto all = replay_all(dir.path(), 5);
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0].second, "six");
    EXPECT_EQ(all[1].second, "seven");
    EXPECT_EQ(all[2].first, 8u);
    // Records from the file's earlier life that happen to sit on a record boundary right after
    // the new ones must not be taken either: rewrite so that a stale record follows exactly.
    TempDir d2;
    Journal k(d2.path());
    ASSERT_EQ(k.start(1), 0);
    for (std::uint64_t s = 1; s <= 3; ++s) ASSERT_EQ(k.append(s, "xxxx"), 0);
    ASSERT_EQ(k.sync(), 0);
    ASSERT_EQ(k.start(4), 0);
    Journal::remove(d2.path(), {1});
    ASSERT_EQ(k.start(5), 0);            // the spare (records 1..3 of 4-byte payloads)
    ASSERT_EQ(k.append(5, "yyyy"), 0);   // same size: record 2 of the old life follows exactly
    ASSERT_EQ(k.sync(), 0);
    auto got = replay_all(d2.path(), 4);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].second, "yyyy");
}

namespace {
std::atomic<bool> sync_broken{false};
// As Linux does: the writeback error is reported to one sync, and the next one succeeds.
class BrokenDataSync : public tidings::storage::detail::CommitIo {
public:
    int sync_data(MDB_env* env) noexcept override {
        return sync_broken.exchange(false) ? EIO : CommitIo::sync_data(env);
    }
};
std::unique_ptr<tidings::storage::Store> open_broken(const tidings::storage::Options& opts) {
    return tidings::storage::detail::open_store(opts, std::make_unique<BrokenDataSync>());
}
}  // namespace

// A failed sync of the data file (Linux reports such an error once, then calls the pages clean):
// no checkpoint may be recorded after it, every batch stays in the journal, and a restart
// rebuilds everything acknowledged from checkpoint + journal.
TEST(Checkpoint, AFailedDataSyncStopsCheckpointsAndLosesNothing) {
    using namespace tidings::storage;
    using namespace tidings::storage::test;
    TempDir dir;
    auto opts = small_options(dir.path());
    opts.checkpoint_interval = std::chrono::milliseconds(20);
    opts.initial_map_bytes = std::size_t{64} << 20;  // growing needs a checkpoint: none after the failure
    std::uint64_t seq_before = 0;
    {
        auto store = open_broken(opts);
        ASSERT_TRUE(create_group(*store, "g"));
        sync_broken = true;
        for (int i = 0; i < 50; ++i) {
            ASSERT_EQ(store_sync(*store, make_request("<s" + std::to_string(i) + "@x>", {"g"})).status,
                      StoreStatus::stored);
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        EXPECT_TRUE(wait_until([&] { return store->stats().checkpoints_stopped; }));
        seq_before = read_checkpoint(dir.path())->seq;
        ASSERT_EQ(store_sync(*store, make_request("<after@x>", {"g"})).status, StoreStatus::stored);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));  // checkpoints would be due
        EXPECT_EQ(read_checkpoint(dir.path())->seq, seq_before) << "no checkpoint after the failure";
    }  // the clean stop's final checkpoint is refused too
    EXPECT_EQ(read_checkpoint(dir.path())->seq, seq_before);
    auto store = Store::open(opts);  // restores the last good checkpoint, replays the journal
    Snapshot snap(*store);
    for (int i = 0; i < 50; ++i) EXPECT_TRUE(snap.article("<s" + std::to_string(i) + "@x>")) << i;
    EXPECT_TRUE(snap.article("<after@x>"));
    EXPECT_EQ(snap.group("g")->count, 51u);
    EXPECT_TRUE(snap.check_integrity().empty());
}

TEST(Journal, APreparedSpareIsZerosAndBecomesTheNextFile) {
    TempDir dir;
    Journal::prepare_spare(dir.path(), 1 << 20);
    const auto spare = dir.path() + "/journal.spare";
    ASSERT_TRUE(std::filesystem::exists(spare));
    EXPECT_EQ(std::filesystem::file_size(spare), std::uintmax_t{1} << 20);
    EXPECT_FALSE(std::filesystem::exists(dir.path() + "/journal.spare.tmp"));
    Journal::prepare_spare(dir.path(), 4096);  // one is there: left alone
    EXPECT_EQ(std::filesystem::file_size(spare), std::uintmax_t{1} << 20);
    Journal j(dir.path());
    ASSERT_EQ(j.start(1), 0);  // takes the spare
    EXPECT_FALSE(std::filesystem::exists(spare));
    for (std::uint64_t s = 1; s <= 3; ++s) ASSERT_EQ(j.append(s, std::string(5000, 'a')), 0);
    ASSERT_EQ(j.sync(), 0);
    EXPECT_EQ(std::filesystem::file_size(dir.path() + "/journal.0000000000000001"), std::uintmax_t{1} << 20);
    EXPECT_EQ(replay_all(dir.path()).size(), 3u) << "the zeros after the records end the file";
}
