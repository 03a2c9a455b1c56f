"""The batching writer: an :class:`~govarchive.warc.archiver.Archiver`'s calls, in order, committed in batches.

:class:`BatchWriter` takes calls (a capture, an item) in the order they are made (a capture before the
items of its page) and runs them over the one Archiver that holds the index's write connection and the
WARC files, grouped into transactions: what was queued when a batch began, at most :data:`BATCH_CALLS`
calls. A capture's WARC records are written (handed to the operating system) when its turn comes and its
index row is committed with its batch, after them: the rule that a capture's WARC record is durable
before its index row holds, and a writer killed mid-batch leaves records whose rows were not committed,
which the next crawl's recovery indexes from the WARC file (govarchive/warc/recovery.py). It runs on a
thread of its own, or in the loop of the crawl's writer process (govarchive/crawl/archiveprocess.py:
there it does not share the crawl's interpreter lock).

A batch never spans two WARC files. A capture that cannot be stored is taken back (the Archiver's
rollback), recorded as a fetch failure ``not_archived``, and the items of its page are dropped. A batch
that cannot be committed has its records cut from the WARC file. A full disk stops all writing, told once
to ``on_full``; nothing half-written stays.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from govarchive.core.failures import NOT_ARCHIVED
from govarchive.core.items import Account, Capture, FetchFailure, Post
from govarchive.core.storage import is_storage_full
from govarchive.pages import Extraction
from govarchive.warc.archiver import Archiver

logger = logging.getLogger(__name__)

BATCH_CALLS = 500  # calls committed together at most (a batch is what was queued when it began, up to this)
MAX_QUEUED = 2_000  # calls queued at most (each capture holds its body): then the crawl waits for the writer
POLL_SECONDS = 0.02  # how often an idle writer looks for work (what it finds is one batch)
LOST_MEMORY = 10_000  # captures not stored whose items are still to be dropped (bounded)
_STOP = object()


class BatchLost(Exception):
    """SQLite rolled back the batch's transaction by itself (it may, on a full disk)."""


