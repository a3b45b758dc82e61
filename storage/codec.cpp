// The byte layout of storage/'s keys and values (see codec.h).
#include "storage/codec.h"

namespace tidings::storage::codec {

void put_u64(std::string& out, std::uint64_t v) {
    for (int s = 56; s >= 0; s -= 8) out.push_back(static_cast<char>((v >> s) & 0xff));
}
void put_u32(std::string& out, std::uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<char>((v >> s) & 0xff));
}
void put_u16(std::string& out, std::uint16_t v) {
    out.push_back(static_cast<char>(v >> 8));
    out.push_back(static_cast<char>(v & 0xff));
}
std::uint64_t get_u64(std::string_view in, std::size_t at) noexcept {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(in[at + i]);
    return v;
}
std::uint32_t get_u32(std::string_view in, std::size_t at) noexcept {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(in[at + i]);
    return v;
}
std::uint16_t get_u16(std::string_view in, std::size_t at) noexcept {
    return static_cast<std::uint16_t>((static_cast<unsigned char>(in[at]) << 8) |
                                      static_cast<unsigned char>(in[at + 1]));
}

std::string number_key(std::string_view group, std::uint64_t number) {
    std::string k;
    k.reserve(group.size() + 9);
    k.append(group);
    k.push_back('\0');
    put_u64(k, number);
    return k;
}
std::string group_prefix(std::string_view group) {
    std::string k(group);
    k.push_back('\0');
    return k;
}
std::optional<std::pair<std::string_view, std::uint64_t>> split_number_key(std::string_view key) {
    if (key.size() < 9 || key[key.size() - 9] != '\0') return std::nullopt;
    return std::pair{key.substr(0, key.size() - 9), get_u64(key, key.size() - 8)};
}

std::string queue_value(std::int64_t enqueued, std::uint32_t attempts, std::string_view message_id) {
    std::string v;
    put_u64(v, static_cast<std::uint64_t>(enqueued));
    put_u32(v, attempts);
    v.append(message_id);
    return v;
}
QueueEntry decode_queue(std::uint64_t seq, std::string_view value) {
    QueueEntry e;
    e.seq = seq;
    if (value.size() < 12) return e;
    e.enqueued = static_cast<std::int64_t>(get_u64(value, 0));
    e.attempts = get_u32(value, 8);
    e.message_id.assign(value.substr(12));
    return e;
}
std::string queue_count_key(std::string_view peer) {
    std::string k = "queue:";
    k.append(peer);
    return k;
}

std::string time_key(std::int64_t when, std::uint64_t seq) {
    std::string k;
    k.reserve(16);
    put_u64(k, static_cast<std::uint64_t>(when));
    put_u64(k, seq);
    return k;
}
std::int64_t key_time(std::string_view key) {
    return key.size() < 8 ? 0 : static_cast<std::int64_t>(get_u64(key, 0));
}

std::string history_value(HistoryEntry e) {
    std::string v;
    put_u64(v, static_cast<std::uint64_t>(e.when));
    v.push_back(static_cast<char>(e.status));
    return v;
}
std::optional<HistoryEntry> decode_history(std::string_view v) {
    if (v.size() != 9) return std::nullopt;
    auto s = static_cast<std::uint8_t>(v[8]);
    if (s < 1 || s > 4) return std::nullopt;
    return HistoryEntry{static_cast<std::int64_t>(get_u64(v, 0)), static_cast<HistoryStatus>(s)};
}

std::string group_value(const GroupInfo& g) {
    std::string v;
    put_u64(v, g.low);
    put_u64(v, g.high);
    put_u64(v, g.count);
    v.push_back(g.flag);
    put_u64(v, static_cast<std::uint64_t>(g.created));
    v.append(g.creator);
    return v;
}
std::optional<GroupInfo> decode_group(std::string_view name, std::string_view v) {
    if (v.size() < 33) return std::nullopt;
    GroupInfo g;
    g.name.assign(name);
    g.low = get_u64(v, 0);
    g.high = get_u64(v, 8);
    g.count = get_u64(v, 16);
    g.flag = v[24];
    g.created = static_cast<std::int64_t>(get_u64(v, 25));
    g.creator.assign(v.substr(33));
    return g;
}

std::string article_value(const ArticleMeta& meta, std::string_view article) {
    std::string m;
    put_u64(m, static_cast<std::uint64_t>(meta.arrival));
    put_u64(m, static_cast<std::uint64_t>(meta.expires));
    put_u64(m, meta.expiry_seq);
    put_u16(m, static_cast<std::uint16_t>(meta.placements.size()));
    for (const auto& [name, number] : meta.placements) {
        put_u16(m, static_cast<std::uint16_t>(name.size()));
        m.append(name);
        put_u64(m, number);
    }
    std::string v;
    v.reserve(4 + m.size() + article.size());
    put_u32(v, static_cast<std::uint32_t>(m.size()));
    v.append(m);
    v.append(article);
    return v;
}
std::optional<ArticleMeta> decode_article_meta(std::string_view v) {
    if (v.size() < 4) return std::nullopt;
    std::size_t len = get_u32(v, 0);
    if (v.size() < 4 + len || len < 26) return std::nullopt;
    std::string_view m = v.substr(4, len);
    ArticleMeta meta;
    meta.arrival = static_cast<std::int64_t>(get_u64(m, 0));
    meta.expires = static_cast<std::int64_t>(get_u64(m, 8));
    meta.expiry_seq = get_u64(m, 16);
    std::size_t n = get_u16(m, 24), at = 26;
    for (std::size_t i = 0; i < n; ++i) {
        if (at + 2 > m.size()) return std::nullopt;
        std::size_t nl = get_u16(m, at);
        at += 2;
        if (at + nl + 8 > m.size()) return std::nullopt;
        meta.placements.emplace_back(std::string(m.substr(at, nl)), get_u64(m, at + nl));
        at += nl + 8;
    }
    return meta;
}
std::optional<std::string_view> article_tail(std::string_view v) {
    if (v.size() < 4) return std::nullopt;
    std::size_t len = get_u32(v, 0);
    if (v.size() < 4 + len) return std::nullopt;
    return v.substr(4 + len);
}

std::string locator_bytes(const Locator& at) {
    std::string s;
    put_u64(s, at.file);
    put_u64(s, at.offset);
    put_u32(s, at.length);
    put_u32(s, at.crc);
    return s;
}

std::optional<Locator> article_locator(std::string_view v) {
    auto t = article_tail(v);
    if (!t || t->size() != 24) return std::nullopt;
    return Locator{get_u64(*t, 0), get_u64(*t, 8), get_u32(*t, 16), get_u32(*t, 20)};
}

std::string segment_count_key(std::uint64_t file) {
    std::string k(segment_count_prefix);
    put_u64(k, file);
    return k;
}

std::string segment_bytes_key(std::uint64_t file) {
    std::string k(segment_bytes_prefix);
    put_u64(k, file);
    return k;
}

}  // namespace tidings::storage::codec
