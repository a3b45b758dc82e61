// Binds schema keys to config.h fields: the reader interface and `field<&Struct::member>`.
//
// For config/ only (schema.cpp declares the bindings, the loader implements FieldReader);
// toml++-free, so the schema table stays constexpr data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "config/config.h"
#include "config/schema.h"

namespace tidings::config {

// What a Field's read function calls: one overload per field type of config.h. Each checks
// that `key`'s Kind fits the field (a mismatch is a bug: std::logic_error), then reads, checks
// and reports like any key; `out` keeps its default when the key is absent or wrong.
class FieldReader {
public:
    virtual void read(const KeySpec& key, bool& out) = 0;
    virtual void read(const KeySpec& key, std::uint16_t& out) = 0;
    virtual void read(const KeySpec& key, std::uint32_t& out) = 0;
    virtual void read(const KeySpec& key, std::uint64_t& out) = 0;
    virtual void read(const KeySpec& key, std::string& out) = 0;
    virtual void read(const KeySpec& key, std::optional<HostPort>& out) = 0;
    virtual void read(const KeySpec& key, std::vector<Cidr>& out) = 0;
    virtual void read(const KeySpec& key, std::vector<std::string>& out) = 0;
    // A `choice` key: the index of its spelling in key.choices; nullopt if absent or wrong.
    virtual std::optional<std::size_t> read_choice(const KeySpec& key) = 0;

protected:
    ~FieldReader() = default;
};

// One address per struct: Field::owner, so the loader can check it passes a key's read the
// struct the schema bound it to.
template <class Struct>
inline constexpr char owner_tag = 0;

namespace detail {

template <class M>
struct Member;
template <class S, class T>
struct Member<T S::*> {
    using owner = S;
    using type = T;
};

template <auto M>
void read_member(FieldReader& reader, const KeySpec& key, void* object) {
    using Info = Member<decltype(M)>;
    auto& out = static_cast<typename Info::owner*>(object)->*M;
    // A choice key's enumerators are declared in the order of its spellings (config.h).
    if constexpr (std::is_enum_v<typename Info::type>) {
        if (auto i = reader.read_choice(key)) out = static_cast<typename Info::type>(*i);
    } else {
        reader.read(key, out);
    }
}

}  // namespace detail

// The Field of a key stored in `M`, e.g. field<&Node::data_dir>.
template <auto M>
inline constexpr Field field{&owner_tag<typename detail::Member<decltype(M)>::owner>,
                             &detail::read_member<M>};

}  // namespace tidings::config
