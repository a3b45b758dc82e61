// Feed mode: offer a corpus over K transit connections (see feed.h).
#include "feed.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <latch>
#include <thread>

#include "connection.h"

namespace tidings::bench {
namespace {

using Clock = std::chrono::steady_clock;

// Writes are gathered up to this many octets (plus one article), so a window of small commands
// is one send(); small, because every article in a write is stamped when the write returns.
constexpr std::size_t max_batch_bytes = 64 * 1024;

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// The Message-ID argument of a streaming answer ("238 <id>"), or empty.
std::string_view answer_id(std::string_view line) {
    if (line.size() < 5) return {};
    line.remove_prefix(4);
    return line.substr(0, line.find(' '));
}

class FeedSession {
public:
    FeedSession(Connection& conn, const std::vector<WireArticle>& corpus, std::size_t begin,
                std::size_t end, FeedMode mode, unsigned window, FeedTotals& t)
        : conn_{conn}, corpus_{corpus}, next_{begin}, end_{end}, mode_{mode}, window_{window}, t_{t} {}

    // Greeting and MODE STREAM; false (error in totals) when the server will not take a feed.
    bool handshake() {
        std::string_view line;
        if (!conn_.read_line(line)) return fail(conn_.error());
        if (const int code = status_code(line); code != 200 && code != 201)
            return fail("greeting: " + sanitize(line));
        if (mode_ == FeedMode::ihave) return true;
        if (conn_.command("MODE STREAM", line) != 203)
            return fail("MODE STREAM refused: " + sanitize(line.empty() ? conn_.error() : line));
        return true;
    }

    void run() {
        if (mode_ == FeedMode::ihave) {
            while (next_ < end_ && ihave(next_)) ++next_;
        } else {
            stream();
        }
    }

private:
    struct Pending {
        std::uint32_t index;
        bool takethis;
        Clock::time_point sent;
    };

    bool fail(const std::string& why) {
        t_.errors.push_back(why);
        return false;
    }

    void add_takethis(std::size_t i, std::string& out) {
        const auto& a = corpus_[i];
        out += "TAKETHIS ";
        out += a.message_id;
        out += "\r\n";
        out += a.wire;  // RFC 4644 §2.5: the article always follows TAKETHIS
        t_.article_bytes += a.wire.size();
        inflight_.push_back({static_cast<std::uint32_t>(i), true, {}});
    }

    // Pipelines up to window_ commands; answers come back in command order (RFC 3977 §3.5).
    void stream() {
        std::string out;
        for (;;) {
            const std::size_t first_new = inflight_.size();
            out.clear();
            while (inflight_.size() < window_ && out.size() < max_batch_bytes) {
                if (!wanted_.empty()) {
                    add_takethis(wanted_.front(), out);
                    wanted_.pop_front();
                } else if (next_ < end_) {
                    if (mode_ == FeedMode::takethis) {
                        add_takethis(next_, out);
                    } else {
                        out += "CHECK ";
                        out += corpus_[next_].message_id;
                        out += "\r\n";
                        inflight_.push_back({static_cast<std::uint32_t>(next_), false, {}});
                    }
                    ++next_;
                } else {
                    break;
                }
            }
            if (!out.empty()) {
                if (!conn_.send_all(out)) {
                    fail(conn_.error());
                    return;
                }
                const auto now = Clock::now();  // the batch's last octet has left
                for (std::size_t k = first_new; k < inflight_.size(); ++k) inflight_[k].sent = now;
            }
            if (inflight_.empty()) return;
            do {
                std::string_view line;
                if (!conn_.read_line(line)) {
                    fail(conn_.error() + " (" + std::to_string(inflight_.size()) + " commands unanswered)");
                    return;
                }
                if (!answer(line)) return;
            } while (!inflight_.empty() && conn_.has_line());
        }
    }

