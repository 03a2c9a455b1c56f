"""The frontier's memory bound: past GOVARCHIVE_FRONTIER_MEMORY pending requests, new ones wait on disk,
and the crawl archives exactly what an unbounded one does."""

from __future__ import annotations

import json

import pytest
from helpers import assert_same_pages, crawl, rows

from govarchive.crawl.frontier import FRONTIER_DIR

pytestmark = pytest.mark.slow


def stats_of(db) -> dict:
    return json.loads(rows(db, "select stats from runs order by started_at desc limit 1")[0][0])


def test_a_crawl_whose_frontier_spills_to_disk_archives_the_same(demo_web, demo_archive, tmp_path):
    archive = tmp_path / "archive"
    stale = archive / FRONTIER_DIR / "20261101T000000Z-deadbeef" / "requests.queue"
    stale.mkdir(parents=True)  # a killed run's spill folder
    (stale / "active.json").write_text("[]")
    crawl(demo_web.base_url, archive, "GOVARCHIVE_FRONTIER_MEMORY=3")
    stats = stats_of(archive / "index.db")
    assert stats["scheduler/enqueued/disk"] > 20 and stats["scheduler/dequeued/disk"] == stats["scheduler/enqueued/disk"]
    assert not (archive / FRONTIER_DIR).exists()  # the spill folders, and then the empty .frontier/ too
    assert_same_pages(archive / "index.db", demo_archive / "index.db")
    same = ("select id, state, title, published_at from posts", "select id, status from accounts")
    for sql in same:
        assert sorted(rows(archive / "index.db", sql)) == sorted(rows(demo_archive / "index.db", sql)), sql


def test_the_default_keeps_a_small_crawl_in_memory(demo_archive):
    stats = stats_of(demo_archive / "index.db")
    assert "scheduler/enqueued/disk" not in stats and stats["scheduler/enqueued/memory"] > 0
    assert not (demo_archive / FRONTIER_DIR).exists()  # a crawl leaves no empty .frontier/ behind
