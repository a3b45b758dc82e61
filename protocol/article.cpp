// Header parsing and article validation for relaying and posting.
#include "protocol/article.h"

#include "protocol/address.h"
#include "protocol/ascii.h"

#include <cstring>

#include "protocol/date.h"
#include "protocol/newsgroup.h"
#include "protocol/path.h"

namespace tidings::protocol {

namespace {


constexpr bool is_blank(char c) noexcept { return c == ' ' || c == '\t'; }

// RFC 5322 §2.2 ftext: printable US-ASCII except ":".
bool is_field_name(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (unsigned char c : s)
        if (c < 0x21 || c > 0x7e || c == ':') return false;
    return true;
}

// The end of the CRLF-terminated line starting at `pos`: the index of its CR, or npos when the
// text ends first. Sets `bad` when the line holds a NUL, a bare LF or a lone CR.
std::size_t line_end(std::string_view text, std::size_t pos, bool& bad) noexcept {
    const char* const base = text.data();
    std::size_t from = pos;
    for (;;) {
        const void* lf = std::memchr(base + from, '\n', text.size() - from);
        if (lf == nullptr) {
            bad = bad || std::memchr(base + pos, '\0', text.size() - pos) != nullptr ||
                  std::memchr(base + pos, '\r', text.size() - pos) != nullptr;
            return std::string_view::npos;
        }
        const std::size_t j = static_cast<std::size_t>(static_cast<const char*>(lf) - base);
        if (j > pos && base[j - 1] == '\r') {
            const std::size_t cr = j - 1;
            if (std::memchr(base + pos, '\0', cr - pos) != nullptr ||
                std::memchr(base + pos, '\r', cr - pos) != nullptr)
                bad = true;
            return cr;
        }
        bad = true;  // a bare LF inside a header line
        from = j + 1;
    }
}

}  // namespace

const HeaderField* ParsedArticle::find(std::string_view name) const noexcept {
    for (const HeaderField& f : fields)
        if (iequals(f.name, name)) return &f;
    return nullptr;
}

std::size_t ParsedArticle::count(std::string_view name) const noexcept {
    std::size_t n = 0;
    for (const HeaderField& f : fields) n += iequals(f.name, name);
    return n;
}

ParsedArticle parse_article(std::string_view text) {
    ParsedArticle a;
    a.fields.reserve(24);
    std::size_t pos = 0;
    bool bad = false;
    auto set_error = [&](std::string_view e) {
        if (a.error.empty()) a.error = e;
    };
    while (pos < text.size()) {
        const std::size_t cr = line_end(text, pos, bad);
        const std::size_t end = cr == std::string_view::npos ? text.size() : cr + 2;
        const std::string_view line =
            text.substr(pos, (cr == std::string_view::npos ? text.size() : cr) - pos);
        if (line.empty() && cr != std::string_view::npos) {
            a.has_separator = true;
            a.headers = text.substr(0, pos);
            a.body = text.substr(end);
            break;
        }
        if (is_blank(line.front())) {
            if (a.fields.empty()) {
                set_error("continuation line before any header");
                a.headers = text.substr(0, pos);
                a.body = text.substr(pos);
                break;
            }
            HeaderField& f = a.fields.back();
            const char* start = f.raw.data();
            f.raw = std::string_view(start, static_cast<std::size_t>(text.data() + end - start));
            const char* vstart = f.value.data();
            const std::size_t vlen = static_cast<std::size_t>(text.data() + pos + line.size() - vstart);
            f.value = std::string_view(vstart, vlen);
            pos = end;
            continue;
        }
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos || !is_field_name(line.substr(0, colon))) {
            // Not a header field: the header section ended without its empty line.
            set_error(colon == std::string_view::npos ? "missing empty line between headers and body"
                                                      : "malformed header field name");
            a.headers = text.substr(0, pos);
            a.body = text.substr(pos);
            break;
        }
        std::size_t v = colon + 1;
        while (v < line.size() && is_blank(line[v])) ++v;
        a.fields.push_back({line.substr(0, colon), line.substr(v), text.substr(pos, end - pos)});
        pos = end;
    }
    if (pos >= text.size() && !a.has_separator && a.error.empty()) a.headers = text;
    if (bad) a.error = "control character in header";
    if (a.fields.empty()) set_error("no header fields");
    return a;
}

std::string unfold(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (value[i] == '\r' && i + 2 < value.size() && value[i + 1] == '\n' &&
            is_blank(value[i + 2])) {
            ++i;  // drop CR and LF; the blank stays
            continue;
        }
        out.push_back(value[i]);
    }
    std::size_t b = 0, e = out.size();
    while (b < e && is_blank(out[b])) ++b;
    while (e > b && is_blank(out[e - 1])) --e;
    return out.substr(b, e - b);
}

std::optional<std::string_view> duplicate_header(const ParsedArticle& article) noexcept {
    static constexpr std::string_view single[] = {
        "Approved", "Control",  "Date",         "Distribution", "Expires",        "Followup-To",
        "From",     "Injection-Date", "Injection-Info", "Lines", "Message-ID",   "Newsgroups",
        "Organization", "Path", "References",   "Reply-To",     "Sender",         "Subject",
        "Supersedes",   "Xref",
    };
    for (std::string_view name : single)
        if (article.count(name) > 1) return name;
    return std::nullopt;
}

