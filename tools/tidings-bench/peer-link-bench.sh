#!/usr/bin/env bash
# Tidings -> Tidings feed throughput over a plain link, over TLS and with COMPRESS DEFLATE
# (issue 18): a sender node takes COUNT articles from tidings-bench (TAKETHIS, 4 connections)
# and streams them on to a receiver node over its outgoing feed; the figure is COUNT divided by
# the time from the first article offered to the sender until the receiver holds all of them.
# Each mode gets fresh, empty nodes per round; modes alternate within a round. Also printed:
# the feed's bytes as NNTP and on the wire (after COMPRESS; the sender's /status), and the CPU
# seconds (user + system) each node used.
#
# Usage: tools/tidings-bench/peer-link-bench.sh [ROUNDS]      (default 3)
# Env:   COUNT (default 50000), SIZE (default 2048), BODY (text or yenc; default text),
#        TIDINGSD (default build/server/tidingsd),
#        BENCH (default build/tools/tidings-bench/tidings-bench),
#        MODES (default "none implicit"; "+compress" after a mode adds compress = true,
#        e.g. "none none+compress implicit implicit+compress")
set -u
top="$(cd "$(dirname "$0")/../.." && pwd)"
TIDINGSD=${TIDINGSD:-$top/build/server/tidingsd}
BENCH=${BENCH:-$top/build/tools/tidings-bench/tidings-bench}
COUNT=${COUNT:-50000}
SIZE=${SIZE:-2048}
BODY=${BODY:-text}
rounds=${1:-3}
work=$(mktemp -d /tmp/peer-link-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$work"; }
trap cleanup EXIT

start_node() {  # dir -> sets $node_pid
  "$TIDINGSD" --config "$1/tidings.toml" >/dev/null 2>"$1/log" &
  node_pid=$!
  pids+=("$node_pid")
  for _ in $(seq 1 100); do [ -s "$1/data/tidingsd.listen" ] && break; sleep 0.05; done
}
port_of() { awk -v r="$2" '$1 == "nntp" && $4 ~ r {print $3; exit}' "$1/data/tidingsd.listen"; }
http_of() { awk '$1 == "http" {print $3; exit}' "$1/data/tidingsd.listen"; }
cpu_of() {  # pid -> user + system CPU seconds so far
  awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$1/stat"
}
sent_bytes() {  # sender dir -> "NNTP_BYTES WIRE_BYTES" of its feed to the receiver
  python3 - "$(http_of "$1")" <<'PY'
import json, sys, urllib.request
s = json.load(urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/status"))
o = next(p["outgoing"] for p in s["peers"] if p["name"] == "receiver")
print(o["bytes_sent"], o["wire_bytes_sent"])
PY
}
count_in() {  # port -> articles in bench.g1..g10 (sum of GROUP counts)
  python3 - "$1" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
f = s.makefile("rwb")
f.readline()
n = 0
for i in range(1, 11):
    f.write(f"GROUP bench.g{i}\r\n".encode()); f.flush()
    parts = f.readline().split()
    if parts[0] == b"211": n += int(parts[1])
print(n)
PY
}
groups() { for i in $(seq 1 10); do printf '[[group]]\nname = "bench.g%d"\n' "$i"; done; }

for round in $(seq 1 "$rounds"); do
  for spec in ${MODES:-none implicit}; do
    mode=${spec%+compress}
    compress=false; [ "$spec" = "$mode" ] || compress=true
    r=$work/r-$spec-$round; s=$work/s-$spec-$round
    mkdir -p "$r" "$s"
    { printf '[node]\npathhost = "receiver.bench"\ndata_dir = "%s/data"\nlog_level = "warn"\n' "$r"
      printf '[http]\nenabled = false\n'
      printf '[[listen]]\naddress = "127.0.0.1"\nport = 0\nroles = ["transit"]\ntls = "%s"\n' "$mode"
      printf '[[listen]]\naddress = "127.0.0.1"\nport = 0\nroles = ["reader"]\n'
      printf '[[peer]]\nname = "sender"\nhosts = ["127.0.0.1"]\n'; groups; } > "$r/tidings.toml"
    start_node "$r"; rpid=$node_pid
    pin=$("$TIDINGSD" --print-identity --config "$r/tidings.toml" 2>/dev/null)
    { printf '[node]\npathhost = "sender.bench"\ndata_dir = "%s/data"\nlog_level = "warn"\n' "$s"
      printf '[http]\naddress = "127.0.0.1"\nport = 0\n'
      printf '[[listen]]\naddress = "127.0.0.1"\nport = 0\n'
      printf '[[peer]]\nname = "bench"\nhosts = ["127.0.0.1"]\n'
      printf '[[peer]]\nname = "receiver"\noutgoing = "127.0.0.1:%s"\nconnections = 2\nretry_s = 1\ncompress = %s\n' \
        "$(port_of "$r" transit)" "$compress"
      [ "$mode" = none ] || printf 'tls = "%s"\ntls_pin = "%s"\n' "$mode" "$pin"
      groups; } > "$s/tidings.toml"
    start_node "$s"; spid=$node_pid
    rport=$(port_of "$r" reader)
    t0=$(date +%s.%N)
    "$BENCH" feed --mode takethis --connections 4 --window 64 --count "$COUNT" --size "$SIZE" --body "$BODY" --crosspost 0 \
      --seed $((round * 100)) --host 127.0.0.1 --port "$(port_of "$s" transit)" >/dev/null
    while [ "$(count_in "$rport")" -lt "$COUNT" ]; do
      sleep 0.05
      if [ "$(echo "$(date +%s.%N) - $t0 > 300" | bc)" = 1 ]; then echo "timeout ($mode)"; break; fi
    done
    t1=$(date +%s.%N)
    read -r nntp wire < <(sent_bytes "$s")
    echo "round $round $spec $BODY: $(echo "$COUNT / ($t1 - $t0)" | bc) articles/s end to end ($(echo "$t1 - $t0" | bc) s);" \
      "sent $nntp B as NNTP, $wire B on the wire ($(echo "scale=3; $wire / $nntp" | bc));" \
      "CPU s: sender $(cpu_of "$spid"), receiver $(cpu_of "$rpid")"
    kill -TERM "$spid" "$rpid"; wait "$spid" "$rpid" 2>/dev/null
  done
done
