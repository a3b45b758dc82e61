#include "storage/journal.h"

#include "storage/file_io.h"
#include "storage/journal_format.h"

#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace tidings::storage::detail {

namespace {

constexpr std::size_t header_size = Journal::header_size;
constexpr std::string_view prefix = "journal.";
constexpr std::string_view spare_name = "journal.spare";

// Throws on any error: a journal that cannot be read must stop the start, not shorten it.
void read_file(const std::filesystem::path& p, std::string& out) {
    if (int err = read_all(p.string(), out))
        throw std::runtime_error("storage: cannot read " + p.string() + ": " + std::strerror(err));
}

}  // namespace

Journal::~Journal() { close(); }

std::optional<Journal::Record> Journal::record_in(const std::string& data, std::size_t pos, std::uint64_t first_seq) {
    return journal_format::decode_record(data, pos, static_cast<std::uint32_t>(first_seq));
}

std::optional<std::uint32_t> Journal::payload_length(std::string_view header) {
    return journal_format::payload_length(header);
}

std::string Journal::file_name(std::uint64_t first_seq) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "journal.%016llx", static_cast<unsigned long long>(first_seq));
    return buf;
}

std::map<std::uint64_t, std::filesystem::path> Journal::files(const std::string& dir) {
    std::map<std::uint64_t, std::filesystem::path> out;
    std::error_code ec;
    std::filesystem::directory_iterator it(dir, ec);
    if (ec) throw std::runtime_error("storage: cannot list " + dir + ": " + ec.message());
    for (const auto& e : it) {
        auto name = e.path().filename().string();
        if (name.size() != prefix.size() + 16 || !name.starts_with(prefix)) continue;
        try {
            std::size_t used = 0;
            auto seq = std::stoull(name.substr(prefix.size()), &used, 16);
            if (used == 16) out.emplace(seq, e.path());
        } catch (const std::exception&) {
        }
    }
    return out;
}

std::uint64_t Journal::replay(const std::string& dir, std::uint64_t after,
                              const std::function<void(std::uint64_t, std::string_view)>& fn,
                              bool strict) {
    std::uint64_t last = after;
    std::string data;
    auto files = Journal::files(dir);
    // Records are consecutive across files and a file is started only after the one before it
    // was synced, so the only normal end is in the last file (a torn tail, or a recycled file's
    // stale records). A file that starts after a gap means intact records follow a damaged or
    // missing one: refuse to start rather than drop them silently.
    auto stopped = [&](std::uint64_t at) {
        auto later = files.upper_bound(at + 1);
        if (later != files.end() && strict)
            throw std::runtime_error("storage: the journal in " + dir + " stops at record " +
                                     std::to_string(at) + " but " + later->second.filename().string() +
                                     " holds later ones (damaged or missing records): refusing to "
                                     "start; to accept the loss, move that file and the ones after "
                                     "it aside");
        // Not strict (a restored copy): the records after the gap can never be replayed, and
        // new records will take their seqs — move their files out of the journal's way.
        for (auto it = later; it != files.end(); ++it) {
            std::error_code ec;
            auto aside = it->second.string() + ".unreplayed";
            std::filesystem::rename(it->second, aside, ec);
            if (ec)
                throw std::runtime_error("storage: cannot move " + it->second.string() + " aside: " + ec.message());
            spdlog::warn("storage event=journal_gap dir={} after={} moved={}", dir, at, aside);
        }
        if (later != files.end())
            if (int err = fsync_dir(dir))
                throw std::runtime_error("storage: cannot sync " + dir + ": " + std::strerror(err));
        return at;
    };
    // Files before the one holding record after + 1 are article storage only: skip them.
    auto from = files.upper_bound(after + 1);
    if (from != files.begin()) --from;
    for (auto it = from; it != files.end(); ++it) {
        const auto& [first, path] = *it;
        if (first > last + 1) return stopped(last);
        read_file(path, data);
        const auto scan = journal_format::scan_file(data, first, last, strict, fn);
        last = scan.last;
        if (scan.end == journal_format::ScanEnd::gap) return stopped(last);
        // Where this file ends early, an intact record of its own further on means a damaged
        // one in the middle: refuse, as for a gap between files.
        if (scan.end == journal_format::ScanEnd::damaged)
            throw std::runtime_error("storage: " + path.string() + " has a damaged record after seq " +
                                     std::to_string(last) + " and intact ones after it: refusing to "
                                     "start; to accept the loss, cut the file at byte " +
                                     std::to_string(scan.good_bytes) + " (truncate -s " +
                                     std::to_string(scan.good_bytes) + ")");
    }
    return stopped(last);
}

void Journal::remove(const std::string& dir, const std::set<std::uint64_t>& first_seqs) noexcept {
    std::error_code ec;
    const auto spare = std::filesystem::path(dir) / spare_name;
    bool keep = !std::filesystem::exists(spare, ec);
    for (auto first : first_seqs) {
        auto path = std::filesystem::path(dir) / file_name(first);
        if (keep) {
            // Recycled as the next file: overwriting blocks a file already has needs no
            // metadata in fdatasync (measured: 123 µs against 244 µs for a 4 KB append).
            std::filesystem::rename(path, spare, ec);
            keep = false;
            if (!ec) continue;
        }
        std::filesystem::remove(path, ec);
    }
}

