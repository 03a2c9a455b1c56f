"""The search worker: a crawl's search shadows written by another process while the crawl writes rows."""

from __future__ import annotations

import subprocess
import sys
import time

from helpers import T0, make_capture

from govarchive.core.items import Account, Post
from govarchive.index.search import QUEUE_BATCH, cjk_escape_fts
from govarchive.index.searchworker import SearchWorker
from govarchive.index.store import open_index


def found(index, query: str) -> int:
    return index.db.execute("select count(*) from posts_fts where posts_fts match ?",
                            [cjk_escape_fts(query)]).fetchone()[0]


def save_posts(index, numbers: range) -> None:
    capture = make_capture(1)
    index.save_capture(capture)
    column = "website:http://127.0.0.1:9/xxgk/tzgg/"
    index.save_account(Account(id=column, platform="website", platform_id=column[8:], capture_id=capture.id,
                               seen_at=T0, name="通知公告", authoritative=True))
    for n in numbers:
        index.save_post(Post(id=f"website:{n}", account_id=column, platform="website", capture_id=capture.id,
                             seen_at=T0, url=f"http://127.0.0.1:9/{n}.html", title=f"第{n}号 关于雾川县政务新媒体的通知",
                             text="本公众号将停止更新。" * 50, state="ok", authoritative=True))


def test_the_worker_writes_the_shadows_while_rows_are_written_and_drains_at_the_end(tmp_path):
    db = tmp_path / "index.db"
    index = open_index(db)
    index.start_run("run-1", "portal", "2026-11-20T02:00:00Z")
    worker = SearchWorker(index, db)  # as in a crawl: saves leave their search rows to it
    try:
        save_posts(index, range(300))  # both processes write: neither may fail for the other's lock
        deadline = time.monotonic() + 60
        while index.db.execute("select count(*) from search_queue").fetchone()[0] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert found(index, "停止更新") == 300, "the worker drained the queue while the writer went on"
        save_posts(index, range(300, 320))
    finally:
        assert worker.stop()  # drains what is left, then ends with 0
    assert index.db.execute("select count(*) from search_queue").fetchone()[0] == 0
    assert found(index, "政务新媒体") == 320 and found(index, "第319号") == 1
    index.close()


def test_a_worker_whose_crawl_is_gone_stops_and_leaves_the_queue_to_the_next(tmp_path):
    db = tmp_path / "index.db"
    index = open_index(db)
    index.deferred_search = True
    save_posts(index, range(3 * QUEUE_BATCH))
    queued = index.db.execute("select count(*) from search_queue").fetchone()[0]
    index.close()
    # a parent pid that is not its parent: as after the crawl was killed (it ends after one batch)
    result = subprocess.run([sys.executable, "-m", "govarchive.index.searchworker", str(db), "--parent", "1"],
                            stdin=subprocess.PIPE, timeout=30)
    assert result.returncode == 0
    index = open_index(db)
    assert index.drain_search() == queued - QUEUE_BATCH  # the rest waited for the next crawl
    assert found(index, "停止更新") == 3 * QUEUE_BATCH
    index.close()
