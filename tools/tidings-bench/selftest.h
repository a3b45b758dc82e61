// `tidings-bench selftest`: the corpus generator's promises and a round trip through a fake server.
#pragma once

namespace tidings::bench {

// Prints one line per check; returns 0 when all pass, 1 otherwise.
int run_selftest();

}  // namespace tidings::bench
