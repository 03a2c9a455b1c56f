"""The crawl's archive: one :class:`~govarchive.warc.archiver.Archiver` per crawl, in its writer process.

:func:`archive_for` gives each crawler its one :class:`CrawlArchive`, through which the crawl's writes
go to the one holder of ``index.db``'s write connection and of the WARC files, its writer process
(govarchive/crawl/archiveprocess.py):

- the item pipelines open it (the first to open does: the archive's lock checked, an archive a killed
  crawl left recovered (:func:`govarchive.warc.recovery.recover_archive`), the run recorded, the search
  worker and the writer process started);
- the capture extension hands it every exchange with its page's reading, from which the capture's page
  state is decided, once (:func:`govarchive.warc.archiver.page_state`); the pipelines hand it the items
  the spider yields; the writer stores them in that order, in batches, on another core;
- the known-posts middleware asks it which posts are archived (:meth:`CrawlArchive.has_post`: the index
  through the crawl's own read connection, and what was sent but not committed yet);
- when the spider closes, the writer commits what is queued and writes the run's summary as the WARC
  files' last record; the crawl then finishes the run's row and runs the end-of-run analysis as a step
  of its own (:meth:`CrawlArchive.analyse`: :func:`govarchive.closure.lifecycle.analyse`).

Settings: ``GOVARCHIVE_ARCHIVE_DIR``, ``GOVARCHIVE_WARC_MAX_BYTES``, ``GOVARCHIVE_DEDUP_MIN_BYTES``,
``GOVARCHIVE_OPERATOR``, ``GOVARCHIVE_CONTACT``, ``GOVARCHIVE_MAX_BODY_BYTES``, ``GOVARCHIVE_SEARCH_WORKER``,
``GOVARCHIVE_BACKGROUND_NICE``, ``GOVARCHIVE_AS_OF``, ``GOVARCHIVE_DORMANT_DAYS``, ``GOVARCHIVE_CLOSED_AFTER_RUNS``, ``ROBOTSTXT_OBEY``,
``USER_AGENT``; in a distributed run ``GOVARCHIVE_REDIS_URL`` (payload claims and known posts in Redis).
Stats: ``govarchive/dedup/revisits``, ``govarchive/warc/records``, ``govarchive/warc/files``,
``govarchive/recovery/<count>``, ``govarchive/analysis/as_of``, ``govarchive/analysis/read_ahead`` and
``read_late`` (posts the end-of-run analysis found read by the writer process, and read itself); ``govarchive/capture_errors`` (exchanges that
could not be archived).
"""

from __future__ import annotations

import logging
import sys
import weakref
from datetime import UTC, datetime
from typing import Any

from scrapy import signals

from govarchive.closure.lifecycle import Analysis, analyse
from govarchive.closure.readahead import Readings
from govarchive.core.config import archive_config
from govarchive.core.dates import warc_date
from govarchive.core.failures import NOT_ARCHIVED
from govarchive.core.items import Account, Capture, FetchFailure, Post
from govarchive.core.sources import Source
from govarchive.core.storage import halt_for, is_storage_full, starting
from govarchive.crawl.archiveprocess import WriterProcess, WriterSetup
from govarchive.crawl.distributed import worker_host_label
from govarchive.crawl.guard import guard_for
from govarchive.crawl.outcome import FETCH_FAILURES_STAT, run_status
from govarchive.crawl.politeness import is_email
from govarchive.crawl.run import AS_OF_STAT, run_for, run_summary
from govarchive.index.searchworker import SearchWorker
from govarchive.index.store import Index, open_index
from govarchive.pages import Extraction
from govarchive.warc.archiver import page_state
from govarchive.warc.recovery import recover_archive
from govarchive.warc.reindexing import REINDEX_UNFINISHED
from govarchive.warc.reindexing import unfinished as unfinished_reindex

RUN_URI = "urn:govarchive:run:{}"
FLUSH_SECONDS = 0.05  # the longest a call waits in the crawl's process before it goes to the writer
logger = logging.getLogger(__name__)