namespace {

// Calls fn(entry) for each comma-separated entry of a Newsgroups body, folding whitespace
// trimmed, empty entries included; stops early when fn returns false.
template <class Fn>
void for_each_newsgroups_entry(std::string_view value, Fn&& fn) {
    auto fws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    std::size_t start = 0;
    while (start <= value.size()) {
        std::size_t end = value.find(',', start);
        if (end == std::string_view::npos) end = value.size();
        std::string_view g = value.substr(start, end - start);
        while (!g.empty() && fws(g.front())) g.remove_prefix(1);
        while (!g.empty() && fws(g.back())) g.remove_suffix(1);
        if (!fn(g)) return;
        start = end + 1;
    }
}

}  // namespace

std::vector<std::string_view> split_newsgroups(std::string_view value) {
    std::vector<std::string_view> out;
    for_each_newsgroups_entry(value, [&](std::string_view g) {
        if (!g.empty()) out.push_back(g);
        return true;
    });
    return out;
}

std::optional<std::string_view> newsgroups_error(std::string_view value) noexcept {
    bool any = false;
    std::optional<std::string_view> error;
    for_each_newsgroups_entry(value, [&](std::string_view g) {
        if (g.empty()) error = "empty newsgroup name in Newsgroups";
        else if (!is_valid_newsgroup_name(g)) error = "invalid newsgroup name in Newsgroups";
        any = true;
        return !error;
    });
    if (error) return error;
    if (!any) return "empty Newsgroups";
    return std::nullopt;
}

namespace {

// True when the field exists and is not blank.
bool present(const ParsedArticle& a, std::string_view name, std::string& why) {
    const HeaderField* f = a.find(name);
    if (f == nullptr) {
        why = "Missing \"" + std::string(name) + "\" header";
        return false;
    }
    for (char c : f->value)
        if (!is_blank(c) && c != '\r' && c != '\n') return true;
    why = "Empty \"" + std::string(name) + "\" header";
    return false;
}

std::optional<std::string> common_checks(const ParsedArticle& a, MessageIdRules rules) {
    if (auto dup = duplicate_header(a)) return "Duplicate \"" + std::string(*dup) + "\" header";
    if (const HeaderField* f = a.find("Message-ID")) {
        const std::string id = unfold(f->value);
        if (message_id_error(id, rules)) return std::string("Bad \"Message-ID\" header");
    }
    if (const HeaderField* f = a.find("Newsgroups")) {
        if (auto e = newsgroups_error(f->value)) return "Bad \"Newsgroups\" header: " + std::string(*e);
    }
    if (const HeaderField* f = a.find("Path")) {
        if (auto e = path_error(f->value)) return "Bad \"Path\" header: " + std::string(*e);
    }
    for (std::string_view date_field : {"Date", "Injection-Date"}) {
        if (const HeaderField* f = a.find(date_field)) {
            if (!parse_rfc5322_date(f->value)) return "Bad \"" + std::string(date_field) + "\" header";
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> transit_error(const ParsedArticle& a, std::string_view offered_id,
                                         MessageIdRules rules) {
    if (!a.error.empty()) return "Malformed article: " + std::string(a.error);
    std::string why;
    for (std::string_view name : {"Path", "From", "Newsgroups", "Subject", "Message-ID", "Date"})
        if (!present(a, name, why)) return why;
    if (auto e = common_checks(a, rules)) return e;
    if (!offered_id.empty() && unfold(a.find("Message-ID")->value) != offered_id)
        return std::string("Message-ID header differs from the offered message-ID");
    return std::nullopt;
}

std::optional<std::string> posting_error(const ParsedArticle& a) {
    if (!a.error.empty()) return "Malformed article: " + std::string(a.error);
    std::string why;
    for (std::string_view name : {"From", "Newsgroups", "Subject"})
        if (!present(a, name, why)) return why;
    if (a.find("Injection-Info") != nullptr)
        return std::string("Article already has an \"Injection-Info\" header");
    // RFC 5536 §3.1.2: From is a mailbox list. Only posts are held to it: relayed articles are
    // not, as INN's innd does not (their sender's server answered for them).
    if (auto e = mailbox_list_error(unfold(a.find("From")->value)))
        return "Bad \"From\" header: " + *e;
    if (auto e = common_checks(a, MessageIdRules::strict)) return e;
    return std::nullopt;
}

std::string rewrite_for_storage(std::string_view text, const ParsedArticle& a,
                                std::string_view pathhost, std::string_view xref_value,
                                std::size_t* header_end) {
    std::string out;
    out.reserve(text.size() + pathhost.size() + xref_value.size() + 16);
    for (const HeaderField& f : a.fields) {
        if (iequals(f.name, "Xref")) continue;
        if (iequals(f.name, "Path")) {
            // Keep the original name's spelling and everything after the body's start.
            const std::size_t body_offset = static_cast<std::size_t>(f.value.data() - f.raw.data());
            out.append(f.raw.substr(0, body_offset));
            out.append(pathhost);
            out.push_back('!');
            out.append(f.raw.substr(body_offset));
            continue;
        }
        out.append(f.raw);
    }
    // A last header without its CRLF (an article with no body and no final line end) would
    // run into the Xref line: end it first.
    if (!out.empty() && out.back() != '\n') out.append("\r\n");
    if (!xref_value.empty()) {
        out.append("Xref: ");
        out.append(xref_value);
        out.append("\r\n");
    }
    if (header_end) *header_end = out.size();
    const std::size_t rest = static_cast<std::size_t>(a.headers.data() + a.headers.size() - text.data());
    out.append(text.substr(rest));
    return out;
}

}  // namespace tidings::protocol
