// Filter rules: compiled once per configuration, judged per incoming article.
#include "server/core/filter.h"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <functional>

#include "protocol/ascii.h"

namespace tidings::server {

namespace {

// The posting host is matched like a header; this name cannot be a header field's (a colon).
constexpr std::string_view posting_host_key = ":posting-host";

std::size_t count_groups(const protocol::ParsedArticle& a, std::string_view header) {
    const auto* f = a.find(header);
    return f ? protocol::split_newsgroups(protocol::unfold(f->value)).size() : 0;
}

}  // namespace

// ---- BodyHistory ----

// The hashes live only in memory, so std::hash's (libstdc++: 64-bit MurmurHash2, eight bytes a
// step) need not be stable across builds; byte-at-a-time FNV-1a cost 2 µs per 2 KB body.
std::uint64_t BodyHistory::hash(std::string_view body) { return std::hash<std::string_view>{}(body); }

void BodyHistory::forget_oldest() {
    const Seen s = order_.front();
    order_.pop_front();
    auto it = times_.find(s.hash);
    if (it == times_.end()) return;
    auto& e = it->second;
    if (++e.head == e.t.size()) {
        times_.erase(it);
    } else if (e.head * 2 >= e.t.size()) {
        e.t.erase(e.t.begin(), e.t.begin() + static_cast<std::ptrdiff_t>(e.head));
        e.head = 0;
    }
}

std::uint32_t BodyHistory::copies_since(std::uint64_t hash, std::int64_t since) const {
    auto it = times_.find(hash);
    if (it == times_.end()) return 0;
    const auto& e = it->second;
    // Times are kept in arrival order; a clock step backwards only makes a copy count longer.
    auto first = std::lower_bound(e.t.begin() + static_cast<std::ptrdiff_t>(e.head), e.t.end(), since);
    return static_cast<std::uint32_t>(e.t.end() - first);
}

std::uint32_t BodyHistory::record(std::uint64_t h, std::int64_t now, std::int64_t window_s) {
    // Age out what no rule's window reaches any more, then make room.
    while (!order_.empty() && order_.front().when < now - window_s) forget_oldest();
    while (order_.size() >= capacity_) {
        forget_oldest();
        ++forgotten_;
    }
    auto& e = times_[h];
    if (!e.t.empty() && e.t.back() > now) now = e.t.back();  // keep each list sorted
    order_.push_back({h, now});
    e.t.push_back(now);
    return copies_since(h, now - window_s);
}

// ---- FilterTable ----

struct FilterTable::HeaderSet {
    std::string name;  // lower case, or posting_host_key
    std::unique_ptr<re2::RE2::Set> set;
    std::vector<std::size_t> rule_of;  // the rule of each pattern added to `set`
};

FilterTable::~FilterTable() = default;
FilterTable::FilterTable(FilterTable&&) noexcept = default;
FilterTable& FilterTable::operator=(FilterTable&&) noexcept = default;

FilterTable::FilterTable(const config::Filter& filter) : rules_(filter.rules) {
    RE2::Options options;
    options.set_log_errors(false);
    auto add = [&](std::string name, const std::string& pattern, std::size_t rule) {
        auto it = std::find_if(headers_.begin(), headers_.end(), [&](const HeaderSet& h) { return h.name == name; });
        if (it == headers_.end()) {
            headers_.push_back({std::move(name), std::make_unique<RE2::Set>(options, RE2::UNANCHORED), {}});
            it = headers_.end() - 1;
        }
        // A pattern RE2 refuses (the loader checked it; be safe) is left out: its rule then
        // never matches, since its regex condition never holds.
        if (it->set->Add(pattern, nullptr) >= 0) it->rule_of.push_back(rule);
    };
    for (std::size_t i = 0; i < rules_.size(); ++i) {
        const auto& r = rules_[i];
        if (!r.regex.empty()) add(protocol::ascii_lower(r.header), r.regex, i);
        if (!r.posting_host.empty()) add(std::string(posting_host_key), r.posting_host, i);
        if (r.min_body_copies) body_window_s_ = std::max<std::int64_t>(body_window_s_, r.body_window_s);
    }
    for (auto& h : headers_)
        if (!h.set->Compile()) {
            // Over RE2's memory budget: the rules on this header could never match; say so
            // (logged at start and reload) rather than fail silently.
            problems_.push_back("the regexes on " + (h.name == posting_host_key ? std::string("posting_host") : h.name) +
                                " do not fit RE2's memory budget: those rules never match");
            h.rule_of.clear();
            h.set = std::make_unique<RE2::Set>(options, RE2::UNANCHORED);
            h.set->Compile();
        }
}

std::optional<FilterMatch> FilterTable::judge(const protocol::ParsedArticle& article, std::size_t bytes,
                                              std::string_view source, BodyHistory& bodies,
                                              std::int64_t now) const {
    if (rules_.empty()) return std::nullopt;
    std::uint32_t copies = 0;
    std::uint64_t body_hash = 0;
    if (body_window_s_ > 0) {
        body_hash = BodyHistory::hash(article.body);
        copies = bodies.record(body_hash, now, body_window_s_);
    }
    // Per rule, how many of its regexes (header, posting host) matched.
    std::vector<std::uint8_t> hits(rules_.size());
    std::vector<int> found;
    for (const auto& h : headers_) {
        auto match = [&](std::string_view value) {
            // Which patterns matched needs RE2's slower all-matches DFA; most values match
            // none, and asking only whether any does lets the DFA stop early.
            const re2::StringPiece text(value.data(), value.size());
            if (!h.set->Match(text, nullptr)) return;
            found.clear();
            if (!h.set->Match(text, &found)) return;
            for (int i : found) {
                auto rule = h.rule_of[static_cast<std::size_t>(i)];
                // A rule whose regex matches two fields of one header counts once.
                hits[rule] = static_cast<std::uint8_t>(hits[rule] | (h.name == posting_host_key ? 2 : 1));
            }
        };
        if (h.name == posting_host_key) {
            std::string host = posting_host_of(article);
            if (!host.empty()) match(host);
            continue;
        }
        for (const auto& f : article.fields) {
            if (!protocol::iequals(f.name, h.name)) continue;
            // Unfolding copies; most values are one line and are matched where they are.
            if (f.value.find_first_of("\r\n") == std::string_view::npos) match(f.value);
            else match(protocol::unfold(f.value));
        }
    }
    // Counted once, when a rule first asks.
    std::optional<std::size_t> groups, followup_groups;
    auto count = [&](std::optional<std::size_t>& n, std::string_view header) {
        if (!n) n = count_groups(article, header);
        return *n;
    };
    for (std::size_t i = 0; i < rules_.size(); ++i) {
        const auto& r = rules_[i];
        if (!r.sources.empty() && std::find(r.sources.begin(), r.sources.end(), source) == r.sources.end()) continue;
        if (!r.regex.empty() && !(hits[i] & 1)) continue;
        if (!r.posting_host.empty() && !(hits[i] & 2)) continue;
        if (r.min_bytes && bytes < r.min_bytes) continue;
        if (r.min_groups && count(groups, "Newsgroups") < r.min_groups) continue;
        if (r.min_followup_groups && count(followup_groups, "Followup-To") < r.min_followup_groups) continue;
        if (r.min_body_copies) {
            auto n = r.body_window_s == body_window_s_ ? copies : bodies.copies_since(body_hash, now - r.body_window_s);
            if (n < r.min_body_copies) continue;
        }
        return FilterMatch{&r, r.action};
    }
    return std::nullopt;
}

// ---- posting host ----

std::string posting_host_of(const protocol::ParsedArticle& article) {
    if (const auto* f = article.find("Injection-Info")) {
        // RFC 5536 §3.2.8: path-identity *( ";" parameter ), parameter = attribute "=" value,
        // value a token or a quoted-string (RFC 2045). Attribute names are case-insensitive.
        const std::string v = protocol::unfold(f->value);
        std::size_t at = v.find(';');
        while (at != std::string::npos) {
            std::size_t name_start = v.find_first_not_of(" \t", at + 1);
            if (name_start == std::string::npos) break;
            std::size_t eq = v.find('=', name_start);
            const std::size_t semi = v.find(';', name_start);
            if (eq == std::string::npos) break;
            if (semi < eq) {  // a parameter without a value: skip it
                at = semi;
                continue;
            }
            std::string_view name(v.data() + name_start, eq - name_start);
            while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
            std::size_t value_start = v.find_first_not_of(" \t", eq + 1);
            if (value_start == std::string::npos) break;
            std::string value;
            std::size_t next;
            if (v[value_start] == '"') {
                std::size_t i = value_start + 1;
                for (; i < v.size() && v[i] != '"'; ++i) {
                    if (v[i] == '\\' && i + 1 < v.size()) ++i;
                    value.push_back(v[i]);
                }
                next = v.find(';', i);
            } else {
                next = v.find(';', value_start);
                value = v.substr(value_start, (next == std::string::npos ? v.size() : next) - value_start);
                while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
            }
            if (protocol::iequals(name, "posting-host")) return value;
            at = next;
        }
    }
    if (const auto* f = article.find("NNTP-Posting-Host")) return protocol::unfold(f->value);
    return {};
}

}  // namespace tidings::server
