// Results: latency percentiles and a report printed as aligned text or one JSON object.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace tidings::bench {

// Latency samples in microseconds; percentile() sorts in place (call after the run).
struct Latencies {
    std::vector<std::uint32_t> us;
    void add_seconds(double s) { us.push_back(static_cast<std::uint32_t>(s * 1e6 + 0.5)); }
    void merge(const Latencies& other) { us.insert(us.end(), other.us.begin(), other.us.end()); }
    // Nearest-rank percentile in milliseconds; 0 when there are no samples.
    double percentile_ms(double p);
};

// User + system CPU seconds this process has used so far (all threads).
double process_cpu_seconds();

class Report {
public:
    using Codes = std::map<int, std::uint64_t>;
    using Value = std::variant<std::uint64_t, double, std::string, Codes>;

    void add(std::string key, Value value) { fields_.emplace_back(std::move(key), std::move(value)); }
    // Text: one "key  value" line each; JSON: one object on one line, keys in insertion order.
    std::string text() const;
    std::string json() const;

private:
    std::vector<std::pair<std::string, Value>> fields_;
};

}  // namespace tidings::bench
