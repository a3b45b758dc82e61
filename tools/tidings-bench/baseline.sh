#!/usr/bin/env bash
# The standard tidings-bench matrix against one NNTP server (INN, Tidings...): every feed
# and reader workload, --runs times, interleaved (run 1 of all, then run 2...) so a noisy
# neighbour spreads over all of them; prints a Markdown table of median (min-max).
# The server must start empty of these articles (seeds repeat across invocations: set
# SEED_BASE to feed new ones), carry bench.g1..bench.g10 and bench.read.g1, and accept
# transit and MODE READER on one port.
#
# Usage: baseline.sh [--runs N] [--jsonl FILE] [--only REGEX]
#        baseline.sh --summarize FILE.jsonl...   (the table over earlier runs' raw results)
# Env:   BENCH (tidings-bench binary; default: build-bench/ next to the repo root)
#        HOST (127.0.0.1)  PORT (1119)  SEED_BASE (1000)
#        FEED_COUNT (20000): articles per streaming/TAKETHIS/mixed feed run (IHAVE runs keep
#        20,000: lock-step is slow). At 70k articles/s 20,000 last a quarter of a second, so
#        one checkpoint moves a median; 100000 gives steadier figures.
#        SERVER_PID (optional: the ingesting process, for its CPU time per accepted article)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
BENCH=${BENCH:-$root/build-bench/tools/tidings-bench/tidings-bench}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-1119}
SEED_BASE=${SEED_BASE:-1000}
FEED_COUNT=${FEED_COUNT:-20000}
summarize() {  # jsonl files -> Markdown table
python3 - "$@" <<'PY'
import json, statistics, sys
rows = {}
for line in (l for f in sys.argv[1:] for l in open(f)):
    r = json.loads(line)
    if r["result"] is None: continue
    rows.setdefault(r["workload"], []).append(r)
def fmt(xs, digits):
    xs = sorted(xs)
    f = lambda v: f"{v:,.{digits}f}"
    return f"{f(statistics.median(xs))} ({f(xs[0])}–{f(xs[-1])})"
print("| workload | runs | per second: median (min–max) | MB/s | p50 ms | p99 ms | server CPU µs/article | client CPU µs/op | load avg | answers |")
print("|---|---|---|---|---|---|---|---|---|---|")
for name, rs in rows.items():
    res = [r["result"] for r in rs]
    feed = res[0]["command"] == "feed"
    rate = [x["articles_per_s" if feed else "requests_per_s"] for x in res]
    p50 = [x["ack_p50_ms" if feed else "latency_p50_ms"] for x in res]
    p99 = [x["ack_p99_ms" if feed else "latency_p99_ms"] for x in res]
    cpu = "–"
    if feed and all(r["server_cpu_s"] > 0 and r["result"]["accepted"] for r in rs):
        cpu = fmt([r["server_cpu_s"] * 1e6 / r["result"]["accepted"] for r in rs], 0)
    ops = [x["offered"] if feed else x["requests"] for x in res]
    cl = [x["client_cpu_s"] * 1e6 / max(n, 1) for x, n in zip(res, ops) if "client_cpu_s" in x]
    client = fmt(cl, 0) if cl else "–"
    load = fmt([float(r["loadavg"].split()[0]) for r in rs], 1)
    codes = {}
    for x in res:
        for c, n in x["codes"].items(): codes[c] = codes.get(c, 0) + n
    answers = " ".join(f"{c}:{n}" for c, n in sorted(codes.items()))
    if any("errors" in x for x in res): answers += " ERRORS"
    print(f"| {name} | {len(res)} | {fmt(rate, 0)} | {fmt([x['mb_per_s'] for x in res], 1)} "
          f"| {fmt(p50, 2)} | {fmt(p99, 2)} | {cpu} | {client} | {load} | {answers} |")
PY
}
runs=3
jsonl=$(mktemp /tmp/tidings-baseline.XXXXXX.jsonl)
only=.
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=$2; shift 2;;
    --jsonl) jsonl=$2; shift 2;;
    --only) only=$2; shift 2;;
    --summarize) shift; summarize "$@"; exit 0;;
    *) echo "usage: $0 [--runs N] [--jsonl FILE] [--only REGEX]" >&2; exit 2;;
  esac
