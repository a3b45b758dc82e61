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

namespace {
// Reads at.offset + [from, to) of the file into out[from, to).
int pread_range(int fd, const codec::Locator& at, std::string& out, std::size_t from, std::size_t to) {
    while (from < to) {
        ssize_t n = ::pread(fd, out.data() + from, to - from, static_cast<off_t>(at.offset + from));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno;
        if (n == 0) return EIO;
        from += static_cast<std::size_t>(n);
    }
    return 0;
}
}  // namespace

int LogFiles::read(const codec::Locator& at, std::string& out) const {
    auto h = open(at.file);
    if (h->fd < 0) return h->err;
    out.resize(at.length);
    if (int err = pread_range(h->fd, at, out, 0, at.length)) return err;
    return crc32c(out) == at.crc ? 0 : EBADMSG;
}

int LogFiles::read_head(const codec::Locator& at, std::string& out) const {
    auto h = open(at.file);
    if (h->fd < 0) return h->err;
    std::size_t have = 0, want = std::min<std::size_t>(at.length, 4096);
    for (;;) {
        out.resize(want);
        if (int err = pread_range(h->fd, at, out, have, want)) return err;
        // The empty line may straddle the previous read's end: search from 3 bytes before it.
        auto end = out.find("\r\n\r\n", have >= 3 ? have - 3 : 0);
        if (end != std::string::npos) {
            out.resize(end + 4);
            return 0;
        }
        if (want == at.length) return crc32c(out) == at.crc ? 0 : EBADMSG;  // no body: all of it
        have = want;
        want = std::min<std::size_t>(at.length, want * 4);
    }
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
