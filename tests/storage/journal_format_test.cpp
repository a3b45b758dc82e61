// The recovery path's decoders over plain bytes: journal records (journal_format.h), a journal
// file as replay reads it, the checkpoint file (checkpoint_format.h) and redo lists (redo.h).
#include "storage/checkpoint_format.h"
#include "storage/journal_format.h"
#include "storage/redo.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

using namespace tidings::storage::detail;
namespace jf = tidings::storage::detail::journal_format;
namespace redo = tidings::storage::mdb::redo;

namespace {

void append_record(std::string& file, std::uint64_t seq, std::uint32_t tag, std::string_view payload) {
    auto h = jf::encode_header(seq, tag, payload);
    file.append(reinterpret_cast<const char*>(h.data()), h.size());
    file.append(payload);
}

using Seen = std::vector<std::pair<std::uint64_t, std::string>>;

jf::FileScan scan(std::string_view data, std::uint64_t first, std::uint64_t last, bool strict, Seen& seen) {
    return jf::scan_file(data, first, last, strict,
                         [&](std::uint64_t seq, std::string_view p) { seen.emplace_back(seq, std::string(p)); });
}

Checkpoint sample_checkpoint() {
    Checkpoint c;
    c.seq = 42;
    c.txnid = 7;
    c.meta_page.assign(4096, '\0');
    std::memcpy(c.meta_page.data() + 144, &c.txnid, 8);
    return c;
}

}  // namespace

TEST(JournalFormat, RecordRoundTrips) {
    std::string file;
    append_record(file, 5, 5, "hello");
    append_record(file, 6, 5, "");
    auto r = jf::decode_record(file, 0, 5);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->seq, 5u);
    EXPECT_EQ(r->payload, "hello");
    EXPECT_EQ(jf::payload_length(std::string_view(file).substr(0, jf::header_size)), 5u);
    r = jf::decode_record(file, jf::header_size + 5, 5);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->seq, 6u);
    EXPECT_EQ(r->payload, "");
    EXPECT_FALSE(jf::decode_record(file, file.size(), 5));
    EXPECT_FALSE(jf::decode_record(file, file.size() + 1, 5));  // past the end: nothing, no read
    EXPECT_FALSE(jf::decode_record(file, 0, 6));                // another file's tag
}

TEST(JournalFormat, EveryTruncationAndEveryByteFlipOfTheLastRecordIsRefused) {
    std::string file;
    append_record(file, 1, 1, "first");
    const std::size_t first_end = file.size();
    append_record(file, 2, 1, "second record");
    for (std::size_t cut = first_end; cut < file.size(); ++cut) {
        Seen seen;
        auto s = scan(std::string_view(file).substr(0, cut), 1, 0, true, seen);
        ASSERT_EQ(seen.size(), 1u) << cut;
        EXPECT_EQ(s.end, jf::ScanEnd::end);
        EXPECT_EQ(s.last, 1u);
        EXPECT_EQ(s.good_bytes, first_end);
    }
    for (std::size_t at = first_end; at < file.size(); ++at) {
        std::string bad = file;
        bad[at] = static_cast<char>(bad[at] ^ 0x40);
        Seen seen;
        auto s = scan(bad, 1, 0, true, seen);
        ASSERT_EQ(seen.size(), 1u) << at;
        EXPECT_EQ(s.last, 1u);
        EXPECT_EQ(s.good_bytes, first_end);
    }
}

TEST(JournalFormat, ScanSkipsCheckpointedStopsAtGapsAndFindsDamageInTheMiddle) {
    std::string file;
    append_record(file, 3, 3, "a");
    append_record(file, 4, 3, "b");
    append_record(file, 5, 3, "c");
    Seen seen;
    auto s = scan(file, 3, 3, true, seen);  // record 3 is in the checkpoint
    ASSERT_EQ(seen, (Seen{{4, "b"}, {5, "c"}}));
    EXPECT_EQ(s.end, jf::ScanEnd::end);
    EXPECT_EQ(s.good_bytes, file.size());

    std::string gap;
    append_record(gap, 3, 3, "a");
    append_record(gap, 5, 3, "c");
    seen.clear();
    s = scan(gap, 3, 2, true, seen);
    EXPECT_EQ(seen, (Seen{{3, "a"}}));
    EXPECT_EQ(s.end, jf::ScanEnd::gap);
    EXPECT_EQ(s.last, 3u);

    // Record 4 damaged, 5 intact after it: strict replay refuses, a lenient one stops at 3.
    std::string damaged = file;
    damaged[jf::header_size + 1 + jf::header_size] ^= 1;  // record 4's payload
    seen.clear();
    s = scan(damaged, 3, 2, true, seen);
    EXPECT_EQ(s.end, jf::ScanEnd::damaged);
    EXPECT_EQ(s.last, 3u);
    EXPECT_EQ(s.good_bytes, jf::header_size + 1);
    seen.clear();
    s = scan(damaged, 3, 2, false, seen);
    EXPECT_EQ(s.end, jf::ScanEnd::end);
    EXPECT_EQ(seen, (Seen{{3, "a"}}));

    // A recycled file: the earlier life's records (lower seqs, another tag) end it.
    std::string recycled;
    append_record(recycled, 9, 9, "new");
    append_record(recycled, 2, 1, "old life");
    seen.clear();
    s = scan(recycled, 9, 8, true, seen);
    EXPECT_EQ(seen, (Seen{{9, "new"}}));
    EXPECT_EQ(s.end, jf::ScanEnd::end);
}

