"""Read-only looks at an archive's index: the counts and problems ``govarchive status`` and ``summary`` show
(govarchive/browse/summary.py), the pointers ``govarchive verify`` follows (govarchive/warc/verify.py), and the
accounts a finished run did not crawl cleanly (its exit code, govarchive/crawl/outcome.py).

Each function takes an open connection (a ``sqlite3.Connection`` or a sqlite-utils ``Database``: both
``execute``) or the index's path, and never writes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from govarchive.index.store import FAILED_ACCOUNTS_SQL


def connect_read_only(index_db: Path | str) -> sqlite3.Connection:
    """A read-only connection to the index (``sqlite3.Error`` when it cannot be opened)."""
    return sqlite3.connect(Path(index_db).resolve().as_uri() + "?mode=ro", uri=True)


def _has_table(db: Any, table: str) -> bool:
    return db.execute("select 1 from sqlite_master where type = 'table' and name = ?", [table]).fetchone() is not None


# -- govarchive status / summary ---------------------------------------------------------------------------
def totals(db: Any) -> dict[str, Any]:
    """The archive's counts, by the name ``ArchiveSummary`` gives them: accounts (by platform, by status, by
    status and platform), posts (by state), captures, revisits, runs, notices (by kind), reports, successors
    (resolved, unresolved)."""
    def one(sql: str, *args: Any) -> Any:
        return db.execute(sql, args).fetchone()[0]

    def pairs(sql: str, *args: Any) -> dict[Any, Any]:
        return dict(db.execute(sql, args).fetchall())

    found: dict[str, Any] = {
        "accounts": one("select count(*) from accounts"),
        "accounts_by_platform": pairs("select platform, count(*) from accounts group by platform"),
        "posts": one("select count(*) from posts"),
        "posts_by_state": pairs("select state, count(*) from posts group by state"),
        "captures": one("select count(*) from captures"),
        "revisits": one("select count(*) from captures where record_type = 'revisit'"),
        "runs": one("select count(*) from runs"),
        "accounts_by_status": pairs("select coalesce(status, 'unknown'), count(*) from accounts group by 1"),
        "notices": one("select count(*) from notices where is_report = 0"),
        "notices_by_kind": pairs("select kind, count(*) from notices where is_report = 0 group by kind order by kind"),
        # an index not yet migrated (m012) kept reports as notices
        "reports": one("select count(*) from claims") if _has_table(db, "claims") else
        one("select count(*) from notices where is_report = 1"),
        "migrations": one("select count(*) from migrations"),
        "migrations_resolved": one("select count(*) from migrations where target_account_id is not null"),
    }
    by_status_platform: dict[str, dict[str, int]] = {}
    for status, platform, count in db.execute(
            "select coalesce(status, 'unknown'), platform, count(*) from accounts group by 1, 2 order by 1, 2"):
        by_status_platform.setdefault(status, {})[platform] = count
    found["accounts_by_status_platform"] = by_status_platform
    found["migrations_unresolved"] = found["migrations"] - found["migrations_resolved"]
    return found


def last_runs(db: Any, count: int) -> list[tuple]:
    """(id, spider, started at, finished at, status, captures, blocked captures) of the newest runs."""
    return db.execute(
        "select r.id, r.spider, r.started_at, r.finished_at, r.status, "
        "(select count(*) from captures c where c.run_id = r.id), "
        "(select count(*) from captures c where c.run_id = r.id and c.page_state = 'blocked') "
        "from runs r order by r.started_at desc, r.id desc limit ?", [count]).fetchall()


def unfinished_reindex(db: Any) -> str | None:
    """Where a killed reindex's pages phase stopped (``FILE @ OFFSET``), None when no reindex is unfinished."""
    if not _has_table(db, "reindex_progress"):
        return None
    row = db.execute("select file, offset from reindex_progress where phase = 'pages'").fetchone()
    if row is None:
        return None
    return f"{row[0]} @ {row[1]}" if row[0] else "its start"


def unfinished_runs(db: Any) -> list[str]:
    """Runs left ``running`` with no finish, oldest first."""
    return [row[0] for row in db.execute(
        "select id from runs where status = 'running' and finished_at is null order by started_at")]


