// Helpers for the storage tests: a temp directory, blocking wrappers over the asynchronous verbs,
// and article builders.
#pragma once

#include "storage/snapshot.h"
#include "storage/store.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <thread>
#include <string>
#include <vector>

namespace tidings::storage::test {

class TempDir {
public:
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "tidings-storage-XXXXXX").string();
        path_ = ::mkdtemp(tmpl.data());
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

inline Options small_options(const std::string& dir) {
    Options o;
    o.dir = dir;
    o.pathhost = "news.test";
    o.initial_map_bytes = 1 << 20;
    o.free_space_floor_bytes = 0;
    o.batch_deadline = std::chrono::microseconds(200);
    return o;
}

inline std::string make_article(const std::string& id, std::size_t body_bytes = 100,
                                const std::string& extra_headers = "") {
    std::string a = "Path: news.test!not-for-mail\r\nFrom: a@example.com\r\nNewsgroups: x\r\n"
                    "Subject: test " + id + "\r\nMessage-ID: " + id + "\r\n" + extra_headers + "\r\n";
    while (a.size() < body_bytes + 120) a += "body line of an article for testing the store\r\n";
    return a;
}

inline StoreRequest make_request(const std::string& id, std::vector<std::string> groups,
                                 std::vector<std::string> feeds = {}, std::size_t body = 100,
                                 std::int64_t arrival = 0) {
    StoreRequest r;
    r.message_id = id;
    r.article = make_article(id, body);
    r.groups = std::move(groups);
    r.overview = {"test " + id, "a@example.com", "Tue, 24 Nov 2026 10:00:00 +0000", id, "", 3};
    r.feeds = std::move(feeds);
    r.arrival = arrival;
    return r;
}

inline StoreResult store_sync(Store& s, StoreRequest r) {
    std::promise<StoreResult> p;
    auto f = p.get_future();
    s.submit(std::move(r), [&p](StoreResult res) { p.set_value(std::move(res)); });
    return f.get();
}

// Polls f every 10 ms for up to 5 s; true once it held.
template <class F>
bool wait_until(F f) {
    for (int i = 0; i < 500; ++i) {
        if (f()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
}

template <class R, class Call>
R wait_for(Call call) {
    std::promise<R> p;
    auto f = p.get_future();
    call([&p](R r) { p.set_value(std::move(r)); });
    return f.get();
}

inline bool create_group(Store& s, const std::string& name, char flag = 'y') {
    return wait_for<bool>([&](auto done) { s.create_group(name, flag, "tester", 0, std::move(done)); });
}

}  // namespace tidings::storage::test
