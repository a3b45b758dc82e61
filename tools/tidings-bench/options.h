// Command line of tidings-bench: one Options struct for every sub-command, and the --help text.
#pragma once

#include <cstdint>
#include <string>

#include "corpus.h"

namespace tidings::bench {

enum class FeedMode : std::uint8_t { streaming, takethis, ihave };
enum class ReadOp : std::uint8_t { over, article };
enum class ArticleBy : std::uint8_t { number, id };

struct Options {
    std::string command;              // feed | read | corpus | selftest | help
    std::string host = "127.0.0.1";
    std::string port = "119";
    unsigned connections = 1;
    unsigned window = 0;              // 0: the command's default (feed 64, read 1)
    FeedMode mode = FeedMode::streaming;
    std::uint64_t count = 0;          // 0: default 10000 (articles fed / requests read)
    CorpusSpec corpus;
    std::string dump_dir;
    std::string group = "bench.g1";
    ReadOp op = ReadOp::over;
    ArticleBy by = ArticleBy::number;
    std::uint64_t range = 1000;       // articles per OVER request
    double timeout_s = 60;
    bool json = false;
    bool plain_client = false;        // no TCP_NODELAY, no TCP_QUICKACK
};

// Parses argv; returns "" or an error message for the user.
std::string parse_options(int argc, char** argv, Options& out);

extern const char* const help_text;

}  // namespace tidings::bench
