// storage-bench: measures the storage/ writer as a feeder drives it — a fixed number of store
// requests in flight, each answered after its batch's commit — and random reads by Message-ID.
#include "storage/snapshot.h"
#include "storage/store.h"

#include <spdlog/spdlog.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

using namespace tidings::storage;
using steady = std::chrono::steady_clock;

namespace {

struct Args {
    std::string dir;
    bool durable = true;
    std::size_t inflight = 256;
    std::size_t count = 100000;
    std::size_t reads = 200000;
    std::size_t size = 2048;
    int read_threads = 2;
    bool keep = false;
    bool write_map = false;
    bool spare = true;
    bool no_expiry = false;
    long checkpoint_ms = -1;  // -1: the store's default
    std::size_t prefill = 0;
};

[[noreturn]] void usage() {
    std::fprintf(stderr,
                 "usage: storage-bench [--dir D] [--relaxed] [--inflight N] [--count N] [--reads N]\n"
                 "                     [--size BYTES] [--read-threads N] [--write-map] [--no-expiry]\n"
                 "                     [--prefill N] [--checkpoint-ms MS] [--no-spare] [--keep]\n"
                 "Stores --count articles of --size bytes (1-3 of 10 groups, queued for one peer) with\n"
                 "--inflight requests outstanding, then does --reads random reads by Message-ID.\n"
                 "--prefill N first stores N articles (relaxed, untimed) so the trees are big.\n");
    std::exit(2);
}

Args parse(int argc, char** argv) {
    Args a;
    for (int i = 1; i < argc; ++i) {
        std::string k = argv[i];
        auto next = [&]() -> std::string { if (i + 1 >= argc) usage(); return argv[++i]; };
        if (k == "--dir") a.dir = next();
        else if (k == "--relaxed") a.durable = false;
        else if (k == "--inflight") a.inflight = std::stoul(next());
        else if (k == "--count") a.count = std::stoul(next());
        else if (k == "--reads") a.reads = std::stoul(next());
        else if (k == "--size") a.size = std::stoul(next());
        else if (k == "--read-threads") a.read_threads = std::stoi(next());
        else if (k == "--keep") a.keep = true;
        else if (k == "--write-map") a.write_map = true;
        else if (k == "--no-spare") a.spare = false;
        else if (k == "--no-expiry") a.no_expiry = true;
        else if (k == "--checkpoint-ms") a.checkpoint_ms = std::stol(next());
        else if (k == "--prefill") a.prefill = std::stoul(next());
        else usage();
    }
    if (a.dir.empty()) {
        std::string tmpl = (std::filesystem::temp_directory_path() / "storage-bench-XXXXXX").string();
        if (!::mkdtemp(tmpl.data())) usage();
        a.dir = tmpl;
    }
    return a;
}

// Real Message-IDs arrive in no useful order, so ids are scattered over the key space (a
// sequential id would keep every insert on the same few B-tree pages and flatter the figures).
std::string id_of(std::size_t i) {
    std::uint64_t z = i + 0x9e3779b97f4a7c15ull;  // splitmix64
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    char buf[64];
    std::snprintf(buf, sizeof buf, "<%016llx.%zu@bench.example>", (unsigned long long)z, i);
    return buf;
}

StoreRequest make(std::size_t i, std::size_t size, std::mt19937& rng) {
    StoreRequest r;
    r.message_id = id_of(i);
    r.article = "Path: bench!not-for-mail\r\nFrom: bench@example.com\r\nNewsgroups: bench.0\r\n"
                "Subject: article " + std::to_string(i) + "\r\nMessage-ID: " + r.message_id +
                "\r\nDate: Wed, 25 Nov 2026 07:00:00 +0000\r\n\r\n";
    while (r.article.size() < size) r.article += "Lorem ipsum dolor sit amet, consectetur adipiscing.\r\n";
    r.article.resize(size - 2);
    r.article += "\r\n";
    std::size_t n = 1 + rng() % 3;
    for (std::size_t g = 0; g < n; ++g) {
        auto name = "bench." + std::to_string(rng() % 10);
        if (std::find(r.groups.begin(), r.groups.end(), name) == r.groups.end()) r.groups.push_back(name);
    }
    r.overview = {"article " + std::to_string(i), "bench@example.com", "Wed, 25 Nov 2026 07:00:00 +0000",
                  r.message_id, "", 30};
    r.feeds = {"peer"};
    return r;
}

double pct(std::vector<double>& v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, std::size_t(p * double(v.size())))];
}

// Bytes this process caused to be written to the block device (Linux /proc/self/io): the
// figure that decides a durable commit's cost, and unlike time it does not depend on the
// neighbours' load.
std::uint64_t device_write_bytes() {
    FILE* f = std::fopen("/proc/self/io", "r");
    if (!f) return 0;
    char line[128];
    unsigned long long v = 0;
    while (std::fgets(line, sizeof line, f))
        if (std::sscanf(line, "write_bytes: %llu", &v) == 1) break;
    std::fclose(f);
    return v;
}

}  // namespace

