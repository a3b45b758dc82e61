// Content filters ([[filter.rule]]): which rule, if any, an incoming article matches. Pure (the
// standard library, protocol/, config/ and RE2), so the fuzzer compiles it in directly.
//
// Cost: the regexes on one header are one RE2::Set, so an article's value of that header is
// scanned once however many rules look at it; every other condition is a comparison. Matching
// is linear in the header's length (RE2 never backtracks), so a hostile Subject cannot stall
// the I/O thread.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/config.h"
#include "protocol/article.h"

namespace re2 {
class RE2;
class Set;
}  // namespace re2

namespace tidings::server {

// How often each article body was seen lately, for min_body_copies (EMP detection): 64-bit
// hashes with their arrival times, oldest first, at most `capacity` of them. Owned by the node,
// touched on the I/O thread only.
class BodyHistory {
public:
    explicit BodyHistory(std::size_t capacity = 100000) : capacity_(capacity ? capacity : 1) {}
    // Records one more copy of the body with hash `h` (hash()) at `now` and returns how many
    // copies (this one included) arrived since `now - window_s`; `window_s` is the longest
    // window any rule asks for.
    std::uint32_t record(std::uint64_t h, std::int64_t now, std::int64_t window_s);
    // Copies of the body with this hash that arrived since `since`.
    std::uint32_t copies_since(std::uint64_t hash, std::int64_t since) const;
    void set_capacity(std::size_t capacity) { capacity_ = capacity ? capacity : 1; }
    std::size_t size() const { return order_.size(); }
    std::uint64_t forgotten() const { return forgotten_; }  // dropped for room, not for age
    static std::uint64_t hash(std::string_view body);

private:
    struct Seen {
        std::uint64_t hash;
        std::int64_t when;
    };
    // Per hash: arrival times of its copies still in `order_`, oldest first, from `head` on (a
    // vector with a moving start: one small allocation per new body, where a deque took 600
    // bytes; compacted when half of it is spent).
    struct Times {
        std::vector<std::int64_t> t;
        std::size_t head = 0;
    };
    void forget_oldest();
    std::size_t capacity_;
    std::deque<Seen> order_;  // arrival order
    std::unordered_map<std::uint64_t, Times> times_;
    std::uint64_t forgotten_ = 0;
};

struct FilterMatch {
    const config::FilterRule* rule = nullptr;
    config::FilterAction action = config::FilterAction::accept;
};

// The rules of one configuration, compiled (regexes are checked by the config loader; one
// that still fails to compile here makes its rule never match).
class FilterTable {
public:
    explicit FilterTable(const config::Filter& filter);
    ~FilterTable();
    FilterTable(FilterTable&&) noexcept;
    FilterTable& operator=(FilterTable&&) noexcept;

    bool empty() const { return rules_.empty(); }
    bool counts_bodies() const { return body_window_s_ > 0; }
    // Rules that cannot work as written (a header's regexes too big for RE2), for the log.
    const std::vector<std::string>& problems() const { return problems_; }

    // The first rule `article` matches, coming from `source` (a peer name or "local"); `bytes`
    // is its size as received. Records its body in `bodies` when a rule counts bodies.
    std::optional<FilterMatch> judge(const protocol::ParsedArticle& article, std::size_t bytes,
                                     std::string_view source, BodyHistory& bodies, std::int64_t now) const;

private:
    struct HeaderSet;  // one header name's regexes as one RE2::Set
    std::vector<config::FilterRule> rules_;  // FilterMatch::rule points in here
    std::vector<HeaderSet> headers_;
    std::int64_t body_window_s_ = 0;  // longest body_window_s of a counting rule; 0: none count
    std::vector<std::string> problems_;
};

// Injection-Info's posting-host parameter (RFC 5536 §3.2.8), else NNTP-Posting-Host's value;
// empty when neither is there.
std::string posting_host_of(const protocol::ParsedArticle& article);

}  // namespace tidings::server
