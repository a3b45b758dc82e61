// Fuzzes base64 (both directions) and the AUTHINFO SASL PLAIN message split.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocol/base64.h"
#include "protocol/sasl.h"

using namespace tidings::protocol;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

bool in_alphabet(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

bool within(std::string_view part, std::string_view whole) {
    return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

void check_plain(std::string_view message) {
    const auto p = parse_sasl_plain(message);
    check(p.has_value() == (std::count(message.begin(), message.end(), '\0') == 2));
    if (!p) return;
    // Views into the message, which they make up exactly, with no NUL inside a part.
    check(within(p->authzid, message) && within(p->authcid, message) && within(p->password, message));
    std::string joined(p->authzid);
    joined += '\0';
    joined += p->authcid;
    joined += '\0';
    joined += p->password;
    check(joined == message);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);

    // The input as base64 text: what decodes is canonical, so it encodes back to the same text.
    const auto decoded = base64_decode(in);
    if (decoded) {
        check(in == "=" ? decoded->empty() : base64_encode(*decoded) == in);
        check(decoded->size() <= in.size() / 4 * 3);
        check_plain(*decoded);
    } else {
        // Whole quads of alphabet characters are always valid.
        check(in.empty() || in.size() % 4 != 0 || !std::all_of(in.begin(), in.end(), in_alphabet));
    }
    check(in.size() % 4 == 0 || in == "=" || !decoded);

    // The input as bytes: encoding round-trips and has the exact length.
    const std::string coded = base64_encode(in);
    check(coded.size() == (in.size() + 2) / 3 * 4);
    const auto back = base64_decode(coded);
    check(back && *back == in);

    // The input as a decoded PLAIN message.
    check_plain(in);
    return 0;
}