int main(int argc, char** argv) {
    Args a = parse(argc, argv);
    spdlog::set_level(spdlog::level::warn);
    Options o;
    o.dir = a.dir;
    o.pathhost = "bench";
    o.durable = a.durable;
    o.write_map = a.write_map;
    o.prepare_spare = a.spare;
    if (a.checkpoint_ms >= 0) o.checkpoint_interval = std::chrono::milliseconds(a.checkpoint_ms);
    if (a.no_expiry) o.default_retention = std::chrono::seconds(0);  // no expiry index entries
    o.batch_max_articles = std::max<std::size_t>(a.inflight, 1);
    o.expiry_interval = std::chrono::seconds(0);
    std::mt19937 rng(1);
    {
        Options fill = o;
        fill.durable = false;  // untimed set-up: LMDB's relaxed mode still leaves a valid store
        fill.batch_max_articles = 1024;
        auto store = Store::open(fill);
        for (int g = 0; g < 10; ++g) {
            std::promise<bool> p;
            store->create_group("bench." + std::to_string(g), 'y', "bench", 0, [&](bool ok) { p.set_value(ok); });
            p.get_future().get();
        }
        std::atomic<std::size_t> left{a.prefill};
        std::promise<void> all;
        if (a.prefill == 0) all.set_value();
        for (std::size_t i = 0; i < a.prefill; ++i)
            store->submit(make(a.count + i, a.size, rng), [&](StoreResult) {
                if (--left == 0) all.set_value();
            });
        all.get_future().get();
    }
    // The relaxed prefill left its pages dirty in the page cache: flush them now, or the first
    // durable commits would pay for writing the whole prefill back.
    if (int fd = ::open((a.dir + "/data.mdb").c_str(), O_RDONLY); fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
    auto store = Store::open(o);

    // Store phase: a submitter thread keeps `inflight` requests outstanding, as a feeder's window.
    std::mutex m;
    std::condition_variable cv;
    std::size_t in_flight = 0, done = 0, failures = 0;
    std::vector<double> latency_us;
    latency_us.reserve(a.count);
    std::vector<StoreRequest> reqs;
    reqs.reserve(a.count);
    for (std::size_t i = 0; i < a.count; ++i) reqs.push_back(make(i, a.size, rng));
    auto w0 = device_write_bytes();
    auto t0 = steady::now();
    for (std::size_t i = 0; i < a.count; ++i) {
        {
            std::unique_lock lk(m);
            cv.wait(lk, [&] { return in_flight < a.inflight; });
            ++in_flight;
        }
        auto start = steady::now();
        store->submit(std::move(reqs[i]), [&, start](StoreResult r) {
            auto us = std::chrono::duration<double, std::micro>(steady::now() - start).count();
            std::lock_guard lk(m);
            latency_us.push_back(us);
            if (r.status != StoreStatus::stored) ++failures;
            --in_flight;
            ++done;
            cv.notify_all();
        });
    }
    {
        std::unique_lock lk(m);
        cv.wait(lk, [&] { return done == a.count; });
    }
    double secs = std::chrono::duration<double>(steady::now() - t0).count();
    double kb_per_article = double(device_write_bytes() - w0) / 1024.0 / double(a.count);
    auto st = store->stats();

    // Read phase: random ids, one short Snapshot per read (as a reader command would).
    std::atomic<std::size_t> found{0};
    std::vector<std::thread> readers;
    auto r0 = steady::now();
    for (int t = 0; t < a.read_threads; ++t) {
        readers.emplace_back([&, t] {
            std::mt19937 r(100 + t);
            std::size_t local = 0, sum = 0;
            for (std::size_t i = 0; i < a.reads / std::size_t(a.read_threads); ++i) {
                Snapshot snap(*store);
                if (auto art = snap.article(id_of(r() % (a.count + a.prefill)))) {
                    ++local;
                    sum += static_cast<unsigned char>((*art)[art->size() / 2]);  // touch the bytes
                }
            }
            found += local;
            if (sum == 42) std::fprintf(stderr, " ");  // keeps the reads from being optimised out
        });
    }
    for (auto& t : readers) t.join();
    double rsecs = std::chrono::duration<double>(steady::now() - r0).count();

    std::printf("| %s | %zu | %zu | %.0f | %.1f | %.2f | %.2f | %.2f | %.2f | %.1f | %.0f |\n",
                a.write_map ? (a.durable ? "durable+writemap" : "relaxed+writemap")
                            : (a.durable ? "durable" : "relaxed"), a.inflight, a.count, double(a.count) / secs,
                st.mean_batch_size, double(st.commit_p50_us) / 1000, double(st.commit_p99_us) / 1000,
                pct(latency_us, 0.5) / 1000, pct(latency_us, 0.99) / 1000, kb_per_article,
                double(found) / rsecs);
    if (failures) std::printf("  (%zu requests not stored)\n", failures);
    std::fprintf(stderr, "map %.1f MiB used %.1f MiB, %llu map grows, dir %s\n", double(st.map_bytes) / 1048576,
                 double(st.used_bytes) / 1048576, (unsigned long long)st.map_grows, a.dir.c_str());
    store->shutdown();
    if (!a.keep) std::filesystem::remove_all(a.dir);
    return failures ? 1 : 0;
}
