"""The three crawlers of the comparison, each run as a measured subprocess against its own bench web.

- (a) ``bare``: ``scrapy crawl portal`` with :mod:`bench.bare_settings` (no pipelines, no capture);
- (b) ``govarchive``: ``scrapy crawl portal`` with govarchive's settings, archiving into a folder;
- (c) ``wget``: ``wget --recursive --warc-file``, one connection (wget has no other mode);
- ``timed``: (b) with :class:`bench.timing.StageTimer`, for the breakdown of where its time goes.

(a) and (b) get the same overrides (:data:`SCRAPY_OVERRIDES`): no delay, no AutoThrottle, 16
connections, the politeness of a real site being what a benchmark must leave out.
Each crawler gets a fresh bench web, so the web's own count of what it served is that crawler's.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator

from bench.measure import Measured, run_measured
from bench.server import ROOT, ServerProcess
from bench.site import DIRECTORY

CONCURRENCY = 16
SCRAPY_OVERRIDES = ("DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", f"CONCURRENT_REQUESTS={CONCURRENCY}",
                    f"CONCURRENT_REQUESTS_PER_DOMAIN={CONCURRENCY}", "GOVARCHIVE_PROGRESS=off", "LOG_LEVEL=INFO")
NAMES = {"bare": "(a) bare Scrapy", "govarchive": "(b) govarchive", "wget": "(c) wget",
         "timed": "(b) timed by stage"}
# crawler -> its Scrapy settings module (None: govarchive's own, through scrapy.cfg)
SETTINGS = {"bare": "bench.bare_settings", "govarchive": None, "timed": "bench.timed_settings"}


@dataclass
class CrawlResult:
    """One crawler's run: measured by the OS, counted by the bench web, and by the crawler itself."""

    crawler: str
    pages: int  # the web's size (--pages)
    run: Measured
    html_pages: int  # HTML pages the web served (200 text/html)
    responses: int  # every response the web served
    bytes_served: int  # body bytes the web served
    own_count: int | None  # responses as the crawler counts them (Scrapy stats, WARC records, wget's log)
    output_bytes: int = 0  # WARC files (and index.db, search.db) written
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def pages_per_s(self) -> float:
        return self.html_pages / self.run.wall_s

    @property
    def mb_per_s(self) -> float:
        return self.bytes_served / 1e6 / self.run.wall_s

    def to_dict(self) -> dict[str, Any]:
        return {"crawler": self.crawler, "pages": self.pages, **self.run.to_dict(),
                "html_pages": self.html_pages, "responses": self.responses, "bytes_served": self.bytes_served,
                "own_count": self.own_count, "output_bytes": self.output_bytes,
                "pages_per_s": round(self.pages_per_s, 2), "mb_per_s": round(self.mb_per_s, 3), **self.details}


def scrapy_command(url: str, archive_dir: Path) -> list[str]:
    overrides = [arg for setting in (f"GOVARCHIVE_ARCHIVE_DIR={archive_dir}", *SCRAPY_OVERRIDES)
                 for arg in ("-s", setting)]
    return [sys.executable, "-m", "scrapy", "crawl", "portal", "-a", f"url={url}{DIRECTORY}", *overrides]


def wget_command(url: str, out_dir: Path) -> list[str]:
    """Every link followed (no --no-parent: the columns are not under the directory), robots.txt obeyed,
    files deleted once parsed (only the WARC is kept, as govarchive keeps only WARCs and its index)."""
    return ["wget", "--recursive", "--level=inf", "--no-verbose", "--delete-after",
            f"--directory-prefix={out_dir / 'files'}", f"--warc-file={out_dir / 'wget'}", "--no-warc-keep-log",
            f"--output-file={out_dir / 'wget.log'}", f"{url}{DIRECTORY}"]


