"""The reader service (RFC 3977 §5-8, RFC 6048 LIST keywords, RFC 2980 X commands): posting,
reading back by number and by message-ID, dot-stuffing round trips, overview, headers, lists
and the error codes. Every article a test needs is posted by the test itself."""
import re
import time
import unittest

from nntp import Raw, stuff, unique_id

GROUP = "local.test"


def reader():
    """A connection in reader mode (innd hands the socket to nnrpd on MODE READER)."""
    c = Raw()
    c.cmd("CAPABILITIES")
    caps = c.block()
    if "MODE-READER" in caps:
        assert re.match(r"^20[01]", c.cmd("MODE READER"))
        c.cmd("CAPABILITIES")
        caps = c.block()
    c.caps = caps
    return c


def posting(groups, subject, body, mid, extra=""):
    return (f"From: Reader Test <reader@example.com>\r\nNewsgroups: {groups}\r\n"
            f"Subject: {subject}\r\nMessage-ID: {mid}\r\n{extra}\r\n{body}")


def post(c, groups=GROUP, subject="reader test", body="Hello.\r\n", mid=None, extra=""):
    """Posts; returns (the final status line, the Message-ID)."""
    mid = mid or unique_id("r")
    first = c.cmd("POST")
    assert first.startswith("340"), first
    c.send(stuff(posting(groups, subject, body, mid, extra)))
    return c.line(), mid


