#include "storage/file_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace tidings::storage::detail {

int fsync_dir(const std::string& dir) noexcept {
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return errno;
    int rc = ::fsync(dfd) == 0 ? 0 : errno;
    ::close(dfd);
    return rc;
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
