// Range-based set reconciliation: encoding, fingerprints, and the one step both roles run.
#include "protocol/reconcile.h"

#include <algorithm>
#include <cstring>

namespace tidings::protocol::reconcile {

namespace {

enum Mode : std::uint8_t { skip = 0, fingerprint = 1, id_list = 2, id_diff = 3 };

// Mixes the count into the sum so that ranges with equal sums but different sizes differ
// (an odd 128-bit constant: the first digits of the golden ratio).
constexpr unsigned __int128 count_mix =
    (static_cast<unsigned __int128>(0x9e3779b97f4a7c15ULL) << 64) | 0xf39cc0605cedc835ULL;

unsigned __int128 id_value(const Id& id) noexcept {
    unsigned __int128 v = 0;
    for (std::size_t i = 0; i < id_bytes; ++i) v |= static_cast<unsigned __int128>(id[i]) << (8 * i);
    return v;
}

class Writer {
public:
    Writer() { out.push_back(static_cast<char>(protocol_version)); }
    void varint(std::uint64_t v) {
        while (v >= 0x80) {
            out.push_back(static_cast<char>((v & 0x7f) | 0x80));
            v >>= 7;
        }
        out.push_back(static_cast<char>(v));
    }
    void bytes(const std::uint8_t* p, std::size_t n) { out.append(reinterpret_cast<const char*>(p), n); }
    void short_id(std::uint64_t s) {
        for (int i = static_cast<int>(short_id_bytes) - 1; i >= 0; --i) out.push_back(static_cast<char>(s >> (8 * i)));
    }
    // Times are deltas from the previous bound of the message, plus one; 0 is infinity.
    void bound(const Bound& b) {
        if (b.is_infinite()) {
            varint(0);
        } else {
            varint(b.time - last_time + 1);
            last_time = b.time;
        }
        varint(b.length);
        bytes(b.prefix.data(), b.length);
    }
    std::string out;

private:
    std::uint64_t last_time = 0;
};

class Reader {
public:
    explicit Reader(std::string_view in) : in_(in) {}
    bool empty() const noexcept { return pos_ >= in_.size(); }
    std::size_t left() const noexcept { return in_.size() - pos_; }
    bool byte(std::uint8_t& b) {
        if (empty()) return false;
        b = static_cast<std::uint8_t>(in_[pos_++]);
        return true;
    }
    bool varint(std::uint64_t& v) {
        v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            std::uint8_t b = 0;
            if (!byte(b)) return false;
            if (shift == 63 && b > 1) return false;  // over 64 bits
            v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
            if (!(b & 0x80)) return true;
        }
        return false;
    }
    bool bytes(std::uint8_t* p, std::size_t n) {
        if (left() < n) return false;
        std::memcpy(p, in_.data() + pos_, n);
        pos_ += n;
        return true;
    }
    bool short_id(std::uint64_t& s) {
        if (left() < short_id_bytes) return false;
        s = 0;
        for (std::size_t i = 0; i < short_id_bytes; ++i) s = (s << 8) | static_cast<std::uint8_t>(in_[pos_++]);
        return true;
    }
    bool bound(Bound& b) {
        std::uint64_t t = 0, len = 0;
        if (!varint(t)) return false;
        if (t == 0) {
            b.time = infinite_time;
        } else {
            // time = last + t - 1, never reaching infinite_time.
            if (t - 1 >= infinite_time - last_time) return false;
            b.time = last_time + t - 1;
            last_time = b.time;
        }
        if (!varint(len) || len > id_bytes) return false;
        b.length = static_cast<std::uint8_t>(len);
        b.prefix.fill(0);
        return bytes(b.prefix.data(), b.length);
    }

private:
    std::string_view in_;
    std::size_t pos_ = 0;
    std::uint64_t last_time = 0;
};

// The shortest bound above a and at or below b (a < b).
Bound between(const Item& a, const Item& b) noexcept {
    Bound out;
    out.time = b.time;
    if (a.time != b.time) return out;
    std::size_t shared = 0;
    while (shared < id_bytes && a.id[shared] == b.id[shared]) ++shared;
    out.length = static_cast<std::uint8_t>(std::min(shared + 1, id_bytes));
    std::copy_n(b.id.begin(), out.length, out.prefix.begin());
    return out;
}

}  // namespace

