// Deterministic benchmark corpus: article i of seed s is the same bytes on every run and machine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tidings::bench {

enum class SizeMode : std::uint8_t { fixed, mixed };
// Text bodies (words, compress ~3:1) or yEnc-encoded random bytes, as binary groups carry
// (incompressible: what COMPRESS costs without saving).
enum class BodyKind : std::uint8_t { text, yenc };

// Bounds of --sizes mixed: log-uniform over [min, max] (mean ~13.3 KB), which puts most
// articles near the small end and a long tail of large ones, as on a text feed.
inline constexpr std::size_t mixed_min_size = 500;
inline constexpr std::size_t mixed_max_size = 65536;
// --size below this cannot hold the headers plus a body line.
inline constexpr std::size_t fixed_min_size = 500;

struct CorpusSpec {
    std::uint64_t seed = 1;
    std::uint64_t first = 0;          // index of the first article (--offset)
    std::uint64_t count = 10000;
    SizeMode size_mode = SizeMode::fixed;
    std::size_t size = 2048;          // exact article size in octets (CRLF text, unstuffed)
    unsigned groups = 10;             // bench.g1 .. bench.gN
    double crosspost = 0.1;           // fraction of articles posted to 2-3 groups
    std::int64_t date = 0;            // Unix time used in Date:, 0 = today 00:00 UTC
    std::string group_prefix = "bench.g";
    BodyKind body = BodyKind::text;
};

struct Article {
    std::string message_id;           // with angle brackets
    std::vector<std::string> groups;
    std::string text;                 // headers, blank line, body; CRLF line ends; not stuffed
};

// Resolves spec.date == 0 to today's midnight UTC; everything else is a pure function of spec.
CorpusSpec resolve_date(CorpusSpec spec);

// Article number `index` (absolute: spec.first is not added). Pure: same spec, same bytes.
Article make_article(const CorpusSpec& spec, std::uint64_t index);

// The size article `index` will have (also exposed for the self-test's range check).
std::size_t article_size(const CorpusSpec& spec, std::uint64_t index);

// RFC 3977 §3.1.1: a line starting with "." gets another "."; the block ends with ".\r\n".
// `crlf_text` must end with CRLF.
std::string dot_stuff(std::string_view crlf_text);

// Inverse of dot_stuff; returns false when the block is malformed (no terminator, bare LF...).
bool dot_unstuff(std::string_view wire, std::string& out);

// Writes each article as DIR/<index>.art in native form (LF line ends, not stuffed) and
// DIR/batch listing "path <message-id>" lines, the format innxmit reads. Returns "" or an error.
std::string dump_corpus(const CorpusSpec& spec, const std::string& dir);

}  // namespace tidings::bench
