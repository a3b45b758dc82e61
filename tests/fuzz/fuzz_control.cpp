// Fuzzes the parsing of control messages, withdrawals and Cancel-Lock elements
// (protocol/control.h) on arbitrary article text: never a crash, and what comes out keeps the
// promises the header makes (a valid target id, bounded and well-formed elements).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocol/control.h"
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
