// The article log: article bytes live in the journal files, LMDB holds their locators; a file
// goes when a checkpoint is past its records and no article of the checkpointed state is in it.
#include "storage/journal.h"
#include "storage/snapshot.h"
#include "storage/store.h"

#include "test_util.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

using namespace tidings::storage;
using namespace tidings::storage::test;
using tidings::storage::detail::Journal;

namespace {

Options log_options(const std::string& dir) {
    auto o = small_options(dir);
    o.journal_file_bytes = 16 * 1024;  // a new file every few articles
    o.checkpoint_interval = std::chrono::milliseconds(20);
    o.initial_map_bytes = std::size_t{16} << 20;
    return o;
}

std::string id_of(int i) { return "<log" + std::to_string(i) + "@x>"; }

// Stores articles `from`..`to`-1 (3,000-byte bodies) in group g; false at the first refusal.
bool fill(Store& s, int from, int to) {
    for (int i = from; i < to; ++i)
        if (store_sync(s, make_request(id_of(i), {"g"}, {}, 3000)).status != StoreStatus::stored) return false;
    return true;
}

bool cancel(Store& s, const std::string& id) {
    return wait_for<bool>([&](auto done) { s.cancel(id, std::move(done)); });
}

}  // namespace

TEST(ArticleLog, BytesComeBackFromTheJournalFilesAcrossRotationsAndRestarts) {
    TempDir dir;
    {
        auto store = Store::open(log_options(dir.path()));
        ASSERT_TRUE(create_group(*store, "g"));
        ASSERT_TRUE(fill(*store, 0, 60));
        // Counted by the checkpointer (every 20 ms here), not at each rotation.
        EXPECT_TRUE(wait_until([&] { return store->stats().journal_files > 5u; }))
            << store->stats().journal_files;
        Snapshot snap(*store);
        for (int i = 0; i < 60; ++i) {
            auto a = snap.article(id_of(i));
            ASSERT_TRUE(a) << i;
            auto want = make_article(id_of(i), 3000);  // with our Xref at the end of the headers
            want.insert(want.find("\r\n\r\n") + 2, "Xref: news.test g:" + std::to_string(i + 1) + "\r\n");
            EXPECT_EQ(*a, want);
        }
        EXPECT_TRUE(snap.check_integrity().empty());
    }
    auto store = Store::open(log_options(dir.path()));
    Snapshot snap(*store);
    for (int i = 0; i < 60; ++i) EXPECT_TRUE(snap.article(id_of(i))) << i;
    EXPECT_TRUE(snap.check_integrity().empty());
}

TEST(ArticleLog, AFileIsDeletedOnceNoArticleLivesInIt) {
    TempDir dir;
    auto store = Store::open(log_options(dir.path()));
    ASSERT_TRUE(create_group(*store, "g"));
    ASSERT_TRUE(fill(*store, 0, 60));
    const auto files_before = Journal::files(dir.path()).size();
    // Cancel the first half: the files holding only those go; a checkpoint must pass first.
    for (int i = 0; i < 30; ++i) ASSERT_TRUE(cancel(*store, id_of(i)));
    ASSERT_TRUE(wait_until([&] { return Journal::files(dir.path()).size() + 3 < files_before; }))
        << files_before << " files before, " << Journal::files(dir.path()).size() << " after";
    {
        Snapshot snap(*store);
        for (int i = 0; i < 30; ++i) EXPECT_FALSE(snap.article(id_of(i))) << i;
        for (int i = 30; i < 60; ++i) EXPECT_TRUE(snap.article(id_of(i))) << i;
        EXPECT_TRUE(snap.check_integrity().empty());
    }
    // A deleted file may be reused as the next one (journal.spare): its old bytes must never be
    // taken for new records, before or after a restart.
    ASSERT_TRUE(fill(*store, 60, 90));
    store.reset();
    store = Store::open(log_options(dir.path()));
    Snapshot again(*store);
    for (int i = 30; i < 90; ++i) EXPECT_TRUE(again.article(id_of(i))) << i;
    EXPECT_FALSE(again.has_article(id_of(0)));
    EXPECT_FALSE(again.message_id_at("g", 1));
    EXPECT_EQ(again.group("g")->count, 60u);
    EXPECT_TRUE(again.check_integrity().empty());
}

TEST(ArticleLog, AMissingFileIsReportedNotServed) {
    TempDir dir;
    {
        auto store = Store::open(log_options(dir.path()));
        ASSERT_TRUE(create_group(*store, "g"));
        ASSERT_TRUE(fill(*store, 0, 40));
    }
    auto files = Journal::files(dir.path());
    ASSERT_GT(files.size(), 3u);
    std::filesystem::remove(std::next(files.begin())->second);  // an admin's mistake
    auto store = Store::open(log_options(dir.path()));
    Snapshot snap(*store);
    int readable = 0;
    for (int i = 0; i < 40; ++i) {
        readable += snap.article(id_of(i)).has_value();
        EXPECT_TRUE(snap.has_article(id_of(i))) << "the index still has it";
        EXPECT_EQ(snap.message_id_at("g", static_cast<std::uint64_t>(i) + 1), id_of(i));
    }
    EXPECT_GT(readable, 0);
    EXPECT_LT(readable, 40);
    auto problems = snap.check_integrity();
    ASSERT_FALSE(problems.empty());
    EXPECT_NE(problems.front().find("missing"), std::string::npos) << problems.front();
}

