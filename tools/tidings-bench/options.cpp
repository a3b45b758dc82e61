// Command line of tidings-bench (see options.h).
#include "options.h"

#include <charconv>
#include <cstdlib>
#include <string_view>

namespace tidings::bench {

const char* const help_text = R"(tidings-bench: NNTP load generator and benchmark for any news server (INN, Tidings...)

Usage:
  tidings-bench feed  [options]   offer a generated corpus over transit (port of innd/tidingsd)
  tidings-bench read  [options]   reader load: MODE READER, GROUP, then OVER or ARTICLE
  tidings-bench corpus --dump-corpus DIR [corpus options]   only write the corpus to files
  tidings-bench selftest          check the corpus generator and the client against a fake server
  tidings-bench --help

Connection options (feed, read):
  --host H            server address (default 127.0.0.1); any name getaddrinfo resolves
  --port P            server port (default 119)
  --connections K     parallel connections, one thread each (default 1)
  --window W          commands in flight per connection (feed default 64; read default 1).
                      ihave mode is always lock-step (window 1)
  --timeout SEC       per read/write timeout (default 60)
  --json              print one JSON object instead of text
  --plain-client      leave Nagle and delayed ACKs on (no TCP_NODELAY/TCP_QUICKACK), to see
                      what a naive client gets from a server that does not set TCP_NODELAY

Corpus options (feed, corpus):
  --count N           articles (default 10000); connection c of K feeds the c-th contiguous slice
  --seed S            corpus seed (default 1); Message-ID is <bench.HEXSEED.INDEX@tidings.test>,
                      so a new seed (or --offset) gives articles the server has not seen
  --offset I          index of the first article (default 0)
  --size BYTES        every article exactly BYTES octets, CRLF text before dot-stuffing
                      (default 2048, minimum 500)
  --sizes mixed       sizes log-uniform over 500 B-64 KB (mean ~13.3 KB, median ~5.7 KB)
  --sizes fixed       the default: use --size
  --body text|yenc    bodies of words (default), or yEnc lines of random bytes as in binary
                      groups (incompressible)
  --groups G          groups bench.g1..bench.gG, uniformly (default 10)
  --group-prefix P    group names P1..PG (default bench.g)
  --crosspost F       fraction of articles also posted to 1-2 other groups (default 0.1)
  --date UNIXTIME     Date: of article i is UNIXTIME - (i mod 3600) s (default: today 00:00 UTC)
  --dump-corpus DIR   also write DIR/<index>.art (LF line ends, not stuffed) and DIR/batch
                      ("path <message-id>" per line, for innxmit)
  Every body has lines starting with "." (stuffed on the wire) and UTF-8 words; headers are
  Path, From, Newsgroups, Subject, Date, Message-ID (RFC 5536) plus MIME ones.

Feed options:
  --mode streaming    MODE STREAM; CHECK each article, TAKETHIS those answered 238 (default)
  --mode takethis     MODE STREAM; TAKETHIS every article without CHECK
  --mode ihave        lock-step IHAVE, 335, article, 235
  Reports articles/s (answered), accepted/s, MB/s (article octets sent, MB = 10^6), time-to-ack
  p50/p99 (from the return of the write carrying an article's last octet, writes being at most
  64 KB plus one article, to reading its 239/235 or 439/437), client CPU seconds, counts:
  accepted (239, 235), refused (438, 435: duplicate/unwanted), rejected (439, 437),
  deferred (431, 436), other codes, unanswered (lost to a 400 or a close), every code seen.

Read options:
  --group G           group to read (default bench.g1)
  --op over           OVER lo-hi requests of --range articles at random offsets (default)
  --op article        ARTICLE requests for random articles of the group
  --by number|id      ARTICLE by number (default) or by Message-ID (ids are first collected
                      with OVER, untimed)
  --range R           articles per OVER request (default 1000)
  --count N           requests in all, split over the connections (default 10000)
  Reports requests/s, MB/s (response octets), latency p50/p99 (request written to the last
  line of its answer), client CPU seconds, codes seen. 423/430 answers count as misses.

Exit status: 0 all answered; 1 a connection failed (error printed); 2 usage error.
Sockets set TCP_NODELAY and TCP_QUICKACK (re-armed after every read) unless --plain-client.
)";

namespace {

template <class T>
bool parse_number(std::string_view s, T& out) {
    const auto* end = s.data() + s.size();
    auto [p, ec] = std::from_chars(s.data(), end, out);
    return ec == std::errc{} && p == end;
}

bool parse_double(const std::string& s, double& out) {
    char* end = nullptr;
    out = std::strtod(s.c_str(), &end);
    return !s.empty() && end == s.c_str() + s.size();
}

}  // namespace

