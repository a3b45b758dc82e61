// Results: latency percentiles and text/JSON reports (see report.h).
#include "report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <sys/resource.h>

namespace tidings::bench {
namespace {

std::string number(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, std::fabs(v) >= 100 ? "%.1f" : "%.3f", v);
    return buf;
}

std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

template <class F>
std::string render(const Report::Value& v, F quote) {
    if (const auto* u = std::get_if<std::uint64_t>(&v)) return std::to_string(*u);
    if (const auto* d = std::get_if<double>(&v)) return number(*d);
    if (const auto* s = std::get_if<std::string>(&v)) return quote(*s);
    return {};
}

}  // namespace

double process_cpu_seconds() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    auto s = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; };
    return s(ru.ru_utime) + s(ru.ru_stime);
}

double Latencies::percentile_ms(double p) {
    if (us.empty()) return 0;
    std::sort(us.begin(), us.end());
    auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(us.size())));
    rank = std::clamp<std::size_t>(rank, 1, us.size());
    return us[rank - 1] / 1000.0;
}

std::string Report::text() const {
    std::string out;
    for (const auto& [key, value] : fields_) {
        std::string line = key;
        line.resize(std::max<std::size_t>(line.size() + 1, 18), ' ');
        if (const auto* codes = std::get_if<Codes>(&value)) {
            for (const auto& [code, n] : *codes) line += std::to_string(code) + ":" + std::to_string(n) + " ";
        } else {
            line += render(value, [](const std::string& s) { return s; });
        }
        out += line + "\n";
    }
    return out;
}

std::string Report::json() const {
    std::string out = "{";
    for (const auto& [key, value] : fields_) {
        if (out.size() > 1) out += ",";
        out += json_string(key) + ":";
        if (const auto* codes = std::get_if<Codes>(&value)) {
            std::string obj = "{";
            for (const auto& [code, n] : *codes) {
                if (obj.size() > 1) obj += ",";
                // Appended piecewise: gcc 12 warns (-Wrestrict, a false positive) on "x" + string.
                obj += '"';
                obj += std::to_string(code);
                obj += "\":";
                obj += std::to_string(n);
            }
            out += obj + "}";
        } else {
            out += render(value, json_string);
        }
    }
    return out + "}\n";
}

}  // namespace tidings::bench
