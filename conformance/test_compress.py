"""COMPRESS DEFLATE (RFC 8054) with Python's zlib on the client side: raw DEFLATE (RFC 1951)
each way, the client flushing after every command. Runs against any server that offers it."""
import unittest
import zlib

from nntp import TARGET, Raw, stuff, unique_id
from test_reader import GROUP, post, posting, reader, wait_for


class Compressed(Raw):
    """The client end of a compressed NNTP connection, taking over a Raw one after its 206."""

    def __init__(self, raw):  # no new connection: the socket and what was read stay
        self.sock = raw.sock
        self.greeting = raw.greeting
        self.out = zlib.compressobj(6, zlib.DEFLATED, -15)
        self.inflate = zlib.decompressobj(-15)
        self.buf = self.inflate.decompress(raw.buf) if raw.buf else b""
        raw.buf = b""

    def send(self, data):
        data = data.encode("utf-8") if isinstance(data, str) else data
        self.sock.sendall(self.out.compress(data) + self.out.flush(zlib.Z_SYNC_FLUSH))

    def recv(self):
        chunk = self.sock.recv(65536)
        return self.inflate.decompress(chunk) if chunk else chunk


class Compress(unittest.TestCase):
    def setUp(self):
        self.c = reader()
        self.addCleanup(self.c.close)
        if not any(l.split()[:1] == ["COMPRESS"] and "DEFLATE" in l.split() for l in self.c.caps):
            self.skipTest("the server does not offer COMPRESS DEFLATE")

    def test_commands_articles_and_posting_through_deflate(self):
        r, mid = post(self.c, subject="before compression", body="Squeeze me.\r\n.dotted line\r\n")
        self.assertTrue(r.startswith("240"), r)
        self.assertTrue(wait_for(self.c, mid))
        self.assertRegex(self.c.cmd("COMPRESS DEFLATE"), r"^206 ")
        z = Compressed(self.c)
        self.assertRegex(z.cmd("CAPABILITIES"), r"^101 ")
        caps = z.block()
        self.assertFalse(any(l.startswith("COMPRESS") for l in caps), caps)  # §2.1: not once active
        self.assertNotIn("STARTTLS", caps)
        self.assertRegex(z.cmd(f"GROUP {GROUP}"), r"^211 ")
        self.assertRegex(z.cmd(f"ARTICLE {mid}"), r"^220 ")
        body = z.block()
        self.assertIn("Squeeze me.", body)
        self.assertIn(".dotted line", body)
        mid2 = unique_id("z")
        self.assertRegex(z.cmd("POST"), r"^340 ")
        z.send(stuff(posting(GROUP, "while compressed", "Posted through DEFLATE.\r\n" * 50, mid2)))
        self.assertRegex(z.line(), r"^240 ")
        for _ in range(50):
            if z.cmd(f"STAT {mid2}").startswith("223"):
                break
        self.assertRegex(z.cmd(f"BODY {mid2}"), r"^222 ")
        self.assertEqual(z.block().count("Posted through DEFLATE."), 50)
        self.assertRegex(z.cmd("COMPRESS DEFLATE"), r"^502 ")  # §2.2.2: already active
        if TARGET == "tidings":  # §2.2.2: no authentication once compressed (INN's lab has no accounts)
            self.assertRegex(z.cmd("AUTHINFO USER alice"), r"^502 ")
            self.assertRegex(z.cmd("STARTTLS"), r"^502 ")
        self.assertRegex(z.cmd("QUIT"), r"^205")

    def test_unknown_algorithm_is_503_and_bad_syntax_501(self):
        self.assertRegex(self.c.cmd("COMPRESS SHRINK"), r"^503 ")
        self.assertRegex(self.c.cmd("COMPRESS"), r"^501 ")
        self.assertRegex(self.c.cmd("DATE"), r"^111 ")  # still uncompressed


if __name__ == "__main__":
    unittest.main()