def run_crawler(crawler: str, pages: int, latency: float, work_dir: Path) -> CrawlResult:
    """Crawl a fresh bench web of ``pages`` pages with ``crawler`` (bare, govarchive, wget or timed)."""
    out_dir = work_dir / f"{crawler}-{pages}"
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    with ServerProcess(pages, latency) as web:
        if crawler == "wget":
            run = run_measured(wget_command(web.url, out_dir), out_dir, "crawl")
        else:
            if SETTINGS[crawler]:
                env["SCRAPY_SETTINGS_MODULE"] = SETTINGS[crawler]
            command = scrapy_command(web.url, out_dir / "archive")
            run = run_measured(command, out_dir, "crawl", cwd=ROOT, env=env)
    result = CrawlResult(crawler, pages, run, html_pages=web.served("200 text/html"), responses=web.served(""),
                         bytes_served=web.bytes_served(), own_count=None)
    if run.returncode != 0:
        raise RuntimeError(f"{NAMES[crawler]} failed ({run.returncode}); see {run.stderr} and {run.stdout}")
    if crawler == "wget":
        warcs = sorted(out_dir.glob("*.warc.gz"))
        wget_log = (out_dir / "wget.log").read_text(encoding="utf-8", errors="replace")
        result.own_count = downloaded_files(wget_log)
    else:
        log = run.stderr.read_text(encoding="utf-8", errors="replace")
        stats = scrapy_stats(log)
        result.own_count = stats.get("downloader/response_count")
        result.details["scrapy_stats"] = stats
        result.details["closing_s"] = closing_seconds(log)
        warcs = sorted((out_dir / "archive" / "warc").glob("*.warc.gz"))
    if warcs:
        result.details["warc_files"] = [str(p) for p in warcs]
        result.details["warc_responses"] = len(warc_paths(warcs))
        result.output_bytes = sum(p.stat().st_size for p in warcs)
    index_db = out_dir / "archive" / "index.db"
    if index_db.exists():
        result.details["index"] = index_counts(index_db)
        result.details["sizes"] = index_sizes(index_db, result.output_bytes)
        result.output_bytes += result.details["sizes"]["index_db_bytes"] + result.details["sizes"]["search_db_bytes"]
    return result


def index_sizes(index_db: Path, warc_bytes: int) -> dict[str, Any]:
    """Bytes of index.db and search.db (with their WAL files), per archived post, and against the WARC bytes."""
    def size(name: str) -> int:
        return sum(p.stat().st_size for p in index_db.parent.glob(name + "*"))

    index_bytes, search_bytes = size("index.db"), size("search.db")
    posts = index_counts(index_db)["posts_archived"]
    return {"warc_bytes": warc_bytes, "index_db_bytes": index_bytes, "search_db_bytes": search_bytes,
            "bytes_per_post": round((index_bytes + search_bytes) / posts) if posts else None,
            "index_to_warc": round((index_bytes + search_bytes) / warc_bytes, 3) if warc_bytes else None}


_STAT = re.compile(r"'([\w/.-]+)': (\d+)")


def scrapy_stats(log: str) -> dict[str, int]:
    """The numeric stats of Scrapy's final "Dumping Scrapy stats" block."""
    start = log.rfind("Dumping Scrapy stats:")
    return {name: int(value) for name, value in _STAT.findall(log[start:])} if start >= 0 else {}


_LOG_TIME = r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) \[scrapy\.core\.engine\] INFO: "


def closing_seconds(log: str) -> int | None:
    """Seconds from "Closing spider" to "Spider closed" (the pipelines' end-of-run work), to the second."""
    closing = re.search(_LOG_TIME + "Closing spider", log, re.MULTILINE)
    closed = re.search(_LOG_TIME + "Spider closed", log, re.MULTILINE)
    if not closing or not closed:
        return None
    moments = [datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S") for m in (closing, closed)]
    return int((moments[1] - moments[0]).total_seconds())


def downloaded_files(log: str) -> int | None:
    """``Downloaded: 7598 files, 377M in …`` at the end of wget's log."""
    match = re.search(r"^Downloaded: (\d+) files", log, re.MULTILINE)
    return int(match.group(1)) if match else None


def warc_paths(paths: list[Path]) -> list[str]:
    """The target URI's path (each crawler's web has its own port) of every response and revisit record."""
    found = []
    for path in paths:
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type in ("response", "revisit"):
                    parts = urlsplit(record.rec_headers.get_header("WARC-Target-URI"))
                    found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def index_counts(index_db: Path) -> dict[str, int]:
    with sqlite3.connect(index_db) as conn:
        return {"captures": conn.execute("select count(*) from captures").fetchone()[0],
                "accounts": conn.execute("select count(*) from accounts").fetchone()[0],
                "posts_archived": conn.execute("select count(*) from posts where state = 'ok'").fetchone()[0]}
