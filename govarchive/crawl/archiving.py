"""The crawl's archive: one :class:`~govarchive.warc.archiver.Archiver` and its writer thread per crawl.

:func:`archive_for` gives each crawler its one :class:`CrawlArchive`, the only holder of ``index.db``'s
write connection and of the WARC files during the crawl:

- the item pipelines open it (the first to open does: the archive's lock checked, an archive a killed
  crawl left recovered (:func:`govarchive.warc.recovery.recover_archive`), the index opened, the run
  recorded, the search worker and the writer thread started);
- the capture extension (govarchive/crawl/capture.py) hands it every exchange with its page's reading, the
  pipelines the items the spider yields; the writer thread (govarchive/warc/archivethread.py) stores them
  in that order, in batches, off the reactor thread;
- the known-posts middleware asks it which posts are archived (:meth:`CrawlArchive.has_post`);
- when the spider closes it commits what is queued, writes the run's summary as the WARC files' last
  record and finishes the run's row, then runs the end-of-run analysis as a step of its own
  (:meth:`CrawlArchive.analyse`: :func:`govarchive.closure.lifecycle.analyse`).

Settings: ``GOVARCHIVE_ARCHIVE_DIR``, ``GOVARCHIVE_WARC_MAX_BYTES``, ``GOVARCHIVE_DEDUP_MIN_BYTES``,
``GOVARCHIVE_OPERATOR``, ``GOVARCHIVE_CONTACT``, ``GOVARCHIVE_MAX_BODY_BYTES``, ``GOVARCHIVE_SEARCH_WORKER``,
``GOVARCHIVE_AS_OF``, ``GOVARCHIVE_DORMANT_DAYS``, ``GOVARCHIVE_CLOSED_AFTER_RUNS``, ``ROBOTSTXT_OBEY``,
``USER_AGENT``; in a distributed run ``GOVARCHIVE_REDIS_URL`` (payload claims and known posts in Redis).
Stats: ``govarchive/dedup/revisits``, ``govarchive/warc/records``, ``govarchive/warc/files``,
``govarchive/recovery/<count>``, ``govarchive/analysis/as_of``; ``govarchive/capture_errors`` (exchanges that
could not be archived).
"""

from __future__ import annotations

import logging
import weakref
from datetime import datetime, timezone
from typing import Any

from scrapy import signals

from govarchive.closure.lifecycle import Analysis, analyse
from govarchive.core.config import archive_config
from govarchive.core.failures import NOT_ARCHIVED
from govarchive.core.items import Account, Capture, FetchFailure, Post
from govarchive.core.storage import halt_for, is_storage_full, starting
from govarchive.core.dates import warc_date
from govarchive.crawl.distributed import worker_host_label
from govarchive.crawl.guard import guard_for
from govarchive.crawl.outcome import FETCH_FAILURES_STAT, run_status
from govarchive.crawl.politeness import is_email
from govarchive.crawl.run import AS_OF_STAT, run_for, run_summary
from govarchive.index.searchworker import SearchWorker
from govarchive.index.store import Index, open_index
from govarchive.pages import Extraction
from govarchive.warc.archiver import Archiver
from govarchive.warc.archivethread import ArchiveThread
from govarchive.warc.dedup import PayloadDeduper
from govarchive.warc.recovery import recover_archive
from govarchive.warc.writer import WarcArchive

