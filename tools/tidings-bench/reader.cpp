// Read mode: newsreader load (see reader.h).
#include "reader.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <latch>
#include <thread>

#include "connection.h"
#include "feed.h"
#include "rng.h"

namespace tidings::bench {
namespace {

using Clock = std::chrono::steady_clock;

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

struct GroupInfo {
    std::uint64_t count = 0, low = 0, high = 0;
};

// Greeting, MODE READER, GROUP. INN's innd hands the socket to nnrpd on MODE READER and drops
// whatever was pipelined behind it, so each command waits for its answer here.
bool open_reader(Connection& conn, const Options& opts, GroupInfo& g, std::string& err) {
    if (!conn.open(opts.host, opts.port, opts.timeout_s, opts.plain_client)) return err = conn.error(), false;
    std::string_view line;
    if (!conn.read_line(line)) return err = conn.error(), false;
    if (const int code = status_code(line); code != 200 && code != 201)
        return err = "greeting: " + sanitize(line), false;
    if (const int code = conn.command("MODE READER", line); code != 200 && code != 201)
        return err = "MODE READER: " + sanitize(code ? line : conn.error()), false;
    if (conn.command("GROUP " + opts.group, line) != 211)
        return err = "GROUP " + opts.group + ": " + sanitize(line.empty() ? conn.error() : line), false;
    // "211 count low high group"
    unsigned long long n = 0, lo = 0, hi = 0;
    if (std::sscanf(std::string(line).c_str(), "211 %llu %llu %llu", &n, &lo, &hi) != 3 || n == 0 || hi < lo)
        return err = "GROUP " + opts.group + " is empty: " + sanitize(line), false;
    g = {n, lo, hi};
    return true;
}

// Message-IDs of the group from its overview (field 5), fetched untimed before the run.
bool collect_ids(const Options& opts, std::vector<std::string>& ids, std::string& err) {
    Connection conn;
    GroupInfo g;
    if (!open_reader(conn, opts, g, err)) return false;
    for (std::uint64_t lo = g.low; lo <= g.high; lo += 10000) {
        std::string_view line;
        const int code = conn.command("OVER " + std::to_string(lo) + "-" + std::to_string(lo + 9999), line);
        if (code == 423) continue;
        if (code != 224) return err = "OVER: " + sanitize(code ? line : conn.error()), false;
        while (conn.read_line(line) && line != ".") {
            std::size_t start = 0;  // field 5 is the Message-ID (RFC 3977 §8.3)
            for (int field = 0; field < 4 && start != std::string_view::npos; ++field) {
                const auto tab = line.find('\t', start);
                start = tab == std::string_view::npos ? tab : tab + 1;
            }
            if (start == std::string_view::npos) continue;
            const auto end = line.find('\t', start);
            ids.emplace_back(line.substr(start, end == std::string_view::npos ? end : end - start));
        }
        if (line != ".") return err = conn.error(), false;
    }
    if (ids.empty()) return err = "no Message-IDs in the overview of " + opts.group, false;
    return true;
}

class ReadSession {
public:
    ReadSession(Connection& conn, const Options& opts, const GroupInfo& g,
                const std::vector<std::string>& ids, std::uint64_t requests, std::uint64_t seed,
                ReadTotals& t)
        : conn_{conn}, opts_{opts}, g_{g}, ids_{ids}, left_{requests}, rng_{seed}, t_{t} {}

    void run() {
        std::string out;
        std::deque<Clock::time_point> inflight;
        while (left_ > 0 || !inflight.empty()) {
            out.clear();
            std::size_t added = 0;
            while (left_ > 0 && inflight.size() + added < opts_.window) {
                out += next_request();
                ++added;
                --left_;
            }
            if (added > 0) {
                if (!conn_.send_all(out)) return fail(conn_.error());
                inflight.insert(inflight.end(), added, Clock::now());
            }
            do {
                if (!answer()) return;
                t_.latency.add_seconds(seconds(Clock::now() - inflight.front()));
                inflight.pop_front();
            } while (!inflight.empty() && conn_.has_line());
        }
    }

private:
    void fail(const std::string& why) { t_.errors.push_back(why); }

    std::string next_request() {
        const std::uint64_t span = g_.high - g_.low + 1;
        if (opts_.op == ReadOp::over) {
            const std::uint64_t width = std::min(opts_.range, span);
            const std::uint64_t lo = g_.low + rng_.below(span - width + 1);
            return "OVER " + std::to_string(lo) + "-" + std::to_string(lo + width - 1) + "\r\n";
        }
        if (opts_.by == ArticleBy::id) return "ARTICLE " + ids_[rng_.below(ids_.size())] + "\r\n";
        return "ARTICLE " + std::to_string(g_.low + rng_.below(span)) + "\r\n";
    }

