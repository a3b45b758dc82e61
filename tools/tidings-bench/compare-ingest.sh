#!/usr/bin/env bash
# Side-by-side ingest: Tidings (durable, the default) and INN 2.7 (conformance/inn), a fresh
# instance of each per round, the same tidings-bench feed matrix (baseline.sh --only feed).
# Usage: tools/tidings-bench/compare-ingest.sh [ROUNDS]   (from a built tree: build/)
# Output: /tmp/cmp/{tidings,inn}-N.jsonl; summarize with baseline.sh --summarize.
set -u
top="$(cd "$(dirname "$0")/../.." && pwd)"
rounds=${1:-3}
mkdir -p /tmp/cmp
cat > /tmp/cmp/tidings.toml <<TOML
[node]
pathhost = "bench.tidings"
data_dir = "/tmp/cmp/data"
log_level = "warn"
[[listen]]
address = "127.0.0.1"
port = 11990
[[peer]]
name = "bench"
hosts = ["127.0.0.1"]
TOML
for i in $(seq 1 10); do printf '[[group]]\nname = "bench.g%d"\n' "$i" >> /tmp/cmp/tidings.toml; done
printf '[[group]]\nname = "bench.read.g1"\n' >> /tmp/cmp/tidings.toml
export BENCH=$top/build/tools/tidings-bench/tidings-bench
for round in $(seq 1 "$rounds"); do
  rm -rf /tmp/cmp/data
  $top/build/server/tidingsd --config /tmp/cmp/tidings.toml 2>/tmp/cmp/tidingsd.log &
  pid=$!; sleep 1
  [ -s /tmp/cmp/data/tidingsd.listen ] || { echo "tidingsd did not start"; cat /tmp/cmp/tidingsd.log; exit 1; }
  PORT=11990 SERVER_PID=$pid SEED_BASE=$((round*10000)) $top/tools/tidings-bench/baseline.sh --runs 1 --only feed --jsonl /tmp/cmp/tidings-$round.jsonl > /tmp/cmp/tidings-$round.out 2>&1
  grep -E "^VmRSS|^RssAnon|^RssFile" /proc/$pid/status > /tmp/cmp/tidings-$round.rss
  kill -TERM $pid; wait $pid
  CI=true $top/conformance/inn/setup </dev/null >/tmp/cmp/inn-setup.log 2>&1
  $top/conformance/inn/start >/dev/null 2>&1
  PORT=1190 SERVER_PID=$(cat /tmp/tidings-innlab/run/innd.pid) SEED_BASE=$((round*10000)) $top/tools/tidings-bench/baseline.sh --runs 1 --only feed --jsonl /tmp/cmp/inn-$round.jsonl > /tmp/cmp/inn-$round.out 2>&1
  $top/conformance/inn/stop >/dev/null 2>&1
done
echo done
