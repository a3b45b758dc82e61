// Private to storage/: reading article bytes out of the journal files (the article log).
//
// Any thread. Keeps a bounded set of open read-only descriptors, shared so that a file deleted
// (every article in it expired or cancelled) while a read is under way is still read to the end.
#pragma once

#include "storage/codec.h"

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace tidings::storage::detail {

class LogFiles {
public:
    explicit LogFiles(std::string dir) : dir_(std::move(dir)) {}
    // Reads the located bytes into `out`. 0, or an errno (ENOENT: the file is gone; EIO: it is
    // shorter than the locator says; EBADMSG: the bytes are not the article's — CRC mismatch).
    int read(const codec::Locator& at, std::string& out) const;
    // Reads only the header section (through the empty line) into `out`: 4 KiB first, more only
    // while no empty line has been seen. HEAD and XPAT on a cold store then cost a page or two per
    // article, not the whole article. The CRC covers the whole article, so it is checked only
    // when the read came to take all of it.
    int read_head(const codec::Locator& at, std::string& out) const;
    void forget(std::uint64_t file) const;  // the file was deleted
    void clear() const;

private:
    struct Fd {
        int fd = -1;
        int err = 0;
        ~Fd();
    };
    std::shared_ptr<Fd> open(std::uint64_t file) const;

    std::string dir_;
    mutable std::mutex m_;
    mutable std::map<std::uint64_t, std::shared_ptr<Fd>> open_;
};

}  // namespace tidings::storage::detail