    bool answer() {
        std::string_view line;
        if (!conn_.read_line(line)) return fail(conn_.error()), false;
        t_.bytes += line.size() + 2;
        const int code = status_code(line);
        ++t_.codes[code];
        ++t_.requests;
        switch (code) {
        case 220: case 221: case 222: case 224:
            if (!conn_.skip_block(t_.bytes)) return fail(conn_.error()), false;
            return true;
        case 423: case 430: ++t_.misses; return true;
        case 400: case 0: return fail("server: " + sanitize(line)), false;
        default: return true;
        }
    }

    Connection& conn_;
    const Options& opts_;
    const GroupInfo g_;
    const std::vector<std::string>& ids_;
    std::uint64_t left_;
    Rng rng_;
    ReadTotals& t_;
};

}  // namespace

ReadTotals read_load(const Options& opts) {
    ReadTotals total;
    std::vector<std::string> ids;
    if (opts.op == ReadOp::article && opts.by == ArticleBy::id) {
        std::string err;
        if (!collect_ids(opts, ids, err)) {
            total.errors.push_back(err);
            return total;
        }
    }
    const unsigned k = opts.connections;
    std::vector<ReadTotals> per(k);
    std::vector<Clock::time_point> finished(k);
    std::latch ready{static_cast<std::ptrdiff_t>(k)};
    std::latch start{1};
    std::vector<std::thread> threads;
    for (unsigned c = 0; c < k; ++c) {
        threads.emplace_back([&, c] {
            ReadTotals& t = per[c];
            Connection conn;
            GroupInfo g;
            std::string err;
            const bool ok = open_reader(conn, opts, g, err);
            if (!ok) t.errors.push_back(err);
            ready.count_down();
            start.wait();
            const std::uint64_t share = opts.count * (c + 1) / k - opts.count * c / k;
            if (ok) ReadSession{conn, opts, g, ids, share, opts.corpus.seed * 1000003 + c, t}.run();
            finished[c] = Clock::now();
            std::string_view bye;
            if (ok && t.errors.empty()) (void)conn.command("QUIT", bye);
        });
    }
    ready.wait();
    const auto t0 = Clock::now();
    const double cpu0 = process_cpu_seconds();
    start.count_down();
    for (auto& th : threads) th.join();
    const double cpu1 = process_cpu_seconds();
    for (const auto& t : per) {
        total.requests += t.requests;
        total.misses += t.misses;
        total.bytes += t.bytes;
        for (const auto& [code, n] : t.codes) total.codes[code] += n;
        total.latency.merge(t.latency);
        total.errors.insert(total.errors.end(), t.errors.begin(), t.errors.end());
    }
    total.elapsed_s = seconds(*std::max_element(finished.begin(), finished.end()) - t0);
    total.client_cpu_s = cpu1 - cpu0;  // includes the untimed QUITs: negligible
    return total;
}

int run_read(const Options& opts) {
    ReadTotals t = read_load(opts);
    const double el = t.elapsed_s > 0 ? t.elapsed_s : 1e-9;
    Report r;
    r.add("command", std::string("read"));
    r.add("op", std::string(opts.op == ReadOp::over ? "over"
                            : opts.by == ArticleBy::id ? "article-by-id" : "article-by-number"));
    r.add("server", opts.host + ":" + opts.port);
    r.add("group", opts.group);
    r.add("connections", std::uint64_t{opts.connections});
    r.add("window", std::uint64_t{opts.window});
    if (opts.op == ReadOp::over) r.add("range", opts.range);
    r.add("requests", t.requests);
    r.add("elapsed_s", el);
    r.add("client_cpu_s", t.client_cpu_s);
    r.add("requests_per_s", static_cast<double>(t.requests) / el);
    r.add("mb_per_s", static_cast<double>(t.bytes) / el / 1e6);
    r.add("latency_p50_ms", t.latency.percentile_ms(50));
    r.add("latency_p99_ms", t.latency.percentile_ms(99));
    r.add("misses", t.misses);
    r.add("codes", t.codes);
    if (!t.errors.empty()) r.add("errors", join_errors(t.errors));
    std::fputs(opts.json ? r.json().c_str() : r.text().c_str(), stdout);
    return t.errors.empty() ? 0 : 1;
}

}  // namespace tidings::bench