RUN_URI = "urn:govarchive:run:{}"
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
        self.archiver: Archiver | None = None
        self.writer: ArchiveThread | None = None
        self.reader: Index | None = None  # the reactor thread's own connection, for its lookups
        self.search_worker: SearchWorker | None = None
        self.shared_posts: Any = None  # a distributed run: posts any worker archived (RedisKnownPosts)

    @property
    def is_open(self) -> bool:
        return self.writer is not None

    @property
    def stopped(self) -> bool:
        """True once the disk refused a write: nothing more is archived."""
        return self.halt.halted or (self.writer is not None and self.writer.full is not None)

    # -- opening --------------------------------------------------------------------------------
    def open(self) -> None:
        """Open the archive for the run (once; the pipelines each ask)."""
        if self.is_open:
            return
        guard_for(self.crawler).require()  # another run holds the archive: close before writing anything
        paths = self.config.paths.ensure()
        with starting(self.halt, "recovering the archive"):
            recovery = recover_archive(paths, self.run.id, max_body_bytes=self.config.max_body_bytes)
        for name, count in recovery.counts().items():
            if count and self.stats:
                self.stats.set_value(f"govarchive/recovery/{name}", count)
        with starting(self.halt, "opening the index"):
            index = open_index(paths.index_db, shared=True)
        finder = release = announce = None
        if self.config.distributed:  # the first worker to claim a payload stores it; the others refer to it
            from govarchive.crawl.distributed import RedisKnownPosts, RedisPayloads, connect

            payloads = RedisPayloads(connect(self.config), self.config)
            finder, release = payloads.claim, payloads.release
            self.shared_posts = RedisKnownPosts(connect(self.config), self.config)
            announce = self.shared_posts.add
        if self.stats:  # the moment this run's statuses are judged at, kept with its stats (`govarchive analyse`)
            self.stats.set_value(AS_OF_STAT, self.run.analysis_as_of.isoformat())
        with starting(self.halt, "recording the run's start"):
            index.start_run(self.run.id, self.run.spider, warc_date(self.run.started_at), self.config.operator)
        if self.config.search_worker:  # the search rows are written on another core (govarchive/index/searchworker.py)
            self.search_worker = SearchWorker(index, paths.index_db)
        self.archiver = Archiver(index, self._warc_files(), PayloadDeduper(index, self.config.dedup_min_bytes, finder),
                                 release, announce)
        self.reader = open_index(paths.index_db)
        self.writer = ArchiveThread(self.archiver, self.run.id, self._full)
        self.crawler.signals.connect(self.close, signal=signals.spider_closed)

    def _warc_files(self) -> WarcArchive:
        info = {**self.run.warcinfo_fields(), "robots": self.config.robots_policy,
                "http-header-user-agent": self.user_agent}
        if self.config.operator:
            info["operator"] = self.config.operator
        if self.config.contact:  # also in the User-Agent (govarchive.crawl.politeness.ContactAddon)
            info["contact"] = self.config.contact
            if is_email(self.config.contact):
                info["http-header-from"] = self.config.contact
        # a distributed worker's files carry its name too, so no two workers' files share a name
        hostname = worker_host_label(self.config) if self.config.worker else None
        return WarcArchive(self.config.paths.warc_dir, self.run.id, info=info, max_bytes=self.config.warc_max_bytes,
                           hostname=hostname)

    def _full(self, error: BaseException, what: str) -> None:
        """The writer thread met a full disk: the crawl stops (on the reactor thread)."""
        from twisted.internet import reactor

        reactor.callFromThread(self.halt.halt, error, what)

    # -- during the run (the reactor thread) ---------------------------------------------------------
    def store(self, capture: Capture, extraction: Extraction | None, context: tuple[Any, ...] = ()) -> None:
        """Archive an exchange; its page state is decided from ``extraction`` (govarchive/warc/archiver.py)."""
        assert self.writer is not None, "the archive is not open"
        self.writer.store(capture, extraction, context)

    def save(self, item: Account | Post | FetchFailure) -> None:
        assert self.writer is not None, "the archive is not open"
        self.writer.save_item(item)

    def has_post(self, post_id: str) -> bool:
        """True when the post's own page is archived (by this run, any earlier one, or another worker)."""
        if self.writer is not None and self.writer.has_pending_post(post_id):
            return True
        if self.reader is None:
            self.reader = open_index(self.config.paths.ensure().index_db)
        return self.reader.has_post(post_id) or (self.shared_posts is not None and post_id in self.shared_posts)

    # -- the end of the run ---------------------------------------------------------------------------
    def close(self, spider: Any = None, reason: str = "finished") -> None:
        """Commit what is queued; the run's summary record and row; the end-of-run analysis."""
        if self.writer is None or self.archiver is None:
            return
        self.writer.stop()
        self._count_writer()
        if self.reader is not None:
            self.reader.close()
            self.reader = None
        archiver, index = self.archiver, self.archiver.index
        warcs = archiver.warcs
        assert warcs is not None
        if warcs.current_file is not None and self.stats:  # counted before the summary: it includes them
            self.stats.set_value("govarchive/warc/files", len(warcs.files_written) + 1)
            self.stats.set_value("govarchive/warc/records", warcs.records_written + 1)
        if self.search_worker is not None:
            self.search_worker.stop()  # it writes the search rows still queued, then ends
            self.search_worker = None
        stats = self.stats.get_stats() if self.stats else {}
        status = run_status(stats, reason, self.config.paths.root, self.run.id)  # the outcome, as the exit code
        summary = run_summary(self.run, stats, status)
        try:
            try:
                archiver.write_summary(RUN_URI.format(self.run.id), summary, datetime.now(timezone.utc))
            except OSError as error:  # a full disk: the file is still whole, only the summary is missing
                if not is_storage_full(error):
                    raise
                logger.error("the run summary record could not be written (%s): the WARC file is closed without "
                             "it; every capture in it is whole and indexed", error)
            warcs.close()
            index.drain_search()  # whatever the worker left (it died, or it was stopped late)
            index.finish_run(self.run.id, summary["finished_at"], status, summary["stats"])
            analysis = self.analyse()
        except Exception as error:
            if not is_storage_full(error):
                raise
            logger.error("the end of the run could not be indexed (%s): its captures are indexed; free some space, "
                         "then `govarchive analyse` (the next crawl marks the run killed if its row says running)",
                         error)
        else:
            for line in analysis.lines():
                logger.info("closure analysis: %s", line)
        finally:
            warcs.close()
            index.close()
            self.writer = None
            self.archiver = None

    def analyse(self) -> Analysis:
        """The end-of-run analysis, on the run's whole index: notices in this run's posts, successors,
        merged provisional accounts, every account's status and risk (govarchive/closure/lifecycle.py)."""
        assert self.archiver is not None
        return analyse(self.archiver.index, self.run.analysis_as_of, self.run.id, self.run.dormant_days,
                       self.run.closed_after_runs)

    def _count_writer(self) -> None:
        """What the writer thread counted, into the crawl's stats (before the run's summary is made)."""
        assert self.writer is not None and self.archiver is not None
        if not self.stats:
            return
        counts = self.writer.counts
        if self.archiver.revisits:
            self.stats.set_value("govarchive/dedup/revisits", self.archiver.revisits)
        if counts["not_archived"]:
            self.stats.inc_value("govarchive/captures", -counts["not_archived"])
            self.stats.inc_value("govarchive/capture_errors", counts["not_archived"])
        if counts["failures"]:  # exchanges that could not be archived, recorded as fetch failures
            self.stats.inc_value(FETCH_FAILURES_STAT, counts["failures"])
            self.stats.inc_value(f"{FETCH_FAILURES_STAT}/{NOT_ARCHIVED}", counts["failures"])


_ARCHIVES: "weakref.WeakKeyDictionary[Any, CrawlArchive]" = weakref.WeakKeyDictionary()


def archive_for(crawler: Any) -> CrawlArchive:
    """The crawler's archive (one per crawler, shared by the capture extension, the pipelines and the
    known-posts middleware)."""
    if crawler not in _ARCHIVES:
        _ARCHIVES[crawler] = CrawlArchive(crawler)
    return _ARCHIVES[crawler]