class CrawlArchive:
    """The archive of one crawl: opened by the pipelines, fed by the capture extension and the pipelines,
    closed when the spider closes."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.config = archive_config(crawler.settings)
        self.run = run_for(crawler)
        self.halt = halt_for(crawler)
        self.stats = crawler.stats
        self.user_agent = crawler.settings.get("USER_AGENT", "")
        level = logging.getLevelName(str(crawler.settings.get("LOG_LEVEL") or "INFO").upper())
        self.log_level = level if isinstance(level, int) else logging.INFO  # the writer process logs as the crawl
        self.writer: WriterProcess | None = None
        self.index: Index | None = None  # the crawl's own connection: its lookups; the run's end once the writer is gone
        self.search_worker: SearchWorker | None = None
        self.shared_posts: Any = None  # a distributed run: posts any worker archived (RedisKnownPosts)
        self._flushing: Any = None

    @property
    def is_open(self) -> bool:
        return self.writer is not None

    @property
    def stopped(self) -> bool:
        """True once the disk refused a write: nothing more is archived."""
        return self.halt.halted or (self.writer is not None and self.writer.stopped)

    # -- opening --------------------------------------------------------------------------------
    def open(self) -> None:
        """Open the archive for the run (once; the pipelines each ask)."""
        if self.is_open:
            return
        guard_for(self.crawler).require()  # another run holds the archive: close before writing anything
        paths = self.config.paths.ensure()
        stopped_at = unfinished_reindex(paths.root)
        if stopped_at is not None:  # its pages first: then this run's rows come after the older pages'
            logger.error("a reindex of %s stopped before reading every page (at %s): run `govarchive reindex` "
                         "to finish it, then crawl", paths.root, stopped_at)
            from scrapy.exceptions import CloseSpider

            raise CloseSpider(REINDEX_UNFINISHED)
        with starting(self.halt, "recovering the archive"):
            recovery = recover_archive(paths, self.run.id, max_body_bytes=self.config.max_body_bytes)
        for name, count in recovery.counts().items():
            if count and self.stats:
                self.stats.set_value(f"govarchive/recovery/{name}", count)
        with starting(self.halt, "opening the index"):
            self.index = index = open_index(paths.index_db)
        if self.config.distributed:  # posts any worker archived
            from govarchive.crawl.distributed import RedisKnownPosts, connect

            self.shared_posts = RedisKnownPosts(connect(self.config), self.config)
        if self.stats:  # the moment this run's statuses are judged at, kept with its stats (`govarchive analyse`)
            self.stats.set_value(AS_OF_STAT, self.run.analysis_as_of.isoformat())
        sources = tuple(s for s in getattr(self.crawler.spider, "sources", None) or () if isinstance(s, Source))
        with starting(self.halt, "recording the run's start"):
            index.start_run(self.run.id, self.run.spider, warc_date(self.run.started_at), self.config.operator)
            index.save_sources(self.run.id, sources)
        if self.config.search_worker:  # the search rows are written on another core (govarchive/index/searchworker.py)
            self.search_worker = SearchWorker(index, paths.index_db, nice=self.config.background_nice)
        hostname = worker_host_label(self.config) if self.config.worker else None  # no two workers' files share a name
        self.writer = WriterProcess(WriterSetup(self.config, self.run.id, self._warc_info(), hostname,
                                                deferred_search=self.search_worker is not None,
                                                log_level=self.log_level, sources=sources))
        self.writer.on_full = self.halt.halt
        if "twisted.internet.reactor" in sys.modules:  # (a crawl: never install a reactor of our own)
            from twisted.internet.task import LoopingCall

            self._flushing = LoopingCall(self.writer.flush)  # calls bundled for the writer go at least this often
            self._flushing.start(FLUSH_SECONDS, now=False)
        self.crawler.signals.connect(self.close, signal=signals.spider_closed)

    def _warc_info(self) -> dict[str, str]:
        """The fields of the run's warcinfo records."""
        info = {**self.run.warcinfo_fields(), "robots": self.config.robots_policy,
                "http-header-user-agent": self.user_agent}
        if self.config.operator:
            info["operator"] = self.config.operator
        if self.config.contact:  # also in the User-Agent (govarchive.crawl.politeness.ContactAddon)
            info["contact"] = self.config.contact
            if is_email(self.config.contact):
                info["http-header-from"] = self.config.contact
        return info

    # -- during the run (the reactor thread) ---------------------------------------------------------
    def store(self, capture: Capture, extraction: Extraction | None, context: tuple[Any, ...] = ()) -> None:
        """Archive an exchange, its page state decided from ``extraction`` (govarchive/warc/archiver.py);
        ``context``: its request's (kind, account, referer, attempts), for its fetch failure if it cannot be."""
        assert self.writer is not None, "the archive is not open"
        capture.page_state = page_state(capture, extraction)
        self.writer.store(capture, context)

    def save(self, item: Account | Post | FetchFailure) -> None:
        assert self.writer is not None, "the archive is not open"
        self.writer.save_item(item)

    def has_post(self, post_id: str) -> bool:
        """True when the post's own page is archived (by this run, any earlier one, or another worker)."""
        if self.writer is not None and self.writer.has_pending_post(post_id):
            return True
        if self.index is None:
            self.index = open_index(self.config.paths.ensure().index_db)
        return self.index.has_post(post_id) or (self.shared_posts is not None and post_id in self.shared_posts)

    # -- the end of the run ---------------------------------------------------------------------------
    def close(self, spider: Any = None, reason: str = "finished") -> None:
        """Commit what is queued; the run's summary record and row; the end-of-run analysis."""
        if self.writer is None or self.index is None:
            return
        writer, index = self.writer, self.index
        if self._flushing is not None and self._flushing.running:
            self._flushing.stop()
        writer.stop()
        self._count_writer()
        current, files, records = writer.warc_state
        if current is not None and self.stats:  # counted before the summary is written, so it includes them
            self.stats.set_value("govarchive/warc/files", files + 1)
            self.stats.set_value("govarchive/warc/records", records + 1)
        if self.search_worker is not None:
            self.search_worker.stop()  # it writes the search rows still queued, then ends
            self.search_worker = None
        stats = self.stats.get_stats() if self.stats else {}
        status = run_status(stats, reason, self.config.paths.root, self.run.id)  # the outcome, as the exit code
        summary = run_summary(self.run, stats, status)
        problem = writer.finish(RUN_URI.format(self.run.id), summary, datetime.now(UTC))
        if problem:  # a full disk: the file is still whole, only the summary is missing
            logger.error("the run summary record could not be written (%s): the WARC file is closed without "
                         "it; every capture in it is whole and indexed", problem)
        self.writer = None
        try:
            index.drain_search()  # whatever the worker left (it died, or it was stopped late)
            index.finish_run(self.run.id, summary["finished_at"], status, summary["stats"])
            analysis = self.analyse(writer.readings)
        except Exception as error:
            if not is_storage_full(error):
                raise
            self.halt.record(error, "the run's end (its row, the closure analysis)")  # the exit code says so
            logger.error("the end of the run could not be indexed (%s): its captures are indexed; free some space, "
                         "then `govarchive analyse` (the next crawl marks the run killed if its row says running)",
                         error)
        else:
            for line in analysis.lines():
                logger.info("closure analysis: %s", line)
        finally:
            index.close()
            self.index = None

    def analyse(self, readings: Readings | None = None) -> Analysis:
        """The end-of-run analysis, on the run's whole index: notices in this run's posts, successors,
        merged provisional accounts, every account's status and risk (govarchive/closure/lifecycle.py);
        ``readings``: the posts the writer process had the detector read while the crawl ran
        (govarchive/closure/readahead.py)."""
        assert self.index is not None
        analysis = analyse(self.index, self.run.analysis_as_of, self.run.id, self.run.dormant_days,
                           self.run.closed_after_runs, readings=readings)
        if readings is not None:
            logger.debug("closure analysis: %d posts read ahead by the writer process, %d read at the end",
                         readings.taken, readings.read_late)
            if self.stats:
                self.stats.set_value("govarchive/analysis/read_ahead", readings.taken)
                self.stats.set_value("govarchive/analysis/read_late", readings.read_late)
        return analysis

    def _count_writer(self) -> None:
        """What the writer counted, into the crawl's stats (before the run's summary is made)."""
        assert self.writer is not None
        if not self.stats:
            return
        counts = self.writer.counts
        if self.writer.revisits:
            self.stats.set_value("govarchive/dedup/revisits", self.writer.revisits)
        if counts.get("not_archived"):
            self.stats.inc_value("govarchive/captures", -counts["not_archived"])
            self.stats.inc_value("govarchive/capture_errors", counts["not_archived"])
        if counts.get("failures"):  # exchanges that could not be archived, recorded as fetch failures
            self.stats.inc_value(FETCH_FAILURES_STAT, counts["failures"])
            self.stats.inc_value(f"{FETCH_FAILURES_STAT}/{NOT_ARCHIVED}", counts["failures"])


_ARCHIVES: weakref.WeakKeyDictionary[Any, CrawlArchive] = weakref.WeakKeyDictionary()


def archive_for(crawler: Any) -> CrawlArchive:
    """The crawler's archive (one per crawler, shared by the capture extension, the pipelines and the
    known-posts middleware)."""
    if crawler not in _ARCHIVES:
        _ARCHIVES[crawler] = CrawlArchive(crawler)
    return _ARCHIVES[crawler]
