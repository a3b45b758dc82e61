// Private to storage/: Xref header rewriting and the retention wildmat match.
#pragma once

#include <string>
#include <string_view>

namespace tidings::storage::detail {

// Returns `article` (wire form: CRLF lines, no final ".\r\n") with every Xref header line (and
// its continuation lines) removed and `xref_line` (a complete "Xref: ...\r\n", or empty) inserted
// as the last header line. An article without a blank line is all header: the line goes at the
// end (after a CRLF is added if the last line lacks one).
std::string with_xref(std::string_view article, std::string_view xref_line);

// RFC 3977 §4 wildmat: comma-separated patterns with '*', '?', '[...]' and '\' escapes; a
// pattern prefixed by '!' negates; the last pattern that matches decides. Matching is on octets.
bool wildmat_match(std::string_view wildmat, std::string_view text);

}  // namespace tidings::storage::detail
