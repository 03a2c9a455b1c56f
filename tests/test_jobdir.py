"""JOBDIR: a crawl paused with Ctrl-C resumes where it stopped (Scrapy's persisted queue and seen set)."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urljoin

import pytest
from helpers import ROOT, crawl_command, rows

from govarchive.core.sources import load_sources

pytestmark = pytest.mark.slow


def captures(db: Path) -> list[tuple[str, str]]:
    try:
        with sqlite3.connect(db) as conn:
            return conn.execute("select url, run_id from captures").fetchall()
    except sqlite3.OperationalError:
        return []


def unmask(url: str) -> str:
    """A captured URL as requested: the MP session middleware adds the (masked) token to back-office URLs."""
    return url.replace("&token=REDACTED", "")


def test_a_paused_crawl_resumes_where_it_stopped(demo_web, demo_archive, tmp_path):
    archive, jobdir = tmp_path / "archive", tmp_path / "job"
    settings = (f"JOBDIR={jobdir}", "DOWNLOAD_DELAY=0.05", "RANDOMIZE_DOWNLOAD_DELAY=False",
                "CONCURRENT_REQUESTS_PER_DOMAIN=2")
    first = subprocess.Popen(crawl_command(demo_web.base_url, archive, *settings), cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while len(captures(archive / "index.db")) < 30 and time.monotonic() < deadline:
        time.sleep(0.05)
    first.send_signal(signal.SIGINT)  # once: finish what is in flight, keep the queue in JOBDIR
    _, stderr = first.communicate(timeout=120)
    paused = captures(archive / "index.db")
    assert 30 <= len(paused) < len(captures(demo_archive / "index.db")), "the crawl ended before the pause"
    assert list(jobdir.glob("requests.queue*")) and (jobdir / "requests.seen").exists(), stderr[-3000:]
    assert rows(archive / "index.db", "select status from runs") == [("fatal",)]  # exit 1: paused, not done

    second = subprocess.run(crawl_command(demo_web.base_url, archive, *settings), cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "Resuming crawl" in second.stderr, "Scrapy did not resume from JOBDIR"
    assert [s for (s,) in rows(archive / "index.db", "select status from runs order by started_at")] == \
        ["fatal", "success"]

    fetched = Counter(unmask(url) for url, _ in captures(archive / "index.db"))
    # Only the start URLs are fetched again (every run fetches them, bypassing the dupefilter, and so
    # the redirect a start URL answers with); what the paused run fetched already is not fetched again.
    seeds = {s.url for s in load_sources(ROOT / "govarchive/demo/sources.toml", demo_web.base_url).values()}
    redirected = {target for url, target in rows(demo_archive / "index.db",
                                                 "select c.url, r.url from captures c join captures r "
                                                 "on r.fetched_at > c.fetched_at where c.http_status between 300 and 399")
                  if url in seeds and target == urljoin(url, "index.html")}
    twice = {url for url, n in fetched.items() if n > 1 and not url.endswith("/robots.txt")}
    # a seed loaded in the browser (render = true) brings what its scripts fetch, and its renderings, again too
    rendered = {s.url for s in load_sources(ROOT / "govarchive/demo/sources.toml", demo_web.base_url).values()
                if s.render}
    by_browser = {url for url in twice if any(url.startswith((seed, f"urn:dom:{seed}", f"urn:view:{seed}"))
                                              for seed in rendered)}
    assert twice - seeds - redirected - by_browser == set(), sorted(twice - seeds - redirected - by_browser)
    # Together the two runs saved every page one uninterrupted crawl saves.
    single = {unmask(url) for url, _ in captures(demo_archive / "index.db")}
    alternative_post_urls = {u for (u,) in rows(demo_archive / "index.db", "select url from posts")}
    assert single - set(fetched) <= alternative_post_urls, sorted(single - set(fetched))
    assert rows(archive / "index.db", "select count(*) from posts where state = 'ok'") == \
        rows(demo_archive / "index.db", "select count(*) from posts where state = 'ok'")
