"""Search latency on an index of N synthetic posts (1,000,000 by default), built once and cached.

The index is built through govarchive's own code: ``open_index`` (the schema's migrations; search.db with
the ``posts_fts`` bigram table beside it), :func:`govarchive.index.store.post_values` for each row (clean
text included), the schema's triggers logging each new row, and
:func:`govarchive.index.search.drain_search_queue` writing their search rows, a batch at a time in one
transaction. The crawl's per-row path (``Index.save_post``: one lookup, one transaction and one
shadow refresh per post) is timed on a sample and reported, not used for a million rows.

Posts: 150-700 characters (about 400) of :mod:`bench.text` prose, a title, a summary, dates from 2019 to 2026,
over 1,000 accounts. Queries: the ``search_posts`` canned query (govarchive/browse/queries.py)
exactly as Datasette runs it, with ``escape_fts`` being govarchive's :func:`cjk_escape_fts`.
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from bench import text
from govarchive.browse.queries import QUERIES
from govarchive.core.items import Account, Post
from govarchive.index.search import (
    attach_search,
    cjk_escape_fts,
    clear_applied,
    drain_search_queue,
    post_search_key,
    search_files,
)
from govarchive.index.store import open_index, post_values

SEED = 20261120
CORPUS = "v3"  # part of the cached index's name: change it when bench.text, synthetic_post or the schema changes
ACCOUNTS = 1000
BATCH = 10_000
SHANGHAI = timezone(timedelta(hours=8))
FIRST_DAY = datetime(2019, 1, 1, tzinfo=SHANGHAI)
SEEN = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
# 2-, 3- and 4-character queries, from words in nearly every post (工作) to names in a few hundred,
# a Traditional spelling (帳號關停, found as 账号关停) and words no post holds.
QUERIES_BY_LENGTH = {
    2: ("工作", "政务", "防汛", "城市", "医保", "关停", "张丽", "熊猫"),
    3: ("副市长", "河长制", "新媒体", "教育局", "碳达峰", "公众号", "石桥村", "量子云"),
    4: ("营商环境", "乡村振兴", "安全生产", "政务公开", "垃圾分类", "城市更新", "帳號關停", "量子计算"),
}
POST_COLUMNS = ("id", "account_id", "platform", "url", "title", "author", "published_at", "text", "state",
                "content_digest", "capture_id", "first_seen", "last_seen", "kind", "summary", "cover_url",
                "source_url", "media", "attributes", "moved_to", "moved_to_url", "clean_text", "boilerplate",
                "archived_capture_id", "search_key")


def synthetic_post(n: int) -> Post:
    """Post ``n`` of the synthetic index (deterministic)."""
    rng = random.Random(f"{SEED}/post/{n}")
    account = n % ACCOUNTS
    about = text.subject(rng, text.agency(account))
    body = "\n".join(text.paragraphs(rng, rng.randint(150, 450), about))
    published = FIRST_DAY + timedelta(minutes=rng.randint(0, 8 * 365 * 24 * 60))
    mid = 4_900_000_000_000_000 + n
    return Post(id=f"weibo:{mid}", account_id=f"weibo:{7_300_000_000 + account}",
                platform="weibo", capture_id="", seen_at=SEEN, url=f"https://m.weibo.cn/status/{mid}",
                title=text.title(rng, about), published_at=published.isoformat(), text=body, state="ok",
                authoritative=True, kind="weibo", summary=body[:60])


def post_row(post: Post, rowid: int, keys: set[int]) -> tuple[Any, ...]:
    """The ``posts`` row a crawl would write for a new post (``Index.save_post``), with its rowid and a search
    key none of ``keys`` holds."""
    seen = SEEN.isoformat()
    row = post_values(post)
    key = post_search_key(post.published_at, rowid)
    while key in keys:
        key -= 1
    keys.add(key)
    row.update(id=post.id, account_id=post.account_id, platform=post.platform, state=post.state,
               capture_id=None, first_seen=seen, last_seen=seen, archived_capture_id=None, search_key=key)
    return (rowid, *(row.get(column) for column in POST_COLUMNS))


def build_index(path: Path, posts: int, progress: Any = print) -> dict[str, float]:
    """Build ``path`` with ``posts`` synthetic posts (a partial build left by a kill is started over)."""
    building = path.with_name(path.name + ".building")
    for stale in (building, Path(f"{building}-wal"), Path(f"{building}-shm"), *search_files(building)):
        stale.unlink(missing_ok=True)
    started = time.perf_counter()
    index = open_index(building)
    db = index.db
    with db.conn:
        for account in range(ACCOUNTS):
            index.save_account(Account(id=f"weibo:{7_300_000_000 + account}", platform="weibo",
                                       platform_id=str(7_300_000_000 + account), capture_id="", seen_at=SEEN,
                                       name=text.agency(account), authoritative=True))
    insert = (f"insert into posts (rowid, {', '.join(POST_COLUMNS)}) "
              f"values ({', '.join('?' * (len(POST_COLUMNS) + 1))})")
    keys: set[int] = set()
    for start in range(0, posts, BATCH):
        end = min(posts, start + BATCH)
        rows = [post_row(synthetic_post(n), n + 1, keys) for n in range(start, end)]
        with db.conn:
            db.conn.executemany(insert, rows)  # the triggers log each row for search.db
            drain_search_queue(db)  # written at once, as a reindex does: nothing left for a search worker
            clear_applied(db)
        if progress and end % 100_000 == 0:
            progress(f"search index: {end:,} posts ({time.perf_counter() - started:.0f} s)")
    db.execute("pragma wal_checkpoint(truncate)")
    index.close()
    search_files(building)[0].rename(search_files(path)[0])
    building.rename(path)
    return {"build_s": round(time.perf_counter() - started, 1), "posts": posts}


def per_row_cost(sample: int, work_dir: Path) -> float:
    """Milliseconds per post through the crawl's own path, ``Index.save_post``, into a fresh index."""
    path = work_dir / "save_post_sample.db"
    for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        stale.unlink(missing_ok=True)
    index = open_index(path)
    posts = [synthetic_post(n) for n in range(sample)]
    started = time.perf_counter()
    for post in posts:
        index.save_post(post)
    elapsed = time.perf_counter() - started
    index.close()
    return elapsed / sample * 1000


