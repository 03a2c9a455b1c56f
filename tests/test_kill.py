"""kill -9 in the middle of a crawl loses nothing already archived; the next run repairs the file."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def start_crawl(base_url: str, archive: Path, delay: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "scrapy", "crawl", "portal", "-a", f"url={base_url}/xxgk/xmt/,{base_url}/xxgk/tzgg/",
         "-s", f"GOVARCHIVE_ARCHIVE_DIR={archive}", "-s", f"DOWNLOAD_DELAY={delay}", "-s", "AUTOTHROTTLE_ENABLED=False",
         "-s", "RANDOMIZE_DOWNLOAD_DELAY=False", "-s", "LOG_LEVEL=WARNING"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def indexed_captures(db: Path) -> list[tuple]:
    try:
        with sqlite3.connect(db) as conn:
            return conn.execute("select id, warc_file, warc_offset from captures").fetchall()
    except sqlite3.OperationalError:
        return []


def test_kill_9_mid_crawl_keeps_every_indexed_capture(demo_web, tmp_path):
    archive = tmp_path / "archive"
    crawl = start_crawl(demo_web.base_url, archive, "0.1")
    deadline = time.monotonic() + 60
    while len(indexed_captures(archive / "index.db")) < 12 and time.monotonic() < deadline:
        time.sleep(0.1)
    os.kill(crawl.pid, signal.SIGKILL)
    crawl.wait()
    before = indexed_captures(archive / "index.db")
    assert len(before) >= 12
    assert list((archive / "warc").glob("*.warc.gz.open")), "the killed crawl should leave its file open"

    again = start_crawl(demo_web.base_url, archive, "0")
    _, stderr = again.communicate(timeout=300)
    assert again.returncode == 0, stderr.decode()[-3000:]
    assert not list((archive / "warc").glob("*.open"))
    for capture_id, warc_file, offset in before:  # every capture indexed before the kill is still readable
        with open(archive / "warc" / warc_file, "rb") as fh:
            fh.seek(offset)
            record = next(iter(ArchiveIterator(fh)))
            assert record.rec_headers.get_header("WARC-Record-ID") == f"<{capture_id}>"
            record.content_stream().read()
    for path in (archive / "warc").glob("*.warc.gz"):
        check = subprocess.run([str(Path(sys.executable).parent / "warcio"), "check", str(path)], capture_output=True)
        assert check.returncode == 0, check.stdout


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_or_sigint_closes_the_warc_and_the_run(demo_web, tmp_path, signum):
    """A scheduler's stop (SIGTERM) or Ctrl-C: in-flight responses finish, the WARC is closed and renamed
    from .open, the run is recorded as shut down, and every indexed capture is readable."""
    archive = tmp_path / "archive"
    crawl = start_crawl(demo_web.base_url, archive, "0.2")
    deadline = time.monotonic() + 60
    while len(indexed_captures(archive / "index.db")) < 8 and time.monotonic() < deadline:
        time.sleep(0.1)
    os.kill(crawl.pid, signum)
    _, stderr = crawl.communicate(timeout=120)
    assert "Traceback" not in stderr.decode(), stderr.decode()[-3000:]
    assert not list((archive / "warc").glob("*.open")), "the stopped crawl left its WARC open"
    with sqlite3.connect(archive / "index.db") as conn:
        runs = conn.execute("select status, finished_at from runs").fetchall()
    assert len(runs) == 1 and runs[0][0] == "shutdown" and runs[0][1], runs
    captures = indexed_captures(archive / "index.db")
    assert len(captures) >= 8
    for capture_id, warc_file, offset in captures:
        with open(archive / "warc" / warc_file, "rb") as fh:
            fh.seek(offset)
            assert next(iter(ArchiveIterator(fh))).rec_headers.get_header("WARC-Record-ID") == f"<{capture_id}>"
    for path in (archive / "warc").glob("*.warc.gz"):
        check = subprocess.run([str(Path(sys.executable).parent / "warcio"), "check", str(path)], capture_output=True)
        assert check.returncode == 0, check.stdout
