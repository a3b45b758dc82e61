#include "storage/checkpoint.h"

#include "storage/file_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace tidings::storage::detail {

std::optional<Checkpoint> read_checkpoint(const std::string& dir) {
    auto path = dir + "/checkpoint";
    std::string data;
    if (int err = read_all(path, data)) {
        if (err == ENOENT) return std::nullopt;
        throw std::runtime_error("storage: cannot read " + path + ": " + std::strerror(err));
    }
    auto c = decode_checkpoint(data);
    if (!c) throw std::runtime_error("storage: " + path + " is damaged");
    return c;
}

int write_checkpoint(const std::string& dir, const Checkpoint& c) noexcept {
    const std::string data = encode_checkpoint(c);
    auto tmp = dir + "/checkpoint.tmp", path = dir + "/checkpoint";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) return errno;
    int rc = pwrite_all(fd, data.data(), data.size(), 0);
    if (!rc && ::fdatasync(fd) != 0) rc = errno;
    ::close(fd);
    if (!rc && ::rename(tmp.c_str(), path.c_str()) != 0) rc = errno;
    return rc ? rc : fsync_dir(dir);
}

int restore_meta_pages(const std::string& data_file, std::string_view page) noexcept {
    int fd = ::open(data_file.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    std::string copy(page);
    int rc = 0;
    for (std::uint64_t pgno = 0; pgno < 2 && !rc; ++pgno) {
        std::memcpy(copy.data(), &pgno, 8);  // the page header's own page number
        rc = pwrite_all(fd, copy.data(), copy.size(), static_cast<off_t>(pgno * copy.size()));
    }
    if (!rc && ::fdatasync(fd) != 0) rc = errno;
    ::close(fd);
    return rc;
}

}  // namespace tidings::storage::detail
