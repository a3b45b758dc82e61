#!/usr/bin/env bash
# A quick before/after of the reader's hot path: ARTICLE by number (1 and 4 connections) and by
# Message-ID (4 connections), for two or more tidingsd binaries, each started fresh and empty per
# round, the binaries alternating within each round. Prints each binary's rates per workload, one
# figure per round (requests/s). compare-builds.sh runs the whole matrix; this is for when its
# reader rows need more rounds than the matrix can afford.
#
# Usage: ROUNDS=5 tools/tidings-bench/ab-reader.sh TIDINGSD_A TIDINGSD_B [...]
# Env:   ROUNDS (default 4), BENCH (default build/tools/tidings-bench/tidings-bench)
set -u
top="$(cd "$(dirname "$0")/../.." && pwd)"
[ $# -ge 2 ] || { echo "usage: $0 TIDINGSD_A TIDINGSD_B [...]" >&2; exit 2; }
BENCH=${BENCH:-$top/build/tools/tidings-bench/tidings-bench}
rounds=${ROUNDS:-4}
work=$(mktemp -d /tmp/ab-reader.XXXXXX)
cat > "$work/tidings.toml" <<TOML
[node]
pathhost = "bench.tidings"
data_dir = "$work/data"
log_level = "warn"
[[listen]]
address = "127.0.0.1"
port = 11993
[http]
enabled = false
[[peer]]
name = "bench"
hosts = ["127.0.0.1"]
[[group]]
name = "bench.read.g1"
TOML
common=(--host 127.0.0.1 --port 11993 --json)
rate() { python3 -c 'import json,sys; print(round(json.load(sys.stdin)["requests_per_s"]))'; }
declare -A results
for r in $(seq 1 "$rounds"); do
  for b in "$@"; do
    rm -rf "$work/data"
    "$b" --config "$work/tidings.toml" 2>"$work/tidingsd.log" &
    pid=$!
    for _ in $(seq 1 50); do [ -s "$work/data/tidingsd.listen" ] && break; sleep 0.1; done
    [ -s "$work/data/tidingsd.listen" ] || { echo "$b did not start"; cat "$work/tidingsd.log"; kill $pid; exit 1; }
    "$BENCH" feed --mode streaming --connections 1 --count 20000 --size 2048 --groups 1 --crosspost 0 \
      --group-prefix bench.read.g --seed 99 "${common[@]}" >/dev/null
    sleep 1
    for w in "number 1" "number 4" "id 4"; do
      by=${w% *}; conns=${w#* }
      got=$("$BENCH" read --group bench.read.g1 --op article --by "$by" --connections "$conns" --count 20000 \
        --seed "$r" "${common[@]}" | rate)
      results["$b article-$by-c$conns"]+=" $got"
    done
    kill -TERM $pid; wait $pid
  done
done
for k in "${!results[@]}"; do echo "$k:${results[$k]}"; done | sort
rm -rf "$work"
