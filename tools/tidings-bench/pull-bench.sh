#!/usr/bin/env bash
# Pulling one article set from 1 upstream vs from 3 at once, each upstream behind its own
# bandwidth limit (tools/tidings-bench/throttle-proxy.py: one shared token bucket per upstream,
# as a far server on a link of that speed); then suck (one server, one connection, as it
# works) on the same set through the same limit, for comparison.
#
# Three tidingsd upstreams are loaded with the same corpus (same seed: the same ids). Each
# round starts a puller on an empty store and times one run (POST /pull until /status says it
# ended; the run's own figure is in its event=pull_run line). Rounds alternate 1 and 3.
#
# Usage: tools/tidings-bench/pull-bench.sh [ROUNDS]   (default 3)
# Env:   TIDINGSD, BENCH (as filter-bench.sh), COUNT (articles, default 20000), SIZE (bytes,
#        default 2048), RATE (bytes/s per upstream, default 2000000), CONNS (puller connections
#        per upstream, default 4), SUCK (1 to time suck too, default 1)
set -u
top="$(cd "$(dirname "$0")/../.." && pwd)"
rounds=${1:-3}
tidingsd=${TIDINGSD:-$top/build/server/tidingsd}
bench=${BENCH:-$top/build/tools/tidings-bench/tidings-bench}
count=${COUNT:-20000}
size=${SIZE:-2048}
rate=${RATE:-2000000}
conns=${CONNS:-4}
run_suck=${SUCK:-1}
work=/tmp/pull-bench
rm -rf "$work"
mkdir -p "$work"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; }
trap cleanup EXIT

groups() { for i in $(seq 1 10); do printf '[[group]]\nname = "bench.g%d"\n' "$i"; done; }

wait_listen() {  # data dir; prints the first NNTP port
  for _ in $(seq 1 100); do [ -s "$1/tidingsd.listen" ] && break; sleep 0.1; done
  awk '$1 == "nntp" {print $3; exit}' "$1/tidingsd.listen"
}

# The upstreams, loaded.
proxy_ports=()
for u in 1 2 3; do
  mkdir -p "$work/up$u"
  cat > "$work/up$u/tidings.toml" <<TOML
[node]
pathhost = "up$u.bench"
data_dir = "$work/up$u/data"
log_level = "warn"
[[listen]]
address = "127.0.0.1"
port = 0
[http]
enabled = false
[[peer]]
name = "loader"
hosts = ["127.0.0.1"]
$(groups)
TOML
  "$tidingsd" --config "$work/up$u/tidings.toml" 2>"$work/up$u/log" &
  pids+=($!)
  port=$(wait_listen "$work/up$u/data")
  [ -n "$port" ] || { echo "upstream $u did not start"; cat "$work/up$u/log"; exit 1; }
  "$bench" feed --port "$port" --mode takethis --connections 1 --count "$count" --size "$size" --seed 42 --json \
    > "$work/up$u/load.json" || { echo "loading upstream $u failed"; exit 1; }
  python3 "$top/tools/tidings-bench/throttle-proxy.py" 0 127.0.0.1 "$port" "$rate" > "$work/proxy$u" &
  pids+=($!)
  for _ in $(seq 1 50); do grep -q ready "$work/proxy$u" 2>/dev/null && break; sleep 0.1; done
  proxy_ports+=("$(awk '{print $2}' "$work/proxy$u")")
done
echo "loaded $count articles of $size bytes into 3 upstreams; each behind $rate bytes/s"

