// Fuzzes what recovery reads back from disk: journal records and a journal file as replay scans
// it (storage/journal_format.h), and the redo lists inside records (storage/redo.h).
//  - Raw: the input as a journal file and as a redo list: no crash, no read outside the
//    buffer (ASan), every delivered record intact, consecutive and inside the buffer.
//  - Built: records (and redo lists) encoded from the input read back exactly; cut anywhere,
//    or with one byte of a record changed, exactly the records before the damage come back —
//    a torn or corrupt tail is never delivered, not even in part.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "storage/journal_format.h"
#include "storage/redo.h"

namespace jf = tidings::storage::detail::journal_format;
namespace redo = tidings::storage::mdb::redo;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

bool within(std::string_view part, std::string_view whole) {
    return part.empty() || (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

struct Delivered {
    std::uint64_t seq;
    std::string_view payload;
};

jf::FileScan scan(std::string_view data, std::uint64_t first, std::uint64_t last, bool strict,
                  std::vector<Delivered>& out) {
    out.clear();
    auto s = jf::scan_file(data, first, last, strict, [&](std::uint64_t seq, std::string_view p) {
        out.push_back({seq, p});
    });
    check(s.good_bytes <= data.size());
    check(out.empty() ? s.last == last : s.last == out.back().seq);
    for (std::size_t i = 0; i < out.size(); ++i) {
        check(out[i].seq == last + 1 + i);  // consecutive, after the checkpoint
        check(within(out[i].payload, data));
        // Each one is the intact record where it sits.
        const std::size_t at = static_cast<std::size_t>(out[i].payload.data() - data.data()) - jf::header_size;
        auto r = jf::decode_record(data, at, static_cast<std::uint32_t>(first));
        check(r && r->seq == out[i].seq && r->payload.data() == out[i].payload.data() &&
              r->payload.size() == out[i].payload.size());
        check(at + jf::header_size + out[i].payload.size() <= s.good_bytes || s.end == jf::ScanEnd::gap);
    }
    if (!strict) check(s.end != jf::ScanEnd::damaged);
    return s;
}

// A redo list's entries tile it: each entry's value sits where the offset says.
bool redo_decodes(std::string_view list) {
    std::size_t entries = 0;
    try {
        redo::for_each(list, [&](redo::Kind k, redo::Dbi dbi, std::string_view key, std::string_view value,
                                 std::size_t at) {
            check(k == redo::put || k == redo::del || k == redo::blob);
            check(dbi < 256);
            check(within(key, list) && within(value, list));
            check(at + value.size() <= list.size());
            if (!value.empty()) check(list.data() + at == value.data());
            if (k == redo::del) check(value.empty());
            ++entries;
        });
    } catch (const std::runtime_error&) {
        return false;
    }
    return true;
}

struct Entry {
    redo::Kind kind;
    redo::Dbi dbi;
    std::string key, value;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view raw(reinterpret_cast<const char*>(data), size);
    std::vector<Delivered> got;

    // Raw bytes as a journal file (first seq 1, and one the input's own header might carry).
    for (std::uint64_t first : {std::uint64_t{1}, size >= 16 ? std::uint64_t{data[8]} | 1 : 1})
        for (bool strict : {true, false}) scan(raw, first, first - 1, strict, got);
    for (const auto& d : got) (void)redo_decodes(d.payload);
    (void)redo_decodes(raw);

    // Built records: encode, read back, then cut and damage them.
    FuzzedDataProvider in(data, size);
    const std::uint64_t first = in.ConsumeIntegralInRange<std::uint64_t>(1, std::uint64_t{1} << 40);
    const std::size_t n = in.ConsumeIntegralInRange<std::size_t>(0, 8);
    std::vector<std::string> payloads;
    std::vector<std::size_t> ends;  // where each record ends in the file
    std::string file;
    for (std::size_t i = 0; i < n; ++i) {
        // A payload that is a redo list of a few entries (its round trip checked below).
        std::vector<Entry> entries;
        std::string list;
        const std::size_t k = in.ConsumeIntegralInRange<std::size_t>(0, 4);
        for (std::size_t e = 0; e < k; ++e) {
            Entry en{static_cast<redo::Kind>(in.ConsumeIntegralInRange<int>(1, 3)),
                     in.ConsumeIntegral<std::uint8_t>(), in.ConsumeRandomLengthString(64),
                     in.ConsumeRandomLengthString(256)};
            if (en.kind == redo::blob) {
                en.dbi = 0;
                en.key.clear();
                redo::add_blob(list, en.value);
            } else {
                if (en.kind == redo::del) en.value.clear();
                redo::add(list, en.kind, en.dbi, en.key, en.value);
            }
            entries.push_back(std::move(en));
        }
        std::size_t e = 0;
        redo::for_each(list, [&](redo::Kind kind, redo::Dbi dbi, std::string_view key, std::string_view value) {
            check(e < entries.size() && kind == entries[e].kind && dbi == entries[e].dbi &&
                  key == entries[e].key && value == entries[e].value);
            ++e;
        });
        check(e == entries.size());

        payloads.push_back(list);
        const auto h = jf::encode_header(first + i, static_cast<std::uint32_t>(first), list);
        file.append(reinterpret_cast<const char*>(h.data()), h.size());
        file += list;
        ends.push_back(file.size());
    }
    const std::string stale = in.ConsumeRandomLengthString(64);  // what follows the records
    const std::size_t records_end = file.size();

    // Round trip, also after a checkpoint that already holds some of them.
    auto s = scan(file, first, first - 1, true, got);
    check(s.end == jf::ScanEnd::end && s.good_bytes == file.size() && got.size() == n);
    for (std::size_t i = 0; i < n; ++i) check(got[i].payload == payloads[i]);
    const std::size_t held = in.ConsumeIntegralInRange<std::size_t>(0, n);
    s = scan(file, first, first - 1 + held, true, got);
    check(got.size() == n - held && s.last == first - 1 + n);

    if (n == 0) return 0;
    // A cut anywhere: the records wholly before it, nothing of the one it tears.
    const std::size_t cut = in.ConsumeIntegralInRange<std::size_t>(0, records_end);
    std::size_t whole = 0;
    while (whole < n && ends[whole] <= cut) ++whole;
    s = scan(std::string_view(file).substr(0, cut), first, first - 1, true, got);
    check(got.size() == whole && s.end == jf::ScanEnd::end);
    check(s.good_bytes == (whole ? ends[whole - 1] : 0));

    // One byte of record `hit` changed: the records before it, then a stop. With garbage after
    // the last record too (a recycled file's tail).
    const std::size_t at = in.ConsumeIntegralInRange<std::size_t>(0, records_end - 1);
    const auto mask = static_cast<char>(in.ConsumeIntegralInRange<int>(1, 255));
    std::string bad = file + stale;
    bad[at] = static_cast<char>(bad[at] ^ mask);
    std::size_t hit = 0;
    while (ends[hit] <= at) ++hit;
    // A damaged length that announces more bytes than the file holds reads as the torn last
    // write (journal_format.cpp: a torn record's own extent is never searched, since its
    // payload may hold anything): no "damaged" verdict then.
    const std::size_t start = hit ? ends[hit - 1] : 0;
    const bool torn_looking = at >= start + 4 && at < start + 8 &&
                              jf::payload_length(std::string_view(bad).substr(start, jf::header_size)) &&
                              start + jf::header_size + *jf::payload_length(std::string_view(bad).substr(start, jf::header_size)) > bad.size();
    for (bool strict : {true, false}) {
        s = scan(bad, first, first - 1, strict, got);
        check(got.size() == hit);
        check(s.good_bytes == (hit ? ends[hit - 1] : 0));
        for (std::size_t i = 0; i < hit; ++i) check(got[i].payload == payloads[i]);
        // Intact records of this file after the damaged one: strict replay refuses to start.
        if (strict && hit + 1 < n && !torn_looking) check(s.end == jf::ScanEnd::damaged);
    }
    return 0;
}
