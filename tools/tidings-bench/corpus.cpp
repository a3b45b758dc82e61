// Deterministic benchmark corpus: generation, dot-stuffing and dumping to files.
#include "corpus.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "rng.h"

namespace tidings::bench {
namespace {

// Words for bodies; a few are UTF-8 so servers and clients see 8-bit text (RFC 5536 §2.1
// allows it in bodies; headers stay ASCII).
constexpr std::array<std::string_view, 40> words = {
    "news",   "article", "server",  "transit", "reader", "peer",     "feed",    "spool",
    "the",    "a",       "of",      "and",     "to",     "in",       "is",      "that",
    "group",  "thread",  "reply",   "posting", "header", "overview", "history", "batch",
    "naïve",  "café",    "Grüße",   "façade",  "smørrebrød", "Ελληνικά", "日本語", "Привет",
    "über",   "niño",    "crème",   "déjà",    "vu",     "€",        "ok",      "yes"};

constexpr std::string_view pad_chars = "abcdefghijklmnopqrstuvwxyz0123456789";

// One body line of exactly `len` octets (CRLF excluded); UTF-8 words are only placed whole,
// so truncation never splits a character.
std::string make_line(Rng& rng, std::size_t len, bool dot_start) {
    std::string line;
    line.reserve(len);
    if (dot_start) {
        // The lines servers and clients get wrong: ".", "..", ".text", "..text".
        const auto kind = rng.below(4);
        line = kind == 0 ? "." : kind == 1 ? ".." : kind == 2 ? ".dot " : "..dots ";
    } else if (rng.below(8) == 0) {
        line = "> ";
    }
    while (line.size() < len) {
        const auto word = words[rng.below(words.size())];
        if (line.size() + word.size() + 1 > len) break;
        line += word;
        line += ' ';
    }
    if (line.size() > len) line.resize(len);  // only the ASCII prefix can overshoot
    while (line.size() < len) line += pad_chars[rng.below(pad_chars.size())];
    return line;
}

// One yEnc line (yEnc 1.3: each byte + 42 mod 256; NUL, LF, CR and '=' escaped as '=' and the
// value + 64) of exactly `len` octets, from random bytes.
std::string make_yenc_line(Rng& rng, std::size_t len, bool dot_start) {
    std::string line;
    line.reserve(len);
    if (dot_start) line += '.';  // the byte 4: dot-stuffed on the wire
    while (line.size() < len) {
        const auto v = static_cast<unsigned char>((rng.below(256) + 42) & 0xff);
        const bool escape = v == 0 || v == '\n' || v == '\r' || v == '=';
        if (!escape) {
            line += static_cast<char>(v);
        } else if (line.size() + 2 <= len) {
            line += '=';
            line += static_cast<char>((v + 64) & 0xff);
        }
    }
    return line;
}

std::string format_date(std::int64_t unix_time) {
    const std::time_t t = static_cast<std::time_t>(unix_time);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    // The C locale's names are the RFC 5322 ones; we never call setlocale.
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    return buf;
}

std::uint64_t article_seed(const CorpusSpec& spec, std::uint64_t index) {
    return mix64(mix64(spec.seed) ^ (index * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL));
}

std::vector<std::string> pick_groups(const CorpusSpec& spec, Rng& rng) {
    const unsigned n = spec.groups == 0 ? 1 : spec.groups;
    std::vector<std::string> out;
    std::vector<unsigned> chosen{static_cast<unsigned>(rng.below(n)) + 1};
    if (n > 1 && rng.unit() < spec.crosspost) {
        const unsigned extra = 1 + static_cast<unsigned>(rng.below(2));
        for (unsigned k = 0; k < extra && chosen.size() < n; ++k) {
            unsigned g = static_cast<unsigned>(rng.below(n)) + 1;
            while (std::find(chosen.begin(), chosen.end(), g) != chosen.end()) g = g % n + 1;
            chosen.push_back(g);
        }
    }
    for (const unsigned g : chosen) out.push_back(spec.group_prefix + std::to_string(g));
    return out;
}

}  // namespace

CorpusSpec resolve_date(CorpusSpec spec) {
    if (spec.date == 0) {
        const auto now = static_cast<std::int64_t>(std::time(nullptr));
        spec.date = now - now % 86400;
    }
    return spec;
}

std::size_t article_size(const CorpusSpec& spec, std::uint64_t index) {
    if (spec.size_mode == SizeMode::fixed) return spec.size;
    Rng rng{article_seed(spec, index) ^ 0x5151};
    const double lo = std::log(static_cast<double>(mixed_min_size));
    const double hi = std::log(static_cast<double>(mixed_max_size));
    const auto size = static_cast<std::size_t>(std::exp(lo + (hi - lo) * rng.unit()));
    return std::clamp(size, mixed_min_size, mixed_max_size);
}

Article make_article(const CorpusSpec& spec, std::uint64_t index) {
    Rng rng{article_seed(spec, index)};
    Article a;
    char id[96];
    std::snprintf(id, sizeof id, "<bench.%llx.%llu@tidings.test>",
                  static_cast<unsigned long long>(spec.seed),
                  static_cast<unsigned long long>(index));
    a.message_id = id;
    a.groups = pick_groups(spec, rng);

    std::string newsgroups;
    for (const auto& g : a.groups) newsgroups += (newsgroups.empty() ? "" : ",") + g;
    std::string& t = a.text;
    const std::size_t target = article_size(spec, index);
    t.reserve(target);
    // RFC 5536 §3.1: the six mandatory headers, then a few common ones.
    t += "Path: bench.tidings.test!not-for-mail\r\n";
    t += "From: Bench Poster <poster" + std::to_string(rng.below(1000)) + "@bench.tidings.test>\r\n";
    t += "Newsgroups: " + newsgroups + "\r\n";
    t += "Subject: Bench article " + std::to_string(index) + " about " +
         std::string(words[rng.below(24)]) + "\r\n";
    t += "Date: " + format_date(spec.date - static_cast<std::int64_t>(index % 3600)) + "\r\n";
    t += "Message-ID: " + a.message_id + "\r\n";
    t += "Organization: Tidings bench corpus\r\n";
    t += "User-Agent: tidings-bench/1\r\n";
    t += "MIME-Version: 1.0\r\n";
    if (spec.body == BodyKind::yenc) {
        t += "Content-Type: application/octet-stream\r\n";
    } else {
        t += "Content-Type: text/plain; charset=UTF-8\r\n";
    }
    t += "Content-Transfer-Encoding: 8bit\r\n";
    t += "\r\n";

    // Body: lines of 20-78 octets until the article is exactly `target` octets. The first
    // line always starts with a dot so every article exercises dot-stuffing.
    std::size_t remaining = target > t.size() + 2 ? target - t.size() : 2;
    bool first_line = true;
    while (remaining > 0) {
        std::size_t len;
        if (remaining <= 80) {
            len = remaining - 2;
        } else if (spec.body == BodyKind::yenc) {
            len = std::min<std::size_t>(128, remaining - 2);  // yEnc's usual line=128
            if (remaining - (len + 2) == 1) --len;
        } else if (rng.below(40) == 0) {
            len = 1 + rng.below(2);  // a bare "." or "..": the terminator's look-alikes
        } else {
            len = 20 + rng.below(59);
            if (remaining - (len + 2) == 1) --len;  // never leave one octet: a line needs CRLF
        }
        const bool dot = first_line || len <= 2 || rng.below(20) == 0;
        t += spec.body == BodyKind::yenc ? make_yenc_line(rng, len, first_line) : make_line(rng, len, dot);
        t += "\r\n";
        remaining -= len + 2;
        first_line = false;
    }
    return a;
}

std::string dot_stuff(std::string_view crlf_text) {
    std::string out;
    out.reserve(crlf_text.size() + crlf_text.size() / 64 + 3);
    bool line_start = true;
    for (const char c : crlf_text) {
        if (line_start && c == '.') out += '.';
        out += c;
        line_start = c == '\n';
    }
    out += ".\r\n";
    return out;
}

bool dot_unstuff(std::string_view wire, std::string& out) {
    out.clear();
    std::size_t pos = 0;
    while (pos < wire.size()) {
        const auto end = wire.find("\r\n", pos);
        if (end == std::string_view::npos) return false;
        std::string_view line = wire.substr(pos, end - pos);
        if (line.find('\n') != std::string_view::npos || line.find('\r') != std::string_view::npos)
            return false;
        pos = end + 2;
        if (line == ".") return pos == wire.size();
        if (!line.empty() && line[0] == '.') {
            if (line.size() < 2 || line[1] != '.') return false;  // unstuffed dot line
            line.remove_prefix(1);
        }
        out += line;
        out += "\r\n";
    }
    return false;
}

std::string dump_corpus(const CorpusSpec& spec, const std::string& dir) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return "cannot create " + dir + ": " + ec.message();
    const auto abs = fs::absolute(dir, ec).string();
    std::ofstream batch(dir + "/batch", std::ios::binary);
    if (!batch) return "cannot write " + dir + "/batch";
    for (std::uint64_t i = spec.first; i < spec.first + spec.count; ++i) {
        const Article a = make_article(spec, i);
        const std::string path = abs + "/" + std::to_string(i) + ".art";
        std::ofstream f(path, std::ios::binary);
        std::string native;
        native.reserve(a.text.size());
        for (const char c : a.text)
            if (c != '\r') native += c;
        f << native;
        if (!f) return "cannot write " + path;
        batch << path << ' ' << a.message_id << '\n';
    }
    return batch ? "" : "cannot write " + dir + "/batch";
}

}  // namespace tidings::bench
