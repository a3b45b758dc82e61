#!/usr/bin/env python3
"""Partition mesh: N tidingsd nodes, each in a network namespace of its own, joined by veth
pairs (a ring plus chords across it). The links between the two halves are taken down; articles
are injected on both sides while they are cut; the backlogs queued across the cut are dropped
(POST /peers/NAME/clear, as if they had expired); the links come back. Flooding alone can no
longer deliver what each half missed: the nodes must converge by reconciliation (XRECONCILE,
started by each feed's reconnection and every 10 s). Reports the time to converge after the heal, the articles
repaired, the bytes reconciliation spent against the Message-ID lists it replaces, and the
offers per article across the mesh.

    sudo TIDINGSD=build/server/tidingsd conformance/mesh_partition.py [--nodes 20]
        [--before 400] [--during 300] [--cut-seconds 20] [--seed 1] [--deadline 300] [--inn [N]]

--inn N adds N INN 2.7 servers (default 1), each a fresh private lab made with conformance/inn
(setup, start; its own folder, port and Path identity inn<k>.part.test; stopped and removed at
the end), in alternate halves, each peered with two tidingsd nodes of its half through
forwarders on their management links (INN listens on loopback in the root namespace): they feed
innd, innxmit feeds them back (run by the harness every second, as a cron job would), they
reconcile with it by NEWNEWS, and articles are injected into innd too. Every INN must end with
every id as well.

Needs root (ip netns, ip link). Everything it creates is named tdp<pid>*: namespaces, links,
a work folder; all of it is removed at the end, and every tidingsd it started is stopped by PID.
Exit 0: converged (every node holds every id, exactly); 1: not within the deadline; 77: skipped
(not root, or no `ip netns`).
"""
import argparse
import json
import os
import socket
import threading
import random
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mesh_nodes as mn  # noqa: E402

TOKEN = "partition-token"
NNTP_PORT = 119
HTTP_PORT = 8119


class Forwarder:
    """Relays every TCP connection to (listen_host, listen_port) to (to_host, to_port), one
    thread pair per connection: how namespaced nodes and the root namespace's INN meet."""

    def __init__(self, listen_host, listen_port, to_host, to_port):
        self.to = (to_host, to_port)
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((listen_host, listen_port))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.closed = False
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while not self.closed:
            try:
                a, _ = self.sock.accept()
                b = socket.create_connection(self.to, timeout=10)
                b.settimeout(None)
            except OSError:
                continue
            for x, y in ((a, b), (b, a)):
                threading.Thread(target=self.pipe, args=(x, y), daemon=True).start()

    @staticmethod
    def pipe(x, y):
        try:
            while True:
                data = x.recv(65536)
                if not data:
                    break
                y.sendall(data)
        except OSError:
            pass
        for s in (x, y):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self):
        self.closed = True
        self.sock.close()


def sh(*args, check=True):
    return subprocess.run(list(args), check=check, capture_output=True, text=True)


