// powercut-fs BACKING MOUNTPOINT [FUSE options]: mounts BACKING at MOUNTPOINT so that only what
// is fsync'ed reaches BACKING; everything else lives in this process. SIGKILL it to cut the power.
// The FUSE side: each operation finds its node and hands it to the Tree (tree.h).
#define FUSE_USE_VERSION 31
#include "tree.h"

#include <fuse.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

namespace {

using powercut::Node;
using powercut::Tree;

Tree* tree() { return static_cast<Tree*>(fuse_get_context()->private_data); }

// An open file or directory: keeps its node alive after unlink (hard_remove), as a disk does.
struct Handle {
    std::shared_ptr<Node> node;
};

std::shared_ptr<Node> node_of(const char* path, const fuse_file_info* fi) {
    if (fi && fi->fh) return reinterpret_cast<Handle*>(fi->fh)->node;
    return path ? tree()->lookup(path) : nullptr;
}

void* init(fuse_conn_info* conn, fuse_config* cfg) {
    cfg->hard_remove = 1;   // unlink really unlinks; no .fuse_hidden files
    cfg->nullpath_ok = 1;   // operations on open files go by handle
    cfg->use_ino = 1;
    // Every change comes through the kernel, so its page cache stays true across opens (and a
    // fresh mount after a cut starts with none). No direct_io: mmap must work (LMDB reads its
    // data file through a shared map; MDB_WRITEMAP writes through one, reaching us as write +
    // fsync on msync).
    cfg->kernel_cache = 1;
    cfg->direct_io = 0;
    // Write-through: a write() is in the Tree before it returns, and fsync needs no flush first.
    conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
    return fuse_get_context()->private_data;
}

int getattr(const char* path, struct stat* st, fuse_file_info* fi) {
    auto n = node_of(path, fi);
    if (!n) return -ENOENT;
    *st = n->attr;
    st->st_ino = n->id;
    if (n->is_dir) {
        st->st_nlink = 2;
    } else {
        st->st_nlink = 1;
        st->st_size = static_cast<off_t>(n->size);
        st->st_blocks = static_cast<blkcnt_t>((n->size + 511) / 512);
    }
    return 0;
}

int opendir(const char* path, fuse_file_info* fi) {
    auto n = tree()->lookup(path);
    if (!n) return -ENOENT;
    if (!n->is_dir) return -ENOTDIR;
    fi->fh = reinterpret_cast<uint64_t>(new Handle{std::move(n)});
    return 0;
}

int readdir(const char* path, void* buf, fuse_fill_dir_t fill, off_t, fuse_file_info* fi, fuse_readdir_flags) {
    auto n = node_of(path, fi);
    if (!n) return -ENOENT;
    fill(buf, ".", nullptr, 0, fuse_fill_dir_flags{});
    fill(buf, "..", nullptr, 0, fuse_fill_dir_flags{});
    for (const auto& [name, child] : n->entries) fill(buf, name.c_str(), nullptr, 0, fuse_fill_dir_flags{});
    return 0;
}

int release(const char*, fuse_file_info* fi) {
    delete reinterpret_cast<Handle*>(fi->fh);
    fi->fh = 0;
    return 0;
}

int mkdir(const char* path, mode_t mode) {
    std::string name;
    int err = 0;
    auto dir = tree()->parent_of(path, &name, &err);
    return dir ? tree()->make_dir(*dir, name, mode) : -err;
}

int unlink(const char* path) {
    std::string name;
    int err = 0;
    auto dir = tree()->parent_of(path, &name, &err);
    return dir ? tree()->unlink(*dir, name) : -err;
}

int rmdir(const char* path) {
    std::string name;
    int err = 0;
    auto dir = tree()->parent_of(path, &name, &err);
    return dir ? tree()->remove_dir(*dir, name) : -err;
}

int rename(const char* from, const char* to, unsigned flags) {
    std::string from_name, to_name;
    int err = 0;
    auto from_dir = tree()->parent_of(from, &from_name, &err);
    if (!from_dir) return -err;
    auto to_dir = tree()->parent_of(to, &to_name, &err);
    if (!to_dir) return -err;
    std::string f = from;
    bool into_itself = std::string(to).rfind(f + "/", 0) == 0;
    return tree()->rename(*from_dir, from_name, *to_dir, to_name, flags, into_itself);
}

int open(const char* path, fuse_file_info* fi) {
    auto n = tree()->lookup(path);
    if (!n) return -ENOENT;
    if (n->is_dir) return -EISDIR;
    if (fi->flags & O_TRUNC) tree()->resize(*n, 0);  // FUSE's atomic O_TRUNC
    fi->fh = reinterpret_cast<uint64_t>(new Handle{std::move(n)});
    fi->keep_cache = 1;
    return 0;
}

int create(const char* path, mode_t mode, fuse_file_info* fi) {
    std::string name;
    int err = 0;
    auto dir = tree()->parent_of(path, &name, &err);
    if (!dir) return -err;
    std::shared_ptr<Node> n;
    if (auto it = dir->entries.find(name); it != dir->entries.end()) {
        if (fi->flags & O_EXCL) return -EEXIST;
        return open(path, fi);
    }
    if (int rc = tree()->create_file(*dir, name, mode, &n)) return rc;
    n->attr.st_uid = fuse_get_context()->uid;
    n->attr.st_gid = fuse_get_context()->gid;
    fi->fh = reinterpret_cast<uint64_t>(new Handle{std::move(n)});
    fi->keep_cache = 1;
    return 0;
}

int read(const char* path, char* buf, size_t size, off_t off, fuse_file_info* fi) {
    auto n = node_of(path, fi);
    if (!n) return -ENOENT;
    return static_cast<int>(tree()->read(*n, buf, size, static_cast<std::uint64_t>(off)));
}

int write(const char* path, const char* buf, size_t size, off_t off, fuse_file_info* fi) {
    auto n = node_of(path, fi);
    if (!n) return -ENOENT;
    return static_cast<int>(tree()->write(*n, buf, size, static_cast<std::uint64_t>(off)));
}

int truncate(const char* path, off_t size, fuse_file_info* fi) {
    auto n = node_of(path, fi);
    if (!n) return -ENOENT;
    return tree()->resize(*n, static_cast<std::uint64_t>(size));
}

// Only what Tidings and LMDB use: reserving blocks (KEEP_SIZE: nothing to keep in memory) and
// plain extension (posix_fallocate of an MDB_WRITEMAP data file).
int fallocate(const char* path, int mode, off_t off, off_t len, fuse_file_info* fi) {
    auto n = node_of(path, fi);
    if (!n) return -ENOENT;
    if (mode & ~FALLOC_FL_KEEP_SIZE) return -EOPNOTSUPP;
    auto end = static_cast<std::uint64_t>(off + len);
    if (!(mode & FALLOC_FL_KEEP_SIZE) && end > n->size) return tree()->resize(*n, end);
    return 0;
}

int fsync(const char* path, int, fuse_file_info* fi) {
    auto n = node_of(path, fi);
    if (!n) return -ENOENT;
    return tree()->sync_file(*n);  // fdatasync too: the size is data here
}

int fsyncdir(const char* path, int, fuse_file_info* fi) {
    auto n = node_of(path, fi);
    if (!n) return -ENOENT;
    return tree()->sync_dir(*n);
}

int statfs(const char*, struct statvfs* st) { return tree()->statfs(st); }

// Owner, mode and times are not part of the crash model: they go to the backing inode at once
// (or wait in memory until a new directory gets its backing folder).
int chmod(const char* path, mode_t mode, fuse_file_info* fi) {
    auto n = node_of(path, fi);
    if (!n) return -ENOENT;
    n->attr.st_mode = (n->attr.st_mode & S_IFMT) | (mode & 07777);
    if (n->fd >= 0) ::fchmod(n->fd, mode & 07777);
    return 0;
}

int chown(const char* path, uid_t uid, gid_t gid, fuse_file_info* fi) {
    auto n = node_of(path, fi);
    if (!n) return -ENOENT;
    if (uid != static_cast<uid_t>(-1)) n->attr.st_uid = uid;
    if (gid != static_cast<gid_t>(-1)) n->attr.st_gid = gid;
    if (n->fd >= 0) (void)::fchown(n->fd, uid, gid);
    return 0;
}

int utimens(const char* path, const timespec tv[2], fuse_file_info* fi) {
    auto n = node_of(path, fi);
    if (!n) return -ENOENT;
    timespec now{};
    ::clock_gettime(CLOCK_REALTIME, &now);
    auto pick = [&](const timespec& t, timespec& out) {
        if (t.tv_nsec == UTIME_NOW) out = now;
        else if (t.tv_nsec != UTIME_OMIT) out = t;
    };
    pick(tv[0], n->attr.st_atim);
    pick(tv[1], n->attr.st_mtim);
    n->attr.st_ctim = now;
    return 0;
}

int flush(const char*, fuse_file_info*) { return 0; }  // close() syncs nothing

fuse_operations operations() {
    fuse_operations ops{};
    ops.init = init;
    ops.getattr = getattr;
    ops.opendir = opendir;
    ops.readdir = readdir;
    ops.releasedir = release;
    ops.mkdir = mkdir;
    ops.unlink = unlink;
    ops.rmdir = rmdir;
    ops.rename = rename;
    ops.open = open;
    ops.create = create;
    ops.read = read;
    ops.write = write;
    ops.truncate = truncate;
    ops.fallocate = fallocate;
    ops.flush = flush;
    ops.release = release;
    ops.fsync = fsync;
    ops.fsyncdir = fsyncdir;
    ops.statfs = statfs;
    ops.chmod = chmod;
    ops.chown = chown;
    ops.utimens = utimens;
    return ops;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3 || argv[1][0] == '-') {
        std::fprintf(stderr, "usage: powercut-fs BACKING MOUNTPOINT [FUSE options]\n"
                             "Mounts BACKING at MOUNTPOINT in the foreground; only fsync'ed data and\n"
                             "fsync'ed directory entries reach BACKING. SIGKILL = power cut.\n");
        return 2;
    }
    Tree* t = nullptr;
    try {
        t = new Tree(argv[1]);  // never freed: open handles may outlive fuse_main's return
    } catch (const std::exception& e) {
        std::fprintf(stderr, "powercut-fs: %s\n", e.what());
        return 1;
    }
    // Foreground and single-threaded: the Tree has no locks, and the driver owns our PID.
    std::string opts = "fsname=powercut-fs,subtype=powercut-fs,default_permissions";
    std::vector<char*> args{argv[0], argv[2], const_cast<char*>("-f"), const_cast<char*>("-s"),
                            const_cast<char*>("-o"), opts.data()};
    for (int i = 3; i < argc; ++i) args.push_back(argv[i]);
    auto ops = operations();
    return fuse_main(static_cast<int>(args.size()), args.data(), &ops, t);
}
