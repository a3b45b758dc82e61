#include "storage/checkpoint.h"

#include "storage/crc32c.h"
#include "storage/file_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace tidings::storage::detail {

namespace {

constexpr char magic[8] = {'T', 'D', 'C', 'K', 'P', 'T', '0', '1'};
constexpr std::size_t header_size = 32;  // magic(8) seq(8) txnid(8) page size(4) crc(4)
constexpr std::size_t meta_txnid_offset = 144;

std::uint64_t get64(const char* p) { std::uint64_t v; std::memcpy(&v, p, 8); return v; }
std::uint32_t get32(const char* p) { std::uint32_t v; std::memcpy(&v, p, 4); return v; }

}  // namespace

std::optional<Checkpoint> read_checkpoint(const std::string& dir) {
    auto path = dir + "/checkpoint";
    std::string data;
    if (int err = read_all(path, data)) {
        if (err == ENOENT) return std::nullopt;
        throw std::runtime_error("storage: cannot read " + path + ": " + std::strerror(err));
    }
    auto damaged = [&] { return std::runtime_error("storage: " + path + " is damaged"); };
    if (data.size() < header_size || std::memcmp(data.data(), magic, 8) != 0) throw damaged();
    std::uint32_t psize = get32(data.data() + 24);
    if (data.size() != header_size + psize || psize < 512) throw damaged();
    std::string_view body(data.data() + header_size, psize);
    if (crc32c(body, crc32c(std::string_view(data.data(), 28))) != get32(data.data() + 28))
        throw damaged();
    Checkpoint c;
    c.seq = get64(data.data() + 8);
    c.txnid = get64(data.data() + 16);
    c.meta_page = std::string(body);
    if (meta_page_txnid(c.meta_page) != c.txnid) throw damaged();
    return c;
}

int write_checkpoint(const std::string& dir, const Checkpoint& c) noexcept {
    std::string data(magic, 8);
    data.append(reinterpret_cast<const char*>(&c.seq), 8);
    data.append(reinterpret_cast<const char*>(&c.txnid), 8);
    auto psize = static_cast<std::uint32_t>(c.meta_page.size());
    data.append(reinterpret_cast<const char*>(&psize), 4);
    std::uint32_t crc = crc32c(c.meta_page, crc32c(data));
    data.append(reinterpret_cast<const char*>(&crc), 4);
    data += c.meta_page;
    auto tmp = dir + "/checkpoint.tmp", path = dir + "/checkpoint";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) return errno;
    int rc = pwrite_all(fd, data.data(), data.size(), 0);
    if (!rc && ::fdatasync(fd) != 0) rc = errno;
    ::close(fd);
    if (!rc && ::rename(tmp.c_str(), path.c_str()) != 0) rc = errno;
    return rc ? rc : fsync_dir(dir);
}

std::uint64_t meta_page_txnid(std::string_view page) noexcept {
    if (page.size() < meta_txnid_offset + 8) return 0;
    return get64(page.data() + meta_txnid_offset);
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
