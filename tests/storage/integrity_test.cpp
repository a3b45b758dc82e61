// check_integrity must find damage, or the crash test proves nothing: damage a store behind the
// Store's back with raw LMDB and expect a report.
#include "storage/snapshot.h"

#include "storage/codec.h"
#include "test_util.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <lmdb.h>

using namespace tidings::storage;
using namespace tidings::storage::test;

namespace {

void fill(const std::string& dir) {
    auto store = Store::open(small_options(dir));
    ASSERT_TRUE(create_group(*store, "g"));
    for (int i = 0; i < 5; ++i) store_sync(*store, make_request("<" + std::to_string(i) + "@x>", {"g"}, {"hub"}));
    Snapshot snap(*store);
    ASSERT_TRUE(snap.check_integrity().empty());
}

// Runs `damage` in a raw write transaction on database `db`. The store's checkpoint and journal
// go too: the checkpoint names the state the store last synced, and opening would return to it,
// undoing the damage (as it undoes anything written behind the store's back).
template <class F>
void tamper(const std::string& dir, const char* db, F damage) {
    MDB_env* env = nullptr;
    ASSERT_EQ(mdb_env_create(&env), 0);
    mdb_env_set_maxdbs(env, 16);
    ASSERT_EQ(mdb_env_open(env, dir.c_str(), 0, 0644), 0);
    MDB_txn* txn = nullptr;
    ASSERT_EQ(mdb_txn_begin(env, nullptr, 0, &txn), 0);
    MDB_dbi dbi;
    ASSERT_EQ(mdb_dbi_open(txn, db, 0, &dbi), 0);
    damage(txn, dbi);
    ASSERT_EQ(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
    // What is left is a plain LMDB store, as a restored backup would be (README: "Backup").
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().filename() == "checkpoint" || e.path().filename().string().starts_with("journal."))
            std::filesystem::remove(e.path());
}

std::vector<std::string> problems(const std::string& dir) {
    auto store = Store::open(small_options(dir));
    return Snapshot(*store).check_integrity();
}

void del(MDB_txn* txn, MDB_dbi dbi, const std::string& key) {
    MDB_val k{key.size(), const_cast<char*>(key.data())};
    ASSERT_EQ(mdb_del(txn, dbi, &k, nullptr), 0);
}

}  // namespace

TEST(Integrity, FindsMissingOverviewRecord) {
    TempDir dir;
    fill(dir.path());
    tamper(dir.path(), "overview", [](MDB_txn* t, MDB_dbi d) { del(t, d, codec::number_key("g", 3)); });
    EXPECT_FALSE(problems(dir.path()).empty());
}

TEST(Integrity, FindsArticleMissingFromIndex) {
    TempDir dir;
    fill(dir.path());
    tamper(dir.path(), "group_index", [](MDB_txn* t, MDB_dbi d) { del(t, d, codec::number_key("g", 2)); });
    EXPECT_FALSE(problems(dir.path()).empty());
}

TEST(Integrity, FindsQueueEntryForUnknownArticle) {
    TempDir dir;
    fill(dir.path());
    tamper(dir.path(), "articles", [](MDB_txn* t, MDB_dbi d) { del(t, d, "<4@x>"); });
    EXPECT_FALSE(problems(dir.path()).empty());
}

TEST(Integrity, FindsWrongGroupCount) {
    TempDir dir;
    fill(dir.path());
    tamper(dir.path(), "groups", [](MDB_txn* t, MDB_dbi d) {
        GroupInfo g{"g", 1, 5, 4, 'y', 1, "x"};
        auto v = codec::group_value(g);
        MDB_val k{1, const_cast<char*>("g")}, val{v.size(), v.data()};
        ASSERT_EQ(mdb_put(t, d, &k, &val, 0), 0);
    });
    EXPECT_FALSE(problems(dir.path()).empty());
}
