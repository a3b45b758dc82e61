// Range-based set reconciliation between two Tidings peers (the XRECONCILE extension; README
// "Reconciliation" is the wire spec). The idea is negentropy's (as in the Nostr relays): both
// sides sort their items by (time, id), compare fingerprints of ranges, and recurse only into
// ranges whose fingerprints differ, so the bytes exchanged grow with the difference, not with
// the sets. Pure: no I/O, no hashing of Message-IDs (the caller supplies the item ids).
//
// Differences from negentropy, chosen for NNTP repair:
//  * a small differing range is listed by 8-byte id prefixes (not whole ids), and the responder
//    answers a list with a bitmap of the listed ids it lacks plus the prefixes of its own ids the
//    list lacks (IdDiff), instead of echoing its whole list: the initiator learns both directions;
//  * fingerprints are the 128-bit sum of the range's ids plus its count times an odd constant,
//    truncated; ids are salted hashes chosen per session by the caller, so nobody who injects
//    articles can craft sums that hide a difference.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tidings::protocol::reconcile {

inline constexpr std::uint8_t protocol_version = 0x61;
inline constexpr std::size_t id_bytes = 16;         // an item's id
inline constexpr std::size_t fingerprint_bytes = 8;
inline constexpr std::size_t short_id_bytes = 8;    // ids in IdList/IdDiff and SEND requests
inline constexpr std::uint64_t infinite_time = ~std::uint64_t{0};

using Id = std::array<std::uint8_t, id_bytes>;

struct Item {
    std::uint64_t time = 0;  // seconds (the article's Date); never infinite_time
    Id id{};
    auto operator<=>(const Item&) const = default;
};

// The first short_id_bytes of an id, big-endian: how lists and SEND name an item.
std::uint64_t short_id(const Id& id) noexcept;

// One side's items, sorted and deduplicated, with prefix sums for O(1) range fingerprints.
class ItemSet {
public:
    ItemSet() = default;
    explicit ItemSet(std::vector<Item> items);  // any order; duplicates dropped
    std::size_t size() const noexcept { return items_.size(); }
    const Item& operator[](std::size_t i) const noexcept { return items_[i]; }
    const std::vector<Item>& items() const noexcept { return items_; }
    using Fingerprint = std::array<std::uint8_t, fingerprint_bytes>;
    Fingerprint fingerprint(std::size_t begin, std::size_t end) const noexcept;

private:
    std::vector<Item> items_;
    std::vector<unsigned __int128> sums_;  // sums_[i]: ids of items_[0..i) added mod 2^128
};

// A range's exclusive upper end: (time, id prefix of `length` bytes, zero-padded).
struct Bound {
    std::uint64_t time = 0;
    std::uint8_t length = 0;
    Id prefix{};
    static Bound infinite() noexcept { return Bound{infinite_time, 0, {}}; }
    bool is_infinite() const noexcept { return time == infinite_time; }
};
bool operator<(const Bound& a, const Bound& b) noexcept;
bool item_below(const Item& item, const Bound& b) noexcept;  // item < bound

struct Limits {
    std::size_t max_message_bytes = 500000;   // what we produce; the rest waits for the next round
    std::size_t max_input_bytes = 1u << 20;   // what we accept
    std::size_t max_ranges = 65536;           // ranges in one received message
    std::size_t branching = 16;               // fingerprints a differing range splits into
    std::size_t list_threshold = 24;          // ranges this small are listed, not split
    std::size_t max_diff_items = 128;         // a responder splits a listed range it holds more of
    std::size_t max_differences = 2000000;    // initiator: stop collecting beyond this many
};

enum class Error : std::uint8_t {
    none,
    malformed,        // truncated, bad varint, bounds not increasing, prefix too long
    version,          // first byte is not protocol_version
    too_big,          // over max_input_bytes
    too_many_ranges,  // over max_ranges
    unexpected,       // a mode this role never receives, or an IdDiff that fits no list we sent
    too_many_differences,
};
std::string_view to_string(Error) noexcept;

// What the initiator learned.
struct Differences {
    std::vector<std::size_t> have;    // indexes into our ItemSet of items the peer lacks
    std::vector<std::uint64_t> need;  // short ids of items the peer has and we lack
};

struct StepResult {
    Error error = Error::none;
    std::string out;    // the message to send next (always starts with the version byte)
    bool done = false;  // initiator: nothing left to ask; `out` need not be sent
};

// One side of one reconciliation. The ItemSet must outlive it and not change meanwhile.
class Reconciler {
public:
    enum class Role : std::uint8_t { initiator, responder };
    Reconciler(const ItemSet& set, Role role, Limits limits = {});

    // Initiator only: the first message (one fingerprint over everything).
    std::string initiate() const;
    // Handles a received message: the responder's answer (responder), or the next question
    // plus what was learned into `diff` (initiator; `diff` may be null for a responder).
    StepResult step(std::string_view in, Differences* diff);

private:
    const ItemSet& set_;
    Role role_;
    Limits limits_;
};

// Bytes of an encoded message that are ids and fingerprints vs structure, for reports.
struct MessageStats {
    std::size_t ranges = 0, fingerprints = 0, listed_ids = 0;
};
// Decodes `in` only to count (nullopt-free: malformed input counts what it reached).
MessageStats inspect(std::string_view in) noexcept;

}  // namespace tidings::protocol::reconcile
