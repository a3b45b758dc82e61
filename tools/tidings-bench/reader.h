// Read mode: newsreader load (MODE READER, GROUP, then OVER ranges or ARTICLE fetches).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "options.h"
#include "report.h"

namespace tidings::bench {

struct ReadTotals {
    std::uint64_t requests = 0;   // requests answered
    std::uint64_t misses = 0;     // 423, 430
    std::uint64_t bytes = 0;      // answer octets, status lines included
    double elapsed_s = 0;
    double client_cpu_s = 0;        // this process's CPU over the same interval
    Report::Codes codes;
    Latencies latency;
    std::vector<std::string> errors;
};

// Runs opts.count requests over opts.connections connections against opts.group.
ReadTotals read_load(const Options& opts);

// `tidings-bench read`: runs the load and prints the report. Returns the exit status.
int run_read(const Options& opts);

}  // namespace tidings::bench
