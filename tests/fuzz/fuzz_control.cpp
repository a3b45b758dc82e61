// Fuzzes the parsing of control messages, withdrawals and Cancel-Lock elements
// (protocol/control.h), group control messages and X-PGP-Sig (protocol/group_control.h) on arbitrary article text: never a crash, and what comes out keeps the
// promises the header makes (a valid target id, bounded and well-formed elements).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocol/control.h"
#include "protocol/group_control.h"
#include "protocol/newsgroup.h"
#include "protocol/message_id.h"

using namespace tidings::protocol;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

bool base64_text(std::string_view s) {
    for (unsigned char c : s)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
              c == '/' || c == '='))
            return false;
    return !s.empty();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const ParsedArticle a = parse_article(text);
    if (auto c = control_command(a)) {
        check(!c->verb.empty());
        for (char ch : c->verb) check(!(ch >= 'A' && ch <= 'Z'));
        if (auto g = group_control_of(*c)) {
            if (g->kind != GroupControlKind::checkgroups) check(is_valid_newsgroup_name(g->group));
            (void)in_scope(g->scope, "comp.lang.c");
        }
    }
    for (const auto& l : checkgroups_lines(a.body)) check(is_valid_newsgroup_name(l.name));
    if (auto l = newgroup_line(a.body, "comp.lang.c")) check(l->name == "comp.lang.c");
    if (auto sig = pgp_signature_of(a)) {
        check(!sig->signed_headers.empty() && sig->lines.size() >= 2 && sig->lines.back().size() == 5);
        if (auto t = pgp_signed_text(a, *sig, a.body)) {
            check(t->starts_with("X-Signed-Headers: "));
            check(t->find(" \n") == std::string::npos && t->find("\t\n") == std::string::npos);
        }
        check(pgp_armor(*sig).ends_with("-----END PGP SIGNATURE-----\n"));
    }
    if (auto w = withdrawal_of(a)) check(is_valid_message_id(w->target, MessageIdRules::nntp));
    for (std::string_view name : {"Cancel-Lock", "Cancel-Key"}) {
        const auto e = cancel_elements(a, name, 16);
        check(e.size() <= 16);
        for (const auto& el : e) {
            check(!el.scheme.empty());
            check(base64_text(el.value));
        }
    }
    return 0;
}
