// Small files written durably.
#include "server/net/durable_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace tidings::server {
namespace {

[[noreturn]] void fail(const std::string& file, int err) {
    throw std::runtime_error(file + ": " + std::strerror(err));
}

}  // namespace

void write_file_durably(const std::string& path, const std::string& bytes, mode_t mode) {
    const std::string tmp = path + ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) fail(tmp, errno);
    std::size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int err = n < 0 ? errno : EIO;
            ::close(fd);
            fail(tmp, err);
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) {
        const int err = errno;
        ::close(fd);
        fail(tmp, err);
    }
    if (::close(fd) != 0) fail(tmp, errno);
    if (::rename(tmp.c_str(), path.c_str()) != 0) fail(path, errno);
    // The rename is durable only once the directory is.
    std::string dir = std::filesystem::path(path).parent_path().string();
    if (dir.empty()) dir = ".";
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) fail(dir, errno);
    const int rc = ::fsync(dfd);
    const int err = errno;
    ::close(dfd);
    if (rc != 0) fail(dir, err);
}

}  // namespace tidings::server
