"""Helpers for the multi-node tests (mesh.py, test_interop_inn.py): start, kill -9 and restart
tidingsd nodes on loopback, feed them, ask them what they hold, and read a stopped node's store.

Environment: TIDINGSD (the binary; default $TIDINGS_TOP/build/server/tidingsd), TIDINGS_TOP.
"""
import os
import re
import struct
import shutil
import signal
import socket
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.environ.get("TIDINGS_TOP", os.path.dirname(HERE))
TIDINGSD = os.environ.get("TIDINGSD", os.path.join(TOP, "build", "server", "tidingsd"))
GROUPS = ["local.test", "misc.test"]


def free_port():
    """A loopback port that was free a moment ago (nodes need fixed ports to peer)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def date_now():
    return time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime())


def make_article(mid, newsgroups="local.test", path="origin.example!not-for-mail", body="Hello.\r\n"):
    return (f"Path: {path}\r\nFrom: Mesh <mesh@example.com>\r\nNewsgroups: {newsgroups}\r\n"
            f"Subject: mesh test\r\nDate: {date_now()}\r\nMessage-ID: {mid}\r\n\r\n{body}")


def stuff(text):
    lines = text.split("\r\n")
    if lines and lines[-1] == "":
        lines.pop()
    return "".join(("." + l if l.startswith(".") else l) + "\r\n" for l in lines) + ".\r\n"


class Conn:
    """A blocking NNTP connection for transit commands (TCP_NODELAY set)."""

    def __init__(self, port, host="127.0.0.1", timeout=20):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.greeting = self.line()

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("utf-8", "replace")

    def send(self, data):
        self.sock.sendall(data.encode("utf-8") if isinstance(data, str) else data)

    def cmd(self, command):
        self.send(command + "\r\n")
        return self.line()

    def close(self):
        try:
            self.send("QUIT\r\n")
        except OSError:
            pass
        self.sock.close()


def takethis(port, articles, window=64):
    """Feeds (mid, text) pairs with pipelined TAKETHIS; returns the set of ids that got 239."""
    ok = set()
    c = Conn(port)
    if not c.cmd("MODE STREAM").startswith("203"):
        raise RuntimeError("no streaming")
    for i in range(0, len(articles), window):
        part = articles[i:i + window]
        c.send("".join(f"TAKETHIS {m}\r\n{stuff(t)}" for m, t in part))
        for m, _ in part:
            if c.line() == f"239 {m}":
                ok.add(m)
    c.close()
    return ok


def has_ids(port, ids, window=500):
    """The ids among `ids` that the server at `port` already has (438 to CHECK). Use it only on
    a quiet server: a 238 makes the id "in progress" for this connection (innd: for wipcheck
    seconds), and feeders offering it meanwhile get 431 and retry later."""
    have = set()
    c = Conn(port)
    if not c.cmd("MODE STREAM").startswith("203"):
        raise RuntimeError("no streaming")
    ids = list(ids)
    for i in range(0, len(ids), window):
        part = ids[i:i + window]
        c.send("".join(f"CHECK {m}\r\n" for m in part))
        for m in part:
            r = c.line()
            if r.startswith("438"):
                have.add(m)
    c.close()
    return have


def stored_ids(data_dir, ids=None):
    """Message-IDs a node has (articles) or remembers (history: refused, cancelled, expired),
    read with mdb_dump from a running or stopped node: LMDB readers never disturb the writer,
    and unlike CHECK this reserves nothing. Restricted to `ids` when given."""
    keys = {k.decode("latin-1") for db in ("articles", "history") for k, _ in dump_db(data_dir, db)}
    return keys if ids is None else keys & set(ids)


def article_count(data_dir):
    """Articles a node stores (mdb_stat on its articles database): cheap to poll often."""
    out = subprocess.run(["mdb_stat", "-s", "articles", data_dir], capture_output=True, text=True).stdout
    m = re.search(r"Entries: (\d+)", out)
    return int(m.group(1)) if m else -1


def reader_has_ids(port, ids, chunk=100):
    """The ids among `ids` that a reader server (INN's nnrpd behind MODE READER) has: STAT."""
    have = set()
    c = Conn(port)
    c.cmd("MODE READER")
    ids = list(ids)
    for i in range(0, len(ids), chunk):
        part = ids[i:i + chunk]
        c.send("".join(f"STAT {m}\r\n" for m in part))
        for m in part:
            if c.line().startswith("223"):
                have.add(m)
    c.close()
    return have


class Node:
    """One tidingsd with a fixed port and a config built from its peers."""

    def __init__(self, name, port, workdir, groups=None):
        self.name = name  # also its pathhost
        self.groups = groups or GROUPS
        self.port = port
        self.dir = os.path.join(workdir, name)
        os.makedirs(self.dir, exist_ok=True)
        self.data = os.path.join(self.dir, "data")
        self.proc = None
        self.log = None
        self.peers = []  # (name, path_identity, port or None, extra toml)
        self.extra_toml = ""  # appended as is (e.g. [[upstream]] tables)

    def add_peer(self, name, port=None, path_identity=None, extra=""):
        self.peers.append((name, path_identity or name, port, extra))

    def write_config(self, without=()):
        lines = [
            "[node]", f'pathhost = "{self.name}"', f'data_dir = "{self.data}"', "log_level = \"info\"",
            "", "[storage]", 'durability = "durable"', "free_space_floor_mb = 10",
            "", "[[listen]]", 'address = "127.0.0.1"', f"port = {self.port}",
        ]
        for g in self.groups:
            lines += ["", "[[group]]", f'name = "{g}"']
        # Every peer connects from 127.0.0.1, so every [[peer]] lists it: an incoming session
        # is then attributed to the first one, and tidingsd, seeing the address shared, relies
        # on Path (not on that attribution) to avoid sending an article back.
        for name, ident, port, extra in self.peers:
            if name in without:
                continue
            lines += ["", "[[peer]]", f'name = "{name}"', f'path_identity = "{ident}"', "retry_s = 2",
                      'hosts = ["127.0.0.1", "::1"]']
            if port:
                lines.append(f'outgoing = "127.0.0.1:{port}"')
            if extra:
                lines.append(extra)
        # The test's own feeder (injection) also connects from 127.0.0.1. Listing it keeps the
        # address shared even when only one neighbour is configured: otherwise every injected
        # article would be taken for that neighbour's and never sent to it.
        if not any(p[0] == "feeder" for p in self.peers):
            lines += ["", "[[peer]]", 'name = "feeder"', 'hosts = ["127.0.0.1", "::1"]']
        path = os.path.join(self.dir, "tidings.toml")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n" + self.extra_toml)
        return path

    def start(self, without=()):
        cfg = self.write_config(without)
        listen = os.path.join(self.data, "tidingsd.listen")
        if os.path.exists(listen):
            os.remove(listen)
        if self.log:
            self.log.close()
        self.log = open(os.path.join(self.dir, "tidingsd.log"), "a")
        self.proc = subprocess.Popen([TIDINGSD, "--config", cfg], stderr=self.log, stdout=self.log)
        for _ in range(400):
            if os.path.exists(listen) and os.path.getsize(listen) > 0:
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.025)
        raise RuntimeError(f"{self.name} did not start: see {self.dir}/tidingsd.log")

    def kill9(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        self.proc = None

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                rc = self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                rc = -9
            self.proc = None
            return rc
        self.proc = None
        return 0

    def running(self):
        return self.proc is not None and self.proc.poll() is None


HEX = set("0123456789abcdefABCDEF")


def _unprintable(s):
    """Decodes mdb_dump -p text into bytes: "\\xx" is a hex escape; Debian's mdb_dump 0.9.24
    prints a backslash byte as itself, so a backslash not followed by two hex digits is one."""
    out = bytearray()
    i = 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 2 < len(s) and s[i + 1] in HEX and s[i + 2] in HEX:
            out.append(int(s[i + 1:i + 3], 16))
            i += 3
        else:
            out += c.encode("latin-1")
            i += 1
    return bytes(out)


def dump_db(data_dir, db):
    """(key, value) byte pairs of one LMDB sub-database of a stopped node (mdb_dump -p)."""
    out = subprocess.run(["mdb_dump", "-p", "-s", db, data_dir], capture_output=True, text=True,
                         encoding="latin-1", check=True).stdout
    lines = out.split("\n")
    i = lines.index("HEADER=END") + 1
    pairs = []
    while i + 1 < len(lines) and lines[i] != "DATA=END":
        pairs.append((_unprintable(lines[i][1:]), _unprintable(lines[i + 1][1:])))
        i += 2
    return pairs


def store_contents(data_dir):
    """What a stopped node holds: {message_id: Path} from its articles, and the (group,
    message_id) pairs of its group indexes (one per filing)."""
    articles = {}
    for key, value in dump_db(data_dir, "articles"):
        # The value is meta_len(4) meta (arrival, expiry, placements), then where the article's
        # bytes are in the journal: file (its first seq), offset, length, CRC (storage/codec.h).
        meta_len = int.from_bytes(value[0:4], "big")
        file_seq, offset, length = struct.unpack(">QQI", value[4 + meta_len:4 + meta_len + 20])
        with open(os.path.join(data_dir, "journal.%016x" % file_seq), "rb") as f:
            f.seek(offset)
            article = f.read(length)
        m = re.search(rb"Path: ([^\r\n]*)", article)
        articles[key.decode("latin-1")] = m.group(1).decode("latin-1") if m else ""
    filed = [(k.split(b"\0")[0].decode("latin-1"), v.decode("latin-1"))
             for k, v in dump_db(data_dir, "group_index")]
    return articles, filed


def make_workdir(tag):
    return tempfile.mkdtemp(prefix=f"tidings-{tag}-")


def remove_workdir(path):
    shutil.rmtree(path, ignore_errors=True)


# --- the private INN lab (conformance/inn) as a peer -------------------------------------------

INNLAB = os.environ.get("INNLAB", "/tmp/tidings-innlab")
INNPORT = int(os.environ.get("INNPORT", "1190"))
INN_PATHHOST = os.environ.get("INN_PATHHOST", "inn.tidings.test")
INNBIN = "/usr/lib/news/bin"
INN_SCRIPTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "inn")


