// powercut-fs: the tree the running program sees, held in memory over a backing directory that
// only ever holds what was made durable (fsync/fdatasync of a file, fsync of a directory).
// Killing the process that holds a Tree is the power cut: what was not synced was never written.
#pragma once

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace powercut {

inline constexpr std::size_t page_bytes = 4096;
using Page = std::array<char, page_bytes>;

// Names starting with this are ours in the backing directory (the staging folder at its root,
// temporary names while a directory is synced); the mounted tree refuses them.
inline constexpr std::string_view reserved_prefix = ".powercut-fs";

class Tree;

// A file or directory of the mounted tree. Every file has one backing inode, always reachable as
// <staging>/f<id> and durable under the names its directories' last fsync gave it; a directory
// has a backing directory once it was synced (or its parent was).
struct Node {
    Node(Tree& tree, bool dir);
    ~Node();
    Node(const Node&) = delete;
    Node& operator=(const Node&) = delete;

    Tree& tree;
    const std::uint64_t id;
    const bool is_dir;
    struct stat attr {};  // mode, owner, times as the program sees them; files: st_size = size
    int fd = -1;          // backing inode (file O_RDWR, directory O_DIRECTORY); -1: not yet made
    ino_t backing_ino = 0;

    // Files. The content is the backing file's first `backing_valid` bytes, zeros past them up
    // to `size`, with the pages in `dirty` laid over (their bytes past `size` are zero).
    std::uint64_t size = 0;
    std::uint64_t backing_valid = 0;  // lowered by a truncate not yet synced
    std::map<std::uint64_t, std::unique_ptr<Page>> dirty;  // page index -> bytes not yet synced

    // Directories: the entries as the program sees them, and where the backing directory is
    // linked (a dup of that parent's descriptor, and the name there); parent_fd is the staging
    // folder's while the directory is durable nowhere.
    std::map<std::string, std::shared_ptr<Node>, std::less<>> entries;
    int parent_fd = -1;
    std::string durable_name;
    bool in_staging = false;  // parent_fd is the staging folder's
};

class Tree {
public:
    // Opens `backing` (a directory): clears the staging folder (files a previous mount created
    // but never named durably are lost, as on a real disk) and loads the durable tree.
    // Throws std::runtime_error.
    explicit Tree(const std::string& backing);
    ~Tree();

    std::shared_ptr<Node> root() const { return root_; }
    // Path of the mounted tree ("/a/b") to its node; nullptr when missing.
    std::shared_ptr<Node> lookup(std::string_view path) const;
    // The directory a path's last component is in, and that component; nullptr (errno set in
    // *err) when the parent is missing or not a directory, or the name is reserved.
    std::shared_ptr<Node> parent_of(std::string_view path, std::string* name, int* err) const;

    // Each returns 0 or a negative errno, as FUSE wants.
    int create_file(Node& dir, const std::string& name, mode_t mode, std::shared_ptr<Node>* out);
    int make_dir(Node& dir, const std::string& name, mode_t mode);
    int unlink(Node& dir, const std::string& name);
    int remove_dir(Node& dir, const std::string& name);
    int rename(Node& from_dir, const std::string& from, Node& to_dir, const std::string& to,
               unsigned flags, bool into_itself);

    long read(Node& f, char* buf, std::size_t len, std::uint64_t off) const;
    long write(Node& f, const char* buf, std::size_t len, std::uint64_t off);
    int resize(Node& f, std::uint64_t size);

    // fsync/fdatasync of a file: its data and size become durable.
    int sync_file(Node& f);
    // fsync of a directory: its entries (new, renamed, removed names) become durable.
    int sync_dir(Node& d);

    int statfs(struct statvfs* st) const;
    std::uint64_t next_id() { return ++last_id_; }
    int staging_fd() const { return staging_fd_; }
    void forget_dir(ino_t ino) { dirs_by_ino_.erase(ino); }

private:
    void load(Node& dir, std::map<ino_t, std::shared_ptr<Node>>& files);
    void read_page(const Node& f, std::uint64_t index, char* out) const;
    int materialize_in_staging(Node& d);
    int remove_backing(Node& d, const std::string& name, ino_t ino, bool is_dir);

    std::uint64_t last_id_ = 0;
    int root_fd_ = -1;
    int staging_fd_ = -1;
    std::shared_ptr<Node> root_;
    // Live directories by backing inode: a synced directory that lost a name its node still
    // has elsewhere is moved to staging, not deleted.
    std::map<ino_t, Node*> dirs_by_ino_;
};

}  // namespace powercut
