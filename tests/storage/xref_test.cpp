#include "storage/xref.h"

#include <gtest/gtest.h>

using tidings::storage::detail::wildmat_match;
using tidings::storage::detail::with_xref;

TEST(WithXref, InsertsAsLastHeaderAndDropsOldOnes) {
    struct Row { const char* in; const char* xref; const char* out; };
    const Row rows[] = {
        {"A: 1\r\n\r\nbody\r\n", "Xref: h g:1\r\n", "A: 1\r\nXref: h g:1\r\n\r\nbody\r\n"},
        {"A: 1\r\nXref: old g:9\r\nB: 2\r\n\r\nb\r\n", "Xref: h g:1\r\n", "A: 1\r\nB: 2\r\nXref: h g:1\r\n\r\nb\r\n"},
        {"XREF: old\r\n\tmore\r\nA: 1\r\n\r\nb\r\n", "", "A: 1\r\n\r\nb\r\n"},
        {"A: 1\r\n", "Xref: h g:1\r\n", "A: 1\r\nXref: h g:1\r\n"},
        {"A: 1", "Xref: h g:1\r\n", "A: 1\r\nXref: h g:1\r\n"},
        {"A: 1\r\n\r\nXref: in body\r\n", "Xref: h g:1\r\n", "A: 1\r\nXref: h g:1\r\n\r\nXref: in body\r\n"},
        {"Xrefs: not it\r\n\r\n", "", "Xrefs: not it\r\n\r\n"},
    };
    for (const auto& r : rows) EXPECT_EQ(with_xref(r.in, r.xref), r.out) << r.in;
}

TEST(WildmatMatch, FollowsRfc3977LastMatchWins) {
    struct Row { const char* pat; const char* text; bool match; };
    const Row rows[] = {
        {"*", "anything", true},
        {"local.*", "local.test", true},
        {"local.*", "local", false},
        {"local.*,!local.keep", "local.keep", false},
        {"!local.keep,local.*", "local.keep", true},
        {"comp.?ang", "comp.lang", true},
        {"comp.[a-m]*", "comp.lang", true},
        {"comp.[^a-m]*", "comp.lang", false},
        {"a*b*c", "axxbyyc", true},
        {"a*b*c", "axxbyy", false},
        {"a\\*", "a*", true},
        {"", "x", false},
        {"alt.*,!alt.bin*,alt.binaries.ok", "alt.binaries.ok", true},
    };
    for (const auto& r : rows) EXPECT_EQ(wildmat_match(r.pat, r.text), r.match) << r.pat << " " << r.text;
}
