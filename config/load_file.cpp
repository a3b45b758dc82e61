// load_file: read the whole file (bounded), then load_string; I/O failures become one error.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "config/config.h"

namespace tidings::config {

LoadResult load_file(const std::string& path) {
    constexpr std::size_t max_size = 16 << 20;  // a configuration file, not a spool
    auto fail = [&](std::string_view why) {
        LoadResult r;
        r.errors.push_back(path + ": cannot read: " + std::string(why));
        return r;
    };
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail(std::strerror(errno));
    std::string text;
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
    if (err != 0) return fail(std::strerror(err));
    if (text.size() > max_size) return fail("larger than 16 MiB");
    return load_string(text, path);
}

}  // namespace tidings::config