def search_sql() -> str:
    """The ``search_posts`` canned query, as govarchive ships it."""
    return QUERIES["search_posts"][2]


# The search_posts query before migration m010: every match joined to posts and sorted by published_at
# (time grows with the number of matches). Timed beside the canned query: the same rows, ties aside.
SORT_EVERY_MATCH = """
select p.title, a.name as account, p.platform, substr(p.published_at, 1, 10) as published, p.state,
  p.url, p.id as post_id
from posts_fts f
join posts p on p.search_key = f.rowid
left join accounts a on a.id = p.account_id
where posts_fts match coalesce(nullif(escape_fts(:q), ''), '""')
order by p.published_at desc
limit 500"""


def rewrites() -> dict[str, str]:
    """Other plans for the same question, timed beside the canned query (docs/benchmarks.md)."""
    return {"sort_every_match": SORT_EVERY_MATCH}


def connect(path: Path) -> sqlite3.Connection:
    """A read connection as Datasette's, with govarchive's ``escape_fts``."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.create_function("escape_fts", 1, cjk_escape_fts, deterministic=True)
    attach_search(conn, path)  # search.db, read-only, as the Datasette plugin attaches it
    return conn


def time_queries(conn: sqlite3.Connection, sql: str,
                 repeats: int = 5) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """p50/p95 (ms) of ``sql`` over every query, after one warm-up pass; and each query's post ids."""
    queries = [q for group in QUERIES_BY_LENGTH.values() for q in group]
    for query in queries:  # warm-up: the page cache, OpenCC, the statement cache
        conn.execute(sql, {"q": query}).fetchall()
    timings: dict[str, list[float]] = {q: [] for q in queries}
    found: dict[str, list[Any]] = {}
    for _ in range(repeats):
        for query in queries:
            started = time.perf_counter()
            rows = conn.execute(sql, {"q": query}).fetchall()
            timings[query].append((time.perf_counter() - started) * 1000)
            found[query] = [row[-1] for row in rows]  # post_id, the last column
    every = [ms for values in timings.values() for ms in values]
    by_length = {length: percentiles([ms for q in group for ms in timings[q]])
                 for length, group in QUERIES_BY_LENGTH.items()}
    per_query = {q: {"median_ms": round(statistics.median(timings[q]), 2), "rows": len(found[q])}
                 for q in queries}
    return {**percentiles(every), "by_length": by_length, "per_query": per_query}, found


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"p50_ms": round(statistics.median(ordered), 2),
            "p95_ms": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 2)}


def run_search(cache_dir: Path, posts: int, work_dir: Path, sample: int = 2000,
               repeats: int = 5) -> dict[str, Any]:
    """Build the index once (kept in ``cache_dir``), then time the canned query and another plan."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"index-{posts}-{CORPUS}.db"  # its search index: search-{posts}-{CORPUS}.db
    result: dict[str, Any] = {"posts": posts, "index": str(path), "repeats": repeats}
    result["build"] = "cached" if path.exists() else build_index(path, posts)
    result["index_mb"] = round((path.stat().st_size + search_files(path)[0].stat().st_size) / 1e6, 1)
    result["search_db_mb"] = round(search_files(path)[0].stat().st_size / 1e6, 1)
    result["save_post_ms"] = round(per_row_cost(sample, work_dir), 3)
    conn = connect(path)
    timing, canned = time_queries(conn, search_sql(), repeats)
    for query, figures in timing["per_query"].items():  # the FTS5 match alone, for comparison
        started = time.perf_counter()
        figures["matches"] = conn.execute("select count(*) from posts_fts where posts_fts match escape_fts(?)",
                                          [query]).fetchone()[0]
        figures["count_ms"] = round((time.perf_counter() - started) * 1000, 2)
    result.update(timing)
    result["rewrites"] = {}
    for name, sql in rewrites().items():
        timing, found = time_queries(conn, sql, repeats)
        timing["same_rows_as_canned"] = sum(set(found[q]) == set(canned[q]) for q in canned)
        timing["same_order_as_canned"] = sum(found[q] == canned[q] for q in canned)
        timing["queries"] = len(canned)
        result["rewrites"][name] = timing
    conn.close()
    return result
