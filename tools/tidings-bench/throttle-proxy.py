#!/usr/bin/env python3
"""A TCP proxy that limits what one upstream can send: every connection through it shares one
token bucket of RATE bytes per second for the server-to-client direction (the client's
commands pass unthrottled). It stands in for a news server on the far end of a link of fixed
bandwidth, for tools/tidings-bench/pull-bench.sh.

Usage: throttle-proxy.py LISTEN_PORT TARGET_HOST TARGET_PORT RATE_BYTES_PER_S
Prints "ready PORT" on stdout once listening (LISTEN_PORT 0: any free port). Stops on SIGTERM.
"""
import asyncio
import sys
import time

CHUNK = 16 * 1024


class Bucket:
    """Tokens refill at `rate` bytes/s up to one chunk's worth of burst; take() waits for them."""

    def __init__(self, rate):
        self.rate = float(rate)
        self.tokens = 0.0
        self.last = time.monotonic()
        self.lock = asyncio.Lock()

    async def take(self, n):
        async with self.lock:  # one sender at a time: the link's order is first come first served
            while True:
                now = time.monotonic()
                self.tokens = min(self.tokens + (now - self.last) * self.rate, float(CHUNK))
                self.last = now
                if self.tokens >= n:
                    self.tokens -= n
                    return
                await asyncio.sleep((n - self.tokens) / self.rate)


async def pipe(reader, writer, bucket):
    try:
        while True:
            data = await reader.read(CHUNK)
            if not data:
                break
            if bucket:
                await bucket.take(len(data))
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        try:
            writer.close()
        except Exception:
            pass


async def main():
    listen_port, host, port, rate = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    bucket = Bucket(rate)

    async def handle(client_r, client_w):
        try:
            server_r, server_w = await asyncio.open_connection(host, port)
        except OSError:
            client_w.close()
            return
        await asyncio.gather(pipe(client_r, server_w, None), pipe(server_r, client_w, bucket))

    server = await asyncio.start_server(handle, "127.0.0.1", listen_port)
    print("ready", server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