std::uint64_t short_id(const Id& id) noexcept {
    std::uint64_t s = 0;
    for (std::size_t i = 0; i < short_id_bytes; ++i) s = (s << 8) | id[i];
    return s;
}

ItemSet::ItemSet(std::vector<Item> items) : items_(std::move(items)) {
    std::sort(items_.begin(), items_.end());
    items_.erase(std::unique(items_.begin(), items_.end()), items_.end());
    // An item at infinite_time could not be bounded; such a time is never valid.
    while (!items_.empty() && items_.back().time == infinite_time) items_.pop_back();
    sums_.resize(items_.size() + 1);
    sums_[0] = 0;
    for (std::size_t i = 0; i < items_.size(); ++i) sums_[i + 1] = sums_[i] + id_value(items_[i].id);
}

ItemSet::Fingerprint ItemSet::fingerprint(std::size_t begin, std::size_t end) const noexcept {
    unsigned __int128 v = sums_[end] - sums_[begin] + static_cast<unsigned __int128>(end - begin) * count_mix;
    Fingerprint fp{};
    for (std::size_t i = 0; i < fingerprint_bytes; ++i) fp[i] = static_cast<std::uint8_t>(v >> (8 * i));
    return fp;
}

bool operator<(const Bound& a, const Bound& b) noexcept {
    if (a.time != b.time) return a.time < b.time;
    return a.prefix < b.prefix;
}

bool item_below(const Item& item, const Bound& b) noexcept {
    if (b.is_infinite()) return true;
    if (item.time != b.time) return item.time < b.time;
    return item.id < b.prefix;
}

std::string_view to_string(Error e) noexcept {
    switch (e) {
        case Error::none: return "none";
        case Error::malformed: return "malformed message";
        case Error::version: return "unknown protocol version";
        case Error::too_big: return "message too big";
        case Error::too_many_ranges: return "too many ranges";
        case Error::unexpected: return "unexpected mode for this role";
        case Error::too_many_differences: return "too many differences";
    }
    return "?";
}

Reconciler::Reconciler(const ItemSet& set, Role role, Limits limits) : set_(set), role_(role), limits_(limits) {
    limits_.branching = std::max<std::size_t>(limits_.branching, 2);
    limits_.list_threshold = std::max(limits_.list_threshold, limits_.branching);
    limits_.max_diff_items = std::max(limits_.max_diff_items, limits_.list_threshold);
}

std::string Reconciler::initiate() const {
    Writer w;
    w.bound(Bound::infinite());
    w.varint(fingerprint);
    auto fp = set_.fingerprint(0, set_.size());
    w.bytes(fp.data(), fp.size());
    return std::move(w.out);
}

