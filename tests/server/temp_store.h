// A fresh temporary directory, and a small store in one, for the server unit tests that need
// files, real groups or a NodeContext; removed (the store shut down first) when the test ends.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <string>

#include "storage/store.h"

namespace tidings::server::test {

struct TempDir {
    TempDir() {
        std::string t = (std::filesystem::temp_directory_path() / "tidings-test-XXXXXX").string();
        path = ::mkdtemp(t.data());
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string path;
};

class TempStore {
public:
    TempStore() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "tidings-server-XXXXXX").string();
        dir_ = ::mkdtemp(tmpl.data());
        storage::Options o;
        o.dir = dir_;
        o.pathhost = "news.test";
        o.initial_map_bytes = 1 << 20;
        o.free_space_floor_bytes = 0;
        store_ = storage::Store::open(o);
    }
    ~TempStore() {
        store_->shutdown();
        store_.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    TempStore(const TempStore&) = delete;
    TempStore& operator=(const TempStore&) = delete;

    storage::Store& store() { return *store_; }

    // Creates the group (flag y); false when it existed.
    bool create_group(const std::string& name) {
        std::promise<bool> done;
        store_->create_group(name, 'y', "test", 0, [&](bool ok) { done.set_value(ok); });
        return done.get_future().get();
    }

private:
    std::string dir_;
    std::unique_ptr<storage::Store> store_;
};

}  // namespace tidings::server::test
