#include "storage/codec.h"

#include <gtest/gtest.h>

using namespace tidings::storage;

TEST(Codec, NumberKeysSortByGroupThenNumber) {
    auto a = codec::number_key("g", 2), b = codec::number_key("g", 256), c = codec::number_key("g.a", 1);
    EXPECT_LT(a, b);
    EXPECT_LT(b, c);
    auto split = codec::split_number_key(b);
    ASSERT_TRUE(split);
    EXPECT_EQ(split->first, "g");
    EXPECT_EQ(split->second, 256u);
    EXPECT_FALSE(codec::split_number_key("short"));
}

TEST(Codec, RecordsRoundTrip) {
    GroupInfo g{"n", 3, 9, 7, 'm', 12345, "me"};
    auto back = codec::decode_group("n", codec::group_value(g));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->low, 3u);
    EXPECT_EQ(back->high, 9u);
    EXPECT_EQ(back->count, 7u);
    EXPECT_EQ(back->flag, 'm');
    EXPECT_EQ(back->creator, "me");

    codec::ArticleMeta m{100, 200, 7, {{"a", 1}, {"bb", 2}}};
    auto v = codec::article_value(m, codec::locator_bytes({0x1234, 99, 2048, 0xdeadbeef}));
    auto at = codec::article_locator(v);
    ASSERT_TRUE(at);
    EXPECT_EQ(at->file, 0x1234u);
    EXPECT_EQ(at->offset, 99u);
    EXPECT_EQ(at->length, 2048u);
    EXPECT_EQ(at->crc, 0xdeadbeefu);
    EXPECT_FALSE(codec::article_locator(codec::article_value(m, "not a locator")));
    auto mb = codec::decode_article_meta(v);
    ASSERT_TRUE(mb);
    EXPECT_EQ(mb->expires, 200);
    EXPECT_EQ(mb->expiry_seq, 7u);
    EXPECT_EQ(mb->placements, m.placements);

    auto h = codec::decode_history(codec::history_value({42, HistoryStatus::expired}));
    ASSERT_TRUE(h);
    EXPECT_EQ(h->status, HistoryStatus::expired);
    EXPECT_FALSE(codec::decode_history("junk"));

    auto q = codec::decode_queue(5, codec::queue_value(77, 2, "<id>"));
    EXPECT_EQ(q.enqueued, 77);
    EXPECT_EQ(q.attempts, 2u);
    EXPECT_EQ(q.message_id, "<id>");
}
