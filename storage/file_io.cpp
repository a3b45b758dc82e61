#include "storage/file_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <sys/stat.h>

#include <cerrno>
#include <filesystem>
#include <vector>

namespace tidings::storage::detail {

int fsync_dir(const std::string& dir) noexcept {
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return errno;
    int rc = ::fsync(dfd) == 0 ? 0 : errno;
    ::close(dfd);
    return rc;
}

int make_dirs_durable(const std::string& dir) noexcept {
    std::error_code ec;
    std::filesystem::path p = std::filesystem::absolute(dir, ec);
    if (ec) return ec.value();
    p = p.lexically_normal();
    if (!p.has_filename()) p = p.parent_path();  // a trailing slash
    // The missing ancestors, deepest last.
    std::vector<std::filesystem::path> missing;
    for (auto q = p; !q.empty() && !std::filesystem::exists(q, ec); q = q.parent_path()) {
        missing.insert(missing.begin(), q);
        if (q == q.parent_path()) break;
    }
    for (const auto& m : missing) {
        if (::mkdir(m.c_str(), 0750) != 0 && errno != EEXIST) return errno;
        if (int rc = fsync_dir(m.parent_path().string())) return rc;
    }
    return missing.empty() ? fsync_dir(p.parent_path().string()) : 0;
}

int pwrite_all(int fd, const char* p, std::size_t n, off_t off) noexcept {
    while (n) {
        ssize_t w = ::pwrite(fd, p, n, off);
        if (w < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        p += w;
        n -= static_cast<std::size_t>(w);
        off += w;
    }
    return 0;
}

int read_all(const std::string& path, std::string& out) noexcept {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    out.clear();
    char buf[1 << 16];
    int rc = 0;
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) rc = errno;
        if (n <= 0) break;
        out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return rc;
}

}  // namespace tidings::storage::detail
