"""The bench web on 127.0.0.1: :mod:`bench.site`'s pages, each answered after a fixed latency.

One asyncio event loop serves every connection (HTTP/1.1 keep-alive, GET and HEAD): the latency is
an ``asyncio.sleep`` before the response, so a slow answer never holds up another connection, as
with a real site whose time goes to the network and the CMS. Bodies are sent uncompressed to every
client, so all crawlers move the same bytes.

    python -m bench.server --pages 5000 --latency 0.02

prints ``http://127.0.0.1:PORT`` on its first line (port 0: a free one), serves until SIGTERM or
SIGINT, then prints one JSON line: responses and body bytes served, by content type.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import subprocess
import sys
from collections import Counter
from http import HTTPStatus
from pathlib import Path

from bench.site import Layout, Site

MAX_HEADER_LINES = 100
ROOT = Path(__file__).resolve().parents[1]


class Stats:
    """What the server answered: responses and body bytes by status and content type."""

    def __init__(self) -> None:
        self.responses: Counter[str] = Counter()
        self.bytes: Counter[str] = Counter()

    def add(self, status: int, content_type: str, size: int) -> None:
        key = f"{status} {content_type.split(';')[0]}"
        self.responses[key] += 1
        self.bytes[key] += size

    def to_dict(self) -> dict[str, dict[str, int]]:
        return {"responses": dict(self.responses), "bytes": dict(self.bytes)}


class BenchServer:
    """Serve ``site`` with ``latency`` seconds before every response."""

    def __init__(self, site: Site, latency: float) -> None:
        self.site = site
        self.latency = latency
        self.stats = Stats()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while await self._one_exchange(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass  # a client that hangs up mid-request
        finally:
            writer.close()

    async def _one_exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Answer one request; False when the connection is to be closed."""
        request_line = await reader.readline()
        if not request_line.strip():
            return False
        method, target, version = (request_line.decode("latin-1").split() + ["", "", ""])[:3]
        headers = {}
        for _ in range(MAX_HEADER_LINES):
            line = await reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        keep_alive = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
        await asyncio.sleep(self.latency)
        status, response_headers, body = self.site.render(target)
        content_type = next((v for k, v in response_headers if k == "Content-Type"), "")
        self.stats.add(status, content_type, len(body))
        head = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}", "Server: bench-web",
                *(f"{k}: {v}" for k, v in response_headers), f"Content-Length: {len(body)}",
                f"Connection: {'keep-alive' if keep_alive else 'close'}"]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        if method != "HEAD":
            writer.write(body)
        await writer.drain()
        return keep_alive


async def serve(layout: Layout, latency: float, port: int) -> None:
    server = BenchServer(Site(layout), latency)
    listener = await asyncio.start_server(server.handle, "127.0.0.1", port, backlog=256)
    print(f"http://127.0.0.1:{listener.sockets[0].getsockname()[1]}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with listener:
        await stop.wait()
    print(json.dumps(server.stats.to_dict(), sort_keys=True), flush=True)


class ServerProcess:
    """The bench web in its own process (its CPU apart from the crawler's), as a context manager:
    ``url`` while it runs, ``stats`` (what it served) once it stopped."""

    def __init__(self, pages: int, latency: float, seed: int = Layout.seed) -> None:
        self.command = [sys.executable, "-m", "bench.server", "--pages", str(pages), "--latency", str(latency),
                        "--seed", str(seed)]
        self.process: subprocess.Popen[str] | None = None
        self.url = ""
        self.stats: dict[str, dict[str, int]] = {}

    def __enter__(self) -> ServerProcess:
        self.process = subprocess.Popen(self.command, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().strip()
        if not self.url.startswith("http://"):
            self.process.kill()
            raise RuntimeError(f"the bench web did not start: {self.command}")
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.process is not None and self.process.stdout is not None
        self.process.send_signal(signal.SIGTERM)
        self.stats = json.loads(self.process.stdout.readline() or "{}")
        self.process.wait(timeout=30)

    def served(self, key: str) -> int:
        """Responses served whose "status type" key starts with ``key`` (``200 text/html``)."""
        return sum(n for k, n in self.stats.get("responses", {}).items() if k.startswith(key))

    def bytes_served(self) -> int:
        return sum(self.stats.get("bytes", {}).values())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.server", description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=Layout.pages, help="HTML pages of the web (100 per column)")
    parser.add_argument("--latency", type=float, default=0.02, help="seconds before each response")
    parser.add_argument("--port", type=int, default=0, help="port (0: a free one)")
    parser.add_argument("--seed", type=int, default=Layout.seed)
    args = parser.parse_args(argv)
    asyncio.run(serve(Layout(pages=args.pages, seed=args.seed), args.latency, args.port))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
