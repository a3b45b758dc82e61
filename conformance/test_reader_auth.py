"""AUTHINFO USER/PASS (RFC 4643) and TLS (STARTTLS, RFC 4642/8143; implicit TLS) against a
Tidings node this module starts itself, with accounts and TLS listeners. INN's lab has no
reader accounts and no certificate (it answers AUTHINFO with 483 and STARTTLS with 580), so
these run on Tidings only."""
import os
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import unittest
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import nntplib

from nntp import Raw, only_on

REASON = "starts its own tidingsd with [[user]] accounts and TLS listeners; INN's lab has neither"


def tidingsd_path():
    top = os.environ.get("TIDINGS_TOP", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return os.environ.get("TIDINGSD", os.path.join(top, "build", "server", "tidingsd"))


class Node:
    """A private tidingsd: plain listener (STARTTLS offered) and an implicit-TLS listener."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="tidings-auth-")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-keyout", f"{self.dir}/key.pem", "-out", f"{self.dir}/cert.pem",
                        "-subj", "/CN=localhost"], check=True, capture_output=True)
        hashed = subprocess.run([tidingsd_path(), "hash-password"], input="open sesame\n",
                                capture_output=True, text=True, check=True).stdout.strip()
        assert hashed.startswith("$y$"), hashed
        tls = f'tls_cert = "{self.dir}/cert.pem"\ntls_key = "{self.dir}/key.pem"\n'
        with open(f"{self.dir}/tidings.toml", "w") as f:
            f.write(f"""[node]
pathhost = "auth.conformance.test"
data_dir = "{self.dir}/data"

[readers]
anonymous_hosts = []

[[listen]]
address = "127.0.0.1"
port = 0
tls = "starttls"
{tls}
[[listen]]
address = "127.0.0.1"
port = 0
tls = "implicit"
{tls}
[[group]]
name = "local.test"

[[group]]
name = "secret.group"

[[user]]
name = "alice"
password_hash = "{hashed}"
read = "local.*"
post = "local.*"
""")
        self.log = open(f"{self.dir}/tidingsd.log", "w")
        self.proc = subprocess.Popen([tidingsd_path(), "--config", f"{self.dir}/tidings.toml"],
                                     stderr=self.log)
        listen = f"{self.dir}/data/tidingsd.listen"
        for _ in range(200):
            if os.path.exists(listen) and len(open(listen).read().splitlines()) >= 2:
                break
            time.sleep(0.05)
        ports = [int(l.split()[2]) for l in open(listen).read().splitlines() if l.startswith("nntp")]
        self.starttls_port, self.implicit_port = ports

    def close(self):
        self.proc.terminate()
        self.proc.wait(20)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def client_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # a self-signed test certificate
    return ctx


@only_on("tidings", reason=REASON)
class AuthAndTls(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.node = Node()

    @classmethod
    def tearDownClass(cls):
        cls.node.close()

    def raw(self):
        c = Raw("127.0.0.1", self.node.starttls_port)
        self.addCleanup(c.close)
        return c

    def caps(self, c):
        self.assertTrue(c.cmd("CAPABILITIES").startswith("101"))
        return c.block()

    @staticmethod
    def authinfo_user(caps):
        """RFC 4643 §2.1: "AUTHINFO USER", or "AUTHINFO USER SASL" where SASL is offered too."""
        return any(l.split()[:1] == ["AUTHINFO"] and "USER" in l.split()[1:] for l in caps)

    def test_480_until_authenticated_then_281(self):
        c = self.raw()
        self.assertRegex(c.greeting, r"^201 ")
        self.assertTrue(self.authinfo_user(self.caps(c)))  # loopback: a password may go in clear
        for cmd in ("GROUP local.test", "LIST", "ARTICLE <a@b.example>", "POST", "OVER", "NEWNEWS * 20000101 000000"):
            self.assertRegex(c.cmd(cmd), r"^480 ", cmd)
        self.assertRegex(c.cmd("AUTHINFO USER alice"), r"^381 ")
        self.assertRegex(c.cmd("AUTHINFO PASS open sesame"), r"^281 ")
        self.assertFalse(self.authinfo_user(self.caps(c)))
        self.assertIn("POST", self.caps(c))
        self.assertRegex(c.cmd("GROUP local.test"), r"^211 ")
        self.assertRegex(c.cmd("GROUP secret.group"), r"^411 ")  # outside alice's read wildmat
        self.assertRegex(c.cmd("AUTHINFO USER alice"), r"^502 ")

    def test_481_and_482(self):
        c = self.raw()
        self.assertRegex(c.cmd("AUTHINFO PASS open sesame"), r"^482 ")
        self.assertRegex(c.cmd("AUTHINFO USER alice"), r"^381 ")
        self.assertRegex(c.cmd("AUTHINFO PASS wrong"), r"^481 ")
        self.assertRegex(c.cmd("AUTHINFO USER mallory"), r"^381 ")
        self.assertRegex(c.cmd("AUTHINFO PASS open sesame"), r"^481 ")
        self.assertRegex(c.cmd("GROUP local.test"), r"^480 ")

    def test_nntplib_login_post_and_read(self):
        s = nntplib.NNTP("127.0.0.1", self.node.starttls_port, timeout=15)
        self.addCleanup(s.quit)
        s.login("alice", "open sesame", usenetrc=False)
        mid = f"<auth.{time.time_ns()}@conformance.test>"
        import io
        r = s.post(io.BytesIO(f"From: a@example.com\r\nNewsgroups: local.test\r\nSubject: authed\r\n"
                              f"Message-ID: {mid}\r\n\r\nbody\r\n".encode()))
        self.assertTrue(r.startswith("240"))
        self.assertEqual(s.body(mid)[1].lines, [b"body"])

    def test_starttls_changes_capabilities(self):
        c = self.raw()
        before = self.caps(c)
        self.assertIn("STARTTLS", before)
        self.assertRegex(c.cmd("STARTTLS"), r"^382 ")
        c.sock = client_context().wrap_socket(c.sock)
        self.assertIn(c.sock.version(), ("TLSv1.2", "TLSv1.3"))
        after = self.caps(c)
        self.assertNotIn("STARTTLS", after)  # RFC 4642 §2.2.2
        self.assertTrue(self.authinfo_user(after))
        self.assertRegex(c.cmd("STARTTLS"), r"^502 ")
        self.assertRegex(c.cmd("AUTHINFO USER alice"), r"^381 ")
        self.assertRegex(c.cmd("AUTHINFO PASS open sesame"), r"^281 ")
        self.assertRegex(c.cmd("GROUP local.test"), r"^211 ")

    def test_nntplib_starttls_then_login(self):
        s = nntplib.NNTP("127.0.0.1", self.node.starttls_port, timeout=15)
        self.addCleanup(s.quit)
        s.starttls(client_context())
        s.login("alice", "open sesame", usenetrc=False)
        self.assertEqual(s.group("local.test")[4], "local.test")

    def test_implicit_tls_listener(self):
        s = nntplib.NNTP_SSL("127.0.0.1", self.node.implicit_port, ssl_context=client_context(), timeout=15)
        self.addCleanup(s.quit)
        self.assertTrue(s.getwelcome().startswith("201"))
        self.assertNotIn("STARTTLS", s.getcapabilities())
        s.login("alice", "open sesame", usenetrc=False)
        self.assertEqual(s.group("local.test")[4], "local.test")

    def test_tls_1_1_is_refused(self):
        ctx = client_context()
        ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.maximum_version = ssl.TLSVersion.TLSv1_1
        try:
            ctx.set_ciphers("ALL:@SECLEVEL=0")
        except ssl.SSLError:
            pass
        sock = socket.create_connection(("127.0.0.1", self.node.implicit_port), timeout=10)
        with self.assertRaises((ssl.SSLError, OSError)):
            ctx.wrap_socket(sock).recv(100)
        sock.close()


if __name__ == "__main__":
    unittest.main()
