"""search.db (migration m014): the search index in a file of its own, contentless, kept by replaying index.db's
search_log; rebuilt from the posts when it is missing, damaged or not its index's; never a second copy of the
text; the search worker never holds index.db's write lock."""

from __future__ import annotations

import logging
import random
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest

from govarchive.core.items import Account, Post
from govarchive.index.search import QUEUE_BATCH, cjk_escape_fts, drain_search_queue, open_search_writer, search_status
from govarchive.index.store import open_index

SEEN = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
WORDS = ["防汛", "关停", "注销", "公众号", "停止更新", "寒潮预警", "政务新媒体", "帳號", "乡村振兴", "营商环境"]


def post(post_id: str, text: str, published: str | None = "2026-11-18T10:00:00+08:00", title: str = "通知") -> Post:
    return Post(post_id, "wechat:1", "wechat", "urn:uuid:c", SEEN, title=title, text=text, published_at=published,
                state="ok", authoritative=True)


def small_index(path, posts: int = 5):
    index = open_index(path)
    index.save_account(Account("wechat:1", "wechat", "1", "urn:uuid:c", SEEN, name="云岚发布", authoritative=True))
    for n in range(posts):
        index.save_post(post(f"p{n}", f"第{n}条：防汛工作安排。"))
    return index


def hits(index, query: str) -> int:
    return index.db.execute("select count(*) from posts_fts where posts_fts match ?",
                            [cjk_escape_fts(query)]).fetchone()[0]


def instances(conn, schema: str = "search") -> list[tuple]:
    """Every token instance of the posts index (term, row, column, offset): its whole content, contentless or not."""
    conn.execute(f"create virtual table if not exists temp.vocab_{schema} using fts5vocab({schema}, posts_fts, instance)")
    return sorted(conn.execute(f"select term, doc, col, offset from temp.vocab_{schema}").fetchall())


def test_the_search_index_lives_in_search_db_and_keeps_no_text(tmp_path):
    index = small_index(tmp_path / "index.db")
    names = {row[0] for row in index.db.execute("select name from main.sqlite_master")}
    assert not {"posts_fts", "accounts_fts", "search_queue"} & names and "search_log" in names
    assert (tmp_path / "search.db").is_file() and hits(index, "防汛") == 5
    searched = {row[0] for row in index.db.execute("select name from search.sqlite_master")}
    assert "posts_fts_data" in searched and "posts_fts_content" not in searched  # contentless: the index only
    assert index.db.execute("select text from posts_fts limit 1").fetchone()[0] is None
    # the text once: clean_text only where the cleaning changed something
    index.save_post(post("boiler", "关于防汛的通知。\n点击蓝字关注我们\n长按二维码关注"))
    rows = dict(index.db.execute("select id, clean_text from posts").fetchall())
    assert rows["p0"] is None and rows["boiler"] == "关于防汛的通知。"
    index.save_post(post("boiler", "关于防汛的通知，已更新。"))  # its new text needs no cleaning
    assert index.db.execute("select clean_text from posts where id = 'boiler'").fetchone()[0] is None
    index.close()


def test_updates_deletes_and_new_dates_replayed_in_any_batches_leave_the_index_a_rebuild_would_make(tmp_path):
    """Contentless rows are deleted by giving their bigrams again: a wrong replay would leave stale tokens.
    After random edits drained in random batch sizes, the index holds exactly what a fresh build holds."""
    rng = random.Random(19)
    path = tmp_path / "index.db"
    index = small_index(path, posts=30)
    index.deferred_search = True  # changes stay in the log; drained below in batches of every size
    writer = open_search_writer(path)
    try:
        for _step in range(300):
            n = rng.randrange(40)
            action = rng.random()
            if action < 0.1:
                index.db.execute("delete from posts where id = ?", [f"p{n}"])
            else:
                day = rng.randrange(1, 28)
                index.save_post(post(f"p{n}", "，".join(rng.sample(WORDS, 3)), title=rng.choice(WORDS),
                                     published=f"2026-11-{day:02d}T10:00:00+08:00" if action < 0.6 else None))
            if rng.random() < 0.3:
                drain_search_queue(writer, rng.randrange(1, 7))
        drain_search_queue(writer)
    finally:
        writer.close()
    index.deferred_search = False
    kept = instances(index.db.conn)
    assert index.db.execute("select count(*) from search_queue").fetchone()[0] == 0
    index.close()
    for file in (tmp_path / "search.db", tmp_path / "search.db-wal", tmp_path / "search.db-shm"):
        file.unlink(missing_ok=True)
    rebuilt = open_index(path)  # a new search.db from the posts
    assert instances(rebuilt.db.conn) == kept
    words = {w: hits(rebuilt, w) for w in WORDS}
    assert sum(words.values()) > 0
    rebuilt.close()


