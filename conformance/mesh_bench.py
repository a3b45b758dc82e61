#!/usr/bin/env python3
"""Propagation benchmarks for BENCHMARKS.md (## Propagation).

  drain:      A holds a backlog for B (fed while B was down); B starts; the clock runs from B's
              first stored article to its last: the sender's own rate, ingest out of the way.
  throughput: tidingsd A feeds tidingsd B; tools/tidings-bench feeds A; the clock runs from the
              bench's start until B stores every article (mdb_stat, polled every 20 ms).
  latency:    a chain n0 -> n1 -> n2 -> n3; one article at a time is given to n0 (TAKETHIS) and
              the clock runs until n3's article count grows (mdb_stat polled in a tight loop,
              ~2 ms per probe: the figure includes up to that much).

    TIDINGSD=... TIDINGS_BENCH=... conformance/mesh_bench.py [--runs 3] [--count 20000]
Every node is durable (fsync per group commit), on loopback; medians over the runs.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mesh_nodes as mn  # noqa: E402

BENCH = os.environ.get("TIDINGS_BENCH", os.path.join(mn.TOP, "build", "tools", "tidings-bench", "tidings-bench"))
BENCH_GROUPS = [f"bench.g{i}" for i in range(1, 11)]


def throughput(run, count, connections, window, size):
    work = mn.make_workdir("bench-tp")
    b = mn.Node("b.bench.test", mn.free_port(), work, BENCH_GROUPS)
    a = mn.Node("a.bench.test", mn.free_port(), work, BENCH_GROUPS)
    b.add_peer("a.bench.test")
    a.add_peer("feeder")
    a.add_peer("b.bench.test", port=b.port, extra=f"connections = {connections}\nwindow = {window}")
    b.start()
    a.start()
    try:
        t0 = time.time()
        bench = subprocess.Popen([BENCH, "feed", "--port", str(a.port), "--mode", "streaming", "--connections", "4",
                                  "--window", "64", "--count", str(count), "--size", str(size),
                                  "--seed", str(1000 + run)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        t_fed = None
        while time.time() - t0 < 300:
            if t_fed is None and bench.poll() is not None:
                t_fed = time.time()
            if mn.article_count(b.data) >= count:
                break
            time.sleep(0.02)
        t_b = time.time()
        bench.wait()
        t_fed = t_fed or time.time()
        got = mn.article_count(b.data)
        return {"a_ingest": count / (t_fed - t0), "a_to_b": got / (t_b - t0), "got": got, "lag": t_b - t_fed}
    finally:
        a.stop()
        b.stop()
        mn.remove_workdir(work)


def drain(run, count, connections, window, size):
    """A holds a backlog of `count` articles for B (B was down while A was fed); B starts and
    the clock runs from B's first stored article to its last: the sender's own rate."""
    work = mn.make_workdir("bench-drain")
    b = mn.Node("b.bench.test", mn.free_port(), work, BENCH_GROUPS)
    a = mn.Node("a.bench.test", mn.free_port(), work, BENCH_GROUPS)
    b.add_peer("a.bench.test")
    a.add_peer("feeder")
    a.add_peer("b.bench.test", port=b.port, extra=f"connections = {connections}\nwindow = {window}")
    a.start()
    try:
        subprocess.run([BENCH, "feed", "--port", str(a.port), "--mode", "streaming", "--connections", "4",
                        "--window", "64", "--count", str(count), "--size", str(size), "--seed", str(2000 + run)],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        b.start()
        t_first = None
        t0 = time.time()
        while time.time() - t0 < 300:
            n = mn.article_count(b.data)
            if n > 0 and t_first is None:
                t_first = time.time()
            if n >= count:
                break
            time.sleep(0.01)
        t_end = time.time()
        return (mn.article_count(b.data) - 1) / (t_end - t_first)
    finally:
        a.stop()
        b.stop()
        mn.remove_workdir(work)


def latency(run, samples):
    work = mn.make_workdir("bench-lat")
    nodes = [mn.Node(f"c{i}.bench.test", mn.free_port(), work) for i in range(4)]
    nodes[0].add_peer("feeder")
    for i in range(1, 4):
        nodes[i].add_peer(nodes[i - 1].name)  # incoming from the previous node
    for i in range(3):
        nodes[i].add_peer(nodes[i + 1].name, port=nodes[i + 1].port)
    for n in nodes:
        n.start()
    out = []
    try:
        # A user POSTs at n0 (loopback readers may post); availability is a reader's STAT
        # answering 223 at n3, three hops away.
        c = mn.Conn(nodes[0].port)
        far = mn.Conn(nodes[3].port)
        # Sample -1 is a warm-up, not counted: right after the nodes start, their senders are
        # still connecting (and backing off from nodes not listening yet), ~300-400 ms.
        for k in range(-1, samples):
            mid = f"<lat.{run}.{k}.{int(time.time())}@bench.test>"
            text = mn.make_article(mid)
            t0 = time.time()
            assert c.cmd("POST").startswith("340")
            c.send(mn.stuff(text))
            answer = c.line()
            assert answer.startswith("240"), answer
            while not far.cmd(f"STAT {mid}").startswith("223"):
                if time.time() - t0 > 30:
                    raise RuntimeError("article did not arrive three hops away")
                time.sleep(0.0005)
            if k >= 0:
                out.append((time.time() - t0) * 1000)
            time.sleep(0.1)
        c.close()
        far.close()
    finally:
        for n in nodes:
            n.stop()
        mn.remove_workdir(work)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--count", type=int, default=20000)
    ap.add_argument("--size", type=int, default=2048)
    ap.add_argument("--connections", type=int, default=1)
    ap.add_argument("--window", type=int, default=64)
    ap.add_argument("--samples", type=int, default=20)
    ap.add_argument("--only", choices=["throughput", "drain", "latency"])
    args = ap.parse_args()
    if args.only in (None, "drain"):
        rates = []
        for r in range(args.runs):
            rates.append(drain(r, args.count, args.connections, args.window, args.size))
            print(f"drain run {r + 1}: backlog A->B {rates[-1]:.0f} articles/s", flush=True)
        runs = ", ".join("%.0f" % x for x in rates)
        print(f"drain median A->B: {statistics.median(rates):.0f} articles/s (runs {runs}; "
              f"{args.connections} connection(s), window {args.window})")
    if args.only in (None, "throughput"):
        rows = []
        for r in range(args.runs):
            t = throughput(r, args.count, args.connections, args.window, args.size)
            rows.append(t)
            print(f"throughput run {r + 1}: A ingest {t['a_ingest']:.0f}/s, A->B complete {t['a_to_b']:.0f}/s "
                  f"({t['got']} articles, B done {t['lag']:.2f} s after the bench)", flush=True)
        med = statistics.median(x["a_to_b"] for x in rows)
        runs = ", ".join("%.0f" % x["a_to_b"] for x in rows)
        print(f"throughput median A->B: {med:.0f} articles/s (runs {runs}); A ingest median "
              f"{statistics.median(x['a_ingest'] for x in rows):.0f}/s")
    if args.only in (None, "latency"):
        meds = []
        for r in range(args.runs):
            lat = latency(r, args.samples)
            meds.append(statistics.median(lat))
            print(f"latency run {r + 1}: 3 hops p50 {statistics.median(lat):.1f} ms, min {min(lat):.1f}, "
                  f"max {max(lat):.1f} ms ({len(lat)} articles)", flush=True)
        runs = ", ".join("%.1f" % m for m in meds)
        print(f"latency median of run medians: {statistics.median(meds):.1f} ms (runs {runs})")


if __name__ == "__main__":
    sys.exit(main())
