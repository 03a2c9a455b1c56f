"""Per-account watermarks: advanced only by a clean crawl of the account; failed windows recorded and retried."""

from __future__ import annotations

import sqlite3

from sqlite_utils import Database

from govarchive.closure.lifecycle import crawl_order
from govarchive.closure.watermarks import update_watermarks
from govarchive.index.store import Index


def index_with(accounts: dict[str, list[tuple[str, str]]]) -> Index:
    """accounts: id -> [(post id, published_at)]."""
    index = Index(Database(memory=True))
    for account_id, posts in accounts.items():
        index.db["accounts"].insert({"id": account_id, "platform": "wechat", "url": f"http://x/{account_id}"})
        for post_id, published in posts:
            index.db["posts"].insert({"id": post_id, "account_id": account_id, "published_at": published,
                                      "state": "ok"})
    return index


def run(index: Index, run_id: str, started: str, checks: dict[str, tuple[int, int]]) -> None:
    index.start_run(run_id, "portal", started)
    for account_id, (ok, failed) in checks.items():
        index.db["account_checks"].insert({"account_id": account_id, "run_id": run_id, "ok_pages": ok,
                                           "failed_pages": failed, "page_state": "blocked" if failed else "ok",
                                           "checked_at": started})


def marks(index: Index) -> dict[str, tuple[str, str]]:
    return {row[0]: (row[1], row[2]) for row in index.db.execute(
        "select account_id, last_post_id, last_post_at from watermarks")}


def test_a_clean_crawl_advances_and_a_failed_one_does_not():
    index = index_with({"a": [("a1", "2026-11-01T10:00:00+08:00")], "b": [("b1", "2026-11-02T10:00:00+08:00")]})
    run(index, "r1", "2026-11-20T00:00:00Z", {"a": (3, 0), "b": (1, 2)})
    report = update_watermarks(index, "r1", "2026-11-20T01:00:00Z")
    assert (report.advanced, report.failed) == (1, 1)
    assert marks(index) == {"a": ("a1", "2026-11-01T10:00:00+08:00")}  # b failed: no watermark
    window = index.db.execute("select account_id, since, until, failed_pages, retried_by_run from failed_windows"
                              ).fetchall()
    assert window == [("b", None, "2026-11-20T00:00:00Z", 2, None)]
    # the next run asks for b first, though it carries no risk
    assert [row[0] for row in crawl_order(index)] == ["b"]

    # run 2: new posts; a fails this time, b is crawled cleanly
    index.db["posts"].insert({"id": "a2", "account_id": "a", "published_at": "2026-11-21T10:00:00+08:00", "state": "ok"})
    index.db["posts"].insert({"id": "b2", "account_id": "b", "published_at": "2026-11-21T09:00:00+08:00", "state": "ok"})
    run(index, "r2", "2026-11-22T00:00:00Z", {"a": (0, 1), "b": (4, 0)})
    report = update_watermarks(index, "r2", "2026-11-22T01:00:00Z")
    assert (report.advanced, report.failed, report.retried) == (1, 1, 1)
    assert marks(index) == {"a": ("a1", "2026-11-01T10:00:00+08:00"),  # did not move past the failure
                            "b": ("b2", "2026-11-21T09:00:00+08:00")}
    assert index.db.execute("select account_id, since, retried_by_run from failed_windows order by id").fetchall() == [
        ("b", None, "r2"), ("a", "2026-11-01T10:00:00+08:00", None)]
    # the analysis is idempotent (reindex replays it)
    update_watermarks(index, "r2", "2026-11-22T01:00:00Z")
    assert index.db.execute("select count(*) from failed_windows").fetchone()[0] == 2


def test_a_watermark_never_moves_backwards():
    index = index_with({"a": [("a1", "2026-11-01T10:00:00+08:00")]})
    index.db["watermarks"].insert({"account_id": "a", "last_post_id": "a9", "last_post_at": "2026-11-30T00:00:00+08:00"})
    run(index, "r1", "2026-12-01T00:00:00Z", {"a": (2, 0)})
    assert update_watermarks(index, "r1", "2026-12-01T01:00:00Z").advanced == 0
    assert marks(index)["a"] == ("a9", "2026-11-30T00:00:00+08:00")


def test_the_demo_crawl_records_watermarks_for_its_clean_accounts(demo_archive):
    with sqlite3.connect(demo_archive / "index.db") as conn:
        marked = conn.execute("select count(*) from watermarks w join posts p on p.id = w.last_post_id "
                              "and p.published_at = w.last_post_at").fetchone()[0]
        clean = conn.execute("select count(distinct c.account_id) from account_checks c where c.failed_pages = 0 "
                             "and c.ok_pages > 0 and exists (select 1 from posts p where p.account_id = c.account_id "
                             "and p.published_at is not null)").fetchone()[0]
        newest_ok = conn.execute("select count(*) from watermarks w where w.last_post_at = (select max(published_at) "
                                 "from posts p where p.account_id = w.account_id)").fetchone()[0]
    assert marked == clean > 0 and newest_ok == marked