    bool answer(std::string_view line) {
        const auto now = Clock::now();
        const int code = status_code(line);
        ++t_.codes[code];
        if (code == 400 || code == 0)
            return fail((code == 0 ? "malformed answer: " : "server closing: ") + sanitize(line));
        const Pending p = inflight_.front();
        inflight_.pop_front();
        const auto& a = corpus_[p.index];
        const bool has_id = code == 238 || code == 438 || code == 431 || code == 239 || code == 439;
        if (has_id && answer_id(line) != a.message_id)
            return fail("answer out of order: expected " + a.message_id + ", got " + sanitize(line));
        if (!p.takethis) {
            switch (code) {
            case 238: wanted_.push_back(p.index); break;
            case 438: ++t_.refused; break;
            case 431: ++t_.deferred; break;
            default: ++t_.other; break;
            }
            return true;
        }
        t_.ack.add_seconds(seconds(now - p.sent));
        switch (code) {
        case 239: ++t_.accepted; break;
        case 439: ++t_.rejected; break;
        case 431: ++t_.deferred; break;
        default: ++t_.other; break;
        }
        return true;
    }

    // Lock-step IHAVE (RFC 3977 §6.3.2): IHAVE, 335, article, final answer.
    bool ihave(std::size_t i) {
        const auto& a = corpus_[i];
        std::string_view line;
        const int code = conn_.command("IHAVE " + a.message_id, line);
        if (code != 0) ++t_.codes[code];
        switch (code) {
        case 335: break;
        case 435: ++t_.refused; return true;
        case 436: ++t_.deferred; return true;
        case 0: return fail(conn_.error());
        case 400: return fail("server closing: " + sanitize(line));
        default: ++t_.other; return true;
        }
        if (!conn_.send_all(a.wire)) return fail(conn_.error());
        t_.article_bytes += a.wire.size();
        const auto sent = Clock::now();
        if (!conn_.read_line(line)) return fail(conn_.error());
        const int final_code = status_code(line);
        ++t_.codes[final_code];
        t_.ack.add_seconds(seconds(Clock::now() - sent));
        switch (final_code) {
        case 235: ++t_.accepted; return true;
        case 437: ++t_.rejected; return true;
        case 436: ++t_.deferred; return true;
        case 400: case 0: return fail("after article: " + sanitize(line));
        default: ++t_.other; return true;
        }
    }

    Connection& conn_;
    const std::vector<WireArticle>& corpus_;
    std::size_t next_;
    const std::size_t end_;
    const FeedMode mode_;
    const unsigned window_;
    FeedTotals& t_;
    std::deque<Pending> inflight_;
    std::deque<std::size_t> wanted_;  // answered 238, TAKETHIS not yet sent
};

void merge(FeedTotals& into, const FeedTotals& t) {
    into.offered += t.offered;
    into.accepted += t.accepted;
    into.refused += t.refused;
    into.rejected += t.rejected;
    into.deferred += t.deferred;
    into.other += t.other;
    into.article_bytes += t.article_bytes;
    for (const auto& [code, n] : t.codes) into.codes[code] += n;
    into.ack.merge(t.ack);
    into.errors.insert(into.errors.end(), t.errors.begin(), t.errors.end());
}

const char* mode_name(FeedMode m) {
    return m == FeedMode::streaming ? "streaming" : m == FeedMode::takethis ? "takethis" : "ihave";
}

}  // namespace

std::string sanitize(std::string_view line) {
    std::string out;
    for (const char c : line.substr(0, 200))
        if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) out += c;
    return out;
}

std::string join_errors(const std::vector<std::string>& errors) {
    std::string out;
    for (std::size_t i = 0; i < errors.size() && i < 5; ++i) out += (i ? "; " : "") + errors[i];
    if (errors.size() > 5) out += "; ... (" + std::to_string(errors.size()) + " errors)";
    return out;
}

std::vector<WireArticle> make_wire_corpus(const CorpusSpec& spec) {
    std::vector<WireArticle> out;
    out.reserve(spec.count);
    for (std::uint64_t i = spec.first; i < spec.first + spec.count; ++i) {
        Article a = make_article(spec, i);
        out.push_back({std::move(a.message_id), dot_stuff(a.text)});
    }
    return out;
}