def lost_capture_counts(db: Any) -> tuple[int, int]:
    """(captures lost to a kill or power loss, those whose URL no capture since has archived again); (0, 0) for
    an index from before migration m006."""
    if not _has_table(db, "lost_captures"):
        return 0, 0
    return (db.execute("select count(*) from lost_captures").fetchone()[0],
            db.execute("select count(*) from lost_captures l where not exists (select 1 from captures c "
                       "where c.url = l.url and c.fetched_at > l.detected_at)").fetchone()[0])


def captures_in_states(db: Any, states: tuple[str, ...]) -> dict[str, int]:
    """How many captures are in each of the page ``states`` (those with none left out)."""
    return dict(db.execute(f"select page_state, count(*) from captures where page_state in "
                           f"({', '.join('?' for _ in states)}) group by page_state", states).fetchall())


def unreachable_accounts(db: Any) -> list[tuple[str, str | None]]:
    """(id, name) of the accounts whose status is ``unreachable``, by name."""
    return db.execute("select id, name from accounts where status = 'unreachable' order by name, id").fetchall()


def failures_of_run(db: Any, run_id: str) -> dict[str, int] | None:
    """How many requests of the run gave no page, by error (robots refusals, HTTP errors and start URLs left
    out); None for an index without ``fetch_failures``."""
    if not _has_table(db, "fetch_failures"):
        return None
    return dict(db.execute(
        "select error, count(*) from fetch_failures where run_id = ? and error not in ('robots', 'http_error') "
        "and coalesce(request_kind, '') != 'start' group by error order by error", [run_id]).fetchall())


def failed_seeds(db: Any, run_id: str) -> list[tuple[str, str, str | None]]:
    """(URL, error, detail) of the run's start URLs that failed (robots refusals left out)."""
    if not _has_table(db, "fetch_failures"):
        return []
    return db.execute(
        "select url, error, detail from fetch_failures where run_id = ? and request_kind = 'start' "
        "and error != 'robots' order by failed_at, url", [run_id]).fetchall()


# -- govarchive verify ------------------------------------------------------------------------------------
def lost_capture_count(db: Any) -> int:
    try:
        return db.execute("select count(*) from lost_captures").fetchone()[0]
    except sqlite3.OperationalError:  # an index from before migration m006
        return 0


def is_indexed(db: Any, capture_id: str) -> bool:
    return db.execute("select 1 from captures where id = ?", [capture_id]).fetchone() is not None


def capture_pointers(db: Any) -> Iterator[tuple]:
    """(WARC file, id, offset, length, record type, payload digest) of every capture, by file."""
    return db.execute("select warc_file, id, warc_offset, warc_length, record_type, payload_digest "
                      "from captures order by warc_file")


def revisits_and_originals(db: Any) -> Iterator[tuple]:
    """(id, WARC file, offset, refers to, payload digest, original's id, type and payload digest, imported) of
    every revisit, by file and offset; ``imported``: it came from another tool's WARC (``govarchive import``)."""
    return db.execute(
        "select r.id, r.warc_file, r.warc_offset, r.refers_to, r.payload_digest, o.id, o.record_type, "
        "o.payload_digest, coalesce(u.spider = 'import', r.run_id like 'import:%') "
        "from captures r left join captures o on o.id = r.refers_to left join runs u on u.id = r.run_id "
        "where r.record_type = 'revisit' order by r.warc_file, r.warc_offset")


# -- a run's outcome ---------------------------------------------------------------------------------------
def failed_accounts_of_run(index_db: Path | str, run_id: str) -> tuple[str, ...]:
    """Accounts the run did not crawl cleanly (:data:`~govarchive.index.store.FAILED_ACCOUNTS_SQL`), read-only;
    none when the index cannot be read."""
    try:
        with connect_read_only(index_db) as conn:
            return tuple(sorted(row[0] for row in conn.execute(FAILED_ACCOUNTS_SQL, {"run": run_id})))
    except sqlite3.Error:
        return ()
