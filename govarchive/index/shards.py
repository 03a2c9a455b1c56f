"""What ``govarchive merge`` (govarchive/warc/merge.py) reads of the workers' own indexes (read-only) and writes
of a run of several workers: ``run_workers`` (one row per worker of a run) and the run's combined row.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from govarchive.index.store import Index
from govarchive.index.transactions import write_transaction


# -- a worker's index (read-only) ------------------------------------------------------------------------
def _connect(shard_db: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{shard_db}?mode=ro", uri=True)


def shard_captures_in_file(shard_db: Path, warc_file: str) -> list[str]:
    """The ids of the captures the worker's index has in ``warc_file`` (``sqlite3.Error`` when unreadable)."""
    with _connect(shard_db) as conn:
        return [r[0] for r in conn.execute("select id from captures where warc_file = ?", [warc_file])]


def shard_runs(shard_db: Path) -> list[tuple[str, str | None, str | None, str | None, str | None, int]]:
    """(run id, started at, finished at, status, stats, captures) of every run in the worker's index."""
    with _connect(shard_db) as conn:
        runs = conn.execute("select id, started_at, finished_at, status, stats from runs").fetchall()
        counts = dict(conn.execute("select run_id, count(*) from captures group by run_id").fetchall())
    return [(*run, counts.get(run[0], 0)) for run in runs]


# -- the archive's index -----------------------------------------------------------------------------------
def has_all_captures(index: Index, warc_file: str, capture_ids: list[str]) -> bool:
    """True when the index holds every one of ``capture_ids`` in ``warc_file``."""
    found = index.db.execute(
        "select count(*) from captures where warc_file = ? and id in (select value from json_each(?))",
        [warc_file, json.dumps(capture_ids)]).fetchone()[0]
    return found == len(capture_ids)


def runs_in_files(index: Index, warc_files: list[str]) -> set[str]:
    """The runs whose captures the index has in ``warc_files``."""
    return {row[0] for row in index.db.execute(
        "select distinct run_id from captures where warc_file in (select value from json_each(?))",
        [json.dumps(warc_files)])}


def save_run_workers(index: Index, rows: list[dict[str, Any]]) -> None:
    """``run_workers`` rows (one per worker of a run; replaced when merged again), in one transaction."""
    with write_transaction(index.db):
        for row in rows:
            index.db.table("run_workers").upsert(row, pk=("run_id", "worker"))


def workers_of_run(index: Index, run_id: str) -> list[tuple[str | None, str | None, str | None, str | None]]:
    """(started at, finished at, status, stats) of each worker of the run."""
    return index.db.execute(
        "select started_at, finished_at, status, stats from run_workers where run_id = ?", [run_id]).fetchall()


def save_combined_run(index: Index, run_id: str, started_at: str | None, finished_at: str | None, status: str,
                      stats: str) -> None:
    """The run's row, as its workers' together."""
    with write_transaction(index.db):
        index.db.table("runs").upsert({"id": run_id, "started_at": started_at, "finished_at": finished_at,
                                       "status": status, "stats": stats}, pk="id")