def wait_for(c, mid, timeout=10):
    """INN files a posted article asynchronously (nnrpd hands it to innd): wait for it."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if c.cmd(f"STAT {mid}").startswith("223"):
            return True
        time.sleep(0.1)
    return False


def number_of(c, group, mid):
    """Selects `group` and returns the article number of `mid` in it."""
    r = c.cmd(f"GROUP {group}")
    assert r.startswith("211"), r
    _, count, low, high, _ = r.split(None, 4)
    lo = max(int(low), int(high) - 50)
    r = c.cmd(f"OVER {lo}-{high}")
    assert r.startswith("224"), r
    for line in c.block():
        fields = line.split("\t")
        if fields[4] == mid:
            return int(fields[0])
    raise AssertionError(f"{mid} not in the overview of {group}")


class ReaderBase(unittest.TestCase):
    def setUp(self):
        self.c = reader()

    def tearDown(self):
        self.c.close()

    def posted(self, **kw):
        r, mid = post(self.c, **kw)
        self.assertTrue(r.startswith("240"), r)
        self.assertTrue(wait_for(self.c, mid), f"{mid} never appeared")
        return mid


class Capabilities(ReaderBase):
    def test_reader_capabilities(self):
        for cap in ("READER", "POST", "HDR"):
            self.assertIn(cap, self.c.caps)
        self.assertTrue(any(l.split()[0] == "OVER" for l in self.c.caps))
        lists = next(l for l in self.c.caps if l.startswith("LIST "))
        for kw in ("ACTIVE", "NEWSGROUPS", "OVERVIEW.FMT", "HEADERS", "COUNTS", "ACTIVE.TIMES"):
            self.assertIn(kw, lists.split())

    def test_mode_reader_is_200(self):
        self.assertRegex(self.c.cmd("MODE READER"), r"^200 ")


class ArticleRetrieval(ReaderBase):
    def test_round_trip_by_message_id(self):
        body = "Line one.\r\n.\r\n..\r\n.starts with a dot\r\n...three\r\nend\r\n"
        mid = self.posted(subject="dots", body=body)
        self.assertRegex(self.c.cmd(f"BODY {mid}"), rf"^222 \d+ {re.escape(mid)}( |$)")
        self.assertEqual(self.c.block(), body.split("\r\n")[:-1])
        r = self.c.cmd(f"ARTICLE {mid}")
        self.assertRegex(r, rf"^220 \d+ {re.escape(mid)}( |$)")
        art = self.c.block()
        self.assertIn(f"Message-ID: {mid}", art)
        self.assertIn("Subject: dots", art)
        self.assertTrue(any(l.startswith("Path: ") for l in art))
        self.assertEqual(art[art.index("") + 1:], body.split("\r\n")[:-1])
        r = self.c.cmd(f"HEAD {mid}")
        self.assertRegex(r, rf"^221 \d+ {re.escape(mid)}( |$)")
        head = self.c.block()
        self.assertNotIn("", head)
        self.assertIn("Newsgroups: local.test", head)
        self.assertRegex(self.c.cmd(f"STAT {mid}"), rf"^223 \d+ {re.escape(mid)}( |$)")

    def test_eight_bit_utf8_body_round_trips(self):
        body = "Grüße aus Köln — €uro ✓\r\n.Punkt\r\n"
        mid = self.posted(subject="utf-8", body=body,
                          extra="Content-Type: text/plain; charset=UTF-8\r\n"
                                "Content-Transfer-Encoding: 8bit\r\nMIME-Version: 1.0\r\n")
        self.c.send(f"BODY {mid}\r\n")
        self.assertTrue(self.c.line().startswith("222"))
        raw = b""
        while not raw.endswith(b"\r\n.\r\n"):
            chunk = self.c.sock.recv(65536) if not self.c.buf else b""
            raw += self.c.buf + chunk
            self.c.buf = b""
        self.assertEqual(raw, "Grüße aus Köln — €uro ✓\r\n..Punkt\r\n.\r\n".encode())

    def test_by_number_and_current_article(self):
        mid = self.posted(subject="by number")
        n = number_of(self.c, GROUP, mid)
        expect = lambda code: rf"^{code} {n} {re.escape(mid)}( |$)"
        self.assertRegex(self.c.cmd(f"STAT {n}"), expect(223))
        self.assertRegex(self.c.cmd("ARTICLE"), expect(220))
        self.c.block()
        self.assertRegex(self.c.cmd("HEAD"), expect(221))
        self.c.block()
        self.assertRegex(self.c.cmd("BODY"), expect(222))
        self.assertEqual(self.c.block(), ["Hello."])

    def test_last_and_next(self):
        first = self.posted(subject="one")
        second = self.posted(subject="two")
        n1 = number_of(self.c, GROUP, first)
        n2 = number_of(self.c, GROUP, second)
        self.assertRegex(self.c.cmd(f"STAT {n1}"), r"^223 ")
        r = self.c.cmd("NEXT")
        self.assertRegex(r, r"^223 \d+ <")
        r = self.c.cmd(f"STAT {n2}")
        self.assertRegex(self.c.cmd("LAST"), r"^223 \d+ <")
        r = self.c.cmd("GROUP " + GROUP)
        low = int(r.split()[2])
        self.c.cmd(f"STAT {low}")
        self.assertRegex(self.c.cmd("LAST"), r"^422 ")
        _, _, _, high, _ = r.split(None, 4)
        self.c.cmd(f"STAT {high}")
        self.assertRegex(self.c.cmd("NEXT"), r"^421 ")


class Groups(ReaderBase):
    def test_group_answer_and_listgroup(self):
        mid = self.posted(subject="listgroup")
        r = self.c.cmd(f"GROUP {GROUP}")
        m = re.match(r"^211 (\d+) (\d+) (\d+) local\.test$", r)
        self.assertTrue(m, r)
        count, low, high = map(int, m.groups())
        self.assertGreaterEqual(count, 1)
        r = self.c.cmd(f"LISTGROUP {GROUP}")
        self.assertTrue(r.startswith("211"), r)
        nums = [int(x) for x in self.c.block()]
        self.assertEqual(len(nums), count)
        self.assertEqual(nums, sorted(nums))
        self.assertEqual((nums[0], nums[-1]), (low, high))
        n = number_of(self.c, GROUP, mid)
        r = self.c.cmd(f"LISTGROUP {GROUP} {n}-")
        self.assertTrue(r.startswith("211"), r)
        self.assertEqual([int(x) for x in self.c.block()], [x for x in nums if x >= n])

    def test_no_such_group_is_411(self):
        self.assertRegex(self.c.cmd("GROUP no.such.group.here"), r"^411 ")
        self.assertRegex(self.c.cmd("LISTGROUP no.such.group.here"), r"^411 ")

    def test_no_group_selected_is_412(self):
        for cmd in ("ARTICLE", "ARTICLE 1", "HEAD 1", "BODY", "STAT 1", "NEXT", "LAST", "OVER",
                    "XOVER 1-2", "HDR Subject 1-2", "LISTGROUP"):
            self.assertRegex(self.c.cmd(cmd), r"^412 ", cmd)

    def test_unknown_number_is_423_and_unknown_id_is_430(self):
        self.posted(subject="four two three")
        self.assertTrue(self.c.cmd(f"GROUP {GROUP}").startswith("211"))
        for cmd in ("ARTICLE 99999999", "HEAD 99999999", "BODY 99999999", "STAT 99999999",
                    "OVER 99999990-99999999", "HDR Subject 99999990-99999999"):
            self.assertRegex(self.c.cmd(cmd), r"^423 ", cmd)
        for cmd in ("ARTICLE", "HEAD", "BODY", "STAT"):
            self.assertRegex(self.c.cmd(f"{cmd} <no.such.article@conformance.test>"), r"^430 ", cmd)

    def test_current_article_invalid_is_420(self):
        self.c.cmd("LIST ACTIVE")
        empty = [l.split()[0] for l in self.c.block()
                 if int(l.split()[1]) < int(l.split()[2])]
        if not empty:
            self.skipTest("every group has articles: no group where the current article is invalid")
        self.assertTrue(self.c.cmd(f"GROUP {empty[0]}").startswith("211"))
        for cmd in ("ARTICLE", "HEAD", "BODY", "STAT", "NEXT", "LAST", "OVER"):
            self.assertRegex(self.c.cmd(cmd), r"^420 ", cmd)

    def test_bad_syntax_is_501(self):
        self.assertRegex(self.c.cmd("ARTICLE not-a-number"), r"^501 ")
        self.assertRegex(self.c.cmd("NEWGROUPS yesterday"), r"^501 ")
        self.assertRegex(self.c.cmd("LIST NO.SUCH.KEYWORD"), r"^501 ")


class Overview(ReaderBase):
    def test_over_range_and_xover(self):
        mid = self.posted(subject="overview\ttab", extra="References: <a@b.example>\r\n")
        n = number_of(self.c, GROUP, mid)
        for verb in ("OVER", "XOVER"):
            self.assertTrue(self.c.cmd(f"{verb} {n}").startswith("224"))
            lines = self.c.block()
            self.assertEqual(len(lines), 1)
            f = lines[0].split("\t")
            self.assertEqual(f[0], str(n))
            self.assertEqual(f[1], "overview tab")
            self.assertEqual(f[2], "Reader Test <reader@example.com>")
            self.assertEqual(f[4], mid)
            self.assertEqual(f[5], "<a@b.example>")
            self.assertTrue(f[6].isdigit() and f[7] == "1")
        self.assertTrue(self.c.cmd("OVER").startswith("224"))  # the current article
        self.assertEqual(len(self.c.block()), 1)

    def test_over_by_message_id_when_advertised(self):
        if "OVER MSGID" not in self.c.caps:
            self.skipTest("the server does not advertise OVER MSGID")
        mid = self.posted(subject="over msgid")
        self.assertTrue(self.c.cmd(f"OVER {mid}").startswith("224"))
        lines = self.c.block()
        self.assertEqual(lines[0].split("\t")[0], "0")
        self.assertEqual(lines[0].split("\t")[4], mid)
        self.assertRegex(self.c.cmd("OVER <no.such@conformance.test>"), r"^430 ")

    def test_overview_fmt(self):
        self.assertTrue(self.c.cmd("LIST OVERVIEW.FMT").startswith("215"))
        fmt = self.c.block()
        # RFC 3977 §8.4: "Bytes:" and "Lines:" are the legacy spellings of the metadata items.
        legacy = {"Bytes:": ":bytes", "Lines:": ":lines"}
        self.assertEqual([legacy.get(f, f) for f in fmt[:7]],
                         ["Subject:", "From:", "Date:", "Message-ID:", "References:", ":bytes", ":lines"])

    def test_hdr_xhdr_xpat(self):
        mid = self.posted(subject="hdr test", extra="X-Conformance: yes please\r\n")
        n = number_of(self.c, GROUP, mid)
        self.assertTrue(self.c.cmd(f"HDR Subject {n}").startswith("225"))
        self.assertEqual(self.c.block(), [f"{n} hdr test"])
        self.assertTrue(self.c.cmd(f"HDR Subject {mid}").startswith("225"))
        self.assertEqual(self.c.block(), ["0 hdr test"])
        self.assertTrue(self.c.cmd(f"HDR :lines {n}").startswith("225"))
        self.assertEqual(self.c.block(), [f"{n} 1"])
        self.assertTrue(self.c.cmd(f"HDR X-Conformance {n}").startswith("225"))
        self.assertEqual(self.c.block(), [f"{n} yes please"])
        self.assertTrue(self.c.cmd(f"XHDR Subject {n}").startswith("221"))
        self.assertEqual(self.c.block(), [f"{n} hdr test"])
        self.assertTrue(self.c.cmd(f"XHDR Subject {mid}").startswith("221"))
        self.assertEqual(self.c.block(), [f"{mid} hdr test"])
        self.assertTrue(self.c.cmd(f"XPAT Subject {n}-{n} hdr*").startswith("221"))
        self.assertEqual(self.c.block(), [f"{n} hdr test"])
        self.assertTrue(self.c.cmd(f"XPAT Subject {n}-{n} nomatch*").startswith("221"))
        self.assertEqual(self.c.block(), [])
        self.assertRegex(self.c.cmd("HDR Subject <no.such@conformance.test>"), r"^430 ")


class Lists(ReaderBase):
    def block_of(self, cmd, code="215"):
        r = self.c.cmd(cmd)
        self.assertTrue(r.startswith(code), f"{cmd}: {r}")
        return self.c.block()

    def test_list_active_with_wildmat(self):
        lines = self.block_of("LIST ACTIVE local.test")
        self.assertEqual(len(lines), 1)
        self.assertRegex(lines[0], r"^local\.test \d+ \d+ [ynm]$")
        self.assertTrue(all(l.startswith("local.") for l in self.block_of("LIST ACTIVE local.*")))
        self.assertEqual(self.block_of("LIST ACTIVE no.such.*"), [])
        plain = self.block_of("LIST")
        self.assertIn(lines[0].split()[0], [l.split()[0] for l in plain])

    def test_list_newsgroups_counts_times_headers_distribpats(self):
        for l in self.block_of("LIST NEWSGROUPS local.*"):
            self.assertRegex(l, r"^local\.\S+[ \t]")
        counts = self.block_of("LIST COUNTS local.test")
        self.assertRegex(counts[0], r"^local\.test \d+ \d+ \d+ [ynm]$")
        for l in self.block_of("LIST ACTIVE.TIMES local.*"):
            self.assertRegex(l, r"^local\.\S+ \d+ \S+$")
        self.assertIn(":", self.block_of("LIST HEADERS"))
        for l in self.block_of("LIST DISTRIB.PATS"):
            self.assertRegex(l, r"^\d+:[^:]+:.+$")

    def test_list_motd_is_215_or_503(self):
        r = self.c.cmd("LIST MOTD")
        self.assertRegex(r, r"^(215|503) ")
        if r.startswith("215"):
            self.c.block()

    def test_newgroups(self):
        self.assertEqual(self.block_of("NEWGROUPS 20991231 235959 GMT", "231"), [])
        for l in self.block_of("NEWGROUPS 19900101 000000 GMT", "231"):
            self.assertRegex(l, r"^\S+ \d+ \d+ [ynmjx=]")

    def test_newnews_when_advertised(self):
        if "NEWNEWS" not in self.c.caps:
            self.skipTest("the server does not advertise NEWNEWS (INN's lab disables it)")
        mid = self.posted(subject="newnews")
        self.assertIn(mid, self.block_of("NEWNEWS local.* 19900101 000000 GMT", "230"))
        self.assertNotIn(mid, self.block_of("NEWNEWS misc.* 19900101 000000 GMT", "230"))
        self.assertEqual(self.block_of("NEWNEWS * 20991231 000000 GMT", "230"), [])


class Posting(ReaderBase):
    def test_missing_newsgroups_is_441(self):
        self.assertTrue(self.c.cmd("POST").startswith("340"))
        self.c.send(stuff("From: a@example.com\r\nSubject: no groups\r\n\r\nbody\r\n"))
        self.assertRegex(self.c.line(), r"^441 ")

    def test_missing_from_is_441(self):
        self.assertTrue(self.c.cmd("POST").startswith("340"))
        self.c.send(stuff(f"Newsgroups: {GROUP}\r\nSubject: no from\r\n\r\nbody\r\n"))
        self.assertRegex(self.c.line(), r"^441 ")

    def test_unknown_group_is_441(self):
        r, _ = post(self.c, groups="no.such.group.here")
        self.assertRegex(r, r"^441 ")

    def test_server_adds_path_date_and_message_id(self):
        self.assertTrue(self.c.cmd("POST").startswith("340"))
        self.c.send(stuff(f"From: a@example.com\r\nNewsgroups: {GROUP}\r\nSubject: bare\r\n\r\nb\r\n"))
        self.assertTrue(self.c.line().startswith("240"))
        deadline = time.time() + 10
        while time.time() < deadline:
            r = self.c.cmd(f"GROUP {GROUP}")
            high = r.split()[3]
            self.c.cmd(f"HEAD {high}")
            head = self.c.block() if self.c.buf or True else []
            if "Subject: bare" in head:
                break
            time.sleep(0.1)
        names = [l.split(":", 1)[0].lower() for l in head]
        for h in ("path", "date", "message-id", "injection-info"):
            self.assertIn(h, names)


if __name__ == "__main__":
    unittest.main()