// A torn last record whose payload holds a well-formed record of this file (an article may
// carry any bytes): the payload is not searched, so replay ends cleanly instead of refusing to
// start (found by tests/fuzz/fuzz_journal.cpp).
TEST(JournalFormat, ATornRecordsPayloadIsNeverTakenForARecordAfterIt) {
    std::string inner;
    append_record(inner, 9, 3, "planted");
    std::string file;
    append_record(file, 3, 3, "a");
    append_record(file, 4, 3, "xx" + inner + "yy");
    const std::string torn = file.substr(0, file.size() - 1);  // the crash cut its last byte
    Seen seen;
    auto s = scan(torn, 3, 2, true, seen);
    EXPECT_EQ(seen, (Seen{{3, "a"}}));
    EXPECT_EQ(s.end, jf::ScanEnd::end);
    EXPECT_EQ(s.good_bytes, jf::header_size + 1);
}

TEST(CheckpointFormat, RoundTripsAndRefusesDamage) {
    const Checkpoint c = sample_checkpoint();
    const std::string bytes = encode_checkpoint(c);
    auto back = decode_checkpoint(bytes);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->seq, 42u);
    EXPECT_EQ(back->txnid, 7u);
    EXPECT_EQ(back->meta_page, c.meta_page);
    for (std::size_t cut = 0; cut < bytes.size(); cut += 97)
        EXPECT_FALSE(decode_checkpoint(std::string_view(bytes).substr(0, cut))) << cut;
    EXPECT_FALSE(decode_checkpoint(bytes + '\0'));
    for (std::size_t at : {0u, 8u, 16u, 24u, 28u, 32u, 176u, 4127u}) {
        std::string bad = bytes;
        bad[at] ^= 1;
        EXPECT_FALSE(decode_checkpoint(bad)) << at;
    }
    Checkpoint small = c;
    small.meta_page.resize(256);  // under 512 bytes: not a page
    EXPECT_FALSE(decode_checkpoint(encode_checkpoint(small)));
    Checkpoint other = c;
    other.txnid = 8;  // the page says 7
    EXPECT_FALSE(decode_checkpoint(encode_checkpoint(other)));
}

TEST(RedoList, RoundTripsAndRefusesTruncation) {
    std::string list;
    redo::add(list, redo::put, 3, "key", "value");
    redo::add(list, redo::del, 4, "gone");
    const std::size_t blob_at = redo::add_blob(list, {"art", "icle"});
    std::vector<std::string> seen;
    redo::for_each(list, [&](redo::Kind k, redo::Dbi dbi, std::string_view key, std::string_view value, std::size_t at) {
        seen.push_back(std::to_string(k) + ":" + std::to_string(dbi) + ":" + std::string(key) + "=" + std::string(value));
        EXPECT_EQ(std::string_view(list).substr(at, value.size()), value);
        if (k == redo::blob) {
            EXPECT_EQ(at, blob_at);
        }
    });
    EXPECT_EQ(seen, (std::vector<std::string>{"1:3:key=value", "2:4:gone=", "3:0:=article"}));
    // Any cut inside an entry is malformed; cuts at entry boundaries are shorter lists.
    const std::size_t boundaries[] = {0, 4 + 3 + 4 + 5, 4 + 3 + 4 + 5 + 4 + 4};
    for (std::size_t cut = 0; cut < list.size(); ++cut) {
        const bool boundary = std::find(std::begin(boundaries), std::end(boundaries), cut) != std::end(boundaries);
        const auto prefix = std::string_view(list).substr(0, cut);
        if (boundary) {
            EXPECT_NO_THROW(redo::for_each(prefix, [](auto...) {})) << cut;
        } else {
            EXPECT_THROW(redo::for_each(prefix, [](auto...) {}), std::runtime_error) << cut;
        }
    }
    std::string unknown(list);
    unknown[0] = 9;  // no such kind
    EXPECT_THROW(redo::for_each(unknown, [](auto...) {}), std::runtime_error);
}
