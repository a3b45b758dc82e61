#include "protocol/reply.h"

namespace tidings::protocol {

namespace {

bool digit(char c) { return c >= '0' && c <= '9'; }
bool blank(char c) { return c == ' ' || c == '\t'; }

}  // namespace

StatusLine parse_status_line(std::string_view line) noexcept {
    StatusLine s;
    if (line.size() < 3 || line[0] < '1' || line[0] > '5' || !digit(line[1]) || !digit(line[2])) return s;
    if (line.size() > 3 && !blank(line[3])) return s;
    s.code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    if (line.size() > 4) {
        s.text = line.substr(4);
        s.argument = s.text.substr(0, s.text.find_first_of(" \t"));
    }
    return s;
}

}  // namespace tidings::protocol