std::string parse_options(int argc, char** argv, Options& o) {
    if (argc < 2) return "missing command (feed, read, corpus, selftest); see --help";
    o.command = argv[1];
    if (o.command == "--help" || o.command == "-h" || o.command == "help") {
        o.command = "help";
        return "";
    }
    if (o.command != "feed" && o.command != "read" && o.command != "corpus" &&
        o.command != "selftest")
        return "unknown command '" + o.command + "'; see --help";
    bool sizes_given = false;
    for (int i = 2; i < argc; ++i) {
        std::string key = argv[i];
        std::string value;
        if (key == "--help" || key == "-h") {
            o.command = "help";
            return "";
        }
        if (key == "--json") {
            o.json = true;
            continue;
        }
        if (key == "--plain-client") {
            o.plain_client = true;
            continue;
        }
        if (const auto eq = key.find('='); eq != std::string::npos) {
            value = key.substr(eq + 1);
            key.resize(eq);
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            return key + " needs a value";
        }
        const std::string bad = "bad value for " + key + ": '" + value + "'";
        if (key == "--host") o.host = value;
        else if (key == "--port") {
            unsigned p = 0;
            if (!parse_number(value, p) || p == 0 || p > 65535) return bad;
            o.port = value;
        } else if (key == "--connections") {
            if (!parse_number(value, o.connections) || o.connections == 0 || o.connections > 1024) return bad;
        } else if (key == "--window") {
            if (!parse_number(value, o.window) || o.window == 0 || o.window > 100000) return bad;
        } else if (key == "--timeout") {
            if (!parse_double(value, o.timeout_s) || o.timeout_s <= 0) return bad;
        } else if (key == "--count") {
            if (!parse_number(value, o.count) || o.count == 0) return bad;
        } else if (key == "--seed") {
            if (!parse_number(value, o.corpus.seed)) return bad;
        } else if (key == "--offset") {
            if (!parse_number(value, o.corpus.first)) return bad;
        } else if (key == "--size") {
            if (!parse_number(value, o.corpus.size) || o.corpus.size < fixed_min_size ||
                o.corpus.size > 100'000'000)
                return bad + " (500 to 100000000)";
            if (!sizes_given) o.corpus.size_mode = SizeMode::fixed;
        } else if (key == "--sizes") {
            if (value == "mixed") o.corpus.size_mode = SizeMode::mixed;
            else if (value == "fixed") o.corpus.size_mode = SizeMode::fixed;
            else return bad + " (mixed or fixed)";
            sizes_given = true;
        } else if (key == "--body") {
            if (value == "text") o.corpus.body = BodyKind::text;
            else if (value == "yenc") o.corpus.body = BodyKind::yenc;
            else return bad + " (text or yenc)";
        } else if (key == "--groups") {
            if (!parse_number(value, o.corpus.groups) || o.corpus.groups == 0) return bad;
        } else if (key == "--crosspost") {
            if (!parse_double(value, o.corpus.crosspost) || o.corpus.crosspost < 0 ||
                o.corpus.crosspost > 1)
                return bad + " (0 to 1)";
        } else if (key == "--group-prefix") {
            if (value.empty() || value.find_first_of(" ,\t") != std::string::npos) return bad;
            o.corpus.group_prefix = value;
        } else if (key == "--date") {
            if (!parse_number(value, o.corpus.date) || o.corpus.date <= 0) return bad;
        } else if (key == "--dump-corpus") o.dump_dir = value;
        else if (key == "--mode") {
            if (value == "streaming") o.mode = FeedMode::streaming;
            else if (value == "takethis") o.mode = FeedMode::takethis;
            else if (value == "ihave") o.mode = FeedMode::ihave;
            else return bad + " (streaming, takethis or ihave)";
        } else if (key == "--group") o.group = value;
        else if (key == "--op") {
            if (value == "over") o.op = ReadOp::over;
            else if (value == "article") o.op = ReadOp::article;
            else return bad + " (over or article)";
        } else if (key == "--by") {
            if (value == "number") o.by = ArticleBy::number;
            else if (value == "id") o.by = ArticleBy::id;
            else return bad + " (number or id)";
        } else if (key == "--range") {
            if (!parse_number(value, o.range) || o.range == 0) return bad;
        } else {
            return "unknown option " + key + "; see --help";
        }
    }
    if (o.count == 0) o.count = 10000;
    if (o.window == 0) o.window = o.command == "feed" ? 64 : 1;
    o.corpus.count = o.count;
    if (o.command == "corpus" && o.dump_dir.empty()) return "corpus needs --dump-corpus DIR";
    return "";
}

}  // namespace tidings::bench
