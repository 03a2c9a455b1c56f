"""The search worker: a crawl's Chinese search rows written by another process, on another core.

The bigram rows of posts and accounts (govarchive/index/search.py) cost as much CPU as the rest of the
archiving together. During a crawl the index pipeline saves rows with :attr:`Index.deferred_search`,
so each change only leaves a ``search_log`` entry (a trigger, in the row's own transaction), and
starts this worker, which replays the log into ``search.db`` as the crawl goes, and the crawl's process
stays free for fetching and parsing. The worker reads index.db and writes only search.db: it never holds
index.db's write lock, so the crawl never waits for it. Readers (Datasette) see a new post in search a
moment after its row.

    python -m govarchive.index.searchworker ARCHIVE/index.db [--parent PID]

The worker runs until its standard input closes (the crawl ends: it drains what is left, then
exits), or its parent process is gone (a killed crawl: the next crawl's worker catches up).
:class:`SearchWorker` is the crawl's handle on it.
"""

from __future__ import annotations

import argparse
import logging
import os
import select
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from govarchive.core.processes import lower_priority
from govarchive.index.search import QUEUE_BATCH, clear_applied, drain_search_queue, finish_search_db, open_search_writer
from govarchive.index.transactions import write_transaction

logger = logging.getLogger(__name__)

IDLE_WAIT = 0.2  # seconds between looks at an empty queue
STOP_TIMEOUT = 600.0  # seconds the crawl waits at its end for the worker to drain the queue


class SearchWorker:
    """A search worker process beside ``index``, whose saves leave the search rows queued for it
    (:attr:`Index.deferred_search`) until :meth:`stop`; the index pipeline's, and :func:`searching_alongside`'s."""

    def __init__(self, index: Any, index_db: Path, nice: int = 0) -> None:
        self.index = index
        index.deferred_search = True
        # close_fds: the worker must not hold the archive's lock file (a killed crawl's lock would outlive it)
        # and it imports govarchive from where this process does (a Scrapyd egg, a checkout, a venv)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(path for path in sys.path if path)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", __name__, str(index_db), "--parent", str(os.getpid()), "--nice", str(nice)],
            stdin=subprocess.PIPE, close_fds=True, env=env)

    def stop(self, timeout: float = STOP_TIMEOUT) -> bool:
        """Tell the worker to finish (it drains the log first) and wait; False when it did not end well.
        The index's saves write their search rows again; what the worker left is for ``drain_search()``; the
        log entries it applied are cleared."""
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            return self.process.wait(timeout=timeout) == 0
        except subprocess.TimeoutExpired:
            logger.warning("the search worker did not finish in %.0f s: stopped; the crawl writes the rest", timeout)
            self.process.kill()
            self.process.wait()
            return False
        finally:
            self.index.deferred_search = False
            if not self.index.db.conn.in_transaction:
                try:
                    with write_transaction(self.index.db):
                        clear_applied(self.index.db)
                except sqlite3.Error:  # a full disk: the entries stay, applied, until a later write clears them
                    logger.debug("search_log not cleared", exc_info=True)


@contextmanager
def searching_alongside(index: Any, index_db: Path) -> Iterator[None]:
    """Run a block of index writes with a search worker beside it (reindex, import: two cores, not one);
    every search row is written when the block ends."""
    worker = SearchWorker(index, index_db)
    try:
        yield
    finally:
        worker.stop()
    index.drain_search()


def run(index_db: Path, parent: int | None = None) -> int:
    """Drain the log until stdin closes (then drain all and return) or the parent is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the crawl, which then closes our input
    conn = open_search_writer(index_db)  # index.db read-only, search.db writable
    handled = 0
    try:
        while True:
            done = drain_search_queue(conn, QUEUE_BATCH)
            handled += done
            if parent is not None and os.getppid() != parent:
                return handled  # the crawl was killed: the next crawl's worker catches up
            if done:
                continue
            ready, _, _ = select.select([sys.stdin], [], [], IDLE_WAIT)
            if ready and not os.read(sys.stdin.fileno(), 4096):  # end of input: the crawl is ending
                handled += drain_search_queue(conn)
                finish_search_db(conn)
                return handled
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m govarchive.index.searchworker", description=__doc__.split("\n\n")[0])
    parser.add_argument("index_db", type=Path)
    parser.add_argument("--parent", type=int, default=None, help="exit when this process is gone")
    parser.add_argument("--nice", type=int, default=0, help="yield the CPU to the crawl by this nice increment")
    args = parser.parse_args(argv)
    lower_priority(args.nice)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s [%(name)s] %(levelname)s: %(message)s")
    try:
        run(args.index_db, args.parent)
    except Exception as error:  # a full disk, a damaged index: the crawl writes what is left at its end
        from govarchive.core.storage import is_storage_full

        what = "the disk refused a write" if is_storage_full(error) else f"{type(error).__name__}"
        logger.error("search worker stopped (%s: %s); the crawl writes the remaining search rows at its end",
                     what, error)
        sys.exit(1)


if __name__ == "__main__":
    main()
