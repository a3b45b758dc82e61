// The injecting agent's header work for POST (RFC 5537 §3.5).
#include "protocol/injection.h"
#include "protocol/ascii.h"

#include "protocol/date.h"

namespace tidings::protocol {

namespace {


void base36(std::uint64_t v, std::string& out) {
    char buf[16];
    int n = 0;
    do {
        buf[n++] = "0123456789abcdefghijklmnopqrstuvwxyz"[v % 36];
        v /= 36;
    } while (v != 0);
    while (n > 0) out.push_back(buf[--n]);
}

// Characters of a posting host we can put in a Path diagnostic and a quoted parameter.
std::string clean_host(std::string_view host) {
    std::string out;
    for (char c : host) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        c == '-' || c == '.' || c == ':' || c == '_';
        if (ok) out.push_back(c);
    }
    return out;
}

}  // namespace

std::string make_message_id(std::string_view domain, std::int64_t now, std::uint64_t unique) {
    std::string id = "<";
    base36(static_cast<std::uint64_t>(now < 0 ? 0 : now), id);
    id.push_back('.');
    base36(unique, id);
    id.push_back('@');
    id.append(domain);
    id.push_back('>');
    return id;
}

InjectResult inject_article(std::string_view text, const ParsedArticle& a, const Injection& in) {
    InjectResult r;
    if (auto why = posting_error(a)) {
        r.error = std::move(*why);
        return r;
    }
    if (const HeaderField* date = a.find("Date")) {
        // RFC 5537 §3.5: refuse an article dated more than 24 hours into the future.
        if (*parse_rfc5322_date(date->value) > in.now + 24 * 3600) {
            r.error = "Article is dated in the future";
            return r;
        }
    }
    const std::string host = clean_host(in.posting_host);
    std::string posted(in.pathhost);
    posted.append("!.POSTED");
    if (!host.empty()) posted.append(".").append(host);
    posted.push_back('!');

    std::string& out = r.text;
    out.reserve(text.size() + 256);
    bool had_path = false;
    for (const HeaderField& f : a.fields) {
        if (iequals(f.name, "Xref") || iequals(f.name, "Injection-Date")) continue;
        if (iequals(f.name, "Path")) {
            had_path = true;
            const std::size_t body_offset = static_cast<std::size_t>(f.value.data() - f.raw.data());
            out.append(f.raw.substr(0, body_offset)).append(posted).append(f.raw.substr(body_offset));
            continue;
        }
        out.append(f.raw);
    }
    if (!out.empty() && out.back() != '\n') out.append("\r\n");
    if (!had_path) out.append("Path: ").append(posted).append("not-for-mail\r\n");
    const std::string date = format_rfc5322_date(in.now);
    if (a.find("Date") == nullptr) out.append("Date: ").append(date).append("\r\n");
    if (const HeaderField* id = a.find("Message-ID")) {
        r.message_id = unfold(id->value);
    } else {
        r.message_id = std::string(in.message_id);
        out.append("Message-ID: ").append(r.message_id).append("\r\n");
    }
    out.append("Injection-Date: ").append(date).append("\r\n");
    out.append("Injection-Info: ").append(in.pathhost);
    if (!host.empty()) out.append("; posting-host=\"").append(host).append("\"");
    out.append("\r\n");
    const std::size_t rest = static_cast<std::size_t>(a.headers.data() + a.headers.size() - text.data());
    out.append(text.substr(rest));
    return r;
}

}  // namespace tidings::protocol
