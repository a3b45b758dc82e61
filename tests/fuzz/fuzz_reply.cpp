// Fuzzes what we parse of other servers' answers: the status-line parser of outgoing feeds and
// pulls (protocol/reply.h) against the parser it replaced, a status line formatted from the
// input and parsed back, and an OVER record and an HDR Message-ID line as a puller reads them
// (protocol/overview.h).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocol/overview.h"
#include "protocol/reply.h"

using namespace tidings::protocol;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

bool within(std::string_view part, std::string_view whole) {
    return part.empty() || (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

bool digit(char c) { return c >= '0' && c <= '9'; }

// server/feeds/feed_link.cpp's parse_reply before the move: read three digits anywhere they
// start the line, the token at offset 4 whatever byte 3 was.
struct Old {
    int code = 0;
    std::string id;
};
Old old_parse(std::string_view line) {
    Old r;
    if (line.size() >= 3 && digit(line[0]) && digit(line[1]) && digit(line[2]))
        r.code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    if (line.size() > 4) {
        auto end = line.find_first_of(" \t", 4);
        r.id = std::string(line.substr(4, end == std::string_view::npos ? std::string_view::npos : end - 4));
    }
    return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view line(reinterpret_cast<const char*>(data), size);
    const StatusLine s = parse_status_line(line);

    check(within(s.argument, line) && within(s.text, line));
    check(s.text.substr(0, s.argument.size()) == s.argument);
    check(s.argument.find_first_of(" \t") == std::string_view::npos);
    if (s.code == 0) {
        check(s.argument.empty() && s.text.empty());
    } else {
        check(s.code >= 100 && s.code <= 599);
        check(line.size() == 3 || line[3] == ' ' || line[3] == '\t');
        check(std::to_string(s.code) == line.substr(0, 3));
        check(s.text == (line.size() > 4 ? line.substr(4) : std::string_view{}));
        // Where the line is well formed, the old parser agreed.
        const Old o = old_parse(line);
        check(o.code == s.code && o.id == s.argument);
    }

    // Formatted from the input: "NNN argument rest" reads back as what was written.
    if (size >= 2) {
        const int code = 100 + (data[0] << 8 | data[1]) % 500;
        std::string_view rest = line.substr(2);
        const auto cut = rest.find_first_of(" \t");
        const std::string_view argument = rest.substr(0, cut);
        std::string formatted = std::to_string(code) + ' ' + std::string(rest);
        const StatusLine back = parse_status_line(formatted);
        check(back.code == code && back.argument == argument && back.text == rest);
    }

    // An OVER record: what is read lies inside the line, the number is positive, the id is one
    // "<...>" token, and writing the fields back in order reads back the same.
    if (auto o = parse_overview_line(line)) {
        check(o->number > 0 && within(o->message_id, line) && within(o->date, line));
        check(o->message_id.size() >= 3 && o->message_id.front() == '<' && o->message_id.back() == '>');
        check(o->message_id.substr(1).find_first_of(" <>") == o->message_id.size() - 2);
        const std::string again = std::to_string(o->number) + "\ts\tf\t" + std::string(o->date) + "\t" +
                                  std::string(o->message_id) + "\t\t" + std::to_string(o->bytes) + "\t1";
        auto back = parse_overview_line(again);
        check(back && back->number == o->number && back->message_id == o->message_id && back->bytes == o->bytes);
    }
    if (auto h = parse_hdr_id_line(line)) {
        check(h->number > 0 && within(h->message_id, line) && h->message_id.front() == '<' && h->message_id.back() == '>');
        const std::string written = std::to_string(h->number) + " " + std::string(h->message_id);
        auto back = parse_hdr_id_line(written);  // views into `written`: it must outlive `back`
        check(back && back->number == h->number && back->message_id == h->message_id);
    }
    return 0;
}
