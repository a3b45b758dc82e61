#include "protocol/newsgroup.h"

#include <gtest/gtest.h>

#include <string>

namespace tidings::protocol {
namespace {

// One row per name: the reason newsgroup_name_error gives (empty = valid) and the one
// new_newsgroup_name_error gives (empty = we may create it).
struct NameCase {
    std::string name;
    std::string_view error;
    std::string_view new_error;
};

constexpr std::string_view ok = "";
constexpr std::string_view bad_ascii =
    "newsgroup names use letters, digits, '+', '-', '_' and dots";
constexpr std::string_view bad_utf8 = "invalid UTF-8 in newsgroup name";
constexpr std::string_view bad_unicode = "control, space or invisible character in newsgroup name";
constexpr std::string_view empty_component = "empty component in newsgroup name";
constexpr std::string_view all_ctl = "component \"all\" or \"ctl\" is reserved";

TEST(NewsgroupName, TableOfCases) {
    const NameCase cases[] = {
        // RFC 5536 §3.1.4 component-chars; its SHOULD NOTs (uppercase, digits only, a leading
        // '+', '-' or '_') are still names.
        {"a", ok, ok},
        {"local.general", ok, ok},
        {"comp.lang.c++", ok, ok},
        {"alt.sex.fetish.x-rated", ok, ok},
        {"de.comp.os.unix_like", ok, ok},
        {"Misc.Test", ok, ok},
        {"alt.2600", ok, ok},
        {"_x.+y.-z.123", ok, ok},
        // Structure.
        {"", "empty newsgroup name", "empty newsgroup name"},
        {".a", empty_component, empty_component},
        {"a.", empty_component, empty_component},
        {"a..b", empty_component, empty_component},
        {".", empty_component, empty_component},
        // ASCII outside component-char: wildmat specials, separators, controls.
        {"a*b", bad_ascii, bad_ascii},
        {"a?b", bad_ascii, bad_ascii},
        {"a[b]", bad_ascii, bad_ascii},
        {"!a", bad_ascii, bad_ascii},
        {"a,b", bad_ascii, bad_ascii},
        {"a b", bad_ascii, bad_ascii},
        {"a\tb", bad_ascii, bad_ascii},
        {"a/b", bad_ascii, bad_ascii},
        {"a:b", bad_ascii, bad_ascii},
        {"a@b", bad_ascii, bad_ascii},
        {"a\\b", bad_ascii, bad_ascii},
        {"a\r\nb", bad_ascii, bad_ascii},
        {std::string("a\0b", 3), bad_ascii, bad_ascii},
        {"a\x7f", bad_ascii, bad_ascii},
        // UTF-8 (RFC 3977 §9.8): well-formed sequences of 2, 3 and 4 octets.
        {"de.alt.caf\xc3\xa9", ok, ok},
        {"fj.\xe6\x97\xa5\xe6\x9c\xac", ok, ok},          // 日本
        {"x.\xf0\x9f\x93\xb0", ok, ok},                    // U+1F4F0
        {"fa.\xd9\x85\xe2\x80\x8c\xd8\xa7", ok, ok},       // ZWNJ inside a Persian word
        {"caf\xc3", bad_utf8, bad_utf8},                   // truncated
        {"caf\xa9", bad_utf8, bad_utf8},                   // lone continuation
        {"caf\xe9", bad_utf8, bad_utf8},                   // Latin-1
        {"a\xc0\xaf", bad_utf8, bad_utf8},                 // overlong '/'
        {"a\xe0\x80\xaf", bad_utf8, bad_utf8},             // overlong, 3 octets
        {"a\xed\xa0\x80", bad_utf8, bad_utf8},             // surrogate U+D800
        {"a\xf4\x90\x80\x80", bad_utf8, bad_utf8},         // U+110000
        {"a\xf8\x88\x80\x80\x80", bad_utf8, bad_utf8},     // 5-octet form
        {"a\xc3\x28", bad_utf8, bad_utf8},                 // continuation expected
        {"a\xc2\x85", bad_unicode, bad_unicode},           // NEL, a C1 control
        {"a\xc2\xa0" "b", bad_unicode, bad_unicode},       // no-break space
        {"a\xe2\x80\x8b" "b", bad_unicode, bad_unicode},   // zero-width space
        {"a\xe2\x80\xae" "b", bad_unicode, bad_unicode},   // right-to-left override
        {"a\xe2\x80\xa8" "b", bad_unicode, bad_unicode},   // line separator
        {"a\xe3\x80\x80" "b", bad_unicode, bad_unicode},   // ideographic space
        {"\xef\xbb\xbf" "a", bad_unicode, bad_unicode},    // byte order mark
        // Length: 250 octets at most.
        {std::string(250, 'a'), ok, ok},
        {std::string(251, 'a'), "longer than 250 octets", "longer than 250 octets"},
        {std::string(124, 'a') + "." + std::string(125, 'b'), ok, ok},
        // Names RFC 5536 §3.1.4 reserves or gives special meanings: valid in articles, not
        // created by us; control.*, junk and to stay creatable (INN's active file has them).
        {"all", ok, all_ctl},
        {"a.all.b", ok, all_ctl},
        {"ctl", ok, all_ctl},
        {"comp.ctl", ok, all_ctl},
        {"poster", ok, "\"poster\" is reserved"},
        {"example", ok, "the \"example\" hierarchy is reserved"},
        {"example.test", ok, "the \"example\" hierarchy is reserved"},
        {"alt.all-in-one", ok, ok},
        {"examples.test", ok, ok},
        {"misc.example", ok, ok},
        {"poster.child", ok, ok},
        {"control.cancel", ok, ok},
        {"junk", ok, ok},
        {"to.host", ok, ok},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(testing::PrintToString(c.name));
        EXPECT_EQ(newsgroup_name_error(c.name).value_or(""), c.error);
        EXPECT_EQ(is_valid_newsgroup_name(c.name), c.error.empty());
        EXPECT_EQ(new_newsgroup_name_error(c.name).value_or(""), c.new_error);
        EXPECT_EQ(is_valid_new_newsgroup_name(c.name), c.new_error.empty());
    }
}

// Every truncation of a valid multi-octet name is either valid (cut between characters) or
// refused as invalid UTF-8, never read past its end (ASan would say).
TEST(NewsgroupName, TruncatedUtf8IsRefusedNotOverread) {
    const std::string name = "x.\xf0\x9f\x93\xb0\xe6\x97\xa5\xc3\xa9";
    for (std::size_t n = 2; n <= name.size(); ++n) {
        std::string cut = name.substr(0, n);
        SCOPED_TRACE(n);
        bool boundary = n == 2 || n == 6 || n == 9 || n == 11;
        if (n == 2) {
            EXPECT_EQ(newsgroup_name_error(cut).value_or(""), empty_component);
        } else {
            EXPECT_EQ(newsgroup_name_error(cut).value_or(""), boundary ? ok : bad_utf8);
        }
    }
}

}  // namespace
}  // namespace tidings::protocol
