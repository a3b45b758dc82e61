#!/usr/bin/env python3
"""Power cuts for real: tidingsd ingests over NNTP onto powercut-fs, a FUSE file system that keeps
only what was fsync'ed; at a random moment both are SIGKILLed (the cut), the file system is mounted
again over what survived, the store's fsck runs, tidingsd restarts, and every article it had
acknowledged (235/239) must be there with its own bytes. An article it never acknowledged may be
there or not, but never in part.

  tools/powercut-fs/powercut.py [--rounds 100] [--seed S] [--tidingsd build/server/tidingsd]

Ends with `powercut: N cuts, A acknowledged, 0 lost, integrity ok` (exit 0); any loss, damaged
article or failed integrity check: exit 1, keeping the work folder. Exit 77 (SKIPPED) when FUSE
cannot be used here (no /dev/fuse, powercut-fs not built, the mount refused).
Talks to 127.0.0.1 only; everything it starts it stops by PID, and it unmounts, even on failure.
"""
import argparse
import atexit
import collections
import hashlib
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SKIP = 77
DATE = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime())
SENT_PATH = "feeder.powercut.test!not-for-mail"


class Failure(Exception):
    pass


class Skip(Exception):
    pass


# ---- articles: everything follows from the Message-ID, so nothing sent needs to be kept -------

def shape(mid):
    """(body bytes, newsgroups) of an article, drawn from its id: mostly small, a few larger
    than a FUSE write (128 KiB). Few bytes keep the fsck, which reads them all, quick."""
    h = int.from_bytes(hashlib.sha256(mid.encode()).digest()[:8], "big")
    r = random.Random(h)
    p = r.random()
    size = r.randint(200, 3000) if p < 0.9 else r.randint(3000, 20000) if p < 0.995 else r.randint(64000, 250000)
    groups = "local.test,misc.test" if r.random() < 0.3 else "local.test"
    return size, groups, h


