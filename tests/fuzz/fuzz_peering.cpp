// Fuzzes the peering message parser (protocol/peering.h) with any body an article in the
// announcement group may carry: a named error or a message, never a crash; a parsed message
// formats back to exactly the bytes it was signed over, and its times and replays are judged
// without fault.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocol/peering.h"

namespace pp = tidings::protocol::peering;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    auto p = pp::parse(body);
    if (!p.message) {
        if (p.error.empty()) std::abort();
        return 0;
    }
    const auto& m = *p.message;
    if (pp::format_unsigned(m) != m.signed_text) std::abort();
    if (!body.starts_with(m.signed_text)) std::abort();
    (void)pp::check_times(m, m.issued, 600, 86400);
    static pp::ReplayGuard guard(64);
    (void)guard.admit(m);
    return 0;
}
