// powercut-fs: the in-memory tree and the two syncs that copy part of it to the backing directory.
#include "tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/statvfs.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <stdexcept>
#include <vector>

namespace powercut {
namespace {

std::string staging_name(const Node& n) {
    std::string name(1, n.is_dir ? 'd' : 'f');  // (not "d" + string: a gcc 12 -Wrestrict false alarm)
    return name += std::to_string(n.id);
}

bool reserved(std::string_view name) { return name.substr(0, reserved_prefix.size()) == reserved_prefix; }

// rm -rf of dirfd/name, best effort: only our own leftovers and lost durable state go this way.
void remove_all(int dirfd, const std::string& name) {
    int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        ::unlinkat(dirfd, name.c_str(), 0);
        return;
    }
    if (DIR* d = ::fdopendir(fd)) {
        std::vector<std::string> names;
        while (dirent* e = ::readdir(d))
            if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) names.push_back(e->d_name);
        for (const auto& n : names) remove_all(fd, n);
        ::closedir(d);  // closes fd
    } else {
        ::close(fd);
    }
    ::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR);
}

struct BackingEntry {
    ino_t ino;
    bool dir;
};

// The backing directory's names (ours left out). fstatat rather than d_ino: the inode number
// is what says whether a name already holds the right file.
std::map<std::string, BackingEntry> list_backing(int dirfd) {
    std::map<std::string, BackingEntry> out;
    int fd = ::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);  // own offset, unlike dup()
    DIR* d = fd < 0 ? nullptr : ::fdopendir(fd);
    if (!d) {
        if (fd >= 0) ::close(fd);
        return out;
    }
    while (dirent* e = ::readdir(d)) {
        std::string_view name = e->d_name;
        if (name == "." || name == ".." || reserved(name)) continue;
        struct stat st {};
        if (::fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
            out.emplace(std::string(name), BackingEntry{st.st_ino, S_ISDIR(st.st_mode)});
    }
    ::closedir(d);
    return out;
}

void set_now(struct stat& attr, bool content) {
    timespec now{};
    ::clock_gettime(CLOCK_REALTIME, &now);
    attr.st_ctim = now;
    if (content) attr.st_mtim = now;
}

}  // namespace

Node::Node(Tree& t, bool dir) : tree(t), id(t.next_id()), is_dir(dir) {}

Node::~Node() {
    if (fd < 0) return;
    if (is_dir) {
        tree.forget_dir(backing_ino);
        // A directory durable nowhere takes its backing folder with it; one still linked in a
        // synced parent stays there until that parent is synced again.
        if (in_staging) remove_all(parent_fd, durable_name);
        if (parent_fd >= 0) ::close(parent_fd);
    } else {
        ::unlinkat(tree.staging_fd(), staging_name(*this).c_str(), 0);
    }
    ::close(fd);
}

