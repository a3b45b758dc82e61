#!/usr/bin/env bash
# Ingest with and without 50 [[filter.rule]]s: one tidingsd binary, a fresh empty store per run,
# runs alternating "none" and "50 rules" so a noisy neighbour spreads over both. The rules use
# every condition (31 header regexes over six headers, posting host, size, crossposts,
# followups, one counting repeated bodies) and none matches the generated corpus, so every
# article is judged by all 50: the worst case for the filter's cost.
#
# Usage: tools/tidings-bench/filter-bench.sh [ROUNDS]   (default 3)
# Env:   TIDINGSD (default build/server/tidingsd), BENCH (default build/tools/tidings-bench/tidings-bench),
#        FEED_COUNT (articles per run, default 60000), MODE (takethis | streaming, default takethis),
#        CONNS (default 4), DURABILITY (durable | relaxed, default durable)
# Output: one line per run, then medians (min–max) of articles/s and server CPU µs per article.
set -u
top="$(cd "$(dirname "$0")/../.." && pwd)"
rounds=${1:-3}
tidingsd=${TIDINGSD:-$top/build/server/tidingsd}
bench=${BENCH:-$top/build/tools/tidings-bench/tidings-bench}
count=${FEED_COUNT:-60000}
mode=${MODE:-takethis}
conns=${CONNS:-4}
durability=${DURABILITY:-durable}
work=/tmp/filter-bench
mkdir -p "$work"

base_config() {
  cat <<TOML
[node]
pathhost = "bench.tidings"
data_dir = "$work/data"
log_level = "warn"
[storage]
durability = "$durability"
[[listen]]
address = "127.0.0.1"
port = 11993
[http]
enabled = false
[[peer]]
name = "bench"
hosts = ["127.0.0.1"]
TOML
  for i in $(seq 1 10); do printf '[[group]]\nname = "bench.g%d"\n' "$i"; done
}

rules() {
  local i headers=(Subject From Organization Path Newsgroups User-Agent)
  for i in $(seq 1 31); do
    local h=${headers[$((i % ${#headers[@]}))]}
    printf '[[filter.rule]]\nname = "regex-%d"\nheader = "%s"\nregex = "(?i)(cheap|free|win)[ -]?(pills|money|prize)%d"\n' "$i" "$h" "$i"
  done
  for i in $(seq 1 5); do
    printf '[[filter.rule]]\nname = "host-%d"\nposting_host = "\\\\.spam%d\\\\.example$"\n' "$i" "$i"
  done
  for i in $(seq 1 5); do
    printf '[[filter.rule]]\nname = "size-%d"\nsources = ["bench"]\nmin_bytes = %d\naction = "quarantine"\n' "$i" $((1000000 * i))
  done
  for i in $(seq 1 4); do
    printf '[[filter.rule]]\nname = "cross-%d"\nmin_groups = %d\n' "$i" $((10 + i))
  done
  for i in $(seq 1 4); do
    printf '[[filter.rule]]\nname = "followup-%d"\nmin_followup_groups = %d\n' "$i" $((5 + i))
  done
  printf '[[filter.rule]]\nname = "emp"\nmin_body_copies = 1000\nbody_window_s = 3600\n'
}

base_config > "$work/none.toml"
{ base_config; rules; } > "$work/rules.toml"
[ "$(grep -c '^\[\[filter.rule\]\]' "$work/rules.toml")" = 50 ] || { echo "expected 50 rules" >&2; exit 1; }
hz=$(getconf CLK_TCK)
: > "$work/results"
for round in $(seq 1 "$rounds"); do
  for which in none rules; do
    rm -rf "$work/data"
    "$tidingsd" --config "$work/$which.toml" 2>"$work/tidingsd-$which.log" &
    pid=$!
    for _ in $(seq 1 50); do [ -s "$work/data/tidingsd.listen" ] && break; sleep 0.1; done
    [ -s "$work/data/tidingsd.listen" ] || { echo "tidingsd ($which) did not start"; cat "$work/tidingsd-$which.log"; exit 1; }
    before=$(sed 's/^.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}')
    out=$("$bench" feed --port 11993 --mode "$mode" --connections "$conns" --window 64 --count "$count" \
          --size 2048 --seed "$((round * 100 + ${#which}))" --json)
    after=$(sed 's/^.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}')
    kill -TERM $pid; wait $pid
    rate=$(printf '%s' "$out" | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["articles_per_s"]))')
    accepted=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["accepted"])')
    cpu_us=$(awk -v a="$after" -v b="$before" -v hz="$hz" -v n="$accepted" 'BEGIN{printf "%.1f", (a-b)/hz*1e6/n}')
    echo "round $round $which: $rate art/s, $accepted accepted, server CPU $cpu_us µs/article"
    echo "$which $rate $cpu_us" >> "$work/results"
  done
done
python3 - "$work/results" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
out = {}
for which in ("none", "rules"):
    rates = [float(r[1]) for r in rows if r[0] == which]
    cpus = [float(r[2]) for r in rows if r[0] == which]
    out[which] = statistics.median(rates)
    print(f"{which:5}: {statistics.median(rates):,.0f} art/s ({min(rates):,.0f}–{max(rates):,.0f}), "
          f"server CPU {statistics.median(cpus):.1f} µs/article ({min(cpus):.1f}–{max(cpus):.1f})")
print(f"50 rules / none: {out['rules'] / out['none']:.3f}")
PY
