#include "storage/log_files.h"

#include "storage/crc32c.h"
#include "storage/journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace tidings::storage::detail {

namespace {
constexpr std::size_t max_open = 256;  // a store of 256 × 64 MiB files reads without reopening
}

LogFiles::Fd::~Fd() {
    if (fd >= 0) ::close(fd);
}

std::shared_ptr<LogFiles::Fd> LogFiles::open(std::uint64_t file) const {
    {
        std::lock_guard lk(m_);
        if (auto it = open_.find(file); it != open_.end()) return it->second;
    }
    auto h = std::make_shared<Fd>();
    h->fd = ::open((dir_ + "/" + Journal::file_name(file)).c_str(), O_RDONLY | O_CLOEXEC);
    if (h->fd < 0) {
        h->err = errno;
        return h;
    }
    std::lock_guard lk(m_);
    if (open_.size() >= max_open) open_.clear();  // descriptors close as their last reads end
    return open_.emplace(file, h).first->second;
}

int LogFiles::read(const codec::Locator& at, std::string& out) const {
    auto h = open(at.file);
    if (h->fd < 0) return h->err;
    out.resize(at.length);
    std::size_t done = 0;
    while (done < at.length) {
        ssize_t n = ::pread(h->fd, out.data() + done, at.length - done,
                            static_cast<off_t>(at.offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno;
        if (n == 0) return EIO;
        done += static_cast<std::size_t>(n);
    }
    return crc32c(out) == at.crc ? 0 : EBADMSG;
}

void LogFiles::forget(std::uint64_t file) const {
    std::lock_guard lk(m_);
    open_.erase(file);
}

void LogFiles::clear() const {
    std::lock_guard lk(m_);
    open_.clear();
}

}  // namespace tidings::storage::detail
