"""The reader service through Python's nntplib, the library many scripts and bots use:
connect in reader mode, post, list, select, overview, read, headers."""
import io
import time
import unittest
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import nntplib

from nntp import HOST, PORT, unique_id


class Nntplib(unittest.TestCase):
    def setUp(self):
        self.s = nntplib.NNTP(HOST, PORT, readermode=True, timeout=15)

    def tearDown(self):
        try:
            self.s.quit()
        except (EOFError, OSError, nntplib.NNTPError):
            pass

    def test_post_then_read_back(self):
        mid = unique_id("nntplib")
        body = ".leading dot\r\nUTF-8: Grüße\r\n..double\r\n"
        art = (f"From: Nntplib <nntplib@example.com>\r\nNewsgroups: local.test\r\n"
               f"Subject: via nntplib\r\nMessage-ID: {mid}\r\n"
               "Content-Type: text/plain; charset=UTF-8\r\n\r\n" + body).encode()
        self.assertTrue(self.s.post(io.BytesIO(art)).startswith("240"))
        deadline = time.time() + 10
        while True:
            try:
                self.s.stat(mid)
                break
            except nntplib.NNTPTemporaryError:
                if time.time() > deadline:
                    raise
                time.sleep(0.1)
        _, info = self.s.body(mid)
        self.assertEqual(info.lines, [b".leading dot", "UTF-8: Grüße".encode(), b"..double"])
        resp, count, first, last, name = self.s.group("local.test")
        self.assertEqual(name, "local.test")
        _, overviews = self.s.over((max(first, last - 20), last))
        mine = [(n, o) for n, o in overviews if o["message-id"] == mid]
        self.assertEqual(len(mine), 1)
        n, ov = mine[0]
        self.assertEqual(ov["subject"], "via nntplib")
        self.assertEqual(nntplib.decode_header(ov["from"]), "Nntplib <nntplib@example.com>")
        _, art_info = self.s.article(n)
        self.assertIn(f"Message-ID: {mid}".encode(), art_info.lines)
        _, hdrs = self.s.xhdr("subject", str(n))
        self.assertEqual(hdrs, [(str(n), "via nntplib")])

    def test_list_and_descriptions(self):
        _, groups = self.s.list()
        names = {g.group for g in groups}
        self.assertIn("local.test", names)
        _, desc = self.s.descriptions("local.*")
        self.assertIn("local.test", desc)
        self.assertIn("READER", self.s.getcapabilities())

    def test_errors_raise_the_right_classes(self):
        with self.assertRaises(nntplib.NNTPTemporaryError) as e:
            self.s.group("no.such.group.here")
        self.assertTrue(str(e.exception).startswith("411"))
        with self.assertRaises(nntplib.NNTPTemporaryError) as e:
            self.s.article("<no.such.article@conformance.test>")
        self.assertTrue(str(e.exception).startswith("430"))


if __name__ == "__main__":
    unittest.main()
