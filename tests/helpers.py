"""Builders shared by the tests: fixed ids and times, no randomness."""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from govarchive.core.httpdata import payload_digest
from govarchive.core.items import Capture
from govarchive.demo.content import EXPECTED, MP_DEMO_COOKIE, MP_DEMO_TOKEN

ROOT = Path(__file__).resolve().parents[1]

T0 = datetime(2026, 11, 20, 2, 0, 0, tzinfo=UTC)


def make_capture(n: int, url: str = "http://127.0.0.1:9/page", body: bytes = b"<html>hello</html>",
                 headers: list[tuple[str, str]] | None = None, status: int = 200, run_id: str = "run-1") -> Capture:
    return Capture(
        id=f"urn:uuid:00000000-0000-4000-8000-{n:012d}",
        request_id=f"urn:uuid:00000000-0000-4000-9000-{n:012d}",
        run_id=run_id, url=url, fetched_at=T0 + timedelta(seconds=n), http_status=status, protocol="HTTP/1.1",
        response_headers=headers or [("Content-Type", "text/html; charset=utf-8")], body=body,
        request_headers=[("User-Agent", "govarchive-test"), ("Accept-Encoding", "gzip, deflate")],
        ip_address="127.0.0.1", payload_digest=payload_digest(body), payload_length=len(body))


def fixed_clock(start: datetime = T0):
    moments = iter(start + timedelta(milliseconds=i) for i in range(10**6))
    return lambda: next(moments)


def crawl_command(base_url: str, archive: Path, *settings: str, as_of: str = EXPECTED["today"]) -> list[str]:
    """The command of one whole crawl of the demo web (settings given later win over these)."""
    extra = [arg for setting in settings for arg in ("-s", setting)]
    return [sys.executable, "-m", "scrapy", "crawl", "portal", "-s", f"GOVARCHIVE_AS_OF={as_of}",
            "-a", "sources=govarchive/demo/sources.toml", "-a", f"base_url={base_url}",
            "-s", f"GOVARCHIVE_ARCHIVE_DIR={archive}", "-s", "DOWNLOAD_DELAY=0",
            "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "-s", "LOG_LEVEL=INFO",
            "-s", f"GOVARCHIVE_MP_TOKEN={MP_DEMO_TOKEN}", "-s", f"GOVARCHIVE_MP_COOKIE={MP_DEMO_COOKIE}", *extra]


def crawl(base_url: str, archive: Path, *settings: str, as_of: str = EXPECTED["today"]) -> subprocess.CompletedProcess:
    """One scheduled run; statuses are judged on the demo's own "today" so they do not age."""
    cmd = crawl_command(base_url, archive, *settings, as_of=as_of)
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-4000:]
    assert "Traceback" not in result.stderr, result.stderr[-4000:]
    return result


def rows(db: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def one(db: Path, sql: str, *params):
    found = rows(db, sql, *params)
    assert len(found) == 1, (sql, params, found)
    return found[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pywb_bin() -> Path:
    """pywb's scripts: in their own environment (`make test` builds .venv-pywb, as pywb pins an old Redis
    client), or beside this Python when pywb is installed here. Skips the test when neither has it,
    unless GOVARCHIVE_E2E=require (then a missing pywb fails)."""
    import os

    import pytest

    candidates = [Path(os.environ["GOVARCHIVE_PYWB"]).parent] if os.environ.get("GOVARCHIVE_PYWB") else []
    candidates += [ROOT / ".venv-pywb" / "bin", Path(sys.executable).parent]
    for folder in candidates:
        if (folder / "wayback").exists() and (folder / "wb-manager").exists():
            return folder.absolute()
    if os.environ.get("GOVARCHIVE_E2E") == "require":
        raise AssertionError("pywb is not installed: run `make test` (it builds .venv-pywb)")
    pytest.skip("pywb is not installed (make test builds .venv-pywb)")


def post_urls_of(db: Path) -> dict[str, str]:
    """Each archived post's URLs: the one it is known by and the one its archived copy was fetched from."""
    return {**dict(rows(db, "select url, id from posts where state != 'listed'")),
            **dict(rows(db, "select c.url, p.id from posts p join captures c on c.id = p.archived_capture_id"))}


def assert_same_pages(db: Path, reference: Path) -> None:
    """Two crawls of the demo web fetched the same pages, except that a post reached by two links (a
    temporary link and its permanent one) may be fetched by either, or both: which, depends on the order
    requests are served in (workers racing, a frontier spilled to disk)."""
    urls = {u for (u,) in rows(db, "select url from captures")}
    expected = {u for (u,) in rows(reference, "select url from captures")}
    posts = {**post_urls_of(db), **post_urls_of(reference)}
    assert [url for url in sorted(urls ^ expected) if url not in posts] == [], "pages that are not posts differ"


def chromium_or_skip() -> str:
    """Debian's Chromium, for the browser tests: their module is skipped without it (an error under
    ``GOVARCHIVE_E2E=require``, as in ``make test``)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        if os.environ.get("GOVARCHIVE_E2E") == "require":
            raise RuntimeError("GOVARCHIVE_E2E=require but chromium is missing: run `make browser`")
        pytest.skip("Debian's chromium is not installed (make browser)", allow_module_level=True)
    return found


def descendant_pids(root: int) -> set[int]:
    """The process ids of ``root``'s descendants (Linux: /proc), read now."""
    found: set[int] = set()
    pending = [root]
    while pending:
        pid = pending.pop()
        try:
            for task in Path(f"/proc/{pid}/task").iterdir():
                for child in (task / "children").read_text().split():
                    pending.append(int(child))
                    found.add(int(child))
        except OSError:  # a process that ended between two reads
            continue
    return found
