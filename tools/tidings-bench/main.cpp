// tidings-bench: NNTP feed and reader load generator for any news server (see --help).
#include <cstdio>

#include "feed.h"
#include "options.h"
#include "reader.h"
#include "selftest.h"

int main(int argc, char** argv) {
    using namespace tidings::bench;
    Options opts;
    if (const auto err = parse_options(argc, argv, opts); !err.empty()) {
        std::fprintf(stderr, "tidings-bench: %s\n", err.c_str());
        return 2;
    }
    if (opts.command == "help") {
        std::fputs(help_text, stdout);
        return 0;
    }
    if (opts.command == "selftest") return run_selftest();
    if (opts.command == "corpus") {
        const auto err = dump_corpus(resolve_date(opts.corpus), opts.dump_dir);
        if (!err.empty()) std::fprintf(stderr, "tidings-bench: %s\n", err.c_str());
        return err.empty() ? 0 : 1;
    }
    if (opts.command == "feed") return run_feed(opts);
    return run_read(opts);
}
