// Fuzzes the article model: parsing, validation, overview, Path, dates, message-IDs, newsgroups.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocol/article.h"
#include "protocol/date.h"
#include "protocol/injection.h"
#include "protocol/message_id.h"
#include "protocol/moderation.h"
#include "protocol/newsgroup.h"
#include "protocol/overview.h"
#include "protocol/path.h"

using namespace tidings::protocol;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const ParsedArticle a = parse_article(text);
    std::size_t raw_total = 0;
    for (const HeaderField& f : a.fields) {
        check(f.raw.data() >= text.data() && f.raw.data() + f.raw.size() <= text.data() + text.size());
        check(f.name.data() == f.raw.data());
        raw_total += f.raw.size();
        (void)unfold(f.value);
        (void)parse_rfc5322_date(f.value);
        (void)message_id_error(f.value, MessageIdRules::strict);
        (void)message_id_error(f.value, MessageIdRules::nntp);
        (void)path_error(f.value);
        (void)path_entries(f.value);
        (void)path_contains(f.value, "hub.example");
        (void)newsgroups_error(f.value);
        for (std::string_view g : split_newsgroups(f.value)) {
            // Creating a group is stricter than naming one, never looser.
            if (is_valid_new_newsgroup_name(g)) check(is_valid_newsgroup_name(g));
            if (is_valid_newsgroup_name(g)) check(g.size() <= max_newsgroup_name);
        }
        (void)newsgroup_name_error(f.value);
    }
    if (a.error.empty()) check(raw_total == a.headers.size());
    check(a.body.size() <= text.size());
    if (auto why = transit_error(a)) {
        for (char c : *why) check(c != '\r' && c != '\n' && c != '\0');
    }
    (void)posting_error(a);
    // The vectorised counts against the obvious definition.
    std::size_t stuffed = !text.empty() && text.front() == '.', body_lines = 0;
    for (std::size_t i = 0; i + 2 < text.size(); ++i) stuffed += text.substr(i, 3) == "\r\n.";
    for (std::size_t i = 1; i < a.body.size(); ++i) body_lines += a.body[i - 1] == '\r' && a.body[i] == '\n';
    if (!a.body.empty() && !a.body.ends_with("\r\n")) ++body_lines;
    for (BlockMode form : {BlockMode::wire, BlockMode::unstuffed}) {
        const ArticleMetrics m = measure_article(text, a, form);
        check(m.bytes <= text.size());
        check(m.bytes == text.size() - (form == BlockMode::wire ? stuffed : 0));
        check(m.lines == body_lines);
        const std::string record = build_overview(a, m, "hub.example g:1");
        for (char c : record) check(c != '\r' && c != '\n' && c != '\0');
    }
    const std::string stored = rewrite_for_storage(text, a, "us.example", "us.example g:1");
    const ParsedArticle again = parse_article(stored);
    if (a.error.empty() && a.find("Path") != nullptr) {
        check(path_contains(again.find("Path")->value, "us.example"));
        check(again.count("Xref") == 1);
    }
    // A posted article that injection accepts must pass a peer's relaying checks.
    const InjectResult injected =
        inject_article(text, a, {"us.example", 1795590720, "<fuzz@us.example>", "192.0.2.1"});
    if (injected.error.empty()) check(!transit_error(parse_article(injected.text), injected.message_id));
    // The moderator's mail: the To line first; dropping fields, CRLF to LF and unstuffing only
    // shrink the article (a last line without CRLF gains its LF).
    const std::string_view posted = injected.error.empty() ? std::string_view(injected.text) : text;
    const std::string mail = moderator_mail(posted, "m@mods.example");
    check(mail.starts_with("To: m@mods.example\n"));
    check(mail.size() <= posted.size() + 20);
    return 0;
}
