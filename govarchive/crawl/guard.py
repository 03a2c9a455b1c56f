"""The archive's lock in a crawl (the lock itself: govarchive/warc/lock.py).

:class:`ArchiveLockExtension` takes the lock when the crawler is set up, before the engine opens the
pipelines; the pipelines refuse to open without it (:meth:`CrawlGuard.require`, finish reason
``locked``), and it is released when the engine stops, after the run's WARC summary and index rows are
written.
"""

from __future__ import annotations

import logging
import weakref
from typing import Any

from govarchive.core.config import archive_config
from govarchive.crawl.run import run_for
from govarchive.warc.lock import LOCKED, ArchiveBusy, ArchiveLock, LockHolder

logger = logging.getLogger(__name__)


class CrawlGuard:
    """The archive lock of one crawler: held, or refused with the reason."""

    def __init__(self, lock: ArchiveLock | None = None, refusal: ArchiveBusy | None = None) -> None:
        self.lock = lock
        self.refusal = refusal

    def require(self) -> None:
        """Called by every component before it writes to the archive: closes the spider when refused."""
        if self.refusal is not None:
            from scrapy.exceptions import CloseSpider

            raise CloseSpider(LOCKED)

    def release(self) -> None:
        if self.lock is not None:
            self.lock.release()


_GUARDS: weakref.WeakKeyDictionary[Any, CrawlGuard] = weakref.WeakKeyDictionary()


def guard_for(crawler: Any) -> CrawlGuard:
    """The archive lock of this crawler, taken on first use (once per crawler), released when its engine
    stops."""
    if crawler not in _GUARDS:
        from scrapy import signals

        run = run_for(crawler)
        lock = ArchiveLock(archive_config(crawler.settings).paths.root,
                           LockHolder.here(f"crawl {run.spider}", run.id, run.started_at))
        try:
            guard = CrawlGuard(lock.acquire())
        except ArchiveBusy as busy:
            logger.error("%s", busy)
            if crawler.stats is not None:
                crawler.stats.set_value("govarchive/locked_by", busy.holder.describe())
            guard = CrawlGuard(refusal=busy)
        else:
            crawler.signals.connect(guard.release, signal=signals.engine_stopped)
        _GUARDS[crawler] = guard
    return _GUARDS[crawler]


class ArchiveLockExtension:
    """Scrapy extension: takes the archive's lock as the crawler is set up, before any pipeline opens.

    Refused, the spider closes with finish reason ``locked`` and nothing is fetched or written.
    """

    def __init__(self, guard: CrawlGuard) -> None:
        self.guard = guard

    @classmethod
    def from_crawler(cls, crawler: Any) -> ArchiveLockExtension:
        from scrapy import signals

        extension = cls(guard_for(crawler))
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        return extension

    def spider_opened(self, spider: Any = None) -> None:
        self.guard.require()
