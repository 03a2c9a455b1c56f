"""Write transactions on ``index.db`` that never fail for being second.

A crawl has two writers on its index: its writer process (govarchive/crawl/archiveprocess.py, the only one
that writes what the crawl archives) and its search worker (govarchive/index/searchworker.py).
SQLite lets one write at a time; a transaction begun with a plain ``BEGIN`` that reads first and writes
later cannot wait for the other writer (its snapshot may be stale: ``SQLITE_BUSY`` at once, "database is
locked"). :func:`write_transaction` begins with ``BEGIN IMMEDIATE``, so it waits (``busy_timeout``) for
the write lock before it reads anything; nested inside another transaction it is a savepoint.
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
    every ``every`` ticks, so another writer (the search worker) gets its turn between batches.
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
