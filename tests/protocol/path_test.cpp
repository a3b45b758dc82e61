#include "protocol/path.h"

#include <gtest/gtest.h>

namespace tidings::protocol {
namespace {

TEST(Path, Identities) {
    EXPECT_TRUE(is_valid_path_identity("news.example.com"));
    EXPECT_TRUE(is_valid_path_identity("a1:b_c-d"));
    EXPECT_FALSE(is_valid_path_identity(""));
    EXPECT_FALSE(is_valid_path_identity("-news"));
    EXPECT_FALSE(is_valid_path_identity("news!x"));
    EXPECT_FALSE(is_valid_path_identity("news x"));
}

TEST(Path, SyntaxAcceptsWhatRelaysWrite) {
    for (std::string_view ok : {"a!b!not-for-mail", "a!!b", "a!.POSTED!not-for-mail",
                                "a ! b", "a!\r\n b", "not-for-mail", "x.y/z"})
        EXPECT_FALSE(path_error(ok)) << ok;
    for (std::string_view bad : {"", "   ", "a b!c", "a!caf\xc3\xa9", "a!\x01"})
        EXPECT_TRUE(path_error(bad)) << bad;
}

TEST(Path, EntriesAndLoopCheck) {
    const auto e = path_entries("hub!!Leaf.Example ! .POSTED!not-for-mail");
    ASSERT_EQ(e.size(), 4u);
    EXPECT_EQ(e[1], "Leaf.Example");
    EXPECT_TRUE(path_contains("hub!!Leaf.Example!x", "leaf.example"));
    EXPECT_FALSE(path_contains("hub!leaf.example.org!x", "leaf.example"));
    EXPECT_FALSE(path_contains("", "x"));
}

TEST(Path, PrependPath) {
    EXPECT_EQ(prepend_path("a!b", "me"), "me!a!b");
    EXPECT_EQ(prepend_path("  a", "me"), "me!a");
    EXPECT_EQ(prepend_path("", "me"), "me");
}

}  // namespace
}  // namespace tidings::protocol
