"""Write transactions on ``index.db`` that never fail for being second.

A crawl has two writers on its index: the crawl itself and its search worker (govarchive/searchindex.py).
SQLite lets one write at a time; a transaction begun with a plain ``BEGIN`` that reads first and writes
later cannot wait for the other writer (its snapshot may be stale: ``SQLITE_BUSY`` at once, "database is
locked"). :func:`write_transaction` begins with ``BEGIN IMMEDIATE``, so it waits (``busy_timeout``) for
the write lock before it reads anything; nested inside another transaction it is a savepoint.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator


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