TEST(ArticleLog, DamagedBytesAreNeverServed) {
    TempDir dir;
    {
        auto store = Store::open(log_options(dir.path()));
        ASSERT_TRUE(create_group(*store, "g"));
        ASSERT_TRUE(fill(*store, 0, 5));
    }
    // Flip one byte inside the third article's body, where it sits in its journal file.
    std::string path;
    std::size_t at = std::string::npos;
    for (const auto& [first, p] : Journal::files(dir.path())) {
        std::ifstream in(p, std::ios::binary);
        std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        auto pos = data.find("Message-ID: " + id_of(2));
        if (pos != std::string::npos) {
            path = p.string();
            at = pos + 400;
        }
    }
    ASSERT_NE(at, std::string::npos);
    {
        std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
        f.seekp(static_cast<std::streamoff>(at));
        f.put('#');
    }
    auto store = Store::open(log_options(dir.path()));
    Snapshot snap(*store);
    EXPECT_FALSE(snap.article(id_of(2))) << "a CRC mismatch reads as absent, never as other bytes";
    EXPECT_TRUE(snap.article(id_of(1)));
    EXPECT_TRUE(snap.article(id_of(3)));
    auto problems = snap.check_integrity();
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_NE(problems.front().find("CRC"), std::string::npos) << problems.front();
}

TEST(ArticleLog, CompactionEmptiesASparseFileAndKeepsEveryLiveArticle) {
    TempDir dir;
    auto opts = log_options(dir.path());
    opts.expiry_interval = std::chrono::seconds(0);  // only the explicit call below
    auto store = Store::open(opts);
    ASSERT_TRUE(create_group(*store, "g"));
    ASSERT_TRUE(fill(*store, 0, 60));
    // Keep one article in five: every file is now mostly dead but none is empty.
    for (int i = 0; i < 60; ++i) {
        if (i % 5) {
            ASSERT_TRUE(cancel(*store, id_of(i)));
        }
    }
    const auto files_before = Journal::files(dir.path()).size();
    std::uint64_t moved = 0;
    for (int round = 0; round < 20; ++round) {
        auto st = wait_for<CompactStats>([&](auto done) { store->compact(std::move(done)); });
        moved += st.articles_moved;
        if (!st.files) break;
    }
    EXPECT_GT(moved, 5u);
    ASSERT_TRUE(wait_until([&] { return Journal::files(dir.path()).size() + 3 < files_before; }))
        << files_before << " files before, " << Journal::files(dir.path()).size() << " after";
    {
        Snapshot snap(*store);
        for (int i = 0; i < 60; i += 5) {
            auto a = snap.article(id_of(i));
            ASSERT_TRUE(a) << i;
            EXPECT_NE(a->find("Message-ID: " + id_of(i) + "\r\n"), std::string_view::npos);
        }
        EXPECT_TRUE(snap.check_integrity().empty()) << snap.check_integrity().front();
    }
    store.reset();  // and after a restart (the moves replayed or checkpointed)
    store = Store::open(opts);
    Snapshot snap(*store);
    for (int i = 0; i < 60; i += 5) EXPECT_TRUE(snap.article(id_of(i))) << i;
    EXPECT_EQ(snap.group("g")->count, 12u);
    EXPECT_TRUE(snap.check_integrity().empty());
}

// Files bigger than the compactor's 4 MiB read window, holding records bigger than it (64 KB
// articles submitted all at once, so batches of up to 6 MiB): the file is read a window at a
// time and every live article is moved intact.
TEST(ArticleLog, CompactionReadsBigFilesAWindowAtATime) {
    TempDir dir;
    auto opts = log_options(dir.path());
    opts.journal_file_bytes = std::uint64_t{12} << 20;
    opts.batch_max_bytes = std::size_t{6} << 20;
    opts.batch_max_articles = 1000;
    opts.expiry_interval = std::chrono::seconds(0);
    opts.initial_map_bytes = std::size_t{64} << 20;
    auto store = Store::open(opts);
    ASSERT_TRUE(create_group(*store, "g"));
    constexpr int n = 600;  // ~39 MB: three full files and a part
    std::vector<std::promise<StoreResult>> ps(n);
    for (int i = 0; i < n; ++i)
        store->submit(make_request(id_of(i), {"g"}, {}, 64000), [&ps, i](StoreResult r) { ps[i].set_value(r); });
    for (auto& p : ps) ASSERT_EQ(p.get_future().get().status, StoreStatus::stored);
    for (int i = 0; i < n; ++i) {
        if (i % 10) {
            ASSERT_TRUE(cancel(*store, id_of(i)));
        }
    }
    std::uint64_t moved = 0, files = 0;
    for (int round = 0; round < 20; ++round) {
        auto st = wait_for<CompactStats>([&](auto done) { store->compact(std::move(done)); });
        moved += st.articles_moved;
        files += st.files;
        if (!st.files) break;
    }
    EXPECT_GE(files, 2u);
    EXPECT_GE(moved, 30u);
    Snapshot snap(*store);
    for (int i = 0; i < n; i += 10) {
        auto a = snap.article(id_of(i));
        ASSERT_TRUE(a) << i;
        auto want = make_article(id_of(i), 64000);
        want.insert(want.find("\r\n\r\n") + 2, "Xref: news.test g:" + std::to_string(i + 1) + "\r\n");
        EXPECT_EQ(*a, want) << i;
    }
    EXPECT_TRUE(snap.check_integrity().empty()) << snap.check_integrity().front();
}
