// Fuzzes the filter rule matcher (server/core/filter.h): the input's first line is a regular
// expression made into one more rule, the rest an article judged against it and a fixed set of
// rules using every condition. Never a crash; a match names one of the table's rules with its
// action; the body history stays within its bound.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "server/core/filter.h"

using namespace tidings;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

config::FilterRule rule(std::string name, config::FilterAction action) {
    config::FilterRule r;
    r.name = std::move(name);
    r.action = action;
    return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto nl = input.find('\n');
    const std::string_view pattern = input.substr(0, std::min(nl, input.size()));
    const std::string_view text = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);

    config::Filter f;
    auto fuzzed = rule("fuzzed", config::FilterAction::quarantine);
    fuzzed.header = "Subject";
    fuzzed.regex = std::string(pattern);
    auto host = rule("host", config::FilterAction::reject);
    host.posting_host = std::string(pattern);
    auto sized = rule("sized", config::FilterAction::accept);
    sized.min_bytes = 64;
    sized.min_groups = 2;
    sized.min_followup_groups = 1;
    sized.sources = {"hub"};
    auto emp = rule("emp", config::FilterAction::reject);
    emp.min_body_copies = 2;
    emp.body_window_s = 10;
    auto keyword = rule("keyword", config::FilterAction::reject);
    keyword.header = "Keywords";
    keyword.regex = "(a+)+$";
    f.rules = {fuzzed, host, sized, keyword, emp};

    static server::BodyHistory bodies(64);  // kept across inputs: eviction gets exercised
    static std::int64_t now = 0;
    const server::FilterTable table(f);
    const auto article = protocol::parse_article(text);
    for (std::string_view source : {"hub", "local"}) {
        auto m = table.judge(article, text.size(), source, bodies, ++now);
        if (m) {
            check(m->rule != nullptr);
            check(m->action == m->rule->action);
        }
    }
    check(bodies.size() <= 64);
    (void)server::posting_host_of(article);
    return 0;
}