class Mesh:
    def __init__(self, n, work):
        self.n = n
        self.work = work
        self.prefix = f"tdp{os.getpid() % 100000}"
        self.ns = [f"{self.prefix}n{i}" for i in range(n)]
        self.links = [(i, (i + 1) % n) for i in range(n)]                   # the ring
        self.links += [(i, i + n // 2) for i in range(0, n // 2, 3)]         # chords across
        self.procs = {}
        self.created_ns = []
        self.inn_nodes = {}     # node -> the mn.InnLab it is peered with (--inn)
        self.forwarders = []
        self.inn_ports = {}     # node -> the root-namespace port innxmit reaches it on

    # Addresses: node i's management link to the root namespace is 10.201.i.2 (root side .1);
    # link k joins its nodes at 10.202.k.1 (first) and 10.202.k.2 (second).
    @staticmethod
    def mgmt(i):
        return f"10.201.{i}.2"

    @staticmethod
    def link_addr(k, side):
        return f"10.202.{k}.{1 + side}"

    def half(self, i):
        return 0 if i < self.n // 2 else 1

    def cut_links(self):
        return [k for k, (a, b) in enumerate(self.links) if self.half(a) != self.half(b)]

    def build(self):
        for i, ns in enumerate(self.ns):
            sh("ip", "netns", "add", ns)
            self.created_ns.append(ns)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
            root_end = f"{self.prefix}m{i}"
            sh("ip", "link", "add", root_end, "type", "veth", "peer", "name", "mgmt", "netns", ns)
            sh("ip", "addr", "add", f"10.201.{i}.1/30", "dev", root_end)
            sh("ip", "link", "set", root_end, "up")
            sh("ip", "-n", ns, "addr", "add", f"{self.mgmt(i)}/30", "dev", "mgmt")
            sh("ip", "-n", ns, "link", "set", "mgmt", "up")
        for k, (a, b) in enumerate(self.links):
            sh("ip", "link", "add", f"{self.prefix}a{k}", "netns", self.ns[a], "type", "veth",
               "peer", "name", f"{self.prefix}b{k}", "netns", self.ns[b])
            for side, (node, end) in enumerate(((a, f"{self.prefix}a{k}"), (b, f"{self.prefix}b{k}"))):
                sh("ip", "-n", self.ns[node], "link", "set", end, "name", f"l{k}")
                sh("ip", "-n", self.ns[node], "addr", "add", f"{self.link_addr(k, side)}/30", "dev", f"l{k}")
                sh("ip", "-n", self.ns[node], "link", "set", f"l{k}", "up")

    def set_link(self, k, up):
        a, b = self.links[k]
        for node in (a, b):
            sh("ip", "-n", self.ns[node], "link", "set", f"l{k}", "up" if up else "down")

    def name(self, i):
        return f"n{i}.part.test"

    def data(self, i):
        return os.path.join(self.work, f"n{i}", "data")

    def config(self, i):
        lines = [
            "[node]", f'pathhost = "{self.name(i)}"', f'data_dir = "{self.data(i)}"',
            "", "[storage]", 'durability = "relaxed"', "free_space_floor_mb = 10",
            "", "[[listen]]", 'address = "0.0.0.0"', f"port = {NNTP_PORT}",
            "", "[[group]]", 'name = "local.test"',
            "", "[[peer]]", 'name = "feeder"', f'hosts = ["10.201.{i}.1"]',
            # A cut shorter than TCP's patience leaves the feeds' connections up (no reconnection
            # starts a run): the schedule is what finds those gaps.
            "", "[reconcile]", "interval_s = 10", "window_days = 1",
            "", "[http]", f'address = "{self.mgmt(i)}"', f"port = {HTTP_PORT}", f'token = "{TOKEN}"',
            'allow_hosts = ["10.201.0.0/16"]',
        ]
        if i in self.inn_nodes:
            # INN first: innxmit's sessions come from the same address as the harness's
            # injections, and a session is attributed to the first peer listing it (Path,
            # not that attribution, keeps articles from going back where they came from).
            lines[lines.index('name = "feeder"') - 1:lines.index('name = "feeder"') + 2] = []
            lab = self.inn_nodes[i]
            lines += ["", "[[peer]]", 'name = "inn"', f'path_identity = "{lab.pathhost}"',
                      f'hosts = ["10.201.{i}.1"]', f'outgoing = "10.201.{i}.1:{lab.port}"', "retry_s = 2",
                      "reconcile = true", "", "[[peer]]", 'name = "feeder"', f'hosts = ["10.201.{i}.1"]']
        for k, (a, b) in enumerate(self.links):
            if i not in (a, b):
                continue
            j, side = (b, 1) if i == a else (a, 0)
            addr = self.link_addr(k, side)
            lines += ["", "[[peer]]", f'name = "{self.name(j)}"', f'hosts = ["{addr}"]',
                      f'outgoing = "{addr}:{NNTP_PORT}"', "retry_s = 2", "reconcile = true"]
        folder = os.path.join(self.work, f"n{i}")
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, "tidings.toml")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        return path

    def start(self):
        for i in range(self.n):
            cfg = self.config(i)
            log = open(os.path.join(self.work, f"n{i}", "tidingsd.log"), "a")
            self.procs[i] = subprocess.Popen(["ip", "netns", "exec", self.ns[i], mn.TIDINGSD, "--config", cfg],
                                             stdout=log, stderr=log)
        listen = [os.path.join(self.data(i), "tidingsd.listen") for i in range(self.n)]
        until = time.time() + 60
        while time.time() < until and not all(os.path.exists(p) and os.path.getsize(p) > 0 for p in listen):
            time.sleep(0.1)
        missing = [i for i, p in enumerate(listen) if not os.path.exists(p)]
        if missing:
            raise RuntimeError(f"nodes {missing} did not start: see {self.work}/n*/tidingsd.log")

    def stop(self):
        for p in self.procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs.values():
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def attach_inn(self, lab, nodes):
        for i in nodes:
            self.inn_nodes[i] = lab
            self.forwarders.append(Forwarder(f"10.201.{i}.1", lab.port, "127.0.0.1", lab.port))
            back = Forwarder("127.0.0.1", 0, self.mgmt(i), NNTP_PORT)
            self.forwarders.append(back)
            self.inn_ports[i] = back.port
        lab.add_feed("partition", [self.name(i) for i in nodes])

    def inn_push(self, lab):
        # innxmit to the first attached node that takes the batch (the other gets it by flooding).
        for i, at in self.inn_nodes.items():
            if at is lab:
                r = lab.send_batch("partition", self.inn_ports[i])
                if r is None or r.returncode == 0:
                    return

    def teardown(self):
        self.stop()
        for f in self.forwarders:
            f.close()
        for ns in self.created_ns:
            sh("ip", "netns", "delete", ns, check=False)
        for i in range(self.n):
            sh("ip", "link", "delete", f"{self.prefix}m{i}", check=False)

    def http(self, i, method, path):
        req = urllib.request.Request(f"http://{self.mgmt(i)}:{HTTP_PORT}{path}", method=method,
                                     headers={"Authorization": f"Bearer {TOKEN}"} if method != "GET" else {})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read() or b"{}")

    @staticmethod
    def articles(ids):
        # Dated ten minutes back: reconciliation leaves out the last minute (articles still in
        # flight), and a partition of a few seconds would otherwise hold nothing old enough.
        date = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(time.time() - 600))
        return [(m, "Path: origin.example!not-for-mail\r\nFrom: Mesh <mesh@example.com>\r\n"
                        f"Newsgroups: local.test\r\nSubject: partition\r\nDate: {date}\r\nMessage-ID: {m}\r\n"
                        "\r\nHello.\r\n") for m in ids]

    def inject(self, i, ids):
        articles = self.articles(ids)
        c = mn.Conn(NNTP_PORT, host=self.mgmt(i))
        if not c.cmd("MODE STREAM").startswith("203"):
            raise RuntimeError("no streaming")
        c.send("".join(f"TAKETHIS {m}\r\n{mn.stuff(t)}" for m, t in articles))
        ok = sum(c.line() == f"239 {m}" for m, _ in articles)
        c.close()
        return ok

    def counts(self):
        return [mn.article_count(self.data(i)) for i in range(self.n)]


