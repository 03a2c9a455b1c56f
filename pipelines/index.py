"""IndexPipeline: keeps ``<archive>/index.db`` (captures, accounts, posts, runs) up to date.

At the end of the run it runs the closure analysis (:func:`govarchive.lifecycle.analyse`): notices
in this run's posts, successors, merged provisional accounts, every account's status and risk.

Settings: ``GOVARCHIVE_ARCHIVE_DIR``, ``GOVARCHIVE_OPERATOR``, ``GOVARCHIVE_AS_OF``, ``GOVARCHIVE_DORMANT_DAYS``,
``GOVARCHIVE_CLOSED_AFTER_RUNS``.
Stats: ``govarchive/index/accounts``, ``govarchive/index/posts``.
"""

from __future__ import annotations

from typing import Any

import logging

from scrapy import signals

from govarchive.config import ArchiveConfig, archive_config
from govarchive.index import Index, open_index
from govarchive.items import Account, Capture, PageState, Post
from govarchive.lifecycle import analyse
from govarchive.lock import CrawlGuard, guard_for
from govarchive.run import RunInfo, run_for, run_summary
from govarchive.warc import warc_date

logger = logging.getLogger(__name__)


class IndexPipeline:
    guard: CrawlGuard | None = None  # the archive's lock (govarchive/lock.py); None when built directly

    def __init__(self, config: ArchiveConfig, run: RunInfo, stats: Any = None) -> None:
        self.config = config
        self.run = run
        self.stats = stats
        self.index: Index | None = None
        self.shared_posts: Any = None  # a distributed run: tells the other workers which posts are archived

    @classmethod
    def from_crawler(cls, crawler: Any) -> "IndexPipeline":
        pipeline = cls(archive_config(crawler.settings), run_for(crawler), crawler.stats)
        pipeline.guard = guard_for(crawler)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        if self.guard:  # another run holds the archive: close before writing anything
            self.guard.require()
        self.config.paths.ensure()
        self.index = open_index(self.config.paths.index_db)
        if self.config.distributed:
            from govarchive.distributed import RedisKnownPosts, connect

            self.shared_posts = RedisKnownPosts(connect(self.config), self.config)
        self.index.start_run(self.run.id, self.run.spider, warc_date(self.run.started_at), self.config.operator)

    def process_capture(self, capture: Capture) -> None:
        assert self.index is not None, "open_spider was not called"
        self.index.save_capture(capture)

    def process_item(self, item: Any) -> Any:
        assert self.index is not None, "open_spider was not called"
        if isinstance(item, Account):
            self.index.save_account(item)
            self._count("accounts")
        elif isinstance(item, Post):
            self.index.save_post(item)
            self._count("posts")
            if self.shared_posts is not None and item.authoritative and item.state != "listed":
                self.shared_posts.add(item.id)
        elif isinstance(item, PageState):
            self.index.save_page_state(item)
        return item

    def _count(self, what: str) -> None:
        if self.stats:
            self.stats.inc_value(f"govarchive/index/{what}")

    def spider_closed(self, spider: Any, reason: str) -> None:
        """Record how the run ended (after the WARC pipeline wrote the same summary)."""
        if self.index is None:
            return
        summary = run_summary(self.run, self.stats.get_stats() if self.stats else {}, reason)
        self.index.finish_run(self.run.id, summary["finished_at"], reason, summary["stats"])
        analysis = analyse(self.index, self.run.analysis_as_of, self.run.id, self.run.dormant_days,
                           self.run.closed_after_runs)
        for line in analysis.lines():
            logger.info("closure analysis: %s", line)
        self.index.close()
        self.index = None