class BatchWriter:
    """The batching writer over an :class:`Archiver`: :meth:`store`, :meth:`save_item` queue a call and return;
    with ``thread`` its own thread writes them and :meth:`stop` ends it, else the caller runs the loop
    (:meth:`write_queued`).

    :param on_full: called (from the writer thread) once, when the disk refuses a write: ``(error, what)``
    """

    def __init__(self, archiver: Archiver, run_id: str, on_full: Callable[[BaseException, str], None],
                 batch_calls: int = BATCH_CALLS, thread: bool = True) -> None:
        self.archiver = archiver
        self.run_id = run_id
        self.on_full = on_full
        self.batch_calls = batch_calls
        self.counts: Counter[str] = Counter()  # written by the writer thread only; read after stop()
        self.full: BaseException | None = None  # what the disk said, once it refused a write
        self._queue: deque[Any] = deque()  # appended by the crawl, taken by the writer (both atomic)
        self._pending_posts: set[str] = set()  # posts whose own page is queued, not committed yet
        self._lost: dict[str, None] = {}  # captures not stored (their items are dropped), oldest first
        self._stored: list[str] = []  # captures of the open batch (lost with it if it is not committed)
        self._posts: list[str] = []  # posts of the open batch whose own page is archived
        self._thread = threading.Thread(target=self._run, name="govarchive-writer", daemon=True)
        if thread:  # else the caller runs the writer's loop itself (:meth:`write_queued`: a writer process)
            self._thread.start()

    # -- the crawl's side (reactor thread) -------------------------------------------------------
    def store(self, capture: Capture, extraction: Extraction | None = None,
              context: tuple[Any, ...] = ()) -> None:
        """Archive a capture (its items come through :meth:`save_item`); ``context``: its request's
        (kind, account, referer, attempts)."""
        self._wait_for_room()
        self._queue.append((self._store, (capture, extraction, context)))

    def save_item(self, item: Account | Post | FetchFailure) -> None:
        if isinstance(item, Post) and item.authoritative and item.state != "listed":
            self._pending_posts.add(item.id)
        self._queue.append((self._save, (item,)))

    def _wait_for_room(self) -> None:
        """Hold the crawl while the writer is :data:`MAX_QUEUED` calls behind (memory stays flat)."""
        while len(self._queue) > MAX_QUEUED and self._thread.is_alive():
            time.sleep(0.005)

    def has_pending_post(self, post_id: str) -> bool:
        """True while the post's own page is queued (not yet in the index)."""
        return post_id in self._pending_posts

    def stop(self) -> None:
        """Write and commit everything queued, then end the thread (the archiver is the caller's again)."""
        if self._thread.is_alive():
            self._queue.append(_STOP)
            self._thread.join()

    def queue_stop(self) -> None:
        """End the writer's loop once what is queued is written (the loop is the caller's: :meth:`write_queued`)."""
        self._queue.append(_STOP)

    def write_queued(self) -> bool:
        """Write what is queued, in batches, in the calling thread; True once a stop was met."""
        while self._queue:
            if self._batch(self._queue.popleft()):
                return True
        return False

    # -- the writer thread ---------------------------------------------------------------------------
    def _run(self) -> None:
        try:
            while True:
                if not self._queue:
                    time.sleep(POLL_SECONDS)  # the crawl never wakes the writer: no hand-off of the GIL per call
                    continue
                if self._batch(self._queue.popleft()):
                    return
        except BaseException as error:  # a rollback that failed: nothing more can be written safely
            self.full = self.full or error
            logger.critical("the archive's writer stopped (%s: %s): nothing more is archived in this run",
                            type(error).__name__, error, exc_info=True)
            self.on_full(error, "writing the archive")

    def _batch(self, call: Any) -> bool:
        """Run ``call`` and whatever is queued behind it (up to :attr:`batch_calls`) in one transaction;
        True when the thread is to stop."""
        db = self.archiver.index
        mark = None  # where the batch's first WARC record is
        count = 0
        try:
            while True:
                if call is _STOP:
                    self._commit(db)
                    return True
                function, args = call
                if self.full is None:  # a full disk: nothing more is written
                    if not db.in_transaction:
                        db.begin()
                    mark = self._prepare(db, mark)
                    function(*args)
                    if not db.in_transaction:  # SQLite gave the whole transaction up (a full disk)
                        raise BatchLost("the index's transaction was rolled back")
                count += 1
                if count >= self.batch_calls:
                    break
                try:
                    call = self._queue.popleft()
                except IndexError:
                    break
            self._commit(db)
        except BaseException as error:  # the batch could not be committed: nothing of it stays
            self._abandon(db, mark, error)
        return False

    def _prepare(self, db: Any, mark: Any) -> Any:
        """Before a call that may write WARC records: a batch never spans two files, and the place of the
        batch's first record is marked (a batch that cannot be committed is cut back to it)."""
        warcs = self.archiver.warcs
        if warcs is None:
            return mark
        if warcs.rotating:
            if mark is not None:
                self._commit(db)
                db.begin()
            warcs.prepare()
            return warcs.mark()
        return mark if mark is not None else warcs.mark()

    def _commit(self, db: Any) -> None:
        if db.in_transaction:
            db.commit()
        self._pending_posts.difference_update(self._posts)
        self._stored.clear()
        self._posts.clear()

    def _abandon(self, db: Any, mark: Any, error: BaseException) -> None:
        if db.in_transaction:
            db.rollback()
        cut = self.archiver.warcs is not None and mark is not None and self.archiver.warcs.rewind(mark)
        for capture_id in self._stored:
            self._forget(capture_id)
        self.counts["not_archived"] += len(self._stored)
        self._pending_posts.difference_update(self._posts)
        if self.full is not None or is_storage_full(error):
            self._halt(error, "committing the index")
        else:
            logger.error("a batch of %d capture(s) could not be committed to the index (%s: %s)%s",
                         len(self._stored), type(error).__name__, error,
                         "; their WARC records were taken back" if cut else "", exc_info=True)
        self._stored, self._posts = [], []

    def _halt(self, error: BaseException, what: str) -> None:
        if self.full is None:
            self.full = error
            self.on_full(error, what)

    def _store(self, capture: Capture, extraction: Extraction | None, context: tuple[Any, ...]) -> None:
        try:
            self.archiver.store(capture, extraction, items=False)
            self._stored.append(capture.id)
        except Exception as error:
            self._forget(capture.id)
            self.counts["not_archived"] += 1
            if is_storage_full(error):  # the capture was taken back; what the batch holds before it is committed
                self._halt(error, f"archiving {capture.url[:300]}")
                return
            logger.error("%s could not be archived (%s: %s); the crawl goes on without it", capture.url[:300],
                         type(error).__name__, error, exc_info=True)
            kind, account, referer, attempts = (tuple(context) + (None, None, None, 1))[:4]
            failure = FetchFailure(id=f"urn:uuid:{uuid.uuid4()}", url=capture.url, error=NOT_ARCHIVED,
                                   detail=f"not archived: {type(error).__name__}: {error}"[:500],
                                   failed_at=datetime.now(UTC), attempts=attempts or 1,
                                   request_kind=kind, account=account, referer=referer)
            self.archiver.save_failure(failure, self.run_id)
            self.counts["failures"] += 1

    def _save(self, item: Any) -> None:
        if getattr(item, "capture_id", None) in self._lost:
            return  # its capture is not archived: nothing may point to it
        try:
            if isinstance(item, Account):
                self.archiver.save_account(item)
            elif isinstance(item, Post):
                self.archiver.save_post(item)
                if item.id in self._pending_posts:
                    self._posts.append(item.id)
            elif isinstance(item, FetchFailure):
                self.archiver.save_failure(item, self.run_id)
        except Exception as error:
            if is_storage_full(error):
                self._halt(error, f"indexing {type(item).__name__.lower()} {getattr(item, 'id', '')}")
                return
            logger.error("%s %s could not be indexed (%s: %s)", type(item).__name__.lower(), getattr(item, "id", ""),
                         type(error).__name__, error, exc_info=True)
            self.counts["item_errors"] += 1

    def _forget(self, capture_id: str) -> None:
        self._lost[capture_id] = None
        if len(self._lost) > LOST_MEMORY:
            del self._lost[next(iter(self._lost))]
