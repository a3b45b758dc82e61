// Fuzzes command framing and parsing: next_line, skip_line, parse_command.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocol/command.h"
#include "protocol/line_framing.h"
#include "protocol/status.h"

using namespace tidings::protocol;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

bool within(std::string_view inner, std::string_view outer) {
    return inner.empty() ||
           (inner.data() >= outer.data() && inner.data() + inner.size() <= outer.data() + outer.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    // Frame every line of the input the way a session would, with a small limit too.
    for (std::size_t limit : {std::size_t{512}, std::size_t{16}}) {
        std::string_view rest = in;
        bool skipping = false;
        while (!rest.empty()) {
            if (skipping) {
                SkipStep k = skip_line(rest);
                check(k.consumed <= rest.size());
                rest.remove_prefix(k.consumed);
                if (!k.done) break;
                skipping = false;
                continue;
            }
            LineStep s = next_line(rest, limit);
            check(s.consumed <= rest.size());
            if (s.kind == Framing::need_more) {
                check(rest.size() < limit);
                break;
            }
            check(s.consumed > 0);
            if (s.kind == Framing::too_long) {
                skipping = !s.terminated;
            } else {
                check(within(s.line, rest) && s.line.size() + 2 <= limit);
                ParseResult r = parse_command(s.line);
                const Command& c = r.command;
                for (std::string_view v : {c.message_id, c.group, c.wildmat, c.field, c.argument,
                                           c.initial_response, c.target.message_id})
                    check(within(v, s.line));
                if (r.ok()) {
                    check(r.text.empty());
                    check(c.kind == Kind::empty || c.spec != nullptr);
                } else {
                    check(status::code_class(r.code) == 4 || status::code_class(r.code) == 5);
                    for (char ch : r.text) check(ch >= 0x20 && ch < 0x7f);
                    check(!r.read_block || c.kind == Kind::takethis);
                    (void)response(r.code, r.text);
                }
            }
            rest.remove_prefix(s.consumed);
        }
    }
    // The whole input as one line, whatever it holds.
    ParseResult r = parse_command(in);
    if (!r.ok()) {
        for (char ch : r.text) check(ch >= 0x20 && ch < 0x7f);
    }
    const std::string echoed = sanitize_for_echo(in, 64);
    check(echoed.size() <= 64);
    for (char ch : echoed) check(ch >= 0x20 && ch < 0x7f);
    return 0;
}
