// The crash test: a child process stores articles and reports each acknowledged id through a
// pipe; the parent SIGKILLs it at random moments, reopens the store and checks that every
// acknowledged id survived and that no index disagrees with another (nothing half-written).
#include "storage/checkpoint.h"
#include "storage/store.h"

#include "test_util.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <random>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <set>

using namespace tidings::storage;
using namespace tidings::storage::test;

namespace {

const std::vector<std::string> groups = {"crash.a", "crash.b", "crash.c"};

Options crash_options(const std::string& dir) {
    auto o = small_options(dir);
    o.initial_map_bytes = 2 << 20;  // small, so kills also land during map growth
    o.checkpoint_interval = std::chrono::milliseconds(100);  // and during checkpoints,
    o.journal_file_bytes = 256 * 1024;  // journal rotations and deletions of dead files,
    o.compact_below = 0.95;             // and compaction of any file not entirely live
    return o;
}

// What a power cut may leave of everything written after the last checkpoint: both LMDB meta
// pages torn (here: garbage) and every page allocated since (past the checkpoint's last page)
// never written. The journal must bring all acknowledged articles back regardless.
void lose_unsynced_pages(const std::string& dir) {
    auto c = tidings::storage::detail::read_checkpoint(dir);
    ASSERT_TRUE(c);
    std::uint64_t last_pg = 0;
    std::memcpy(&last_pg, c->meta_page.data() + 136, 8);  // MDB_meta.mm_last_pg (LMDB 0.9)
    const std::size_t psize = c->meta_page.size();
    int fd = ::open((dir + "/data.mdb").c_str(), O_RDWR);
    ASSERT_GE(fd, 0);
    off_t end = ::lseek(fd, 0, SEEK_END);
    std::string junk(psize, '\xA5');
    for (off_t off = 0; off < end; off += static_cast<off_t>(psize)) {
        if (off >= 2 * static_cast<off_t>(psize) && off <= static_cast<off_t>(last_pg * psize)) continue;
        ASSERT_EQ(::pwrite(fd, junk.data(), psize, off), static_cast<ssize_t>(psize));
    }
    ::close(fd);
}

// Child: store forever with 64 requests in flight; write "id\n" to `fd` after each ack. One id in
// ten arrived 40 days ago ("@old>", expired by the expiry passes it starts every 500 articles);
// one in thirteen is cancelled right after its ack ("@cancel>"): kills land in those paths too.
[[noreturn]] void run_child(const std::string& dir, int fd, int round) {
    try {
        auto store = Store::open(crash_options(dir));
        std::mutex m;
        std::condition_variable cv;
        int in_flight = 0;
        std::mt19937 rng(round);
        for (std::uint64_t i = 0;; ++i) {
            {
                std::unique_lock lk(m);
                cv.wait(lk, [&] { return in_flight < 64; });
                ++in_flight;
            }
            const bool old = i % 10 == 0, cancel = !old && i % 13 == 0;
            std::string id = "<r" + std::to_string(round) + "." + std::to_string(i) +
                             (old ? "@old>" : cancel ? "@cancel>" : "@crash>");
            std::vector<std::string> gs;
            for (const auto& g : groups)
                if (rng() % 2) gs.push_back(g);
            std::int64_t arrival = old ? std::time(nullptr) - 40 * 86400 : 0;
            if (i % 500 == 499) {
                store->run_expiry(nullptr);
                store->compact(nullptr);  // files here are mostly live: see crash_options
            }
            store->submit(make_request(id, gs, {"hub"}, 500 + rng() % 3000, arrival),
                          [&, id, cancel](StoreResult r) {
                              if (r.status == StoreStatus::stored) {
                                  std::string line = id + "\n";
                                  if (::write(fd, line.data(), line.size()) != ssize_t(line.size())) _exit(3);
                                  if (cancel) store->cancel(id, nullptr);
                              }
                              std::lock_guard lk(m);
                              --in_flight;
                              cv.notify_one();
                          });
        }
    } catch (...) {
        _exit(2);
    }
}

// Reads whole lines from fd into `acked` until `deadline_ms` passes (or EOF).
void collect(int fd, std::string& partial, std::set<std::string>& acked, int deadline_ms) {
    auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(deadline_ms);
    char buf[65536];
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
        if (deadline_ms >= 0 && left.count() <= 0) return;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, deadline_ms >= 0 ? int(left.count()) : 1000) <= 0) return;
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) return;
        partial.append(buf, std::size_t(n));
        std::size_t at;
        while ((at = partial.find('\n')) != std::string::npos) {
            acked.insert(partial.substr(0, at));
            partial.erase(0, at + 1);
        }
    }
}

}  // namespace