void Journal::prepare_spare(const std::string& dir, std::uint64_t bytes) noexcept {
    std::error_code ec;
    const auto spare = std::filesystem::path(dir) / spare_name;
    if (std::filesystem::exists(spare, ec)) return;
    const auto tmp = (std::filesystem::path(dir) / "journal.spare.tmp").string();
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) return;
    static const std::string zeros(std::size_t{1} << 20, '\0');
    bool ok = true;
    // In 1 MiB steps, each written out before the next (sync_file_range): 64 MiB queued at
    // once would sit in front of the writer's journal fdatasyncs on the device.
    for (std::uint64_t off = 0; ok && off < bytes; off += zeros.size()) {
        ok = pwrite_all(fd, zeros.data(), zeros.size(), static_cast<off_t>(off)) == 0;
        ok = ok && ::sync_file_range(fd, static_cast<off_t>(off), static_cast<off_t>(zeros.size()),
                                     SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
                                         SYNC_FILE_RANGE_WAIT_AFTER) == 0;
    }
    ok = ok && ::fdatasync(fd) == 0;
    ::close(fd);
    // rename() over an existing spare (a dead file recycled meanwhile) only drops that one.
    if (!ok || ::rename(tmp.c_str(), spare.c_str()) != 0) {
        ::unlink(tmp.c_str());
        return;
    }
    (void)fsync_dir(dir);
}

int Journal::start(std::uint64_t first_seq) noexcept {
    // Records appended since the last sync stay in the old file: make them durable before the
    // next sync can only reach the new one.
    if (fd_ >= 0 && offset_ != synced_ && sync() != 0) return EIO;
    auto path = dir_ + "/" + file_name(first_seq);
    // A spare (a recycled older file) becomes the new file; its stale records are recognised by
    // their file tag. Otherwise a new file — O_TRUNC: a file of this name can only hold records
    // a recovery refused (a torn tail: record first_seq was never intact, so no article lives
    // in it).
    int fd = -1;
    if (::rename((dir_ + "/" + std::string(spare_name)).c_str(), path.c_str()) == 0)
        fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
        // Blocks reserved up front (the size stays 0): each fdatasync then converts extents
        // instead of allocating them — measured on this disk, 64 KB appends + fdatasync: p99
        // 250 µs instead of 635, 1 MB appends 1.2 GB/s instead of 0.8. Best effort: a disk too
        // full for it still takes appends until it is really full.
        if (fd >= 0 && preallocate_ > 0)
            (void)::fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, static_cast<off_t>(preallocate_));
    }
    if (fd < 0) return errno;
    if (int rc = fsync_dir(dir_)) {  // the new name must survive before a record relies on it
        ::close(fd);
        return rc;
    }
    close();
    fd_ = fd;
    offset_ = synced_ = 0;
    first_seq_ = first_seq;
    return 0;
}

int Journal::truncate(std::uint64_t bytes) noexcept {
    if (fd_ < 0) return 0;
    if (::ftruncate(fd_, static_cast<off_t>(bytes)) != 0 || ::fdatasync(fd_) != 0) return errno;
    offset_ = synced_ = bytes;
    failed_ = false;  // what is left was synced before the failure
    return 0;
}

int Journal::sync_files(const std::string& dir, std::uint64_t after) noexcept {
    try {
        auto files = Journal::files(dir);
        auto from = files.upper_bound(after + 1);
        if (from != files.begin()) --from;
        for (auto it = from; it != files.end(); ++it) {
            int fd = ::open(it->second.c_str(), O_RDONLY | O_CLOEXEC);
            if (fd < 0) return errno;
            int rc = ::fdatasync(fd) != 0 ? errno : 0;
            ::close(fd);
            if (rc) return rc;
        }
        return 0;
    } catch (const std::exception&) {
        return EIO;
    }
}

int Journal::append(std::uint64_t seq, std::string_view payload) noexcept {
    if (fd_ < 0) return EBADF;
    if (failed_) return EIO;
    if (payload.size() > UINT32_MAX) return EFBIG;
    auto h = journal_format::encode_header(seq, static_cast<std::uint32_t>(first_seq_), payload);
    iovec iov[2] = {{h.data(), header_size}, {const_cast<char*>(payload.data()), payload.size()}};
    std::size_t total = header_size + payload.size(), done = 0;
    int idx = 0;
    while (done < total) {
        ssize_t n = ::pwritev(fd_, iov + idx, 2 - idx, static_cast<off_t>(offset_ + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        done += static_cast<std::size_t>(n);
        auto left = static_cast<std::size_t>(n);
        while (idx < 2 && left >= iov[idx].iov_len) left -= iov[idx++].iov_len;
        if (idx < 2) {
            iov[idx].iov_base = static_cast<char*>(iov[idx].iov_base) + left;
            iov[idx].iov_len -= left;
        }
    }
    offset_ += total;
    return 0;
}

int Journal::sync() noexcept {
    if (fd_ < 0) return EBADF;
    if (failed_) return EIO;
    if (::fdatasync(fd_) != 0) {
        failed_ = true;  // Linux reports a lost write once: a later "successful" sync would lie
        return errno;
    }
    synced_ = offset_;
    return 0;
}

void Journal::close() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

}  // namespace tidings::storage::detail
