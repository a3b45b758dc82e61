#include "server/feeds/pause_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace tidings::server {

namespace {

constexpr const char* file_name = "paused-feeds";

std::string sync_path(const std::string& path, int flags) {
    int fd = ::open(path.c_str(), flags | O_CLOEXEC);
    if (fd < 0) return path + ": " + std::strerror(errno);
    std::string err;
    if (::fsync(fd) != 0) err = path + ": fsync: " + std::strerror(errno);
    ::close(fd);
    return err;
}

}  // namespace

std::set<std::string> load_paused_feeds(const std::string& data_dir) {
    std::set<std::string> names;
    const std::string path = data_dir + "/" + file_name;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return names;
    std::ifstream in(path);
    if (!in) {
        spdlog::warn("event=paused_feeds_unreadable file={} note=\"no feed starts paused\"", path);
        return names;
    }
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty()) names.insert(line);
    }
    return names;
}

std::string save_paused_feeds(const std::string& data_dir, const std::set<std::string>& names) {
    const std::string path = data_dir + "/" + file_name;
    std::error_code ec;
    if (names.empty()) {
        std::filesystem::remove(path, ec);
        if (ec) return path + ": " + ec.message();
        return sync_path(data_dir, O_RDONLY | O_DIRECTORY);
    }
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        for (const auto& n : names) out << n << '\n';
        out.flush();
        if (!out) return tmp + ": cannot write";
    }
    if (auto err = sync_path(tmp, O_RDONLY); !err.empty()) return err;
    std::filesystem::rename(tmp, path, ec);
    if (ec) return path + ": " + ec.message();
    return sync_path(data_dir, O_RDONLY | O_DIRECTORY);
}

}  // namespace tidings::server
