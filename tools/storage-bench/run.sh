#!/bin/sh
# Runs the storage/ benchmark matrix of BENCHMARKS.md: durable and relaxed, 16/64/256 in flight.
# usage: tools/storage-bench/run.sh [build-dir] [articles per run] [repeats]
set -eu
build=${1:-build}
count=${2:-60000}
repeats=${3:-3}
bench="$build/tools/storage-bench/storage-bench"
[ -x "$bench" ] || bench="$build/storage_bench/storage-bench"
echo "| mode | in flight | articles | stores/s | mean batch | commit p50 ms | commit p99 ms | ack p50 ms | ack p99 ms | device KB/article | reads/s | load avg |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
i=0
while [ "$i" -lt "$repeats" ]; do
  for mode in durable relaxed; do
    for n in 16 64 256; do
      flag=""
      [ "$mode" = relaxed ] && flag="--relaxed"
      row=$("$bench" $flag --inflight "$n" --count "$count" --reads 200000 2>/dev/null | grep '^|')
      echo "$row $(cut -d' ' -f1 /proc/loadavg) |"   # the machine is shared: say how busy it was
    done
  done
  i=$((i + 1))
done