pull_once() {  # N upstreams; prints "seconds stored"
  local n=$1 dir="$work/puller"
  rm -rf "$dir"
  mkdir -p "$dir"
  {
    printf '[node]\npathhost = "puller.bench"\ndata_dir = "%s/data"\nlog_level = "info"\n' "$dir"
    printf '[[listen]]\naddress = "127.0.0.1"\nport = 0\n[http]\naddress = "127.0.0.1"\nport = 0\ntoken = "bench"\n'
    groups
    for u in $(seq 1 "$n"); do
      printf '[[upstream]]\nname = "up%d"\naddress = "127.0.0.1:%s"\nconnections = %d\nwindow = 16\ninterval_s = 0\nmax_articles = %d\n' \
        "$u" "${proxy_ports[$((u - 1))]}" "$conns" "$count"
    done
  } > "$dir/tidings.toml"
  "$tidingsd" --config "$dir/tidings.toml" 2>"$dir/log" &
  local pid=$!
  wait_listen "$dir/data" > /dev/null
  local http
  http=$(awk '$1 == "http" {print $3}' "$dir/data/tidingsd.listen")
  local t0 t1
  t0=$(date +%s.%N)
  curl -s -X POST -H 'Authorization: Bearer bench' "http://127.0.0.1:$http/pull" > /dev/null
  for _ in $(seq 1 6000); do
    grep -q 'event=pull_run' "$dir/log" && break
    sleep 0.05
  done
  t1=$(date +%s.%N)
  local line
  line=$(grep -o 'event=pull_run.*' "$dir/log" | head -1)
  kill -TERM $pid; wait $pid 2>/dev/null
  local stored secs
  stored=$(printf '%s' "$line" | sed -n 's/.* stored=\([0-9]*\).*/\1/p')
  secs=$(printf '%s' "$line" | sed -n 's/.* seconds=\([0-9.]*\).*/\1/p')
  echo "${secs:-$(echo "$t1 - $t0" | bc)} ${stored:-0} $line" >> "$work/lines"
  echo "${secs:-0} ${stored:-0}"
}

suck_once() {  # prints seconds; articles land in a fresh directory
  local dir="$work/suck"
  rm -rf "$dir"
  mkdir -p "$dir/data" "$dir/tmp" "$dir/msgs"
  for i in $(seq 1 10); do echo "bench.g$i 0"; done > "$dir/data/sucknewsrc"
  local t0 t1
  t0=$(date +%s.%N)
  (cd "$dir" && suck 127.0.0.1 -N "${proxy_ports[0]}" -m -dd "$dir/data" -dt "$dir/tmp" -dm "$dir/msgs" -H -K -q \
     > "$dir/out" 2>&1)
  t1=$(date +%s.%N)
  local got
  got=$(find "$dir/msgs" -type f | wc -l)
  echo "$(echo "$t1 - $t0" | bc) $got"
}

: > "$work/results"
for round in $(seq 1 "$rounds"); do
  for n in 1 3; do
    read -r secs stored < <(pull_once "$n")
    echo "round $round: tidingsd pulling from $n: $stored articles in $secs s"
    echo "tidings$n $secs $stored" >> "$work/results"
  done
  if [ "$run_suck" = 1 ] && command -v suck > /dev/null; then
    read -r secs got < <(suck_once)
    echo "round $round: suck from 1: $got articles in $secs s"
    echo "suck1 $secs $got" >> "$work/results"
  fi
done
python3 - "$work/results" "$count" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
count = int(sys.argv[2])
med = {}
for which in ("tidings1", "tidings3", "suck1"):
    secs = [float(r[1]) for r in rows if r[0] == which]
    got = [int(r[2]) for r in rows if r[0] == which]
    if not secs:
        continue
    med[which] = statistics.median(secs)
    print(f"{which:8}: {med[which]:.2f} s ({min(secs):.2f}–{max(secs):.2f}), articles {min(got)}–{max(got)} of {count}")
if "tidings1" in med and "tidings3" in med:
    print(f"3 upstreams vs 1: {med['tidings1'] / med['tidings3']:.2f}x faster")
if "suck1" in med and "tidings3" in med:
    print(f"tidingsd from 3 vs suck from 1: {med['suck1'] / med['tidings3']:.2f}x faster")
    print(f"tidingsd from 1 vs suck from 1: {med['suck1'] / med['tidings1']:.2f}x faster")
PY
