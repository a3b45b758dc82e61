#!/usr/bin/env python3
"""Two running tidingsd nodes, each loaded with the same N articles plus D/2 of its own, then
peered: the first XRECONCILE run between them is timed and its bytes (everything both sides
wrote on that connection) read from /status, against the Message-ID lists it replaces.

    tools/tidings-bench/reconcile-nodes.py [--articles 1000000] [--differ 1000] [--size 500]

Needs build/server/tidingsd and build/tools/tidings-bench/tidings-bench. Works in a temporary
folder (about N x size x 2 bytes of disk), stops both nodes by PID and removes it at the end.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TIDINGSD = os.environ.get("TIDINGSD", os.path.join(TOP, "build", "server", "tidingsd"))
BENCH = os.environ.get("TIDINGS_BENCH", os.path.join(TOP, "build", "tools", "tidings-bench", "tidings-bench"))
TOKEN = "bench"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Node:
    def __init__(self, name, work):
        self.name, self.port, self.http = name, free_port(), free_port()
        self.dir = os.path.join(work, name)
        os.makedirs(self.dir)
        self.proc = None

    def config(self, other=None):
        # The other node's [[peer]] comes first: loads and the other node both connect from
        # 127.0.0.1, and a session is attributed to the first peer listing its address.
        peer = f'\n[[peer]]\nname = "{other.name if other else "other"}"\nhosts = ["127.0.0.1"]\n'
        if other:
            peer += f'outgoing = "127.0.0.1:{other.port}"\nreconcile = true\n'
        groups = "".join(f'\n[[group]]\nname = "bench.g{i}"\n' for i in range(1, 11))
        text = (f'[node]\npathhost = "{self.name}"\ndata_dir = "{self.dir}/data"\n\n'
                f'[storage]\ndurability = "relaxed"\n\n[[listen]]\naddress = "127.0.0.1"\nport = {self.port}\n'
                f'{groups}{peer}\n[reconcile]\ninterval_s = 0\n\n'
                f'[http]\nport = {self.http}\ntoken = "{TOKEN}"\n')
        with open(os.path.join(self.dir, "tidings.toml"), "w") as f:
            f.write(text)

    def start(self):
        self.config()
        log = open(os.path.join(self.dir, "log"), "w")
        self.proc = subprocess.Popen([TIDINGSD, "--config", os.path.join(self.dir, "tidings.toml")], stdout=log,
                                     stderr=log)
        listen = os.path.join(self.dir, "data", "tidingsd.listen")
        for _ in range(400):
            if os.path.exists(listen) and os.path.getsize(listen) > 0:
                return
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not start; see {self.dir}/log")

    def call(self, method, path):
        req = urllib.request.Request(f"http://127.0.0.1:{self.http}{path}", method=method,
                                     headers={"Authorization": f"Bearer {TOKEN}"})
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read() or b"{}")

    def load(self, count, seed, size, connections=2):
        out = subprocess.run([BENCH, "feed", "--port", str(self.port), "--count", str(count), "--seed", str(seed),
                              "--size", str(size), "--connections", str(connections), "--json"],
                             capture_output=True, text=True, check=True).stdout
        return json.loads(out)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=1000000)
    ap.add_argument("--differ", type=int, default=1000)
    ap.add_argument("--size", type=int, default=500)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="tidings-reconcile-")
    a, b = Node("rec-a.bench", work), Node("rec-b.bench", work)
    try:
        a.start()
        b.start()
        t = time.time()
        for n in (a, b):
            n.load(args.articles, 1, args.size)
        a.load(args.differ // 2, 2, args.size)
        b.load(args.differ - args.differ // 2, 3, args.size)
        print(f"loaded {args.articles} shared + {args.differ} own articles in {time.time() - t:.1f} s")
        b.config(a)
        b.call("POST", "/reload")
        start = time.time()
        a.config(b)
        a.call("POST", "/reload")  # a's run starts with the new [[peer]]
        r = {}
        while time.time() - start < 600:
            r = a.call("GET", "/status")["reconcile"]["peers"].get(b.name, {})
            if r.get("runs", 0) >= 1 and r.get("state") == "idle":
                break
            time.sleep(0.2)
        took = time.time() - start
        if r.get("last_error"):
            print("run failed:", r["last_error"])
            return 1
        plain = sum(len(f"<bench.1.{i}@tidings.test>") + 2 for i in range(args.articles))
        total = r["bytes_sent"] + r["bytes_received"]
        print(f"items {r['items']}, rounds {r['rounds']}, they lacked {r['they_lacked']}, we lacked "
              f"{r['we_lacked']}; {total} bytes on the connection ({r['bytes_sent']} sent, "
              f"{r['bytes_received']} received); one plain id list ~{plain} bytes: {100.0 * total / plain:.3f} %; "
              f"run took {took:.1f} s (set building included)")
        ok = r["they_lacked"] == args.differ // 2 and r["we_lacked"] == args.differ - args.differ // 2
        return 0 if ok else 1
    finally:
        a.stop()
        b.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
