"""Tidings' admin /metrics parsed by a real Prometheus parser (Debian's python3-prometheus-client,
text_string_to_metric_families), with values checked against a known feed: N articles fed to node A
over IHAVE, A feeds them on to node B; A's counters must say N in, N sent and accepted, B's N in.

Starts its own two tidingsd (TIDINGSD, else TIDINGS_TOP/build/server/tidingsd) on port 0, so it
needs no running server. Runs from conformance/run (Tidings target only: the admin API is Tidings's
own, so against INN it is skipped with that reason) and from ctest (tests/integration).
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nntp import Raw, article, only_on, stuff  # noqa: E402

TOP = os.environ.get("TIDINGS_TOP", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TIDINGSD = os.environ.get("TIDINGSD", os.path.join(TOP, "build", "server", "tidingsd"))
N = 40


class Node:
    """One tidingsd in a temp dir, listening on port 0 (NNTP and admin HTTP)."""

    def __init__(self, name, extra):
        self.dir = tempfile.mkdtemp(prefix=f"tidings-metrics-{name}-")
        self.data = os.path.join(self.dir, "data")
        cfg = os.path.join(self.dir, "tidings.toml")
        with open(cfg, "w") as f:
            f.write(f'[node]\npathhost = "{name}.metrics.test"\ndata_dir = "{self.data}"\n\n'
                    '[[listen]]\naddress = "127.0.0.1"\nport = 0\n\n[[group]]\nname = "local.test"\n\n'
                    '[http]\nport = 0\ntoken = "metrics-token"\n' + extra)
        self.log = open(os.path.join(self.dir, "tidingsd.log"), "w")
        self.proc = subprocess.Popen([TIDINGSD, "--config", cfg], stdout=self.log, stderr=self.log)
        listen = os.path.join(self.data, "tidingsd.listen")
        self.nntp = self.http = None
        for _ in range(400):
            if os.path.exists(listen):
                with open(listen) as lf:
                    lines = lf.read().split("\n")
                for line in filter(None, lines):
                    kind, _addr, port, _roles = line.split()
                    if kind == "nntp" and self.nntp is None:
                        self.nntp = int(port)
                    if kind == "http":
                        self.http = int(port)
                if self.nntp and self.http:
                    return
            if self.proc.poll() is not None:
                break
            time.sleep(0.025)
        raise RuntimeError(f"{name} did not start: see {self.dir}/tidingsd.log")

    def get(self, path):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.http}{path}", timeout=10) as r:
            return r.status, r.headers.get("Content-Type"), r.read().decode()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def samples(text):
    """{(name, frozenset(labels)): value} from a real Prometheus parser, and the families."""
    from prometheus_client.parser import text_string_to_metric_families
    out, families = {}, {}
    for fam in text_string_to_metric_families(text):
        families[fam.name] = fam
        for s in fam.samples:
            out[(s.name, frozenset(s.labels.items()))] = s.value
    return out, families


@only_on("tidings", reason="the admin HTTP API and /metrics are Tidings's own")
class AdminMetrics(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.b = Node("b", '\n[[peer]]\nname = "a"\nhosts = ["127.0.0.1"]\n')
        try:
            # A takes the test's feed from 127.0.0.1 as "hub" and sends everything on to B.
            cls.a = Node("a", '\n[[peer]]\nname = "hub"\nhosts = ["127.0.0.1"]\n\n'
                              f'[[peer]]\nname = "b"\noutgoing = "127.0.0.1:{cls.b.nntp}"\nretry_s = 1\n')
        except Exception:
            cls.b.stop()
            raise
        try:
            cls.feed()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def feed(cls):
        cls.ids = [f"<metrics.{i}.{os.getpid()}@metrics.test>" for i in range(N)]
        c = Raw("127.0.0.1", cls.a.nntp)
        for mid in cls.ids:
            assert c.cmd(f"IHAVE {mid}").startswith("335")
            c.send(stuff(article(mid)))
            assert c.line().startswith("235")
        # One duplicate offer: refused, counted by reason.
        assert c.cmd(f"IHAVE {cls.ids[0]}").startswith("435")
        c.close()
        deadline = time.time() + 30
        while time.time() < deadline:
            a, _ = samples(cls.a.get("/metrics")[2])
            if a.get(("tidings_articles_total", frozenset({("peer", "b"), ("result", "accepted")}))) == N:
                break
            time.sleep(0.2)

    @classmethod
    def tearDownClass(cls):
        cls.a.stop()
        cls.b.stop()

    def test_content_type_is_the_text_exposition_format(self):
        status, ctype, _ = self.a.get("/metrics")
        self.assertEqual(status, 200)
        self.assertEqual(ctype, "text/plain; version=0.0.4; charset=utf-8")

    def test_counters_match_the_feed(self):
        a, fams = samples(self.a.get("/metrics")[2])
        L = lambda **kw: frozenset(kw.items())  # noqa: E731
        self.assertEqual(a[("tidings_received_articles_total", L(result="accepted"))], N)
        self.assertEqual(a[("tidings_refusals_total", L(reason="duplicate"))], 1)
        self.assertEqual(a[("tidings_articles_total", L(peer="b", result="accepted"))], N)
        self.assertGreaterEqual(a[("tidings_articles_total", L(peer="b", result="offered"))], N)
        self.assertEqual(a[("tidings_articles_total", L(peer="b", result="rejected"))], 0)
        self.assertEqual(a[("tidings_store_articles", L())], N)
        self.assertEqual(a[("tidings_backlog_articles", L(peer="b"))], 0)
        self.assertEqual(a[("tidings_peer_up", L(peer="b"))], 1)
        # Counter families are typed counters (the parser strips _total from the family name).
        self.assertEqual(fams["tidings_articles"].type, "counter")
        self.assertEqual(fams["tidings_received_articles"].type, "counter")
        self.assertEqual(fams["tidings_store_map_bytes"].type, "gauge")
        b, _ = samples(self.b.get("/metrics")[2])
        self.assertEqual(b[("tidings_received_articles_total", L(result="accepted"))], N)
        self.assertEqual(b[("tidings_store_articles", L())], N)
        # Per feeding peer: A got N (and one duplicate) from "hub", B got N from "a".
        self.assertEqual(a[("tidings_peer_received_articles_total", L(peer="hub", result="accepted"))], N)
        self.assertEqual(a[("tidings_peer_received_articles_total", L(peer="hub", result="refused"))], 1)
        self.assertEqual(a[("tidings_peer_received_articles_total", L(peer="hub", result="rejected"))], 0)
        self.assertEqual(b[("tidings_peer_received_articles_total", L(peer="a", result="accepted"))], N)

    def test_ack_latency_histogram_counts_every_stored_article(self):
        a, fams = samples(self.a.get("/metrics")[2])
        L = lambda **kw: frozenset(kw.items())  # noqa: E731
        name = "tidings_ack_latency_seconds"
        self.assertEqual(fams[name].type, "histogram")
        self.assertEqual(a[(name + "_count", L())], N)
        self.assertEqual(a[(name + "_bucket", L(le="+Inf"))], N)
        self.assertGreater(a[(name + "_sum", L())], 0)

    def test_gauges_are_sane(self):
        a, _ = samples(self.a.get("/metrics")[2])
        L = lambda **kw: frozenset(kw.items())  # noqa: E731
        used = a[("tidings_store_used_bytes", L())]
        size = a[("tidings_store_map_bytes", L())]
        self.assertGreater(used, 0)
        self.assertLessEqual(used, size)
        self.assertAlmostEqual(a[("tidings_store_map_use_ratio", L())], used / size, places=6)
        self.assertGreaterEqual(a[("tidings_store_commits_total", L())], 1)
        self.assertEqual(a[("tidings_ready", L())], 1)
        self.assertEqual(a[("tidings_build_info", L(version=json.loads(self.a.get("/status")[2])["version"],
                                                     pathhost="a.metrics.test"))], 1)

    def test_store_histograms(self):
        a, fams = samples(self.a.get("/metrics")[2])
        L = lambda **kw: frozenset(kw.items())  # noqa: E731
        commits = a[("tidings_store_commits_total", L())]
        for name in ("tidings_store_commit_duration_seconds", "tidings_store_batch_size"):
            self.assertEqual(fams[name].type, "histogram")
            buckets = sorted((float(dict(k)["le"]), v) for (n, k), v in a.items() if n == name + "_bucket")
            counts = [v for _, v in buckets]
            self.assertEqual(counts, sorted(counts), f"{name} buckets must be cumulative")
            self.assertEqual(buckets[-1][0], float("inf"))
            self.assertEqual(buckets[-1][1], commits)
            self.assertEqual(a[(name + "_count", L())], commits)
        # Every article went through some batch: the batch sizes add up to at least N (plus the
        # group creation and the queue acks of the outgoing feed).
        self.assertGreaterEqual(a[("tidings_store_batch_size_sum", L())], N)
        self.assertGreater(a[("tidings_store_commit_duration_seconds_sum", L())], 0)

    def test_status_agrees_with_metrics(self):
        st = json.loads(self.a.get("/status")[2])
        peer = [p for p in st["peers"] if p["name"] == "b"][0]
        self.assertEqual(peer["outgoing"]["accepted"], N)
        self.assertEqual(peer["outgoing"]["state"], "connected")
        self.assertEqual(st["incoming"]["accepted"], N)


if __name__ == "__main__":
    os.environ.setdefault("NNTP_TARGET", "tidings")
    import nntp
    nntp.TARGET = os.environ["NNTP_TARGET"]
    unittest.main(verbosity=2)