Tree::Tree(const std::string& backing) {
    root_fd_ = ::open(backing.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root_fd_ < 0) throw std::runtime_error(backing + ": " + std::strerror(errno));
    // Files a previous mount created (or kept alive) without a durable name: lost at the cut.
    const std::string staging(reserved_prefix);
    remove_all(root_fd_, staging);
    if (::mkdirat(root_fd_, staging.c_str(), 0700) != 0 ||
        (staging_fd_ = ::openat(root_fd_, staging.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        throw std::runtime_error(backing + "/" + staging + ": " + std::strerror(errno));
    root_ = std::make_shared<Node>(*this, true);
    root_->fd = ::dup(root_fd_);
    ::fstat(root_->fd, &root_->attr);
    root_->backing_ino = root_->attr.st_ino;
    dirs_by_ino_[root_->backing_ino] = root_.get();
    std::map<ino_t, std::shared_ptr<Node>> files;
    load(*root_, files);
}

Tree::~Tree() {
    root_.reset();
    ::close(staging_fd_);
    ::close(root_fd_);
}

void Tree::load(Node& dir, std::map<ino_t, std::shared_ptr<Node>>& files) {
    std::vector<std::string> names;
    {
        int fd = ::openat(dir.fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR* d = fd < 0 ? nullptr : ::fdopendir(fd);
        if (!d) throw std::runtime_error("cannot list a backing directory: " + std::string(std::strerror(errno)));
        while (dirent* e = ::readdir(d))
            if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) names.push_back(e->d_name);
        ::closedir(d);
    }
    for (const auto& name : names) {
        if (reserved(name)) {
            // A temporary name of a directory sync the cut interrupted (the staging folder
            // itself is the root's and was just made).
            if (&dir != root_.get() || name != reserved_prefix) remove_all(dir.fd, name);
            continue;
        }
        struct stat st {};
        if (::fstatat(dir.fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        if (S_ISREG(st.st_mode)) {
            auto& n = files[st.st_ino];  // hard links (a rename half synced across folders) share one node
            if (!n) {
                n = std::make_shared<Node>(*this, false);
                n->fd = ::openat(dir.fd, name.c_str(), O_RDWR | O_CLOEXEC);
                if (n->fd < 0) throw std::runtime_error(name + ": " + std::strerror(errno));
                n->attr = st;
                n->size = n->backing_valid = static_cast<std::uint64_t>(st.st_size);
                n->backing_ino = st.st_ino;
                if (::linkat(dir.fd, name.c_str(), staging_fd_, staging_name(*n).c_str(), 0) != 0)
                    throw std::runtime_error(name + ": link to staging: " + std::strerror(errno));
            }
            dir.entries[name] = n;
        } else if (S_ISDIR(st.st_mode)) {
            auto n = std::make_shared<Node>(*this, true);
            n->fd = ::openat(dir.fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (n->fd < 0) throw std::runtime_error(name + ": " + std::strerror(errno));
            n->attr = st;
            n->backing_ino = st.st_ino;
            n->parent_fd = ::dup(dir.fd);
            n->durable_name = name;
            dirs_by_ino_[st.st_ino] = n.get();
            dir.entries[name] = n;
            load(*n, files);
        }
        // Symlinks and special files are not modelled: left in the backing folder, unseen.
    }
}

std::shared_ptr<Node> Tree::lookup(std::string_view path) const {
    auto n = root_;
    while (!path.empty()) {
        auto start = path.find_first_not_of('/');
        if (start == std::string_view::npos) break;
        path.remove_prefix(start);
        auto end = std::min(path.find('/'), path.size());
        if (!n->is_dir) return nullptr;
        auto it = n->entries.find(path.substr(0, end));
        if (it == n->entries.end()) return nullptr;
        n = it->second;
        path.remove_prefix(end);
    }
    return n;
}

std::shared_ptr<Node> Tree::parent_of(std::string_view path, std::string* name, int* err) const {
    while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
    auto slash = path.rfind('/');
    *name = std::string(path.substr(slash == std::string_view::npos ? 0 : slash + 1));
    if (reserved(*name)) {
        *err = EPERM;
        return nullptr;
    }
    auto dir = lookup(slash == std::string_view::npos ? std::string_view{} : path.substr(0, slash));
    *err = !dir ? ENOENT : !dir->is_dir ? ENOTDIR : 0;
    return *err ? nullptr : dir;
}

int Tree::create_file(Node& dir, const std::string& name, mode_t mode, std::shared_ptr<Node>* out) {
    if (dir.entries.count(name)) return -EEXIST;
    auto n = std::make_shared<Node>(*this, false);
    // The bytes live in staging from the start: an fsync can make them durable before any
    // directory sync gives them a durable name.
    n->fd = ::openat(staging_fd_, staging_name(*n).c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode & 07777);
    if (n->fd < 0) return -errno;
    ::fstat(n->fd, &n->attr);
    n->backing_ino = n->attr.st_ino;
    n->attr.st_mode = S_IFREG | (mode & 07777);
    dir.entries[name] = n;
    set_now(dir.attr, true);
    *out = std::move(n);
    return 0;
}

int Tree::make_dir(Node& dir, const std::string& name, mode_t mode) {
    if (dir.entries.count(name)) return -EEXIST;
    auto n = std::make_shared<Node>(*this, true);  // no backing folder until a sync needs one
    n->attr.st_mode = S_IFDIR | (mode & 07777);
    n->attr.st_nlink = 2;
    n->attr.st_uid = ::geteuid();
    n->attr.st_gid = ::getegid();
    set_now(n->attr, true);
    n->attr.st_atim = n->attr.st_mtim;
    dir.entries[name] = std::move(n);
    set_now(dir.attr, true);
    return 0;
}

int Tree::unlink(Node& dir, const std::string& name) {
    auto it = dir.entries.find(name);
    if (it == dir.entries.end()) return -ENOENT;
    if (it->second->is_dir) return -EISDIR;
    dir.entries.erase(it);  // open handles keep the node (and its staging link) alive
    set_now(dir.attr, true);
    return 0;
}

int Tree::remove_dir(Node& dir, const std::string& name) {
    auto it = dir.entries.find(name);
    if (it == dir.entries.end()) return -ENOENT;
    if (!it->second->is_dir) return -ENOTDIR;
    if (!it->second->entries.empty()) return -ENOTEMPTY;
    dir.entries.erase(it);
    set_now(dir.attr, true);
    return 0;
}

int Tree::rename(Node& from_dir, const std::string& from, Node& to_dir, const std::string& to,
                 unsigned flags, bool into_itself) {
    auto it = from_dir.entries.find(from);
    if (it == from_dir.entries.end()) return -ENOENT;
    if (flags & ~unsigned{RENAME_NOREPLACE}) return -EINVAL;  // RENAME_EXCHANGE: not modelled
    auto node = it->second;
    if (node->is_dir && into_itself) return -EINVAL;
    if (auto t = to_dir.entries.find(to); t != to_dir.entries.end()) {
        if (flags & RENAME_NOREPLACE) return -EEXIST;
        if (t->second == node) return 0;
        if (node->is_dir && !t->second->is_dir) return -ENOTDIR;
        if (!node->is_dir && t->second->is_dir) return -EISDIR;
        if (t->second->is_dir && !t->second->entries.empty()) return -ENOTEMPTY;
    }
    from_dir.entries.erase(it);
    to_dir.entries[to] = node;
    set_now(from_dir.attr, true);
    set_now(to_dir.attr, true);
    set_now(node->attr, false);
    return 0;
}

void Tree::read_page(const Node& f, std::uint64_t index, char* out) const {
    std::memset(out, 0, page_bytes);
    std::uint64_t off = index * page_bytes;
    if (off < f.backing_valid)
        (void)::pread(f.fd, out, std::min<std::uint64_t>(page_bytes, f.backing_valid - off), static_cast<off_t>(off));
}

long Tree::read(Node& f, char* buf, std::size_t len, std::uint64_t off) const {
    if (off >= f.size) return 0;
    len = static_cast<std::size_t>(std::min<std::uint64_t>(len, f.size - off));
    std::size_t done = 0;
    while (done < len) {
        std::uint64_t pos = off + done, index = pos / page_bytes;
        auto it = f.dirty.lower_bound(index);
        if (it != f.dirty.end() && it->first == index) {
            std::size_t in = pos % page_bytes, n = std::min(page_bytes - in, len - done);
            std::memcpy(buf + done, it->second->data() + in, n);
            done += n;
            continue;
        }
        // A run of clean pages up to the next dirty one: one pread, zeros past backing_valid.
        std::uint64_t run_end = it == f.dirty.end() ? off + len : std::min(off + len, it->first * page_bytes);
        std::size_t n = static_cast<std::size_t>(run_end - pos);
        std::memset(buf + done, 0, n);
        if (pos < f.backing_valid) {
            std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(n, f.backing_valid - pos));
            if (::pread(f.fd, buf + done, want, static_cast<off_t>(pos)) < 0) return -errno;
        }
        done += n;
    }
    return static_cast<long>(len);
}

long Tree::write(Node& f, const char* buf, std::size_t len, std::uint64_t off) {
    std::size_t done = 0;
    while (done < len) {
        std::uint64_t pos = off + done, index = pos / page_bytes;
        std::size_t in = pos % page_bytes, n = std::min(page_bytes - in, len - done);
        auto& page = f.dirty[index];
        if (!page) {
            page = std::make_unique<Page>();
            if (n < page_bytes) read_page(f, index, page->data());
        }
        std::memcpy(page->data() + in, buf + done, n);
        done += n;
    }
    f.size = std::max<std::uint64_t>(f.size, off + len);
    set_now(f.attr, true);
    return static_cast<long>(len);
}

int Tree::resize(Node& f, std::uint64_t size) {
    if (f.is_dir) return -EISDIR;
    if (size < f.size) {
        // Pages past the end go; the one holding the end keeps zeros past it, so a later
        // extension reads zeros as it would on a disk.
        f.dirty.erase(f.dirty.lower_bound((size + page_bytes - 1) / page_bytes), f.dirty.end());
        if (auto it = f.dirty.find(size / page_bytes); it != f.dirty.end())
            std::memset(it->second->data() + size % page_bytes, 0, page_bytes - size % page_bytes);
        f.backing_valid = std::min(f.backing_valid, size);
    }
    f.size = size;
    set_now(f.attr, true);
    return 0;
}

int Tree::sync_file(Node& f) {
    if (f.is_dir) return sync_dir(f);
    struct stat st {};
    if (::fstat(f.fd, &st) != 0) return -errno;
    if (static_cast<std::uint64_t>(st.st_size) > f.backing_valid && ::ftruncate(f.fd, static_cast<off_t>(f.backing_valid)) != 0)
        return -errno;
    // Runs of consecutive dirty pages, one pwritev each. The backing file is not fsync'ed:
    // the simulated cut kills this process, not the machine, and the kernel keeps what it got.
    std::vector<iovec> iov;
    std::uint64_t run_start = 0, next = 0;
    auto flush = [&]() -> int {
        std::uint64_t off = run_start * page_bytes;
        for (std::size_t i = 0; i < iov.size();) {
            std::size_t k = std::min<std::size_t>(iov.size() - i, IOV_MAX);
            ssize_t w = ::pwritev(f.fd, iov.data() + i, static_cast<int>(k), static_cast<off_t>(off));
            std::size_t want = 0;
            for (std::size_t j = i; j < i + k; ++j) want += iov[j].iov_len;
            if (w < 0) return -errno;
            if (static_cast<std::size_t>(w) != want) return -EIO;
            off += want;
            i += k;
        }
        iov.clear();
        return 0;
    };
    for (auto& [index, page] : f.dirty) {
        std::uint64_t off = index * page_bytes;
        if (off >= f.size) break;
        if (!iov.empty() && index != next)
            if (int rc = flush()) return rc;
        if (iov.empty()) run_start = index;
        iov.push_back({page->data(), static_cast<std::size_t>(std::min<std::uint64_t>(page_bytes, f.size - off))});
        next = index + 1;
    }
    if (int rc = flush()) return rc;
    if (::ftruncate(f.fd, static_cast<off_t>(f.size)) != 0) return -errno;
    f.dirty.clear();
    f.backing_valid = f.size;
    return 0;
}

int Tree::materialize_in_staging(Node& d) {
    std::string name = staging_name(d);
    if (::mkdirat(staging_fd_, name.c_str(), d.attr.st_mode & 07777) != 0 && errno != EEXIST) return -errno;
    d.fd = ::openat(staging_fd_, name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d.fd < 0) return -errno;
    struct stat st {};
    ::fstat(d.fd, &st);
    d.backing_ino = st.st_ino;
    d.parent_fd = ::dup(staging_fd_);
    d.durable_name = name;
    d.in_staging = true;
    dirs_by_ino_[d.backing_ino] = &d;
    return 0;
}

int Tree::remove_backing(Node& d, const std::string& name, ino_t ino, bool is_dir) {
    if (!is_dir) return ::unlinkat(d.fd, name.c_str(), 0) == 0 || errno == ENOENT ? 0 : -errno;
    auto live = dirs_by_ino_.find(ino);
    if (live == dirs_by_ino_.end()) {  // removed from the tree: its durable contents go with it
        remove_all(d.fd, name);
        return 0;
    }
    // Renamed elsewhere and not durable there yet: parked in staging (a later sync of its new
    // parent moves it there; a cut loses it, as it loses an unsynced rename's target).
    Node& n = *live->second;
    std::string parked = staging_name(n);
    if (::renameat(d.fd, name.c_str(), staging_fd_, parked.c_str()) != 0) return -errno;
    ::close(n.parent_fd);
    n.parent_fd = ::dup(staging_fd_);
    n.durable_name = parked;
    n.in_staging = true;
    return 0;
}

int Tree::sync_dir(Node& d) {
    if (d.fd < 0)
        if (int rc = materialize_in_staging(d)) return rc;
    auto listing = list_backing(d.fd);
    for (auto& [name, n] : d.entries) {
        auto b = listing.find(name);
        if (n->fd >= 0 && b != listing.end() && b->second.ino == n->backing_ino) continue;  // durable already
        if (b != listing.end() && (n->is_dir || b->second.dir)) {
            // No atomic replace across kinds (or over a backing folder that may hold stale names).
            if (int rc = remove_backing(d, name, b->second.ino, b->second.dir)) return rc;
            listing.erase(b);
            b = listing.end();
        }
        if (n->is_dir) {
            if (n->fd < 0) {  // a new directory: an empty backing folder (its entries wait for its own sync)
                if (::mkdirat(d.fd, name.c_str(), n->attr.st_mode & 07777) != 0) return -errno;
                n->fd = ::openat(d.fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (n->fd < 0) return -errno;
                struct stat st {};
                ::fstat(n->fd, &st);
                n->backing_ino = st.st_ino;
                dirs_by_ino_[st.st_ino] = n.get();
            } else if (::renameat(n->parent_fd, n->durable_name.c_str(), d.fd, name.c_str()) != 0) {
                return -errno;
            }
            if (n->parent_fd >= 0) ::close(n->parent_fd);
            n->parent_fd = ::dup(d.fd);
            n->durable_name = name;
            n->in_staging = false;
            continue;
        }
        // A name of this file that the directory no longer has is moved with one rename(2), so a
        // cut in the middle of this sync leaves the old name or the new one, as the program's own
        // rename would — never both, never neither.
        auto stale = std::find_if(listing.begin(), listing.end(), [&](const auto& e) {
            auto cur = d.entries.find(e.first);
            return e.second.ino == n->backing_ino && (cur == d.entries.end() || cur->second != n);
        });
        std::string source = staging_name(*n);
        int source_dir = staging_fd_;
        if (stale != listing.end()) {
            source = stale->first;
            source_dir = d.fd;
            listing.erase(stale);
        } else if (b != listing.end()) {  // replacing another file: link aside, then rename over
            std::string tmp = std::string(reserved_prefix) + "-tmp";
            ::unlinkat(d.fd, tmp.c_str(), 0);
            if (::linkat(staging_fd_, source.c_str(), d.fd, tmp.c_str(), 0) != 0) return -errno;
            source = tmp;
            source_dir = d.fd;
        }
        int rc = source_dir == staging_fd_ ? ::linkat(source_dir, source.c_str(), d.fd, name.c_str(), 0)
                                           : ::renameat(source_dir, source.c_str(), d.fd, name.c_str());
        if (rc != 0) return -errno;
        listing[name] = {n->backing_ino, false};
    }
    // Names the directory no longer has.
    for (auto& [name, b] : list_backing(d.fd)) {
        auto cur = d.entries.find(name);
        if (cur == d.entries.end() || cur->second->fd < 0 || cur->second->backing_ino != b.ino)
            if (int rc = remove_backing(d, name, b.ino, b.dir)) return rc;
    }
    return 0;
}

int Tree::statfs(struct statvfs* st) const { return ::fstatvfs(root_fd_, st) == 0 ? 0 : -errno; }

}  // namespace powercut
