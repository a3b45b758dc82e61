// Feed mode: offer a corpus over K transit connections (streaming, TAKETHIS-only or IHAVE).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "options.h"
#include "report.h"

namespace tidings::bench {

struct WireArticle {
    std::string message_id;
    std::string wire;  // dot-stuffed, CRLF, ending ".\r\n"
};

struct FeedTotals {
    std::uint64_t offered = 0;      // articles in the connections' slices
    std::uint64_t accepted = 0;     // 239, 235
    std::uint64_t refused = 0;      // 438, 435
    std::uint64_t rejected = 0;     // 439, 437
    std::uint64_t deferred = 0;     // 431, 436
    std::uint64_t other = 0;        // any other final answer
    std::uint64_t article_bytes = 0;  // article octets written (stuffed, with terminator)
    double elapsed_s = 0;           // all connections ready -> last answer read
    double client_cpu_s = 0;        // this process's CPU over the same interval
    Report::Codes codes;
    Latencies ack;
    std::vector<std::string> errors;
    std::uint64_t answered() const { return accepted + refused + rejected + deferred + other; }
};

// The wire form of articles [spec.first, spec.first + spec.count).
std::vector<WireArticle> make_wire_corpus(const CorpusSpec& spec);

// Feeds `corpus` to opts.host:opts.port over opts.connections connections; connection c
// takes the c-th contiguous slice. Never throws on network trouble: errors are in the totals.
FeedTotals feed(const Options& opts, const std::vector<WireArticle>& corpus);

// `tidings-bench feed`: builds the corpus, feeds it, prints the report. Returns the exit status.
int run_feed(const Options& opts);

// Printable form of a server line for error messages: control octets dropped, truncated.
std::string sanitize(std::string_view line);

// The first few errors, "; "-separated, for reports.
std::string join_errors(const std::vector<std::string>& errors);

}  // namespace tidings::bench
