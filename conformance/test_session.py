"""Session basics (RFC 3977 §3, §5, §7): greeting, CAPABILITIES, HELP, DATE, QUIT, errors."""
import re
import unittest

from nntp import Raw


class Session(unittest.TestCase):
    def setUp(self):
        self.c = Raw()
        # DATE is a READER command (RFC 3977 §7.1): a mode-switching server (INN's innd
        # says MODE-READER) answers it only after MODE READER.
        self.c.cmd("CAPABILITIES")
        if "MODE-READER" in self.c.block():
            self.assertRegex(self.c.cmd("MODE READER"), r"^20[01]")

    def tearDown(self):
        self.c.close()

    def test_greeting_is_200_or_201(self):
        self.assertRegex(self.c.greeting, r"^20[01] ")

    def test_capabilities_start_with_version_2(self):
        self.assertTrue(self.c.cmd("CAPABILITIES").startswith("101"))
        caps = self.c.block()
        self.assertEqual(caps[0], "VERSION 2")

    def test_help_is_multiline_100(self):
        self.assertTrue(self.c.cmd("HELP").startswith("100"))
        self.assertTrue(len(self.c.block()) > 0)

    def test_date_is_111_with_14_digits(self):
        self.assertRegex(self.c.cmd("DATE"), r"^111 \d{14}$")

    def test_unknown_command_is_500(self):
        self.assertTrue(self.c.cmd("XYZZY").startswith("500"))

    def test_overlong_line_is_refused_and_session_survives(self):
        r = self.c.cmd("DATE " + "x" * 2000)
        self.assertRegex(r, r"^50[01]")
        self.assertRegex(self.c.cmd("DATE"), r"^111 ")

    def test_quit_is_205_and_closes(self):
        self.assertTrue(self.c.cmd("QUIT").startswith("205"))
        self.assertTrue(self.c.closed())


if __name__ == "__main__":
    unittest.main()