TEST(Crash, AcknowledgedArticlesSurviveSigkill) {
    TempDir dir;
    {
        auto store = Store::open(crash_options(dir.path()));
        for (const auto& g : groups) ASSERT_TRUE(create_group(*store, g));
    }
    std::set<std::string> acked;
    std::size_t cancelled = 0, expired = 0;  // among the acked ids, after the last round
    std::mt19937 rng(20261125);
    const int rounds = 12;
    for (int round = 0; round < rounds; ++round) {
        int fds[2];
        ASSERT_EQ(::pipe(fds), 0);
        pid_t pid = ::fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            ::close(fds[0]);
            run_child(dir.path(), fds[1], round);
        }
        ::close(fds[1]);
        std::string partial;
        collect(fds[0], partial, acked, 100 + int(rng() % 500));
        ::kill(pid, SIGKILL);
        int status = 0;
        ::waitpid(pid, &status, 0);
        ASSERT_TRUE(WIFSIGNALED(status)) << "child exited by itself, status " << status;
        collect(fds[0], partial, acked, -1);  // acks already in the pipe count too
        ::close(fds[0]);
        if (round % 2) lose_unsynced_pages(dir.path());

        auto store = Store::open(crash_options(dir.path()));
        Snapshot snap(*store);
        std::size_t missing = 0, wrong = 0;
        cancelled = expired = 0;
        for (const auto& id : acked) {
            auto h = snap.history(id);
            cancelled += h && h->status == HistoryStatus::cancelled;
            expired += h && h->status == HistoryStatus::expired;
            bool may_be_gone = id.ends_with("@old>") || id.ends_with("@cancel>");
            auto bytes = snap.article(id);
            if (!h || (h->status == HistoryStatus::stored) != bool(bytes) ||
                (!may_be_gone && h->status != HistoryStatus::stored))
                ++missing;
            // The bytes are this article's (a wrong locator, or a recycled journal file's stale
            // bytes, would show another id or garbage).
            if (bytes && bytes->find("Message-ID: " + id + "\r\n") == std::string_view::npos) ++wrong;
        }
        EXPECT_EQ(missing, 0u) << "round " << round << ": acknowledged ids lost";
        EXPECT_EQ(wrong, 0u) << "round " << round << ": articles with another article's bytes";
        auto problems = snap.check_integrity();
        EXPECT_TRUE(problems.empty()) << "round " << round << ": " << problems.front();
        auto st = store->stats();
        // Every article ever stored was queued for "hub" in its own transaction and never
        // acked; those cancelled or expired since are remembered in history.
        EXPECT_EQ(snap.queue_depth("hub").entries, st.articles + st.history) << "round " << round;
        EXPECT_GE(st.articles + st.history, acked.size());
    }
    EXPECT_GT(acked.size(), 100u) << "the child hardly stored anything";
    RecordProperty("acknowledged", int(acked.size()));
    EXPECT_GT(cancelled, 0u);
    EXPECT_GT(expired, 0u);
    std::printf("crash test: %d rounds, %zu acknowledged ids checked (%zu since cancelled, %zu expired)\n",
                rounds, acked.size(), cancelled, expired);
}