def article(mid):
    """The article as sent, unstuffed: CRLF lines, header, empty line, body."""
    size, groups, h = shape(mid)
    hexdata = random.Random(h ^ 0x5eed).randbytes(size // 2 + 32).hex()
    lines = [hexdata[i:i + 64] for i in range(0, size, 64)]
    for i in range(0, len(lines), 7):
        lines[i] = "." + lines[i]  # dot-stuffing on the way in and out
    head = (f"Path: {SENT_PATH}\r\nFrom: Power Cut <cut@powercut.test>\r\nNewsgroups: {groups}\r\n"
            f"Subject: power cut {mid}\r\nDate: {DATE}\r\nMessage-ID: {mid}\r\n")
    return head + "\r\n" + "".join(l + "\r\n" for l in lines)


def stuff(text):
    return "".join(("." + l if l.startswith(".") else l) + "\r\n" for l in text.split("\r\n")[:-1]) + ".\r\n"


def same_article(mid, got):
    """Whether `got` (ARTICLE's text, unstuffed) is what was sent: the same body byte for byte
    and the same header, but for our Path prepending tidingsd's pathhost and its added Xref."""
    sent = article(mid)
    sent_head, _, sent_body = sent.partition("\r\n\r\n")
    got_head, sep, got_body = got.partition("\r\n\r\n")
    if not sep or got_body != sent_body:
        return False
    got_lines = [l for l in got_head.split("\r\n") if not l.startswith("Xref: ")]
    sent_lines = sent_head.split("\r\n")
    paths = [l for l in got_lines if l.startswith("Path: ")]
    if len(paths) != 1 or not paths[0].endswith("!" + SENT_PATH):
        return False
    return [l for l in got_lines if not l.startswith("Path: ")] == sent_lines[1:]


# ---- NNTP ---------------------------------------------------------------------------------------

class Conn:
    def __init__(self, port, timeout):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf, self.pos = b"", 0
        greeting = self.line()
        if not greeting.startswith(("200", "201")):
            raise Failure(f"greeting: {greeting!r}")

    def send(self, text):
        self.sock.sendall(text.encode("latin-1"))

    # Answers are read from self.buf at self.pos; consumed bytes are dropped only when more
    # arrive, so taking a line never copies the rest of the buffer. The two bytes before pos
    # (the last line's CRLF) stay, for block().
    def fill(self):
        data = self.sock.recv(1 << 20)
        if not data:
            raise ConnectionError("closed")
        keep = max(0, self.pos - 2)
        self.buf, self.pos = self.buf[keep:] + data, self.pos - keep

    def line(self):
        while (end := self.buf.find(b"\r\n", self.pos)) < 0:
            self.fill()
        line, self.pos = self.buf[self.pos:end], end + 2
        return line.decode("latin-1")

    def block(self):
        """The multi-line body after a status line, unstuffed. Searching from the status line's
        CRLF finds the end of an empty body too."""
        while (end := self.buf.find(b"\r\n.\r\n", self.pos - 2)) < 0:
            self.fill()
        text, self.pos = self.buf[self.pos:end + 2].decode("latin-1"), end + 5
        return "".join((l[1:] if l.startswith(".") else l) + "\r\n" for l in text.split("\r\n")[:-1])

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Feed:
    """One round's ingest: streaming connections (TAKETHIS, a window in flight) and one lock-step
    IHAVE connection, until the cut closes them. Every id offered is in `offered`; an id joins
    `acked` only once its whole 239/235 line was read."""

    def __init__(self, port, prefix, connections, window):
        self.port, self.prefix, self.window = port, prefix, window
        self.lock = threading.Lock()
        self.next = 0
        self.offered, self.acked, self.refused = [], set(), []
        self.threads = [threading.Thread(target=self.stream, daemon=True) for _ in range(connections - 1)]
        self.threads.append(threading.Thread(target=self.ihave, daemon=True))
        for t in self.threads:
            t.start()

    def new_id(self):
        with self.lock:
            self.next += 1
            mid = f"<{self.prefix}.{self.next}@powercut.test>"
            self.offered.append(mid)
            return mid

    def answer(self, mid, line, ok):
        with self.lock:
            if line.startswith(ok) and line.split()[1:2] in ([mid], []):
                self.acked.add(mid)
            else:
                self.refused.append((mid, line))

    def stream(self):
        try:
            c = Conn(self.port, 30)
            c.send("MODE STREAM\r\n")
            if not c.line().startswith("203"):
                return
            inflight = collections.deque()
            while True:
                while len(inflight) < self.window:
                    mid = self.new_id()
                    c.send(f"TAKETHIS {mid}\r\n" + stuff(article(mid)))
                    inflight.append(mid)
                line = c.line()
                mid = line.split()[1] if len(line.split()) > 1 else inflight[0]
                if mid in inflight:
                    inflight.remove(mid)
                self.answer(mid, line, "239")
        except (OSError, ConnectionError, IndexError):
            return  # the cut

    def ihave(self):
        try:
            c = Conn(self.port, 30)
            while True:
                mid = self.new_id()
                c.send(f"IHAVE {mid}\r\n")
                if not c.line().startswith("335"):
                    return
                c.send(stuff(article(mid)))
                self.answer(mid, c.line(), "235")
        except (OSError, ConnectionError):
            return

    def join(self, timeout):
        for t in self.threads:
            t.join(timeout)


def stat_all(port, ids, timeout, chunk=500):
    """The ids STAT does not find (pipelined)."""
    missing = []
    c = Conn(port, timeout)
    for i in range(0, len(ids), chunk):
        part = ids[i:i + chunk]
        c.send("".join(f"STAT {m}\r\n" for m in part))
        for m in part:
            if not c.line().startswith("223"):
                missing.append(m)
    c.close()
    return missing


def fetch_all(port, ids, timeout, chunk=32):
    """{id: unstuffed article text or None when absent (430)}; any other answer is a failure."""
    out = {}
    c = Conn(port, timeout)
    for i in range(0, len(ids), chunk):
        part = ids[i:i + chunk]
        c.send("".join(f"ARTICLE {m}\r\n" for m in part))
        for m in part:
            l = c.line()
            if l.startswith("220"):
                out[m] = c.block()
            elif l.startswith("430"):
                out[m] = None
            else:
                raise Failure(f"ARTICLE {m}: {l!r}")
    c.close()
    return out


# ---- processes: the file system and tidingsd ----------------------------------------------------

class Rig:
    """The work folder, the mount and tidingsd; stop() undoes all of it, by PID."""

    def __init__(self, args, work):
        self.args, self.work = args, work
        self.backing = os.path.join(work, "backing")
        self.mnt = os.path.join(work, "mnt")
        self.data = os.path.join(self.mnt, "data")
        self.config = os.path.join(work, "tidings.toml")
        os.makedirs(self.mnt, exist_ok=True)
        self.fs = self.tidingsd = None
        self.mounts = 0
        self.write_config()

    def write_config(self):
        with open(self.config, "w") as f:
            f.write(f"""[node]
pathhost = "powercut.tidings.test"
data_dir = "{self.data}"
log_level = "info"

[storage]
durability = "{self.args.durability}"
free_space_floor_mb = 10

[[listen]]
address = "127.0.0.1"
port = 0

[http]
enabled = false

[[group]]
name = "local.test"

[[group]]
name = "misc.test"

[[peer]]
name = "feeder"
hosts = ["127.0.0.1"]
""")

    def new_store(self):
        """An empty file system: tidingsd creates its data folder itself, and must make that
        name durable (an fsync of the parent) or a cut soon after the first start loses the
        whole store."""
        if self.mounted():
            raise Failure("new_store with the file system mounted")
        shutil.rmtree(self.backing, ignore_errors=True)
        os.makedirs(self.backing)

    def mount(self):
        log = open(os.path.join(self.work, "powercut-fs.log"), "a")
        self.fs = subprocess.Popen([self.args.fs, self.backing, self.mnt], stdout=log, stderr=log)
        log.close()
        self.mounts += 1
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.mounted():
                return
            if self.fs.poll() is not None:
                self.fs = None
                with open(os.path.join(self.work, "powercut-fs.log")) as f:
                    why = " / ".join(f.read().strip().splitlines()[-3:]) or "no message"
                if self.mounts == 1:
                    raise Skip(f"the FUSE mount failed: {why}")
                raise Failure(f"powercut-fs exited at mount: {why}")
            time.sleep(0.01)
        raise Failure("powercut-fs did not mount in 10 s")

    def start(self, timeout):
        listen = os.path.join(self.data, "tidingsd.listen")
        if os.path.exists(listen):
            os.remove(listen)
        log = open(os.path.join(self.work, "tidingsd.log"), "a")
        self.tidingsd = subprocess.Popen([self.args.tidingsd, "--config", self.config], stdout=log, stderr=log)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                for line in open(listen).read().splitlines():
                    parts = line.split()
                    if parts[:1] == ["nntp"]:
                        return int(parts[2])
            except (OSError, IndexError, ValueError):
                pass
            if self.tidingsd.poll() is not None:
                raise Failure(f"tidingsd exited ({self.tidingsd.returncode}) at start: see {self.work}/tidingsd.log")
            time.sleep(0.02)
        raise Failure("tidingsd did not start in time")

    def cut(self):
        """The power cut: tidingsd and the file system die at once; what powercut-fs held in
        memory (everything not fsync'ed) goes with it, and so does the kernel's page cache of
        the mount, which is dropped with it."""
        for p in (self.tidingsd, self.fs):
            if p and p.poll() is None:
                p.send_signal(signal.SIGKILL)
        for p in (self.tidingsd, self.fs):
            if p:
                p.wait()
        self.tidingsd = self.fs = None
        self.unmount()

    @staticmethod
    def mounted_at(path):
        # Not os.path.ismount: a mount whose daemon died answers stat() with ENOTCONN.
        with open("/proc/self/mounts") as f:
            return any(l.split()[1].replace("\\040", " ") == path for l in f)

    def mounted(self):
        return self.mounted_at(self.mnt)

    def unmount(self):
        if self.mounted():  # lazily: a process might still hold a file open on it
            subprocess.run(["umount", "-l", self.mnt], stderr=subprocess.DEVNULL)

    def check_store(self, timeout):
        r = subprocess.run([self.args.check, self.data], capture_output=True, text=True, timeout=timeout)
        return r.returncode, (r.stdout + r.stderr).strip()

    def stop_tidingsd(self):
        p, self.tidingsd = self.tidingsd, None
        if p and p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                return p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
                return -9
        return p.returncode if p else 0

    def stop(self):
        for p in (self.tidingsd, self.fs):
            if p and p.poll() is None:
                p.kill()
                p.wait()
        self.tidingsd = self.fs = None
        self.unmount()

    def backing_listing(self):
        d = os.path.join(self.backing, "data")
        return "\n".join(f"  {n} {os.path.getsize(os.path.join(d, n))}" for n in sorted(os.listdir(d)))


# ---- the run ------------------------------------------------------------------------------------

def verify(port, last, older, sample, timeout, rng):
    """Checks after a restart: each article of the last round was acknowledged and is there
    with its bytes, or was not and is whole or absent; a sample of older acknowledged ones is
    still there. Returns (lost ids, damaged ids, unacked present count)."""
    acked = sorted(last.acked)
    unacked = [m for m in last.offered if m not in last.acked]
    got = fetch_all(port, acked + unacked, timeout)
    lost = [m for m in acked if got[m] is None]
    damaged = [m for m, text in got.items() if text is not None and not same_article(m, text)]
    lost += stat_all(port, rng.sample(older, min(sample, len(older))), timeout)
    present = sum(1 for m in unacked if got[m] is not None)
    return lost, damaged, present


def run(args, work):
    rig = Rig(args, work)
    atexit.register(rig.stop)  # also on an exception or SIGTERM (sys.exit)
    try:
        run_rounds(args, rig)
    finally:
        rig.stop()


def run_rounds(args, rig):
    """Rounds of feed, cut, remount, fsck, restart, verify. Every --rounds-per-store rounds the
    store is checked whole (STAT of every id it acknowledged), stopped cleanly and replaced by
    a new one: the fsck reads every article, so its time grows with the store."""
    rng = random.Random(args.seed)
    total_acked = 0
    t0 = time.monotonic()
    port, last, store_acked, store_no = None, None, [], 0
    for rnd in range(1, args.rounds + 1):
        started = time.monotonic()
        note = ""
        if last is not None:
            t = time.monotonic()
            older = store_acked[:-len(last.acked) or None]
            lost, damaged, present = verify(port, last, older, args.sample, args.round_timeout, rng)
            report_problems(rig, rnd - 1, args.seed, lost, damaged)
            note = (f"; restarted: {len(last.acked)} acked all there, {present}/{len(last.offered) - len(last.acked)} "
                    f"unacked whole ({time.monotonic() - t:.1f}s)")
        if (rnd - 1) % args.rounds_per_store == 0:
            if port is not None:
                finish_store(rig, port, store_acked, rnd - 1, args)
            store_no += 1
            rig.new_store()
            rig.mount()
            port = rig.start(args.round_timeout)
            last, store_acked = None, []
        delay = rng.uniform(args.min_delay, args.max_delay)
        last = Feed(port, f"pc{args.seed}.{rnd}", args.connections, args.window)
        time.sleep(delay)
        rig.cut()
        last.join(10)
        store_acked += sorted(last.acked)
        total_acked += len(last.acked)
        rig.mount()
        t = time.monotonic()
        rc, out = rig.check_store(args.round_timeout)
        check_s = time.monotonic() - t
        if rc != 0:
            raise Failure(f"round {rnd} (seed {args.seed}): store check failed after the cut:\n{out}\n"
                          f"backing data folder:\n{rig.backing_listing()}")
        port = rig.start(args.round_timeout)
        summary = out.splitlines()[-1].replace("store-check: ", "")
        print(f"round {rnd}/{args.rounds}: cut after {delay:.2f}s, {len(last.offered)} offered, "
              f"{len(last.acked)} acked ({total_acked} in all); store {store_no}: {summary} ({check_s:.1f}s){note}; "
              f"{time.monotonic() - started:.1f}s", flush=True)
        if last.refused:
            print(f"  refused: {last.refused[:3]}", flush=True)
    if last is not None:
        lost, damaged, _ = verify(port, last, [], 0, args.round_timeout, rng)
        report_problems(rig, args.rounds, args.seed, lost, damaged)
        finish_store(rig, port, store_acked, args.rounds, args)
    elapsed = time.monotonic() - t0
    print(f"powercut: {args.rounds} cuts, {total_acked} acknowledged, 0 lost, integrity ok "
          f"({elapsed:.0f} s, {elapsed / max(args.rounds, 1):.2f} s per round, seed {args.seed})", flush=True)


def finish_store(rig, port, acked, rnd, args):
    """Every id this store acknowledged, over all its cuts, is there; then a clean stop."""
    lost = stat_all(port, acked, max(args.round_timeout, 120))
    report_problems(rig, rnd, args.seed, lost, [], final=True)
    rc = rig.stop_tidingsd()
    if rc != 0:
        raise Failure(f"tidingsd exited {rc} on SIGTERM")
    rig.stop()


def report_problems(rig, rnd, seed, lost, damaged, final=False):
    if not lost and not damaged:
        return
    where = (f"in the check of every id the store acknowledged, after round {rnd}" if final
             else f"after the cut of round {rnd}")
    raise Failure(f"{where} (seed {seed}): {len(lost)} acknowledged articles lost {lost[:20]}, "
                  f"{len(damaged)} present but damaged {damaged[:20]}\n"
                  f"backing data folder:\n{rig.backing_listing()}")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=100, help="power cuts (default 100)")
    p.add_argument("--seed", type=int, default=None, help="seed for cut times and articles (default: random)")
    p.add_argument("--tidingsd", default=os.path.join(ROOT, "build/server/tidingsd"))
    p.add_argument("--fs", default=os.path.join(ROOT, "build/tools/powercut-fs/powercut-fs"))
    p.add_argument("--check", default=os.path.join(ROOT, "build/tools/powercut-fs/tidings-store-check"))
    p.add_argument("--min-delay", type=float, default=0.2, help="earliest cut after the feed starts (s)")
    p.add_argument("--max-delay", type=float, default=1.5, help="latest cut (s)")
    p.add_argument("--connections", type=int, default=4, help="feeding connections (one of them IHAVE)")
    p.add_argument("--window", type=int, default=32, help="TAKETHIS in flight per connection")
    p.add_argument("--rounds-per-store", type=int, default=10, help="cuts before a new store (default 10)")
    p.add_argument("--sample", type=int, default=500, help="older acknowledged ids STATed each round")
    p.add_argument("--round-timeout", type=float, default=60, help="bound on each wait (s)")
    p.add_argument("--durability", choices=("durable", "relaxed"), default="durable",
                   help="the mode under test; relaxed (acks before the sync) must fail: the test's own check")
    p.add_argument("--workdir", help="work folder (default: a new one under $TMPDIR, removed on success)")
    p.add_argument("--keep", action="store_true", help="keep the work folder")
    args = p.parse_args()
    if args.seed is None:
        args.seed = random.randrange(1, 1 << 31)
    print(f"powercut: {args.rounds} rounds, seed {args.seed}", flush=True)
    try:
        if not os.path.exists("/dev/fuse"):
            raise Skip("/dev/fuse is missing")
        for path, what in ((args.fs, "powercut-fs (needs libfuse3-dev at configure time)"),
                           (args.check, "tidings-store-check"), (args.tidingsd, "tidingsd")):
            if not os.access(path, os.X_OK):
                if path == args.fs:
                    raise Skip(f"{what} is not built: {path}")
                raise Failure(f"{what} is not built: {path}")
    except Skip as e:
        print(f"powercut: SKIPPED: {e}")
        return SKIP
    except Failure as e:
        print(f"powercut: FAILED: {e}")
        return 1
    work = args.workdir or tempfile.mkdtemp(prefix="powercut-")
    os.makedirs(work, exist_ok=True)
    # A hang-up or SIGTERM unwinds through the finally blocks, which stop everything by PID.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGHUP, lambda *_: sys.exit(129))
    ok = False
    try:
        run(args, work)
        ok = True
        return 0
    except Skip as e:
        print(f"powercut: SKIPPED: {e}")
        ok = True
        return SKIP
    except Failure as e:
        print(f"powercut: FAILED: {e}\nwork folder kept: {work}")
        return 1
    finally:
        # Never delete through a live mount (rig.stop unmounted it; checked again anyway).
        if ok and not args.keep and not args.workdir and not Rig.mounted_at(os.path.join(work, "mnt")):
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