def wait_counts(mesh, want, nodes, deadline):
    while time.time() < deadline:
        c = mesh.counts()
        if all(c[i] >= want[i] for i in nodes):
            return True
        time.sleep(0.5)
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=20)
    ap.add_argument("--before", type=int, default=400, help="articles flooded before the cut")
    ap.add_argument("--during", type=int, default=300, help="articles injected on each side while cut")
    ap.add_argument("--cut-seconds", type=float, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--deadline", type=float, default=300, help="seconds the whole run may take")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("--inn", type=int, nargs="?", const=1, default=0, metavar="N",
                    help="N fresh INN labs as more nodes (see above)")
    args = ap.parse_args()
    if os.geteuid() != 0 or shutil.which("ip") is None:
        print("mesh_partition: skipped (needs root and ip netns)")
        return 77
    rng = random.Random(args.seed)
    t0 = time.time()
    deadline = t0 + args.deadline
    work = mn.make_workdir("partition")
    mesh = Mesh(args.nodes, work)
    ok = False
    pushing = threading.Event()
    labs = []  # (lab, half)
    if args.inn and not os.path.exists("/usr/lib/news/bin/innd"):
        print("mesh_partition: skipped (--inn: inn2 is not installed)")
        return 77
    try:
        mesh.build()
        for k in range(args.inn):
            lab = mn.InnLab(f"/tmp/{mesh.prefix}inn{k}", mn.free_port(), f"inn{k}.part.test")
            lab.setup_and_start(INN_CYCBUFF_GB=1, INN_BENCH_GROUPS=1)
            half = k % 2
            members = [i for i in range(args.nodes) if mesh.half(i) == half]
            at = (k // 2) * 3 % (len(members) - 1)
            pair = [members[at], members[at + 1]]
            if any(i in mesh.inn_nodes for i in pair):
                raise RuntimeError(f"--inn {args.inn}: too many INN servers for {args.nodes} nodes")
            labs.append((lab, half))
            mesh.attach_inn(lab, pair)
        if labs:
            def push():
                while not pushing.wait(1.0):
                    for lab, _ in labs:
                        mesh.inn_push(lab)
            threading.Thread(target=push, daemon=True).start()
        mesh.start()
        n = args.nodes
        tag = f"{os.getpid()}.{int(t0)}"
        before = [f"<before.{k}.{tag}@part.test>" for k in range(args.before)]
        for chunk in range(0, len(before), 50):
            mesh.inject(rng.randrange(n), before[chunk:chunk + 50])
        for j, (lab, _) in enumerate(labs):  # some enter the mesh through innd
            at_inn = [f"<inn{j}-before.{k}.{tag}@part.test>" for k in range(args.before // 4 // len(labs))]
            mn.takethis(lab.port, mesh.articles(at_inn))
            before += at_inn
        if not wait_counts(mesh, [len(before)] * n, range(n), deadline):
            print(f"mesh_partition: the first flood did not reach every node: {mesh.counts()}")
            return 1
        print(f"mesh_partition: {n} nodes, {len(mesh.links)} links, {len(before)} articles flooded "
              f"in {time.time() - t0:.1f} s")

        cut = mesh.cut_links()
        for k in cut:
            mesh.set_link(k, False)
        sides = [[i for i in range(n) if mesh.half(i) == h] for h in (0, 1)]
        during = [[f"<cut{h}.{k}.{tag}@part.test>" for k in range(args.during)] for h in (0, 1)]
        # A fifth of each half's articles enter through its INN servers, if it has any.
        inn_cut = set()
        for h in (0, 1):
            here = [lab for lab, half in labs if half == h]
            share = args.during // 5 // max(len(here), 1)
            for j, lab in enumerate(here):
                part = during[h][j * share:(j + 1) * share]
                mn.takethis(lab.port, mesh.articles(part))
                inn_cut.update(part)
        steps = 10
        for s in range(steps):
            for h in (0, 1):
                part = during[h][s * args.during // steps:(s + 1) * args.during // steps]
                part = [m for m in part if m not in inn_cut]
                if part:
                    mesh.inject(rng.choice(sides[h]), part)
            time.sleep(args.cut_seconds / steps)
        for h in (0, 1):
            want = [0] * n
            for i in sides[h]:
                want[i] = len(before) + len(during[h])
            if not wait_counts(mesh, want, sides[h], deadline):
                print(f"mesh_partition: half {h} did not converge while cut: {mesh.counts()}")
                return 1
        # What the feeds queued across the cut is dropped, as an expired backlog would be.
        cleared = 0
        for k in cut:
            a, b = mesh.links[k]
            for x, y in ((a, b), (b, a)):
                r = mesh.http(x, "POST", f"/peers/{mesh.name(y)}/clear")
                cleared += int(r.get("result", "cleared 0").split()[1]) if "result" in r else 0
        print(f"mesh_partition: cut {len(cut)} links for {args.cut_seconds:.0f} s, "
              f"{2 * args.during} articles injected meanwhile, {cleared} queued entries dropped")

        heal = time.time()
        for k in cut:
            mesh.set_link(k, True)
        total = len(before) + 2 * args.during
        all_ids = set(before) | set(during[0]) | set(during[1])
        # Counts first (cheap), then the ids themselves: a node may hold others too (an INN
        # lab's older articles, fetched by NEWNEWS), so a count alone proves nothing.
        exact = wait_counts(mesh, [total] * n, range(n), deadline)
        while exact:
            exact = all(mn.stored_ids(mesh.data(i), all_ids) == all_ids for i in range(n))
            if exact or time.time() > deadline:
                break
            time.sleep(0.5)
        took = time.time() - heal
        inn_note = ""
        for lab, _ in labs:
            inn_has = set()
            while time.time() < deadline:
                inn_has = mn.reader_has_ids(lab.port, all_ids)
                if inn_has == all_ids:
                    break
                time.sleep(0.5)
            exact = exact and inn_has == all_ids
            inn_note += f"{lab.pathhost} holds {len(inn_has)}/{len(all_ids)} ({time.time() - heal:.1f} s after the heal); "

        statuses = [mesh.http(i, "GET", "/status") for i in range(n)]
        runs = repaired_out = repaired_in = rbytes = items = failures = 0
        wanted = fetch_offers = fetched = fetch_dups = fetch_arrived = 0
        offered = refused = accepted = 0
        for s in statuses:
            for p in s["reconcile"]["peers"].values():
                runs += p["runs"]
                failures += p["failures"]
                repaired_out += p["queued_to_them"]
                repaired_in += p["queued_by_them"] + p.get("asked", 0)
                rbytes += p["bytes"]
                items += p.get("items_total", p["items"])
            rp = s["reconcile"].get("repair", {})
            wanted += rp.get("wanted", 0)
            fetch_offers += rp.get("offers", 0)
            fetched += rp.get("stored", 0)
            fetch_dups += rp.get("duplicates", 0)
            fetch_arrived += rp.get("arrived", 0)
            for p in s["peers"]:
                o = p.get("outgoing")
                if o:
                    offered += o.get("offered", 0)
                    refused += o.get("refused", 0)
                    accepted += o.get("accepted", 0)
        # What plain id lists would have cost: both sides' Message-IDs (with CRLF) for each run.
        avg_id = sum(len(m) + 2 for m in all_ids) / len(all_ids)
        lists = int(2 * items * avg_id)
        print(f"mesh_partition: {'converged' if exact else 'NOT converged'} {took:.1f} s after the heal; {inn_note}"
              f"{runs} reconciliations ({failures} failed), {repaired_out} articles queued to peers that "
              f"lacked them, {repaired_in} asked of peers; repair fetcher: {fetch_offers} (id, peer) offers for "
              f"{wanted} distinct ids, {fetched} fetched and stored, {fetch_dups} fetched as duplicates, "
              f"{fetch_arrived} arrived by feed first; "
              f"reconciliation {rbytes} bytes vs {lists} bytes of "
              f"plain id lists ({100.0 * rbytes / max(lists, 1):.2f} %); feeds: {offered} offers, "
              f"{accepted} accepted, {refused} refused as duplicates: "
              f"{offered / (total * n):.2f} offers and {refused / total:.2f} duplicate offers per article")
        ok = exact
        return 0 if ok else 1
    finally:
        pushing.set()
        mesh.teardown()
        for lab, _ in labs:
            lab.stop()
            if os.path.exists(os.path.join(lab.path, ".tidings-innlab")):
                shutil.rmtree(lab.path, ignore_errors=True)
        if ok and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        elif not ok:
            print(f"mesh_partition: logs kept in {work}")


if __name__ == "__main__":
    sys.exit(main())
