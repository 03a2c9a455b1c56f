"""A full disk stops the crawl cleanly: nothing half-written stays, everything written before is kept.

When the disk (or a quota, or ``RLIMIT_FSIZE``) refuses a write of the WARC file or of ``index.db``:

- the capture being written is taken back from the stages that had stored it (the WARC file is cut
  back to its last whole record, :meth:`govarchive.warc.writer.WarcArchive.discard_capture`), so the WARC
  files and the index still agree record for record;
- the crawl stops with finish reason ``disk_full`` (exit code 1) and one error line saying what to do;
  responses still in flight are not archived and not parsed;
- at the end, the run summary and the run's row are written if they still fit; if they do not, the
  run stays ``running`` and the next crawl marks it ``killed`` (docs/recovery.md).

:func:`halt_for` gives each crawler its one :class:`StorageHalt`.
"""

from __future__ import annotations

import errno
import logging
import sqlite3
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

logger = logging.getLogger(__name__)

DISK_FULL = "disk_full"  # the finish reason
STORAGE_ERROR_STAT = "govarchive/storage_error"  # what the disk refused (also when it was the run's end: no finish reason)
FULL_ERRNOS = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}
# SQLite reports a refused write as SQLITE_FULL, or as SQLITE_IOERR_WRITE when the write got nothing
# through (EFBIG past RLIMIT_FSIZE): both mean the index cannot be written now.
SQLITE_FULL_WORDS = ("database or disk is full", "disk i/o error")


def is_storage_full(error: BaseException) -> bool:
    """True when ``error`` says the disk refused a write (and the crawl must stop)."""
    if isinstance(error, OSError) and error.errno in FULL_ERRNOS:
        return True
    if isinstance(error, sqlite3.OperationalError):
        return any(words in str(error).lower() for words in SQLITE_FULL_WORDS)
    return False


class StorageHalt:
    """One crawl's reaction to a full disk: log once, stop the engine, tell the components."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.error: str | None = None  # what the disk said, once it refused a write

    @property
    def halted(self) -> bool:
        return self.error is not None

    def record(self, error: BaseException, what: str) -> bool:
        """Say once that ``what`` could not be written (the log line, the stat ``govarchive/storage_error``, from
        which the run's exit code is decided: govarchive/crawl/outcome.py); False when it was said already."""
        if self.halted:
            return False
        self.error = f"{what}: {error}"
        logger.error("the disk refused a write (%s): the crawl stops here. Everything archived before is kept and "
                     "indexed, and nothing half-written stays in the WARC files. Free some space (or raise the "
                     "quota), then run again; `govarchive verify` checks the archive.", self.error)
        stats = getattr(self.crawler, "stats", None)
        if stats is not None:
            stats.set_value(STORAGE_ERROR_STAT, self.error)
        return True

    def halt(self, error: BaseException, what: str) -> None:
        """Stop the crawl because ``what`` could not be written."""
        if not self.record(error, what):
            return
        engine = getattr(self.crawler, "engine", None)
        if engine is not None and getattr(engine, "spider", None) is not None:
            from scrapy.utils.defer import deferred_from_coro

            deferred_from_coro(engine.close_spider_async(reason=DISK_FULL))




@contextmanager
def starting(halt: StorageHalt | None, what: str) -> Iterator[None]:
    """Around a component's start-up writes (migrations, recovery): a full disk closes the spider before
    anything is fetched, with the same line and finish reason. ``halt`` None (a component built
    without a crawler): errors go on unchanged."""
    try:
        yield
    except Exception as error:
        if halt is None or not is_storage_full(error):
            raise
        halt.halt(error, what)
        from scrapy.exceptions import CloseSpider

        raise CloseSpider(DISK_FULL) from None


_HALTS: weakref.WeakKeyDictionary[Any, StorageHalt] = weakref.WeakKeyDictionary()


def halt_for(crawler: Any) -> StorageHalt:
    """The crawler's :class:`StorageHalt` (one per crawler, shared by the capture extension and the pipelines)."""
    if crawler not in _HALTS:
        _HALTS[crawler] = StorageHalt(crawler)
    return _HALTS[crawler]
