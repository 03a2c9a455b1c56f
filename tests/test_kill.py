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
