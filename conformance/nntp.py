"""Small raw-socket NNTP client and helpers for the conformance suite (no server internals).

Environment: NNTP_HOST, NNTP_PORT, NNTP_TARGET (tidings | inn | another name).
"""
import os
import socket
import time
import unittest
import uuid

HOST = os.environ.get("NNTP_HOST", "127.0.0.1")
PORT = int(os.environ.get("NNTP_PORT", "119"))
TARGET = os.environ.get("NNTP_TARGET", "external")


def only_on(*targets, reason=""):
    """Marks a test that applies to some servers only; it is skipped elsewhere, with a reason."""
    return unittest.skipUnless(TARGET in targets, f"applies to {', '.join(targets)} only: {reason}")


def unique_id(tag="c"):
    return f"<{tag}.{uuid.uuid4().hex}@conformance.test>"


def article(message_id, newsgroups="local.test", path="origin.example!not-for-mail",
            subject="conformance test", body="Hello from the conformance suite.\r\n", extra=""):
    return (f"Path: {path}\r\nFrom: Conformance <conformance@example.com>\r\n"
            f"Newsgroups: {newsgroups}\r\nSubject: {subject}\r\n"
            f"Date: {time.strftime('%a, %d %b %Y %H:%M:%S +0000', time.gmtime())}\r\n"
            f"Message-ID: {message_id}\r\n{extra}\r\n{body}")


def stuff(text):
    """Dot-stuffs a CRLF text and appends the terminating line."""
    lines = text.split("\r\n")
    if lines and lines[-1] == "":
        lines.pop()
    return "".join(("." + l if l.startswith(".") else l) + "\r\n" for l in lines) + ".\r\n"


class Raw:
    """A blocking line-oriented NNTP connection that sets TCP_NODELAY and waits patiently
    (INN does not set TCP_NODELAY, so answers may take ~40 ms)."""

    def __init__(self, host=HOST, port=PORT, timeout=15):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.greeting = self.line()

    def send(self, data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        self.sock.sendall(data)

    def recv(self):
        """The next bytes of the server's answers (a layer such as COMPRESS overrides it)."""
        return self.sock.recv(65536)

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.recv()
            if not chunk:
                raise EOFError("connection closed by server")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("utf-8", "replace")

    def cmd(self, command):
        self.send(command + "\r\n")
        return self.line()

    def block(self):
        out = []
        while True:
            l = self.line()
            if l == ".":
                return out
            out.append(l[1:] if l.startswith(".") else l)

    def closed(self, timeout=5):
        self.sock.settimeout(timeout)
        try:
            while True:
                if not self.sock.recv(65536):
                    return True
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
