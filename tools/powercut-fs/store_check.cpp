// tidings-store-check DIR: opens a Tidings store as tidingsd would (so it first recovers: the
// checkpoint, then the journal's replay) and runs Snapshot::check_integrity(), the store's fsck.
// The power-cut driver runs it after every cut, before tidingsd starts again on the same folder.
// Exit 0: consistent; 1: problems (each printed); 2: the store does not open.
#include "storage/snapshot.h"
#include "storage/store.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

int main(int argc, char** argv) {
    if (argc != 2 || argv[1][0] == '-') {
        std::fprintf(stderr, "usage: tidings-store-check DIR\n");
        return 2;
    }
    spdlog::set_level(spdlog::level::warn);  // recovery's warnings (a torn tail...) still show
    tidings::storage::Options o;
    o.dir = argv[1];
    o.pathhost = "store-check";  // only written into Xref of new articles: none here
    o.expiry_interval = std::chrono::seconds(0);  // change nothing but what recovery must
    o.compact_below = 0;
    o.prepare_spare = false;
    o.free_space_floor_bytes = 0;
    std::unique_ptr<tidings::storage::Store> store;
    try {
        store = tidings::storage::Store::open(o);
    } catch (const std::exception& e) {
        std::printf("store-check: %s does not open: %s\n", argv[1], e.what());
        return 2;
    }
    std::vector<std::string> problems;
    {
        tidings::storage::Snapshot snap(*store);
        problems = snap.check_integrity();
    }
    auto stats = store->stats();
    store->shutdown();
    for (const auto& p : problems) std::printf("store-check: %s\n", p.c_str());
    std::printf("store-check: %llu articles, %llu journal files, %s\n",
                static_cast<unsigned long long>(stats.articles),
                static_cast<unsigned long long>(stats.journal_files),
                problems.empty() ? "integrity ok" : "INTEGRITY PROBLEMS");
    return problems.empty() ? 0 : 1;
}
