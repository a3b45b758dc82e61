#!/usr/bin/env bash
# Before/after for a change: two tidingsd binaries (e.g. the commit before a refactor and the
# tree now), each started fresh and empty per round, rounds alternating A, B, A, B... so that a
# noisy neighbour spreads over both; the whole baseline.sh matrix (feed and reader workloads)
# against each; one Markdown table per binary over all rounds (median, min–max).
#
# Usage: tools/tidings-bench/compare-builds.sh A_TIDINGSD B_TIDINGSD [ROUNDS]   (default 3)
# Env:   FEED_COUNT (articles per streaming/TAKETHIS feed run, as baseline.sh; default 20000)
#        BENCH (tidings-bench; default build/tools/tidings-bench/tidings-bench)
# Output: /tmp/cmpb/{a,b}-N.jsonl and the two tables on stdout.
set -u
top="$(cd "$(dirname "$0")/../.." && pwd)"
[ $# -ge 2 ] || { echo "usage: $0 A_TIDINGSD B_TIDINGSD [ROUNDS]" >&2; exit 2; }
declare -A bins=([a]="$1" [b]="$2")
rounds=${3:-3}
export BENCH=${BENCH:-$top/build/tools/tidings-bench/tidings-bench}
mkdir -p /tmp/cmpb
cat > /tmp/cmpb/tidings.toml <<TOML
[node]
pathhost = "bench.tidings"
data_dir = "/tmp/cmpb/data"
log_level = "warn"
[[listen]]
address = "127.0.0.1"
port = 11992
[http]
enabled = false
[[peer]]
name = "bench"
hosts = ["127.0.0.1"]
TOML
for i in $(seq 1 10); do printf '[[group]]\nname = "bench.g%d"\n' "$i" >> /tmp/cmpb/tidings.toml; done
printf '[[group]]\nname = "bench.read.g1"\n' >> /tmp/cmpb/tidings.toml
for round in $(seq 1 "$rounds"); do
  for which in a b; do
    rm -rf /tmp/cmpb/data
    "${bins[$which]}" --config /tmp/cmpb/tidings.toml 2>/tmp/cmpb/tidingsd-$which.log &
    pid=$!
    for _ in $(seq 1 50); do [ -s /tmp/cmpb/data/tidingsd.listen ] && break; sleep 0.1; done
    [ -s /tmp/cmpb/data/tidingsd.listen ] || { echo "tidingsd ($which) did not start"; cat /tmp/cmpb/tidingsd-$which.log; exit 1; }
    PORT=11992 SERVER_PID=$pid SEED_BASE=$((round * 10000)) "$top/tools/tidings-bench/baseline.sh" --runs 1 \
      --jsonl /tmp/cmpb/$which-$round.jsonl > /tmp/cmpb/$which-$round.out 2>&1
    kill -TERM $pid; wait $pid
  done
done
for which in a b; do
  echo "## $which: ${bins[$which]}"
  "$top/tools/tidings-bench/baseline.sh" --summarize /tmp/cmpb/$which-*.jsonl
done
