// load_file: read the whole file (bounded), then load_string; I/O failures become one error.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "config/config.h"
#include "config/load_errors.h"

namespace tidings::config {

int read_config_text(const std::string& path, std::string& text) {
    constexpr std::size_t max_size = 16 << 20;  // a configuration file, not a spool
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    int err = 0;
    struct stat st {};
    if (::fstat(fd, &st) != 0) err = errno;
    else if (S_ISDIR(st.st_mode)) err = EISDIR;  // read() would say the same, less clearly
    char buf[65536];
    while (err == 0 && text.size() <= max_size) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n > 0) text.append(buf, static_cast<std::size_t>(n));
        else if (n == 0) break;
        else if (errno != EINTR) err = errno;
    }
    ::close(fd);
    if (err == 0 && text.size() > max_size) err = EFBIG;
    return err;
}

std::string read_error_text(int err) { return err == EFBIG ? "larger than 16 MiB" : std::strerror(err); }

LoadResult load_file(const std::string& path) {
    std::string text;
    if (int err = read_config_text(path, text)) {
        LoadResult r;
        r.errors.push_back(path + ": cannot read: " + read_error_text(err));
        return r;
    }
    return load_string(text, path);
}

}  // namespace tidings::config
