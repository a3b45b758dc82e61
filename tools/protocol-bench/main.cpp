// Microbenchmarks of protocol/: block reading (wire scan, unstuffing), dot-stuffing, header
// parsing and overview building, command parsing and wildmat matching, reporting bytes/s.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "protocol/article.h"
#include "protocol/command.h"
#include "protocol/dot_stuffing.h"
#include "protocol/overview.h"
#include "protocol/wildmat.h"

using namespace tidings::protocol;

namespace {

// A plausible article of about `size` bytes: 14 header lines, then 60-78 character body lines,
// one in 40 starting with "." (so the reader has dots to unstuff). Fixed seed.
std::string make_article(std::size_t size) {
    std::mt19937 rng(42);
    std::string a =
        "Path: hub.example.net!feeder.example.org!not-for-mail\r\n"
        "From: Some Poster <poster@example.com>\r\n"
        "Newsgroups: misc.test,alt.test\r\n"
        "Subject: Re: a subject line of a typical length for a benchmark article\r\n"
        "Date: Tue, 25 Nov 2026 07:12:00 +0000\r\n"
        "Organization: Example Organisation\r\n"
        "Lines: 30\r\n"
        "Message-ID: <bench.1234567890@example.com>\r\n"
        "References: <a1@example.com> <a2@example.com>\r\n"
        "\t<a3@example.com>\r\n"
        "Mime-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=UTF-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n"
        "User-Agent: bench/1.0\r\n"
        "Injection-Info: hub.example.net; posting-host=\"x\"\r\n"
        "\r\n";
    int n = 0;
    while (a.size() < size) {
        const std::size_t len = 60 + rng() % 19;
        if (++n % 40 == 0) a += '.';
        for (std::size_t i = 0; i < len; ++i) a += static_cast<char>('a' + rng() % 26);
        a += "\r\n";
    }
    return a;
}

std::string wire_block(std::size_t size) {
    std::string text = make_article(size), wire;
    DotStuffer s;
    s.append(text, wire);
    s.finish(wire);
    return wire;
}

void read_block(benchmark::State& state, BlockMode mode) {
    const std::string wire = wire_block(static_cast<std::size_t>(state.range(0)));
    const std::size_t chunk = static_cast<std::size_t>(state.range(1));
    std::string out;
    out.reserve(wire.size());
    for (auto _ : state) {
        out.clear();
        BlockReader reader(mode, std::size_t{1} << 30);
        std::size_t pos = 0;
        BlockStep s{};
        while (pos < wire.size()) {
            s = reader.step(std::string_view(wire).substr(pos, chunk), out);
            pos += s.consumed;
            if (s.status == BlockStatus::done) break;
        }
        benchmark::DoNotOptimize(out.data());
        if (s.status != BlockStatus::done) state.SkipWithError("block not finished");
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * wire.size()));
}

void BM_BlockReadWire(benchmark::State& state) { read_block(state, BlockMode::wire); }
void BM_BlockReadUnstuffed(benchmark::State& state) { read_block(state, BlockMode::unstuffed); }

// Block bytes as read in 64 KB socket reads (or the whole article at 2 KB).
BENCHMARK(BM_BlockReadWire)->Args({2048, 65536})->Args({262144, 65536});
BENCHMARK(BM_BlockReadUnstuffed)->Args({2048, 65536})->Args({262144, 65536});

void BM_DotStuff(benchmark::State& state) {
    const std::string text = make_article(static_cast<std::size_t>(state.range(0)));
    std::string out;
    out.reserve(text.size() + text.size() / 32 + 8);
    for (auto _ : state) {
        out.clear();
        DotStuffer s;
        s.append(text, out);
        s.finish(out);
        benchmark::DoNotOptimize(out.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_DotStuff)->Arg(2048)->Arg(262144);

// Header parsing: bytes/s counts the header section only (the body is located, not scanned);
// items/s is articles parsed.
void BM_ParseHeaders(benchmark::State& state) {
    const std::string text = make_article(static_cast<std::size_t>(state.range(0)));
    const std::size_t header_bytes = parse_article(text).headers.size() + 2;
    for (auto _ : state) {
        ParsedArticle a = parse_article(text);
        benchmark::DoNotOptimize(a.fields.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * header_bytes));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseHeaders)->Arg(2048)->Arg(262144);

// What the server does per received article: parse, validate, measure, overview, rewrite.
void BM_IngestArticle(benchmark::State& state) {
    const std::string wire = [&] {
        std::string w = wire_block(static_cast<std::size_t>(state.range(0)));
        return w.substr(0, w.size() - 3);
    }();
    const XrefEntry groups[] = {{"misc.test", 12345}, {"alt.test", 678}};
    for (auto _ : state) {
        ParsedArticle a = parse_article(wire);
        auto why = transit_error(a, "<bench.1234567890@example.com>");
        if (why) state.SkipWithError(why->c_str());
        const ArticleMetrics m = measure_article(wire, a, BlockMode::wire);
        const std::string xref = build_xref("us.example", groups);
        std::string record = build_overview(a, m, xref);
        std::string stored = rewrite_for_storage(wire, a, "us.example", xref);
        benchmark::DoNotOptimize(record.data());
        benchmark::DoNotOptimize(stored.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * wire.size()));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_IngestArticle)->Arg(2048)->Arg(262144);

// Bytes without stuffing and CRLF lines of the body (the overview's :bytes and :lines).
void BM_MeasureArticle(benchmark::State& state) {
    const std::string wire = [&] {
        std::string w = wire_block(static_cast<std::size_t>(state.range(0)));
        return w.substr(0, w.size() - 3);
    }();
    const ParsedArticle a = parse_article(wire);
    for (auto _ : state) benchmark::DoNotOptimize(measure_article(wire, a, BlockMode::wire));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * wire.size()));
}
BENCHMARK(BM_MeasureArticle)->Arg(2048)->Arg(262144);

void BM_ParseCommand(benchmark::State& state) {
    const std::string_view lines[] = {"TAKETHIS <bench.1234567890@example.com>",
                                      "CHECK <bench.1234567891@example.com>", "ARTICLE 12345",
                                      "OVER 1000-2000", "GROUP misc.test"};
    std::size_t bytes = 0, i = 0;
    for (auto _ : state) {
        const std::string_view line = lines[i++ % 5];
        ParseResult r = parse_command(line);
        benchmark::DoNotOptimize(r.command.kind);
        bytes += line.size();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseCommand);

void BM_WildmatMatch(benchmark::State& state) {
    const Wildmat w("comp.*,!comp.lang.*,comp.lang.c*,*.test,alt.?inaries.*,@alt.binaries.warez", true);
    std::vector<std::string> groups;
    for (const char* g : {"comp.lang.c", "comp.os.linux.misc", "alt.binaries.pictures", "misc.test",
                          "de.comp.lang.iso-c++", "news.software.nntp", "alt.binaries.warez"})
        groups.emplace_back(g);
    std::size_t bytes = 0, i = 0;
    for (auto _ : state) {
        const std::string& g = groups[i++ % groups.size()];
        benchmark::DoNotOptimize(w.match(g));
        bytes += g.size();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_WildmatMatch);

void BM_WildmatPathological(benchmark::State& state) {
    const Wildmat w("*a*a*a*a*a*a*a*a*a*a*b");
    const std::string text(static_cast<std::size_t>(state.range(0)), 'a');
    for (auto _ : state) benchmark::DoNotOptimize(w.matches(text));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_WildmatPathological)->Arg(4096);

}  // namespace

BENCHMARK_MAIN();
