"""Which archived posts a run fetches again (GOVARCHIVE_RECHECK_POSTS), and a real second crawl's re-checks."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest
from helpers import crawl

from govarchive.crawl.atrisk import recheck_selection

POSTS = [("a", "http://x/risky-1", 60), ("a", "http://x/risky-2", 60), ("b", "http://x/old", 0),
         ("b", "http://x/older", 0), ("b", "http://x/new", 0)]
SEEN = {"http://x/old": "2026-10-01T00:00:00Z", "http://x/older": "2026-09-01T00:00:00Z",
        "http://x/new": "2026-11-20T00:00:00Z", "http://x/risky-1": "2026-11-20T00:00:00Z"}


def test_recheck_modes():
    urls = lambda rows: [row[1] for row in rows]  # noqa: E731
    assert urls(recheck_selection(POSTS, "all", 0, SEEN)) == urls(POSTS)
    assert urls(recheck_selection(POSTS, "at_risk", 0, SEEN)) == ["http://x/risky-1", "http://x/risky-2"]
    # sample: the at-risk ones, then the posts seen least recently
    assert urls(recheck_selection(POSTS, "sample", 2, SEEN)) == ["http://x/risky-1", "http://x/risky-2",
                                                                "http://x/older", "http://x/old"]
    assert urls(recheck_selection(POSTS, "sample", 0, SEEN)) == ["http://x/risky-1", "http://x/risky-2"]


def test_successive_sampled_runs_cover_the_whole_archive():
    seen = dict(SEEN)
    checked: set[str] = set()
    for run in range(3):
        chosen = recheck_selection(POSTS, "sample", 1, seen)
        for _, url, _ in chosen:
            checked.add(url)
            seen[url] = f"2026-12-0{run + 1}T00:00:00Z"  # the re-check moves last_seen forward
    assert checked == {row[1] for row in POSTS}


@pytest.mark.slow
def test_a_sampled_second_crawl_rechecks_at_risk_posts_and_the_sample(demo_web, demo_archive, tmp_path):
    archive = tmp_path / "archive"
    shutil.copytree(demo_archive, archive)
    db = archive / "index.db"
    with sqlite3.connect(db) as conn:
        risky = conn.execute("select count(*) from posts p join accounts a on a.id = p.account_id "
                             "where p.state = 'ok' and p.url is not null and coalesce(a.risk, 0) > 0").fetchone()[0]
    crawl(demo_web.base_url, archive, "GOVARCHIVE_RECHECK_POSTS=sample", "GOVARCHIVE_RECHECK_SAMPLE=3")
    with sqlite3.connect(db) as conn:
        stats = json.loads(conn.execute("select stats from runs order by started_at desc limit 1").fetchone()[0])
    assert risky > 0
    assert stats["govarchive/rechecked_posts"] == risky + 3
