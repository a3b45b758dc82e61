// Private to storage/: the few plain-file operations the journal, the checkpoint file and the
// environment share. Every function returns 0 or an errno; none throws.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>

namespace tidings::storage::detail {

int fsync_dir(const std::string& dir) noexcept;  // makes the directory's entries durable
// Creates `dir` and any missing parents, and makes each new name durable (an fsync of every
// parent it was created in, and of `dir`'s parent even when `dir` existed: whoever made it may
// not have synced it). Without this, a power cut soon after the first start can lose the whole
// new store, acknowledged articles included (found by the power-cut test, tools/powercut-fs).
int make_dirs_durable(const std::string& dir) noexcept;
int pwrite_all(int fd, const char* data, std::size_t size, off_t offset) noexcept;
int read_all(const std::string& path, std::string& out) noexcept;  // the whole file into out

}  // namespace tidings::storage::detail
