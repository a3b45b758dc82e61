// Private to storage/: the redo list a journal record carries (journal.h) — encoding and the
// decoding that recovery runs on every replayed record. Standard library only (mdb.h includes
// it and checks that Dbi is LMDB's MDB_dbi), so the decoder is fuzzed (tests/fuzz/
// fuzz_journal.cpp) without LMDB.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

namespace tidings::storage::mdb {

// The redo list of a write transaction: every put and delete that changed it, in order, so the
// journal can replay the transaction on the state it started from (journal.h). Entry: kind(1)
// dbi(1) key length(2) key [value length(4) value]. A `blob` entry (dbi 0, no key) carries an
// article's bytes: they live in the journal record itself (the article log), replay skips them.
namespace redo {
using Dbi = unsigned int;  // MDB_dbi
enum Kind : unsigned char { put = 1, del = 2, blob = 3 };
inline void add(std::string& out, Kind kind, Dbi dbi, std::string_view key,
                std::string_view value = {}) {
    char h[4] = {static_cast<char>(kind), static_cast<char>(dbi),
                 static_cast<char>(key.size() & 0xff), static_cast<char>(key.size() >> 8)};
    out.append(h, 4);
    out.append(key);
    if (kind == put || kind == blob) {
        auto n = static_cast<std::uint32_t>(value.size());
        char l[4] = {static_cast<char>(n & 0xff), static_cast<char>((n >> 8) & 0xff),
                     static_cast<char>((n >> 16) & 0xff), static_cast<char>(n >> 24)};
        out.append(l, 4);
        out.append(value);
    }
}
// Calls fn(kind, dbi, key, value, value's offset in `p`) for each entry of a redo list; throws
// std::runtime_error when it is malformed.
template <class Fn>
void for_each(std::string_view p, Fn&& fn) {
    const std::size_t size = p.size();
    auto bad = [] { return std::runtime_error("storage: malformed journal record"); };
    while (!p.empty()) {
        if (p.size() < 4) throw bad();
        auto kind = static_cast<unsigned char>(p[0]);
        Dbi dbi = static_cast<unsigned char>(p[1]);
        std::size_t klen = static_cast<unsigned char>(p[2]) | (static_cast<std::size_t>(static_cast<unsigned char>(p[3])) << 8);
        p.remove_prefix(4);
        if (p.size() < klen) throw bad();
        auto key = p.substr(0, klen);
        p.remove_prefix(klen);
        std::string_view value;
        if (kind == put || kind == blob) {
            if (p.size() < 4) throw bad();
            std::uint32_t vlen = 0;
            for (int i = 3; i >= 0; --i) vlen = (vlen << 8) | static_cast<unsigned char>(p[static_cast<std::size_t>(i)]);
            p.remove_prefix(4);
            if (p.size() < vlen) throw bad();
            value = p.substr(0, vlen);
            p.remove_prefix(vlen);
        } else if (kind != del) {
            throw bad();
        }
        if constexpr (std::is_invocable_v<Fn, Kind, Dbi, std::string_view, std::string_view, std::size_t>)
            fn(static_cast<Kind>(kind), dbi, key, value, size - p.size() - value.size());
        else
            fn(static_cast<Kind>(kind), dbi, key, value);
    }
}

// Appends a blob entry whose bytes are `parts` joined; returns where they start in `out`.
inline std::size_t add_blob(std::string& out, std::initializer_list<std::string_view> parts) {
    std::size_t n = 0;
    for (auto p : parts) n += p.size();
    char h[8] = {static_cast<char>(blob), 0, 0, 0,
                 static_cast<char>(n & 0xff), static_cast<char>((n >> 8) & 0xff),
                 static_cast<char>((n >> 16) & 0xff), static_cast<char>((n >> 24) & 0xff)};
    out.append(h, 8);
    const std::size_t at = out.size();
    for (auto p : parts) out.append(p);
    return at;
}
inline std::size_t add_blob(std::string& out, std::string_view bytes) { return add_blob(out, {bytes}); }
}  // namespace redo

}  // namespace tidings::storage::mdb