@pytest.mark.parametrize("damage", ["missing", "garbage", "another index", "another normaliser"])
def test_a_search_db_that_cannot_serve_is_rebuilt_from_the_posts_with_one_line(tmp_path, caplog, damage):
    path = tmp_path / "index.db"
    small_index(path).close()
    search = tmp_path / "search.db"
    if damage == "missing":
        search.unlink()
    elif damage == "garbage":
        search.write_bytes(b"this is not a database" * 100)
    else:
        with sqlite3.connect(search) as conn:
            column = "index_id" if damage == "another index" else "normaliser"
            conn.execute(f"update search_state set {column} = 'something else'")
    assert search_status(path).problem
    with caplog.at_level(logging.WARNING, logger="govarchive.index.search"):
        index = open_index(path)
    said = [r.getMessage() for r in caplog.records if r.name == "govarchive.index.search"]
    assert len(said) == 1 and "search.db" in said[0] and "rebuilt" in said[0], said
    assert hits(index, "防汛") == 5 and search_status(path).problem is None
    index.close()


def test_a_reindexed_archive_takes_its_new_search_db_along(tmp_path):
    from govarchive.index.search import index_identity

    path = tmp_path / "index.db"
    first = small_index(path)
    identity = index_identity(first.db.conn)
    first.close()
    for file in (path, tmp_path / "index.db-wal", tmp_path / "index.db-shm"):
        file.unlink(missing_ok=True)
    time.sleep(0.01)
    second = small_index(path, posts=2)  # a new index.db (as a reindex makes), the old search.db beside it
    assert index_identity(second.db.conn) != identity
    assert hits(second, "防汛") == 2  # the old search.db was not used: rebuilt for this index
    second.close()


def test_the_search_worker_writes_while_the_crawl_holds_index_db_write_lock(tmp_path):
    """The worker reads index.db and writes search.db only: a writer holding index.db's lock never stops it."""
    path = tmp_path / "index.db"
    index = small_index(path, posts=0)
    index.deferred_search = True
    for n in range(3 * QUEUE_BATCH):
        index.save_post(post(f"p{n}", f"第{n}条：防汛工作安排。"))
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # as the crawl, mid-transaction, for longer than the worker needs
    try:
        result = subprocess.run([sys.executable, "-m", "govarchive.index.searchworker", str(path)],
                                input=b"", timeout=60)
        assert result.returncode == 0
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert index.db.execute("select count(*) from search_queue").fetchone()[0] == 0
    assert hits(index, "防汛") == 3 * QUEUE_BATCH
    index.close()


def test_an_archive_of_m012_moves_its_search_to_search_db(tmp_path):
    from sqlite_utils import Database

    from govarchive.index.schema import migrations

    path = tmp_path / "index.db"
    old = Database(str(path))
    migrations.apply(old, stop_before="m014_search_database")
    old.execute("insert into accounts (id, platform, name) values ('wechat:1', 'wechat', '云岚发布')")
    old.execute("insert into posts (id, account_id, title, text, clean_text, published_at, state) values "
                "('a', 'wechat:1', '旧文', '防汛抢险', '防汛抢险', '2020-01-01T00:00:00+08:00', 'ok'), "
                "('b', 'wechat:1', '新文', '防汛演练', '演练', '2025-01-01T00:00:00+08:00', 'ok')")
    assert old.execute("select count(*) from search_queue").fetchone()[0] == 3  # the old layout: queued in index.db
    old.close()
    index = open_index(path)
    assert index.db.execute("select name from main.sqlite_master where name like '%_fts%'").fetchall() == []
    assert [r[0] for r in index.db.execute(
        "select p.id from posts_fts f join posts p on p.search_key = f.rowid where posts_fts match ? "
        "order by f.rowid desc", [cjk_escape_fts("防汛")])] == ["b", "a"]
    assert dict(index.db.execute("select id, clean_text from posts")) == {"a": None, "b": "演练"}
    assert index.db.execute("select count(*) from accounts_fts where accounts_fts match ?",
                            [cjk_escape_fts("云岚")]).fetchone()[0] == 1
    index.close()


@pytest.mark.asyncio
async def test_datasette_without_search_db_answers_with_no_hits_and_status_says_why(tmp_path):
    from datasette.app import Datasette
    from datasette.plugins import pm

    import govarchive.browse as plugin
    from govarchive.browse.metadata import database_metadata

    path = tmp_path / "index.db"
    small_index(path).close()
    if pm.get_plugin("govarchive") is None:
        pm.register(plugin, name="govarchive")
    ds = Datasette([str(path)], metadata={"databases": {"index": database_metadata()}})
    found = await ds.client.get("/index/search_posts.json", params={"q": "防汛", "_shape": "array"})
    assert found.status_code == 200 and len(found.json()) == 5
    (tmp_path / "search.db").unlink()
    ds = Datasette([str(path)], metadata={"databases": {"index": database_metadata()}})
    found = await ds.client.get("/index/search_posts.json", params={"q": "防汛", "_shape": "array"})
    assert found.status_code == 200 and found.json() == []
    table = await ds.client.get("/index/posts.json", params={"_search": "防汛", "_shape": "array"})
    assert table.status_code == 200 and table.json() == []
    assert "search.db is missing" in search_status(path).problem
