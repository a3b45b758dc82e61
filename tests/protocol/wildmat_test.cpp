#include "protocol/wildmat.h"

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <string>
#include <vector>

namespace tidings::protocol {
namespace {

struct SyntaxCase {
    std::string_view wildmat;
    bool poison;
    bool valid;
};

TEST(Wildmat, SyntaxFollowsRfc3977Grammar) {
    const SyntaxCase cases[] = {
        {"comp.*,!comp.lang.*", false, true},
        {"*", false, true},
        {"a?c", false, true},
        {"!a", false, true},             // INN accepts a negated first pattern
        {"@a", false, true},             // '@' is an ordinary character without poison
        {"a@b", false, true},
        {"@a", true, true},
        {"*,@alt.binaries.*", true, true},
        {"caf\xc3\xa9.*", false, true},  // UTF-8
        {"", false, false},
        {"a,,b", false, false},
        {"a,", false, false},
        {"!", false, false},
        {"@", true, false},
        {"a b", false, false},
        {"a\tb", false, false},
        {"a!b", false, false},
        {"a[bc]", false, false},
        {"a\\b", false, false},
        {"a\x7f", false, false},
        {"caf\xc3", false, false},       // truncated UTF-8
        {"\xff", false, false},
        {"\xc0\xaf", false, false},      // overlong
    };
    for (const auto& c : cases)
        EXPECT_EQ(!wildmat_error(c.wildmat, c.poison).has_value(), c.valid) << c.wildmat;
}

struct MatchCase {
    std::string_view wildmat;
    std::string_view text;
    bool match;
};

TEST(Wildmat, TableOfMatches) {
    const MatchCase cases[] = {
        {"*", "", true},
        {"*", "anything.at.all", true},
        {"a", "a", true},
        {"a", "ab", false},
        {"a*", "a", true},
        {"a*", "abc", true},
        {"a*", "ba", false},
        {"*a", "ba", true},
        {"*a", "ab", false},
        {"a?c", "abc", true},
        {"a?c", "ac", false},
        {"a?c", "a\xc3\xa9" "c", true},        // '?' is one UTF-8 character
        {"a??c", "a\xc3\xa9" "c", false},
        {"?", "\xe2\x82\xac", true},           // three-octet character
        {"?", "\xf0\x9f\x98\x80", true},       // four-octet character
        {"??", "\xff\xfe", true},              // stray octets are one character each
        {"*.test", "local.test", true},
        {"comp.*,!comp.lang.*", "comp.os", true},
        {"comp.*,!comp.lang.*", "comp.lang.c", false},
        {"comp.*,!comp.lang.*,comp.lang.c", "comp.lang.c", true},
        {"!comp.*", "comp.os", false},
        {"!comp.*", "misc", false},
        {"*,!*", "x", false},
        {"*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaab", true},
        {"*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaa", false},
        {"a*b*c", "abc", true},
        {"a*b*c", "aXbYc", true},
        {"a*b*c", "acb", false},
        {"*?", "", false},
        {"*?", "x", true},
        {"caf\xc3\xa9.*", "caf\xc3\xa9.fr", true},
        {"caf?.*", "caf\xc3\xa9.fr", true},
        {"caf\xc3*", "caf\xc3\xa9", false},    // a stray lead octet is not a prefix of é
        {"Comp.*", "comp.os", false},          // case-sensitive
        {"@a", "@a", true},
        {",a", "", true},                      // an empty pattern matches the empty text
    };
    for (const auto& c : cases) {
        EXPECT_EQ(wildmat_match(c.wildmat, c.text), c.match) << c.wildmat << " / " << c.text;
        EXPECT_EQ(Wildmat(c.wildmat).matches(c.text), c.match) << c.wildmat << " / " << c.text;
    }
}

TEST(Wildmat, LongPatternsSpanSeveralWords) {
    std::string pattern, text;
    for (int i = 0; i < 150; ++i) {
        pattern += "?";
        text += static_cast<char>('a' + i % 26);
    }
    pattern += "*z";
    EXPECT_FALSE(wildmat_match(pattern, text));
    EXPECT_TRUE(wildmat_match(pattern, text + "xyz"));
    std::string many_stars;
    for (int i = 0; i < 600; ++i) many_stars += "*a";
    EXPECT_TRUE(wildmat_match(many_stars, std::string(700, 'a')));
    EXPECT_FALSE(wildmat_match(many_stars, std::string(599, 'a')));
}

TEST(Wildmat, PathologicalPatternIsLinear) {
    const std::string text(100000, 'a');
    const auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(wildmat_match("*a*a*a*a*a*a*a*a*a*a*a*a*b", text));
    EXPECT_FALSE(wildmat_match("*?*?*?*?*?*?*?*?*?*?*?*?*b", text));
    const auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_LT(elapsed, std::chrono::milliseconds(500));  // backtracking takes hours here
}

TEST(Wildmat, PoisonPatterns) {
    const Wildmat w("alt.*,@alt.binaries.warez,misc.*", true);
    EXPECT_EQ(w.match("alt.test"), WildmatResult::match);
    EXPECT_EQ(w.match("alt.binaries.warez"), WildmatResult::poison);
    EXPECT_EQ(w.match("comp.os"), WildmatResult::no_match);
    // Only the last matching pattern counts: reversed, the poison is overridden.
    const Wildmat reversed("@alt.binaries.warez,alt.*,misc.*", true);
    EXPECT_EQ(reversed.match("alt.binaries.warez"), WildmatResult::match);
    // Without allow_poison, '@' is a literal.
    EXPECT_EQ(Wildmat("*,@a").match("@a"), WildmatResult::match);
}

TEST(Wildmat, FeedMatchWithholdsPoisonedCrossposts) {
    const Wildmat w("alt.*,@alt.binaries.warez,misc.*", true);
    struct Case {
        std::string_view newsgroups;
        FeedPatternResult want;
    };
    const Case cases[] = {
        {"alt.test", FeedPatternResult::matched},
        {"comp.os,misc.test", FeedPatternResult::matched},
        {"comp.os", FeedPatternResult::not_matched},
        {"alt.test,alt.binaries.warez", FeedPatternResult::poisoned},
        {"alt.binaries.warez, misc.test", FeedPatternResult::poisoned},
        {"comp.os , alt.test", FeedPatternResult::matched},
        {"", FeedPatternResult::not_matched},
    };
    for (const auto& c : cases) EXPECT_EQ(feed_match(w, c.newsgroups), c.want) << c.newsgroups;
    const std::string_view groups[] = {"misc.a", "alt.binaries.warez"};
    EXPECT_EQ(feed_match(w, groups), FeedPatternResult::poisoned);
}

// The oracle: plain recursive backtracking over decoded characters.
std::vector<std::string> chars_of(std::string_view s) {
    // Test inputs are ASCII plus whole two-octet characters and stray 0xff octets.
    std::vector<std::string> out;
    for (std::size_t i = 0; i < s.size();) {
        const auto b = static_cast<unsigned char>(s[i]);
        std::size_t len = (b & 0xe0) == 0xc0 && i + 1 < s.size() &&
                                  (static_cast<unsigned char>(s[i + 1]) & 0xc0) == 0x80
                              ? 2
                              : 1;
        out.emplace_back(s.substr(i, len));
        i += len;
    }
    return out;
}

bool naive(const std::vector<std::string>& p, std::size_t pi, const std::vector<std::string>& t,
           std::size_t ti) {
    if (pi == p.size()) return ti == t.size();
    if (p[pi] == "*") {
        for (std::size_t k = ti; k <= t.size(); ++k)
            if (naive(p, pi + 1, t, k)) return true;
        return false;
    }
    if (ti == t.size()) return false;
    if (p[pi] != "?" && p[pi] != t[ti]) return false;
    return naive(p, pi + 1, t, ti + 1);
}

bool naive_wildmat(std::string_view w, std::string_view text) {
    bool result = false;
    std::size_t start = 0;
    while (start <= w.size()) {
        std::size_t end = w.find(',', start);
        if (end == std::string_view::npos) end = w.size();
        std::string_view p = w.substr(start, end - start);
        bool neg = !p.empty() && p[0] == '!';
        if (neg) p.remove_prefix(1);
        if (naive(chars_of(p), 0, chars_of(text), 0)) result = !neg;
        start = end + 1;
    }
    return result;
}

TEST(Wildmat, AgreesWithNaiveBacktrackingMatcher) {
    std::mt19937 rng(20261125);
    const std::vector<std::string> pattern_atoms = {"a", "b", ".", "*", "?", "\xc3\xa9", "*", "a"};
    const std::vector<std::string> text_atoms = {"a", "b", ".", "\xc3\xa9", "\xff", "a"};
    for (int n = 0; n < 20000; ++n) {
        std::string w;
        const int patterns = 1 + static_cast<int>(rng() % 3);
        for (int k = 0; k < patterns; ++k) {
            if (k) w += ",";
            if (rng() % 4 == 0) w += "!";
            const int len = static_cast<int>(rng() % 7);
            for (int i = 0; i < len; ++i) w += pattern_atoms[rng() % pattern_atoms.size()];
        }
        std::string text;
        const int tlen = static_cast<int>(rng() % 9);
        for (int i = 0; i < tlen; ++i) text += text_atoms[rng() % text_atoms.size()];
        ASSERT_EQ(Wildmat(w).matches(text), naive_wildmat(w, text))
            << testing::PrintToString(w) << " vs " << testing::PrintToString(text);
    }
}

}  // namespace
}  // namespace tidings::protocol
