// `tidings-bench selftest` (see selftest.h): run by CTest as bench_corpus_selftest.
#include "selftest.h"

#include <cstdio>
#include <set>
#include <string>

#include "corpus.h"
#include "fake_server.h"
#include "feed.h"
#include "reader.h"

namespace tidings::bench {
namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
    std::printf("%s %s\n", ok ? "ok  " : "FAIL", what.c_str());
    if (!ok) ++failures;
}

// RFC 3629: well-formed UTF-8 (no overlongs or surrogates checked: the generator only
// copies literal words, this guards against truncating one).
bool valid_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (n == 0 || i + n > s.size()) return false;
        for (std::size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
        i += n;
    }
    return true;
}

// Checks one article's shape; returns "" or what is wrong.
std::string article_problem(const Article& a, const CorpusSpec& spec) {
    const auto head_end = a.text.find("\r\n\r\n");
    if (head_end == std::string::npos) return "no blank line after headers";
    const std::string_view head(a.text.data(), head_end + 2);
    for (const char* h : {"Path: ", "From: ", "Newsgroups: ", "Subject: ", "Date: ", "Message-ID: "})
        if (head.find(std::string("\r\n") + h) == std::string_view::npos && head.rfind(h, 0) != 0)
            return std::string("missing header ") + h;
    if (head.find("Message-ID: " + a.message_id + "\r\n") == std::string_view::npos)
        return "Message-ID header differs";
    for (const char c : head)
        if (static_cast<unsigned char>(c) >= 0x80) return "8-bit octet in headers";
    if (!valid_utf8(a.text)) return "invalid UTF-8";
    std::size_t pos = 0;
    bool dot_line = false;
    while (pos < a.text.size()) {
        const auto end = a.text.find("\r\n", pos);
        if (end == std::string::npos) return "text does not end with CRLF";
        const std::string_view line(a.text.data() + pos, end - pos);
        if (line.find_first_of("\r\n") != std::string_view::npos) return "bare CR or LF";
        if (line.size() > 998) return "line over 998 octets";
        if (pos > head_end && !line.empty() && line[0] == '.') dot_line = true;
        pos = end + 2;
    }
    if (!dot_line) return "no body line starts with '.'";
    for (const auto& g : a.groups)
        if (g.rfind(spec.group_prefix, 0) != 0) return "group outside the prefix: " + g;
    return "";
}

void corpus_checks() {
    CorpusSpec fixed;
    fixed.seed = 42;
    fixed.date = 1'700'000'000;
    CorpusSpec mixed = fixed;
    mixed.size_mode = SizeMode::mixed;

    bool same = true, sized = true, in_range = true, shaped = true, stuffed = true;
    std::string problem;
    std::set<std::string> ids;
    double mixed_total = 0;
    std::size_t mixed_min = SIZE_MAX, mixed_max = 0, crossposted = 0, bare_dot = 0, double_dot = 0;
    const std::uint64_t n = 2000;
    for (std::uint64_t i = 0; i < n; ++i) {
        for (const CorpusSpec* spec : {&fixed, &mixed}) {
            const Article a = make_article(*spec, i), b = make_article(*spec, i);
            same = same && a.text == b.text && a.message_id == b.message_id;
            if (const auto p = article_problem(a, *spec); !p.empty() && problem.empty()) {
                shaped = false;
                problem = a.message_id + ": " + p;
            }
            const std::string wire = dot_stuff(a.text);
            std::string back;
            stuffed = stuffed && dot_unstuff(wire, back) && back == a.text &&
                      wire.find("\r\n.\r\n") == wire.size() - 5;
            bare_dot += a.text.find("\r\n.\r\n") != std::string::npos;
            double_dot += wire.find("\r\n...") != std::string::npos;
        }
        const Article f = make_article(fixed, i), m = make_article(mixed, i);
        sized = sized && f.text.size() == fixed.size;
        in_range = in_range && m.text.size() >= mixed_min_size && m.text.size() <= mixed_max_size &&
                   m.text.size() == article_size(mixed, i);
        mixed_total += static_cast<double>(m.text.size());
        mixed_min = std::min(mixed_min, m.text.size());
        mixed_max = std::max(mixed_max, m.text.size());
        crossposted += f.groups.size() > 1;
        ids.insert(f.message_id);
        CorpusSpec other = fixed;
        other.seed = 43;
        ids.insert(make_article(other, i).message_id);
    }
    check(same, "corpus is deterministic (same seed and index, same bytes)");
    check(ids.size() == 2 * n, "message-ids unique across indexes and seeds");
    check(shaped, "articles well formed (headers, CRLF, UTF-8, line length, a dot line)" +
                      (problem.empty() ? "" : ": " + problem));
    check(stuffed, "dot-stuffing round-trips and ends with CRLF.CRLF");
    check(bare_dot > 0 && double_dot > 0, "corpus has bare '.' lines and '..' lines (" +
                                              std::to_string(bare_dot) + ", " + std::to_string(double_dot) + ")");
    check(sized, "--size 2048 gives exactly 2048 octets");
    const double mean = mixed_total / n;
    check(in_range && mean > 9000 && mean < 18000,
          "--sizes mixed within 500..65536 (min " + std::to_string(mixed_min) + ", max " +
              std::to_string(mixed_max) + ", mean " + std::to_string(static_cast<int>(mean)) + ")");
    check(crossposted > n / 20 && crossposted < n / 5,
          "about 10% crossposted (" + std::to_string(crossposted) + " of " + std::to_string(n) + ")");
    for (const std::size_t size : {std::size_t{500}, std::size_t{501}, std::size_t{100000}}) {
        CorpusSpec s = fixed;
        s.size = size;
        bool exact = true;
        for (std::uint64_t i = 0; i < 200; ++i) exact = exact && make_article(s, i).text.size() == size;
        check(exact, "--size " + std::to_string(size) + " is exact");
    }
}