FeedTotals feed(const Options& opts, const std::vector<WireArticle>& corpus) {
    const unsigned k = opts.connections;
    std::vector<FeedTotals> per(k);
    std::vector<Clock::time_point> finished(k);
    std::latch ready{static_cast<std::ptrdiff_t>(k)};
    std::latch start{1};
    std::vector<std::thread> threads;
    const unsigned window = opts.mode == FeedMode::ihave ? 1 : opts.window;
    for (unsigned c = 0; c < k; ++c) {
        threads.emplace_back([&, c] {
            const std::size_t begin = corpus.size() * c / k;
            const std::size_t end = corpus.size() * (c + 1) / k;
            FeedTotals& t = per[c];
            t.offered = end - begin;
            Connection conn;
            FeedSession session{conn, corpus, begin, end, opts.mode, window, t};
            const bool ok = conn.open(opts.host, opts.port, opts.timeout_s, opts.plain_client)
                                ? session.handshake()
                                : (t.errors.push_back(conn.error()), false);
            ready.count_down();
            start.wait();
            if (ok) session.run();
            finished[c] = Clock::now();
            std::string_view bye;
            if (ok && t.errors.empty()) (void)conn.command("QUIT", bye);  // untimed
        });
    }
    ready.wait();
    const auto t0 = Clock::now();
    const double cpu0 = process_cpu_seconds();
    start.count_down();
    for (auto& th : threads) th.join();
    const double cpu1 = process_cpu_seconds();
    FeedTotals total;
    for (const auto& t : per) merge(total, t);
    total.elapsed_s = seconds(*std::max_element(finished.begin(), finished.end()) - t0);
    total.client_cpu_s = cpu1 - cpu0;  // includes the untimed QUITs: negligible
    return total;
}

int run_feed(const Options& opts) {
    const CorpusSpec spec = resolve_date(opts.corpus);
    if (!opts.dump_dir.empty()) {
        if (const auto err = dump_corpus(spec, opts.dump_dir); !err.empty()) {
            std::fprintf(stderr, "tidings-bench: %s\n", err.c_str());
            return 1;
        }
    }
    const auto corpus = make_wire_corpus(spec);
    FeedTotals t = feed(opts, corpus);
    const double el = t.elapsed_s > 0 ? t.elapsed_s : 1e-9;
    Report r;
    r.add("command", std::string("feed"));
    r.add("mode", std::string(mode_name(opts.mode)));
    r.add("server", opts.host + ":" + opts.port);
    r.add("connections", std::uint64_t{opts.connections});
    r.add("window", std::uint64_t{opts.mode == FeedMode::ihave ? 1 : opts.window});
    r.add("seed", spec.seed);
    r.add("sizes", spec.size_mode == SizeMode::mixed ? std::string("mixed") : std::to_string(spec.size));
    r.add("offered", t.offered);
    r.add("elapsed_s", el);
    r.add("client_cpu_s", t.client_cpu_s);
    r.add("articles_per_s", static_cast<double>(t.answered()) / el);
    r.add("accepted_per_s", static_cast<double>(t.accepted) / el);
    r.add("mb_per_s", static_cast<double>(t.article_bytes) / el / 1e6);
    r.add("ack_p50_ms", t.ack.percentile_ms(50));
    r.add("ack_p99_ms", t.ack.percentile_ms(99));
    r.add("accepted", t.accepted);
    r.add("refused", t.refused);
    r.add("rejected", t.rejected);
    r.add("deferred", t.deferred);
    r.add("other", t.other);
    r.add("unanswered", t.offered - t.answered());
    r.add("codes", t.codes);
    if (!t.errors.empty()) r.add("errors", join_errors(t.errors));
    std::fputs(opts.json ? r.json().c_str() : r.text().c_str(), stdout);
    return t.errors.empty() ? 0 : 1;
}

}  // namespace tidings::bench
