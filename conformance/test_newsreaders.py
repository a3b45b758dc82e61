"""Real newsreaders against Tidings: tin and slrn, driven in tmux (send-keys / capture-pane).
Each connects, lists the groups, reads a seed article, posts a follow-up with an "editor"
script, and reads the follow-up back; the follow-up is also checked over NNTP (References,
body). The module starts its own tidingsd with one group per reader so the screens are
predictable. Needs the Debian packages tin, slrn and tmux (scripts/test installs them)."""
import io
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest
import uuid
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import nntplib

from nntp import only_on

HERE = os.path.dirname(os.path.abspath(__file__))
EDITOR = os.path.join(HERE, "newsreaders", "edit.sh")
FOLLOWUP_TEXT = "Follow-up body from the newsreader test."
REASON = "drives tin and slrn against a tidingsd this module starts itself"


def tidingsd_path():
    top = os.environ.get("TIDINGS_TOP", os.path.dirname(HERE))
    return os.environ.get("TIDINGSD", os.path.join(top, "build", "server", "tidingsd"))


class Tmux:
    def __init__(self, name, command, env):
        self.name = f"{name}-{uuid.uuid4().hex[:8]}"
        envs = " ".join(f"{k}={v!r}" for k, v in env.items())
        subprocess.run(["tmux", "new-session", "-d", "-s", self.name, "-x", "120", "-y", "40",
                        f"env {envs} {command}; sleep 600"], check=True)

    def screen(self):
        return subprocess.run(["tmux", "capture-pane", "-p", "-t", self.name],
                              capture_output=True, text=True).stdout

    def keys(self, *keys):
        time.sleep(0.2)  # let the reader finish drawing: keys typed ahead are sometimes lost
        subprocess.run(["tmux", "send-keys", "-t", self.name, *keys], check=True)

    def wait(self, pattern, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            s = self.screen()
            if re.search(pattern, s):
                return s
            time.sleep(0.2)
        raise AssertionError(f"{pattern!r} never appeared on the screen:\n{self.screen()}")

    def kill(self):
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


@only_on("tidings", reason=REASON)
class Newsreaders(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        missing = [p for p in ("tin", "slrn", "tmux") if not shutil.which(p)]
        if missing:
            raise unittest.SkipTest(f"not installed: {', '.join(missing)} (scripts/test installs them)")
        cls.dir = tempfile.mkdtemp(prefix="tidings-newsreaders-")
        with open(f"{cls.dir}/tidings.toml", "w") as f:
            f.write(f"""[node]
pathhost = "readers.conformance.test"
data_dir = "{cls.dir}/data"

[[listen]]
address = "127.0.0.1"
port = 0

[http]
enabled = false

[[group]]
name = "local.tin"
description = "Where tin posts"

[[group]]
name = "local.slrn"
description = "Where slrn posts"
""")
        cls.log = open(f"{cls.dir}/tidingsd.log", "w")
        cls.proc = subprocess.Popen([tidingsd_path(), "--config", f"{cls.dir}/tidings.toml"], stderr=cls.log)
        listen = f"{cls.dir}/data/tidingsd.listen"
        for _ in range(200):
            if os.path.exists(listen) and open(listen).read().strip():
                break
            time.sleep(0.05)
        cls.port = int(open(listen).read().split()[2])

    @classmethod
    def tearDownClass(cls):
        cls.proc.terminate()
        cls.proc.wait(20)
        cls.log.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def nntp(self):
        s = nntplib.NNTP("127.0.0.1", self.port, timeout=15)
        self.addCleanup(s.quit)
        return s

    def seed(self, group, subject):
        mid = f"<seed.{uuid.uuid4().hex}@example.com>"
        art = (f"From: Seed <seed@example.com>\r\nNewsgroups: {group}\r\nSubject: {subject}\r\n"
               f"Message-ID: {mid}\r\n\r\nThis is the seed body.\r\n").encode()
        self.assertTrue(self.nntp().post(io.BytesIO(art)).startswith("240"))
        return mid

    def followup_of(self, group, mid):
        """The follow-up to `mid` in `group`, checked over NNTP: its body lines."""
        s = self.nntp()
        _, count, first, last, _ = s.group(group)
        for n, ov in s.over((first, last))[1]:
            if mid in ov["references"]:
                return [l.decode() for l in s.body(n)[1].lines]
        self.fail(f"no follow-up to {mid} in {group}")

    def home(self, name):
        h = os.path.join(self.dir, name)
        os.makedirs(h, exist_ok=True)
        return h

    def test_tin_lists_reads_and_follows_up(self):
        subject = f"Tin seed {uuid.uuid4().hex[:6]}"
        mid = self.seed("local.tin", subject)
        home = self.home("tin-home")
        os.makedirs(f"{home}/.tin", exist_ok=True)
        open(f"{home}/.newsrc", "w").write("local.tin:\n")
        open(f"{home}/.tin/tinrc", "w").write("mail_address=Tin Tester <tin@example.com>\n")
        t = Tmux("tin", f"tin -r -g 127.0.0.1 -p {self.port}",
                 {"HOME": home, "TERM": "xterm", "EDITOR": EDITOR, "VISUAL": EDITOR})
        self.addCleanup(t.kill)
        s = t.wait(r"Press <RETURN>|Group Selection")
        if "Press <RETURN>" in s:
            t.keys("Enter")
        t.wait(r"Group Selection[\s\S]*local\.tin")
        t.keys("Enter")                                   # into the group: the index
        t.wait(re.escape(subject))
        t.keys("Enter")                                   # the article
        t.wait(r"This is the seed body\.")
        t.keys("f")                                       # follow-up: editor, then the menu
        t.wait(r"p=post")
        t.keys("p")
        t.wait(r"Article posted")
        self.assertIn(FOLLOWUP_TEXT, self.followup_of("local.tin", mid))
        # Back to the group list and in again: tin re-reads the group and shows the reply.
        for _ in range(6):                                # pager -> index -> group selection
            if "Group Selection" in t.screen():
                break
            t.keys("q")
            time.sleep(1)
        t.wait(r"Group Selection")
        time.sleep(0.5)
        t.keys("Enter")
        t.wait(r"Tin Tester")
        time.sleep(0.5)
        t.keys("Enter")
        t.wait(r"This is the seed body\.")
        time.sleep(0.5)
        t.keys("Tab")                                     # next unread: the follow-up
        t.wait(r"Re: " + re.escape(subject))
        t.wait(re.escape(FOLLOWUP_TEXT))

    def test_slrn_lists_reads_and_follows_up(self):
        subject = f"Slrn seed {uuid.uuid4().hex[:6]}"
        mid = self.seed("local.slrn", subject)
        home = self.home("slrn-home")
        open(f"{home}/.jnewsrc", "w").write("local.slrn:\n")
        open(f"{home}/.slrnrc", "w").write(
            'set hostname "example.com"\nset username "slrn"\nset realname "Slrn Tester"\n'
            f'set editor_command "{EDITOR} \'%s\'"\n')
        t = Tmux("slrn", f"slrn -h 127.0.0.1:{self.port} -f {home}/.jnewsrc",
                 {"HOME": home, "TERM": "xterm"})
        self.addCleanup(t.kill)
        t.wait(r"News Groups[\s\S]*|local\.slrn")
        t.wait(r"local\.slrn")
        t.keys("Space")                                   # into the group: the headers
        t.wait(re.escape(subject))
        t.keys("Space")                                   # the article
        t.wait(r"This is the seed body\.")
        t.keys("f")
        t.wait(r"followup\?")
        t.keys("y")
        t.wait(r"Post the message\?")
        t.keys("y")
        t.wait(r"Posting\.\.\.done")
        self.assertIn(FOLLOWUP_TEXT, self.followup_of("local.slrn", mid))
        time.sleep(0.5)
        t.keys("q")                                       # back to the group list, then in again
        t.wait(r"News Groups")
        time.sleep(0.5)
        t.keys("Space")
        t.wait(r"Slrn Tester")
        time.sleep(0.5)
        t.keys("Space")                                   # the unread follow-up
        t.wait(re.escape(FOLLOWUP_TEXT))


if __name__ == "__main__":
    unittest.main()