void round_trip_checks() {
    Options o;
    o.corpus.seed = 7;
    o.corpus.date = 1'700'000'000;
    o.corpus.count = 300;
    o.corpus.size_mode = SizeMode::mixed;
    o.timeout_s = 10;
    Options o2 = o;
    o2.corpus.seed = 8;
    o2.corpus.count = 100;
    const auto corpus = make_wire_corpus(o.corpus), corpus2 = make_wire_corpus(o2.corpus);
    std::map<std::string, std::string> expected;
    for (const auto* spec : {&o.corpus, &o2.corpus})
        for (std::uint64_t i = spec->first; i < spec->first + spec->count; ++i) {
            Article a = make_article(*spec, i);
            expected.emplace(a.message_id, std::move(a.text));
        }
    FakeServer server{std::move(expected)};
    check(server.port() != 0, "fake server listens on loopback");
    if (server.port() == 0) return;
    o.port = std::to_string(server.port());
    o.connections = 3;
    o.window = 16;

    auto run = [&](FeedMode mode, const std::vector<WireArticle>& c, const char* what,
                   std::uint64_t FeedTotals::*field) {
        o.mode = mode;
        const FeedTotals t = feed(o, c);
        check(t.errors.empty() && t.*field == c.size() && t.answered() == c.size(),
              std::string(what) + " (" + std::to_string(t.*field) + " of " + std::to_string(c.size()) +
                  (t.errors.empty() ? "" : "; " + join_errors(t.errors)) + ")");
        return t;
    };
    const FeedTotals first = run(FeedMode::streaming, corpus, "streaming feed: all accepted", &FeedTotals::accepted);
    check(first.ack.us.size() == corpus.size(), "one time-to-ack sample per TAKETHIS");
    run(FeedMode::streaming, corpus, "streaming again: all refused by CHECK", &FeedTotals::refused);
    run(FeedMode::takethis, corpus, "TAKETHIS-only again: all rejected", &FeedTotals::rejected);
    run(FeedMode::ihave, corpus2, "IHAVE feed: all accepted", &FeedTotals::accepted);
    run(FeedMode::ihave, corpus2, "IHAVE again: all refused", &FeedTotals::refused);
    check(server.mismatches() == 0, "server received every article intact (dot-stuffing on the wire)");
    check(server.stored() == corpus.size() + corpus2.size(), "server stored each article once");

    o.group = "bench.g1";
    o.count = 50;
    o.connections = 2;
    for (const auto& [op, by, window, name] :
         {std::tuple{ReadOp::over, ArticleBy::number, 1u, "read OVER"},
          std::tuple{ReadOp::article, ArticleBy::number, 4u, "read ARTICLE by number, window 4"},
          std::tuple{ReadOp::article, ArticleBy::id, 1u, "read ARTICLE by Message-ID"}}) {
        o.op = op;
        o.by = by;
        o.window = window;
        const ReadTotals t = read_load(o);
        check(t.errors.empty() && t.requests == o.count && t.misses == 0 && t.latency.us.size() == o.count,
              std::string(name) + " (" + std::to_string(t.requests) + " answered" +
                  (t.errors.empty() ? "" : "; " + join_errors(t.errors)) + ")");
    }
}

}  // namespace

int run_selftest() {
    corpus_checks();
    round_trip_checks();
    std::printf("%s\n", failures == 0 ? "selftest passed" : "selftest FAILED");
    return failures == 0 ? 0 : 1;
}

}  // namespace tidings::bench
