// Group control messages (RFC 5537 §5.2: newgroup, rmgroup, checkgroups), parsed, and the text
// a PGP signature of one covers (the X-PGP-Sig convention of INN's pgpverify and the ISC's
// signcontrol). Pure: no policy, no gpgv; server/core/group_control.h acts on them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/article.h"
#include "protocol/control.h"

namespace tidings::protocol {

enum class GroupControlKind : std::uint8_t { newgroup, rmgroup, checkgroups };
std::string_view to_string(GroupControlKind k) noexcept;

struct GroupControl {
    GroupControlKind kind = GroupControlKind::newgroup;
    std::string group;       // newgroup, rmgroup: a valid newsgroup name (RFC 5536 §3.1.4)
    bool moderated = false;  // newgroup <name> moderated
    // checkgroups [chkscope] [#chksernr] (§5.2.3): hierarchies the list is complete for, a
    // leading "!" excluding a sub-hierarchy; empty: the hierarchies of the listed groups.
    std::vector<std::string> scope;
    std::optional<std::uint64_t> serial;
};

// The group control message `c` is, or nullopt: another verb, a bad group name, an unknown
// newgroup flag (§5.2.1: such a message SHOULD be ignored), extra arguments.
std::optional<GroupControl> group_control_of(const ControlCommand& c);

// One "name<TAB>description" line of a newsgroups file (§4.2/4.3 newsgroups-line).
struct GroupLine {
    std::string name;
    std::string description;  // without a trailing " (Moderated)"
    bool moderated = false;   // the description ended in "(Moderated)"
};
// Parses one line; nullopt when its first word is not a valid newsgroup name (comments, blank
// lines and prose in a checkgroups body are skipped this way, as INN does).
std::optional<GroupLine> parse_group_line(std::string_view line);

// The description line of a newgroup body (§5.2.1): the line after "For your newsgroups file:",
// else the first line that starts with the group's name. nullopt when there is none.
std::optional<GroupLine> newgroup_line(std::string_view body, std::string_view group);

// Every group line of a checkgroups body (§5.2.3), in order. `body` is wire text (CRLF,
// dot-stuffed) or plain.
std::vector<GroupLine> checkgroups_lines(std::string_view body);

// Whether `group` is inside `scope` (checkgroups): under one of its hierarchies and under none
// of its "!" exclusions. An empty scope contains nothing.
bool in_scope(const std::vector<std::string>& scope, std::string_view group);

// X-PGP-Sig: "<version> <signed-header,list> <base64 lines...> =<crc>" (pgpverify's format).
struct PgpSignature {
    std::string version;
    std::vector<std::string> signed_headers;  // names as written, case kept
    std::vector<std::string> lines;           // armor lines: base64, the last one "=XXXX"
};
// nullopt when absent or malformed (missing checksum line, characters outside base64...).
std::optional<PgpSignature> pgp_signature_of(const ParsedArticle& a);

// The text the signature covers, as pgpverify rebuilds it: "X-Signed-Headers: <list>\n", each
// signed header "Name: value\n" (folds kept as LF plus the continuation; absent: empty), an
// empty line, the body (dot-unstuffed, LF line ends), then spaces and tabs before every LF
// removed. nullopt when a signed header appears more than once (pgpverify refuses it too).
// `wire_body` is the article's body as stored (CRLF, dot-stuffed).
std::optional<std::string> pgp_signed_text(const ParsedArticle& a, const PgpSignature& sig,
                                           std::string_view wire_body);

// The detached signature as an ASCII-armored block for gpgv.
std::string pgp_armor(const PgpSignature& sig);

}  // namespace tidings::protocol