done
[ -x "$BENCH" ] || { echo "no tidings-bench at $BENCH (set BENCH)" >&2; exit 1; }
: > "$jsonl"
common=(--host "$HOST" --port "$PORT" --json)

feeds=(
  "feed-streaming-2k-c1|--mode streaming --connections 1 --window 64 --count $FEED_COUNT --size 2048"
  "feed-streaming-2k-c4|--mode streaming --connections 4 --window 64 --count $FEED_COUNT --size 2048"
  "feed-takethis-2k-c1|--mode takethis --connections 1 --window 64 --count $FEED_COUNT --size 2048"
  "feed-takethis-2k-c4|--mode takethis --connections 4 --window 64 --count $FEED_COUNT --size 2048"
  "feed-streaming-mixed-c1|--mode streaming --connections 1 --window 64 --count $FEED_COUNT --sizes mixed"
  "feed-streaming-mixed-c4|--mode streaming --connections 4 --window 64 --count $FEED_COUNT --sizes mixed"
  "feed-ihave-2k-c1|--mode ihave --connections 1 --count 20000 --size 2048"
  "feed-ihave-2k-c4|--mode ihave --connections 4 --count 20000 --size 2048"
)
reads=(
  "read-over-1000-c1|--op over --range 1000 --connections 1 --count 2000"
  "read-over-1000-c4|--op over --range 1000 --connections 4 --count 2000"
  "read-article-number-c1|--op article --by number --connections 1 --count 20000"
  "read-article-number-c4|--op article --by number --connections 4 --count 20000"
  "read-article-id-c1|--op article --by id --connections 1 --count 20000"
  "read-article-id-c4|--op article --by id --connections 4 --count 20000"
)

cpu_ticks() {  # utime + stime of SERVER_PID, in clock ticks
  [ -n "${SERVER_PID:-}" ] && [ -r "/proc/$SERVER_PID/stat" ] || { echo 0; return; }
  sed 's/^.*) //' "/proc/$SERVER_PID/stat" | awk '{print $12 + $13}'
}
hz=$(getconf CLK_TCK)

run_one() {  # name run seed args...
  local name=$1 run=$2 seed=$3; shift 3
  local before after out
  before=$(cpu_ticks)
  out=$("$BENCH" "$@" --seed "$seed" "${common[@]}") || echo "warning: $name run $run reported errors" >&2
  after=$(cpu_ticks)
  printf '{"workload":"%s","run":%d,"loadavg":"%s","server_cpu_s":%s,"result":%s}\n' "$name" "$run" \
    "$(cut -d' ' -f1-3 /proc/loadavg)" \
    "$(awk -v a="$after" -v b="$before" -v hz="$hz" 'BEGIN{printf "%.3f", (a-b)/hz}')" \
    "${out:-null}" >> "$jsonl"
  echo "$name run $run: $(printf '%s' "$out" | head -c 220)" >&2
}

# The reader data set: 20,000 x 2 KB in one group, fed once before any reader run.
if printf '%s\n' "${reads[@]}" | grep -qE "$only"; then
  "$BENCH" feed --mode streaming --connections 1 --count 20000 --size 2048 --groups 1 \
    --crosspost 0 --group-prefix bench.read.g --seed "$((SEED_BASE + 99))" "${common[@]}" >&2
fi
for run in $(seq 1 "$runs"); do
  w=0
  for entry in "${feeds[@]}"; do
    w=$((w + 1)); name=${entry%%|*}
    [[ $name =~ $only ]] || continue
    # shellcheck disable=SC2086
    run_one "$name" "$run" "$((SEED_BASE + 100 * w + run))" feed ${entry#*|}
  done
  for entry in "${reads[@]}"; do
    name=${entry%%|*}
    [[ $name =~ $only ]] || continue
    # shellcheck disable=SC2086
    run_one "$name" "$run" "$((SEED_BASE + run))" read --group bench.read.g1 ${entry#*|}
  done
done

summarize "$jsonl"
echo "raw results: $jsonl" >&2
