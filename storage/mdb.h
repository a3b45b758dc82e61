// Private to storage/*.cpp: a small RAII layer over lmdb.h with lmdbxx's semantics (STYLE §6).
// Never include this from a public storage header: no LMDB type may leak out of storage/.
#pragma once

#include <lmdb.h>

#include "storage/redo.h"  // mdb::redo: the journal's redo lists

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <string_view>
#include <utility>

namespace tidings::storage::mdb {

static_assert(std::is_same_v<MDB_dbi, redo::Dbi>, "redo lists carry LMDB's dbi type");

// An LMDB failure. Inside the writer it is caught per batch (MDB_MAP_FULL: grow and redo;
// anything else: the request or batch fails); it never crosses the writer thread.
struct Error : std::runtime_error {
    Error(const char* what, int rc)
        : std::runtime_error(std::string(what) + ": " + mdb_strerror(rc)), code(rc) {}
    int code;
};

inline void check(const char* what, int rc) {
    if (rc != MDB_SUCCESS) throw Error(what, rc);
}

inline MDB_val val(std::string_view s) noexcept {
    return MDB_val{s.size(), const_cast<char*>(s.data())};
}
inline std::string_view view(const MDB_val& v) noexcept {
    return {static_cast<const char*>(v.mv_data), v.mv_size};
}


// Move-only transaction; the destructor aborts. commit() releases the handle before calling
// LMDB because mdb_txn_commit frees the transaction even when it fails (drycpp's lmdb++ does not,
// and double-frees).
class Txn {
public:
    Txn() noexcept = default;
    Txn(MDB_env* env, unsigned flags) {
        check("mdb_txn_begin", mdb_txn_begin(env, nullptr, flags, &h_));
    }
    // Returns LMDB's code instead of throwing (the writer sorts failures itself).
    static int begin(MDB_env* env, unsigned flags, Txn& out) noexcept {
        out.abort();
        return mdb_txn_begin(env, nullptr, flags, &out.h_);
    }
    ~Txn() { abort(); }
    Txn(Txn&& o) noexcept : h_(std::exchange(o.h_, nullptr)), redo_(std::exchange(o.redo_, nullptr)) {}
    Txn& operator=(Txn&& o) noexcept {
        if (this != &o) {
            abort();
            h_ = std::exchange(o.h_, nullptr);
            redo_ = std::exchange(o.redo_, nullptr);
        }
        return *this;
    }
    Txn(const Txn&) = delete;
    Txn& operator=(const Txn&) = delete;

    void abort() noexcept {
        if (h_) mdb_txn_abort(std::exchange(h_, nullptr));
    }
    // Returns LMDB's code; the handle is gone either way.
    [[nodiscard]] int commit() noexcept { return mdb_txn_commit(std::exchange(h_, nullptr)); }
    MDB_txn* handle() const noexcept { return h_; }
    // Records every later change into `out` (nullptr: stop recording).
    void record_into(std::string* out) noexcept { redo_ = out; }
    std::string* redo() const noexcept { return redo_; }
    // For the read-transaction pool: take over / give up a handle without ending it.
    static Txn adopt(MDB_txn* h) noexcept {
        Txn t;
        t.h_ = h;
        return t;
    }
    MDB_txn* release() noexcept { return std::exchange(h_, nullptr); }
    explicit operator bool() const noexcept { return h_ != nullptr; }

    std::optional<std::string_view> get(MDB_dbi dbi, std::string_view key) const {
        MDB_val k = val(key), v{};
        int rc = mdb_get(h_, dbi, &k, &v);
        if (rc == MDB_NOTFOUND) return std::nullopt;
        check("mdb_get", rc);
        return view(v);
    }
    // Throws on any failure but MDB_KEYEXIST with MDB_NOOVERWRITE, which returns false.
    bool put(MDB_dbi dbi, std::string_view key, std::string_view value, unsigned flags = 0) {
        MDB_val k = val(key), v = val(value);
        int rc = mdb_put(h_, dbi, &k, &v, flags);
        if (rc == MDB_KEYEXIST && (flags & MDB_NOOVERWRITE)) return false;
        check("mdb_put", rc);
        if (redo_) redo::add(*redo_, redo::put, dbi, key, value);
        return true;
    }
    // Returns false when the key was absent.
    bool del(MDB_dbi dbi, std::string_view key) {
        MDB_val k = val(key);
        int rc = mdb_del(h_, dbi, &k, nullptr);
        if (rc == MDB_NOTFOUND) return false;
        check("mdb_del", rc);
        if (redo_) redo::add(*redo_, redo::del, dbi, key);
        return true;
    }

private:
    MDB_txn* h_ = nullptr;
    std::string* redo_ = nullptr;
};

// A cursor; closed by its destructor, which must run before a write transaction commits.
class Cursor {
public:
    Cursor(const Txn& txn, MDB_dbi dbi) : dbi_(dbi), redo_(txn.redo()) {
        check("mdb_cursor_open", mdb_cursor_open(txn.handle(), dbi, &c_));
    }
    ~Cursor() {
        if (c_) mdb_cursor_close(c_);
    }
    Cursor(const Cursor&) = delete;
    Cursor& operator=(const Cursor&) = delete;

    // Positions at the first key >= `key`; false at the end.
    bool seek(std::string_view key) { return move(MDB_SET_RANGE, key); }
    bool first() { return move(MDB_FIRST, {}); }
    bool next() { return move(MDB_NEXT, {}); }
    std::string_view key() const noexcept { return view(k_); }
    std::string_view value() const noexcept { return view(v_); }
    // Deletes the current entry; the cursor then sits on the next one (use current()).
    void del() {
        std::string key(view(k_));  // k_ points into the page the delete may change
        check("mdb_cursor_del", mdb_cursor_del(c_, 0));
        if (redo_) redo::add(*redo_, redo::del, dbi_, key);
    }
    bool current() { return move(MDB_GET_CURRENT, {}); }

private:
    bool move(MDB_cursor_op op, std::string_view key) {
        if (op == MDB_SET_RANGE) k_ = val(key);
        int rc = mdb_cursor_get(c_, &k_, &v_, op);
        if (rc == MDB_NOTFOUND || rc == EINVAL) return false;  // EINVAL: GET_CURRENT past the end
        check("mdb_cursor_get", rc);
        return true;
    }
    MDB_cursor* c_ = nullptr;
    MDB_dbi dbi_ = 0;
    std::string* redo_ = nullptr;
    MDB_val k_{}, v_{};
};

}  // namespace tidings::storage::mdb