StepResult Reconciler::step(std::string_view in, Differences* diff) {
    StepResult result;
    if (in.size() > limits_.max_input_bytes) return {Error::too_big, {}, false};
    Reader r(in);
    std::uint8_t version = 0;
    if (!r.byte(version)) return {Error::malformed, {}, false};
    if (version != protocol_version) return {Error::version, {}, false};

    const auto& items = set_.items();
    Writer w;
    Bound lower{};  // (0, empty): below every item
    std::size_t lower_i = 0;
    bool pending_skip = false;
    std::size_t ranges = 0;
    std::vector<std::uint64_t> listed, own;

    auto index_of = [&](const Bound& b) {
        auto it = std::partition_point(items.begin() + static_cast<std::ptrdiff_t>(lower_i), items.end(),
                                       [&](const Item& x) { return item_below(x, b); });
        return static_cast<std::size_t>(it - items.begin());
    };
    auto open_range = [&](const Bound& upper, Mode mode) {
        if (pending_skip) {
            w.bound(lower);
            w.varint(skip);
            pending_skip = false;
        }
        w.bound(upper);
        w.varint(mode);
    };
    auto emit_fingerprint = [&](const Bound& upper, std::size_t b, std::size_t e) {
        open_range(upper, fingerprint);
        auto fp = set_.fingerprint(b, e);
        w.bytes(fp.data(), fp.size());
    };
    auto emit_split = [&](const Bound& upper, std::size_t b, std::size_t e) {
        std::size_t count = e - b;
        if (count <= limits_.list_threshold) {
            open_range(upper, id_list);
            w.varint(count);
            for (std::size_t k = b; k < e; ++k) w.short_id(short_id(items[k].id));
            return;
        }
        // Buckets of equal counts; a bucket's upper bound is the shortest one between its last
        // item and the next bucket's first, so bounds stay small.
        std::size_t n = limits_.branching, base = count / n, extra = count % n, cur = b;
        for (std::size_t k = 0; k < n; ++k) {
            std::size_t end = cur + base + (k < extra ? 1 : 0);
            Bound up = (k + 1 == n) ? upper : between(items[end - 1], items[end]);
            emit_fingerprint(up, cur, end);  // only the first can flush a pending skip (at `lower`)
            cur = end;
        }
    };
    auto own_shorts = [&](std::size_t b, std::size_t e) {
        own.clear();
        for (std::size_t k = b; k < e; ++k) own.push_back(short_id(items[k].id));
        std::vector<std::uint64_t> sorted = own;
        std::sort(sorted.begin(), sorted.end());
        return sorted;
    };
    auto read_shorts = [&](std::uint64_t n) {
        listed.clear();
        if (n > r.left() / short_id_bytes) return false;
        listed.resize(n);
        for (auto& s : listed)
            if (!r.short_id(s)) return false;
        return true;
    };
    auto count_difference = [&]() {
        return diff && diff->have.size() + diff->need.size() > limits_.max_differences;
    };

    while (!r.empty()) {
        if (++ranges > limits_.max_ranges) return {Error::too_many_ranges, {}, false};
        Bound upper;
        std::uint64_t mode = 0;
        if (!r.bound(upper) || !(lower < upper) || !r.varint(mode)) return {Error::malformed, {}, false};
        std::size_t upper_i = index_of(upper);
        switch (mode) {
            case skip: pending_skip = true; break;
            case fingerprint: {
                ItemSet::Fingerprint theirs{};
                if (!r.bytes(theirs.data(), theirs.size())) return {Error::malformed, {}, false};
                if (theirs == set_.fingerprint(lower_i, upper_i))
                    pending_skip = true;
                else
                    emit_split(upper, lower_i, upper_i);
                break;
            }
            case id_list: {
                std::uint64_t n = 0;
                if (!r.varint(n) || !read_shorts(n)) return {Error::malformed, {}, false};
                std::vector<std::uint64_t> mine = own_shorts(lower_i, upper_i);
                std::vector<std::uint64_t> theirs = listed;
                std::sort(theirs.begin(), theirs.end());
                auto in_theirs = [&](std::uint64_t s) { return std::binary_search(theirs.begin(), theirs.end(), s); };
                auto in_mine = [&](std::uint64_t s) { return std::binary_search(mine.begin(), mine.end(), s); };
                if (role_ == Role::initiator) {
                    if (diff) {
                        for (std::size_t k = 0; k < own.size(); ++k)
                            if (!in_theirs(own[k])) diff->have.push_back(lower_i + k);
                        for (auto s : listed)
                            if (!in_mine(s)) diff->need.push_back(s);
                    }
                    pending_skip = true;
                } else if (upper_i - lower_i > limits_.max_diff_items) {
                    emit_split(upper, lower_i, upper_i);  // too many of ours to answer in one list
                } else {
                    open_range(upper, id_diff);
                    w.varint(listed.size());
                    std::string bitmap((listed.size() + 7) / 8, '\0');
                    for (std::size_t k = 0; k < listed.size(); ++k)
                        if (!in_mine(listed[k])) bitmap[k / 8] = static_cast<char>(bitmap[k / 8] | (1 << (k % 8)));
                    w.out += bitmap;
                    std::vector<std::uint64_t> missing;
                    for (auto s : own)
                        if (!in_theirs(s)) missing.push_back(s);
                    w.varint(missing.size());
                    for (auto s : missing) w.short_id(s);
                }
                break;
            }
            case id_diff: {
                if (role_ != Role::initiator) return {Error::unexpected, {}, false};
                std::uint64_t n = 0, m = 0;
                if (!r.varint(n)) return {Error::malformed, {}, false};
                // The bitmap is over the list we sent for exactly this range: our items in it.
                if (n != upper_i - lower_i) return {Error::unexpected, {}, false};
                std::string bitmap((n + 7) / 8, '\0');
                if (!r.bytes(reinterpret_cast<std::uint8_t*>(bitmap.data()), bitmap.size()) || !r.varint(m) ||
                    !read_shorts(m))
                    return {Error::malformed, {}, false};
                if (diff) {
                    for (std::size_t k = 0; k < n; ++k)
                        if (static_cast<std::uint8_t>(bitmap[k / 8]) & (1 << (k % 8))) diff->have.push_back(lower_i + k);
                    diff->need.insert(diff->need.end(), listed.begin(), listed.end());
                }
                pending_skip = true;
                break;
            }
            default: return {Error::malformed, {}, false};
        }
        if (count_difference()) return {Error::too_many_differences, {}, false};
        lower = upper;
        lower_i = upper_i;
        if (upper.is_infinite()) break;  // nothing can follow infinity
        // Frame limit: what remains is summed up in one fingerprint, taken up next round.
        if (w.out.size() > limits_.max_message_bytes && !r.empty()) {
            emit_fingerprint(Bound::infinite(), lower_i, items.size());
            break;
        }
    }
    if (!r.empty() && lower.is_infinite()) return {Error::malformed, {}, false};
    result.done = role_ == Role::initiator && w.out.size() == 1;
    result.out = std::move(w.out);
    return result;
}

