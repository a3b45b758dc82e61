// Small files written so that a crash or power cut leaves the old one or the new one, never
// half of one, and never loses the new name: the node identity's key and certificate, the
// Cancel-Lock secret. (storage/ keeps its own, private, file helpers.)
#pragma once

#include <sys/types.h>

#include <string>

namespace tidings::server {

// Writes `bytes` to `path` through `path`.tmp with `mode`, fsyncs it, renames it into place and
// fsyncs the directory. Throws std::runtime_error naming the file and the errno text.
void write_file_durably(const std::string& path, const std::string& bytes, mode_t mode);

}  // namespace tidings::server
