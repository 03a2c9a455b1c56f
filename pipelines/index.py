"""IndexPipeline: keeps ``<archive>/index.db`` (captures, accounts, posts, runs) up to date.

At the end of the run it runs the closure analysis (:func:`govarchive.closure.lifecycle.analyse`): notices
in this run's posts, successors, merged provisional accounts, every account's status and risk.

During the run a search worker process writes the Chinese search shadows (govarchive/index/searchworker.py);
the pipeline waits for it at the end.

Settings: ``GOVARCHIVE_ARCHIVE_DIR``, ``GOVARCHIVE_OPERATOR``, ``GOVARCHIVE_AS_OF``, ``GOVARCHIVE_DORMANT_DAYS``,
``GOVARCHIVE_CLOSED_AFTER_RUNS``, ``GOVARCHIVE_SEARCH_WORKER``.
Stats: ``govarchive/index/accounts``, ``govarchive/index/posts``, ``govarchive/analysis/as_of`` (the moment
the run's statuses are judged at).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any

from scrapy import signals
from scrapy.exceptions import DropItem

from govarchive.closure.lifecycle import analyse
from govarchive.core.config import ArchiveConfig, archive_config
from govarchive.core.dates import warc_date
from govarchive.core.items import Account, Capture, FetchFailure, PageState, Post
from govarchive.core.storage import StorageHalt, halt_for, is_storage_full, starting
from govarchive.crawl.guard import CrawlGuard, guard_for
from govarchive.crawl.outcome import run_status
from govarchive.crawl.run import AS_OF_STAT, RunInfo, run_for, run_summary
from govarchive.index.searchworker import SearchWorker
from govarchive.index.store import Index, open_index

logger = logging.getLogger(__name__)
RECENT_STATES = 10_000  # captures whose saved page state is remembered until their page is parsed


class IndexPipeline:
    guard: CrawlGuard | None = None  # the archive's lock (govarchive/warc/lock.py); None when built directly
    halt: StorageHalt | None = None  # stops the crawl when the disk is full (govarchive/core/storage.py)

    def __init__(self, config: ArchiveConfig, run: RunInfo, stats: Any = None) -> None:
        self.config = config
        self.run = run
        self.stats = stats
        self.index: Index | None = None
        self.shared_posts: Any = None  # a distributed run: tells the other workers which posts are archived
        self.search_worker: SearchWorker | None = None
        self.saved_states: OrderedDict[str, str | None] = OrderedDict()  # capture id -> page state as saved

    @classmethod
    def from_crawler(cls, crawler: Any) -> IndexPipeline:
        pipeline = cls(archive_config(crawler.settings), run_for(crawler), crawler.stats)
        pipeline.guard = guard_for(crawler)
        pipeline.halt = halt_for(crawler)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        if self.guard:  # another run holds the archive: close before writing anything
            self.guard.require()
        self.config.paths.ensure()
        with starting(self.halt, "opening the index"):
            self.index = open_index(self.config.paths.index_db)
        if self.config.distributed:
            from govarchive.crawl.distributed import RedisKnownPosts, connect

            self.shared_posts = RedisKnownPosts(connect(self.config), self.config)
        if self.stats:  # the moment this run's statuses are judged at, kept with its stats (`govarchive analyse`)
            self.stats.set_value(AS_OF_STAT, self.run.analysis_as_of.isoformat())
        with starting(self.halt, "recording the run's start"):
            self.index.start_run(self.run.id, self.run.spider, warc_date(self.run.started_at), self.config.operator)
        if self.config.search_worker:  # the search shadows are written on another core (govarchive/index/searchworker.py)
            self.search_worker = SearchWorker(self.index, self.config.paths.index_db)

    def process_capture(self, capture: Capture) -> None:
        assert self.index is not None, "open_spider was not called"
        self.index.save_capture(capture)
        self.saved_states[capture.id] = capture.page_state  # what the page's PageState need not write again
        if len(self.saved_states) > RECENT_STATES:  # exchanges never parsed (redirects) leave theirs behind
            self.saved_states.popitem(last=False)

    def process_item(self, item: Any) -> Any:
        assert self.index is not None, "open_spider was not called"
        if self.halt is not None and self.halt.halted:
            raise DropItem("the disk is full: the crawl is stopping", log_level="DEBUG")
        try:
            return self._save(item)
        except Exception as error:
            if self.halt is None or not is_storage_full(error):
                raise
            self.halt.halt(error, f"indexing {type(item).__name__.lower()} {getattr(item, 'id', '')}")
            raise DropItem("the disk is full: not indexed", log_level="DEBUG") from None

    def _save(self, item: Any) -> Any:
        assert self.index is not None
        if isinstance(item, Account):
            self.index.save_account(item)
            self._count("accounts")
        elif isinstance(item, Post):
            self.index.save_post(item)
            self._count("posts")
            if self.shared_posts is not None and item.authoritative and item.state != "listed":
                self.shared_posts.add(item.id)
        elif isinstance(item, PageState):
            if self.saved_states.pop(item.capture_id, None) != item.state:  # most pages say what their status did
                self.index.save_page_state(item)
        elif isinstance(item, FetchFailure):
            self.index.save_failure(item, self.run.id)
        return item

    def _count(self, what: str) -> None:
        if self.stats:
            self.stats.inc_value(f"govarchive/index/{what}")

    def spider_closed(self, spider: Any, reason: str) -> None:
        """Record how the run ended, its status the run's outcome (after the WARC pipeline wrote the same summary)."""
        if self.index is None:
            return
        if self.search_worker is not None:
            self.search_worker.stop()  # it writes the search rows still queued, then ends
            self.search_worker = None
        stats = self.stats.get_stats() if self.stats else {}
        status = run_status(stats, reason, self.config.paths.root, self.run.id)  # the outcome, as the exit code
        summary = run_summary(self.run, stats, status)
        try:
            self.index.drain_search()  # whatever the worker left (it died, or it was stopped late)
            self.index.finish_run(self.run.id, summary["finished_at"], status, summary["stats"])
            analysis = analyse(self.index, self.run.analysis_as_of, self.run.id, self.run.dormant_days,
                               self.run.closed_after_runs)
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
            self.index.close()
            self.index = None
