"""Transit from a feeding peer: IHAVE (RFC 3977 §6.3.2) and streaming (RFC 4644)."""
import unittest

from nntp import Raw, article, only_on, stuff, unique_id


class Streaming(unittest.TestCase):
    def setUp(self):
        self.c = Raw()
        self.assertTrue(self.c.cmd("MODE STREAM").startswith("203"))

    def tearDown(self):
        self.c.close()

    def takethis(self, mid, text):
        self.c.send(f"TAKETHIS {mid}\r\n" + stuff(text))
        return self.c.line()

    def test_check_takethis_then_duplicate(self):
        mid = unique_id("s")
        self.assertEqual(self.c.cmd(f"CHECK {mid}").split()[:2], ["238", mid])
        self.assertEqual(self.takethis(mid, article(mid)).split()[:2], ["239", mid])
        self.assertEqual(self.c.cmd(f"CHECK {mid}").split()[:2], ["438", mid])
        self.assertEqual(self.takethis(mid, article(mid)).split()[:2], ["439", mid])

    def test_pipelined_checks_answer_in_order(self):
        mids = [unique_id("p") for _ in range(50)]
        self.c.send("".join(f"CHECK {m}\r\n" for m in mids))
        for m in mids:
            self.assertEqual(self.c.line().split()[:2], ["238", m])
        self.c.send("".join(f"TAKETHIS {m}\r\n" + stuff(article(m, body=".dot line\r\nplain\r\n")) for m in mids))
        for m in mids:
            self.assertEqual(self.c.line().split()[:2], ["239", m])

    @only_on("tidings", reason="INN 2.7 answers 239 and files the article under its header's id")
    def test_takethis_with_mismatched_id_is_439(self):
        mid = unique_id("m")
        self.assertEqual(self.takethis(mid, article(unique_id("other"))).split()[:2], ["439", mid])

    def test_takethis_for_uncarried_group_is_439(self):
        mid = unique_id("u")
        self.assertEqual(self.takethis(mid, article(mid, newsgroups="alt.nowhere.carried")).split()[:2], ["439", mid])


class Capabilities(unittest.TestCase):
    def test_a_feeder_is_offered_ihave_and_streaming(self):
        c = Raw()
        c.cmd("CAPABILITIES")
        caps = c.block()
        c.close()
        self.assertIn("IHAVE", caps)
        self.assertIn("STREAMING", caps)


class Ihave(unittest.TestCase):
    def setUp(self):
        self.c = Raw()

    def tearDown(self):
        self.c.close()

    def test_ihave_335_then_235_then_435(self):
        mid = unique_id("i")
        self.assertTrue(self.c.cmd(f"IHAVE {mid}").startswith("335"))
        self.c.send(stuff(article(mid)))
        self.assertTrue(self.c.line().startswith("235"))
        self.assertTrue(self.c.cmd(f"IHAVE {mid}").startswith("435"))

    def test_ihave_without_required_headers_is_437(self):
        mid = unique_id("b")
        self.assertTrue(self.c.cmd(f"IHAVE {mid}").startswith("335"))
        self.c.send(stuff(f"Path: x!y\r\nMessage-ID: {mid}\r\n\r\nbody\r\n"))
        self.assertTrue(self.c.line().startswith("437"))


if __name__ == "__main__":
    unittest.main()
