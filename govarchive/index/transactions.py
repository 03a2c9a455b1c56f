"""Write transactions on ``index.db``: one writer's steps committed together, never failing for being second.

Who writes ``index.db``: in a crawl, its writer process (govarchive/crawl/archiveprocess.py) while the crawl
runs, and the crawl's own connection before and after it (the run's row, the end-of-run analysis); outside a
crawl, the commands that change the index (``analyse``, ``import``, ``reindex``, ``merge``), which a person may
run beside a crawl. The search worker (govarchive/index/searchworker.py) no longer writes it: it writes only
search.db (m014). So this module no longer referees the search worker; it still gives:

- :func:`write_transaction`: ``BEGIN IMMEDIATE``, so a transaction that reads first and writes later waits
  (``busy_timeout``) for another process's write to end instead of failing at once with "database is
  locked" (SQLite cannot upgrade a stale read snapshot to a write); and nested inside an open transaction a
  savepoint, so one save that fails inside the writer's batch (govarchive/warc/batchwriter.py) is undone
  alone and the batch goes on;
- :class:`BatchedWrites`: a reindex's many saves as a few large transactions.

Only govarchive/index/ uses them; other layers group writes with :meth:`Index.transaction
<govarchive.index.store.Index.transaction>`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def write_transaction(db: Any) -> Iterator[Any]:
    """One write transaction on a sqlite-utils ``Database`` (a savepoint inside an open one)."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    else:
        try:
            db.conn.execute("COMMIT")
        except BaseException:
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            raise


class BatchedWrites:
    """Many small write transactions as a few large ones, for a writer that owns the database for a while (a
    reindex builds a new index: committing after each of thousands of saves costs more than the saves).

    Inside it, :func:`write_transaction` blocks are savepoints; :meth:`tick` after each of them commits
    every ``every`` ticks, so the search worker beside a reindex sees the search rows to write (it reads only
    what is committed) and the write-ahead log can be folded back between batches.
    """

    def __init__(self, db: Any, every: int = 500) -> None:
        self.db = db
        self.every = every
        self.count = 0

    def __enter__(self) -> BatchedWrites:
        self.db.conn.execute("BEGIN IMMEDIATE")
        return self

    def tick(self) -> None:
        self.count += 1
        if self.count >= self.every:
            self.db.conn.execute("COMMIT")
            self.db.conn.execute("BEGIN IMMEDIATE")
            self.count = 0

    def __exit__(self, kind: Any, error: Any, traceback: Any) -> None:
        if not self.db.conn.in_transaction:
            return
        self.db.conn.execute("ROLLBACK" if kind is not None else "COMMIT")