class InnLab:
    """One private INN made by conformance/inn/setup: its folder, port and Path identity. The
    default is the lab of INNLAB/INNPORT/INN_PATHHOST; the partition mesh makes several."""

    def __init__(self, path=INNLAB, port=INNPORT, pathhost=INN_PATHHOST):
        self.path, self.port, self.pathhost = path, port, pathhost

    def env(self, **extra):
        e = dict(os.environ, INNLAB=self.path, INNPORT=str(self.port), INN_PATHHOST=self.pathhost)
        e.update({k: str(v) for k, v in extra.items()})
        return e

    def setup_and_start(self, **extra):
        """A fresh lab (setup wipes only folders it made) and its innd; raises on failure."""
        for script in ("setup", "start"):
            r = subprocess.run(["bash", os.path.join(INN_SCRIPTS, script)], env=self.env(**extra),
                               capture_output=True, text=True, stdin=subprocess.DEVNULL)
            if r.returncode != 0:
                raise RuntimeError(f"inn/{script} for {self.path}: {r.stderr.strip()[-500:]}")

    def stop(self):
        subprocess.run(["bash", os.path.join(INN_SCRIPTS, "stop")], env=self.env(), capture_output=True,
                       stdin=subprocess.DEVNULL)

    def available(self):
        """True when the lab's innd answers."""
        try:
            c = Conn(self.port, timeout=3)
            ok = c.greeting.startswith("20")
            c.close()
            return ok
        except OSError:
            return False

    def as_news(self, command, check=True):
        """Runs an INN command as the news user with the lab's inn.conf (innd runs as news)."""
        full = f"INNCONF='{self.path}/etc/inn.conf' {command}"
        if os.geteuid() == 0:
            argv = ["su", "news", "-s", "/bin/sh", "-c", full]
        else:
            argv = ["sudo", "-n", "su", "news", "-s", "/bin/sh", "-c", full]
        return subprocess.run(argv, capture_output=True, text=True, check=check, stdin=subprocess.DEVNULL)

    def add_feed(self, site, excludes, pattern="*,!junk,!control,!control.*"):
        """Adds a file feed (Tf,Wnm: storage token and Message-ID per line) for `site` to the
        lab's newsfeeds, skipping articles whose Path has any of `excludes`, and reloads it."""
        path = os.path.join(self.path, "etc", "newsfeeds")
        with open(path) as f:
            text = f.read()
        entry = f"{site}/{','.join(excludes)}:{pattern}:Tf,Wnm:\n"
        if not any(line.startswith(f"{site}/") or line.startswith(f"{site}:") for line in text.splitlines()):
            with open(path, "a") as f:
                f.write(entry)
        self.as_news(f"{INNBIN}/ctlinnd -t 30 reload newsfeeds 'tidings feed {site}'")

    def send_batch(self, site, port, streaming=True):
        """Moves the site's batch aside, makes innd reopen it, and runs innxmit on it to
        127.0.0.1:port. Returns innxmit's CompletedProcess, or None when there was nothing."""
        out = os.path.join(self.path, "spool", "outgoing")
        batch, work = os.path.join(out, site), os.path.join(out, site + ".work")
        if os.path.exists(work) and os.path.getsize(work) == 0:
            os.remove(work)
        if os.path.exists(batch) and not os.path.exists(work):
            os.rename(batch, work)
        self.as_news(f"{INNBIN}/ctlinnd -t 30 flush {site}", check=False)
        if not os.path.exists(work) or os.path.getsize(work) == 0:
            return None
        flags = "-s -c" if streaming else ""
        r = self.as_news(f"{INNBIN}/innxmit -a -v -t 10 -T 120 {flags} -P {port} 127.0.0.1 {work}", check=False)
        if os.path.exists(work) and os.path.getsize(work) == 0:
            os.remove(work)
        return r


LAB = InnLab()


def inn_available():
    return LAB.available()


def inn_as_news(command, check=True):
    return LAB.as_news(command, check)


def inn_add_feed(site, excludes, pattern="*,!junk,!control,!control.*"):
    LAB.add_feed(site, excludes, pattern)


def inn_send_batch(site, port, streaming=True):
    return LAB.send_batch(site, port, streaming)