MessageStats inspect(std::string_view in) noexcept {
    MessageStats stats;
    Reader r(in);
    std::uint8_t version = 0;
    if (!r.byte(version) || version != protocol_version) return stats;
    while (!r.empty()) {
        Bound b;
        std::uint64_t mode = 0, n = 0, m = 0;
        if (!r.bound(b) || !r.varint(mode)) return stats;
        ++stats.ranges;
        std::uint8_t scratch[fingerprint_bytes];
        if (mode == fingerprint) {
            if (!r.bytes(scratch, sizeof scratch)) return stats;
            ++stats.fingerprints;
        } else if (mode == id_list || mode == id_diff) {
            if (!r.varint(n)) return stats;
            std::uint64_t skip_bytes = mode == id_list ? n * short_id_bytes : (n + 7) / 8;
            if (mode == id_list) stats.listed_ids += n;
            if (n > r.left() || skip_bytes > r.left()) return stats;
            for (std::uint64_t k = 0; k < skip_bytes; ++k) r.byte(scratch[0]);
            if (mode == id_diff) {
                if (!r.varint(m) || m > r.left() / short_id_bytes) return stats;
                stats.listed_ids += m;
                for (std::uint64_t k = 0; k < m * short_id_bytes; ++k) r.byte(scratch[0]);
            }
        } else if (mode != skip) {
            return stats;
        }
    }
    return stats;
}

}  // namespace tidings::protocol::reconcile
