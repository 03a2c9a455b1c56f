"""WarcPipeline: writes every capture as WARC/1.1 records under ``<archive>/warc/``.

Files are named ``govarchive-{timestamp17}-{serial:05d}-{host}.warc.gz``, written as ``.open``,
rotated at ``GOVARCHIVE_WARC_MAX_BYTES`` and renamed on close; the run's summary is written last
as a ``metadata`` record; a fetch that gave no page is a ``metadata`` record about its URL
(govarchive/core/failures.py). On start, once the archive's lock is held, the archive is recovered from
a crawl that died (:func:`govarchive.warc.recovery.recover_archive`: ``.open`` files repaired, the index
made to agree with them, killed runs marked).

Settings: ``GOVARCHIVE_ARCHIVE_DIR``, ``GOVARCHIVE_WARC_MAX_BYTES``, ``GOVARCHIVE_OPERATOR``, ``GOVARCHIVE_CONTACT``,
``GOVARCHIVE_MAX_BODY_BYTES``, ``ROBOTSTXT_OBEY``, ``USER_AGENT``.
Stats: ``govarchive/warc/records``, ``govarchive/warc/files``, ``govarchive/recovery/<count>`` (only
what recovery found: ``repaired_files``, ``invalid_files``, ``lost_captures``, ``requeued_posts``,
``imported_captures``, ``killed_runs``, ``moved_pointers``, ``errors``).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from scrapy import signals
from scrapy.exceptions import DropItem

from govarchive.core.config import ArchiveConfig, archive_config
from govarchive.core.items import Capture, FetchFailure
from govarchive.core.storage import StorageHalt, halt_for, is_storage_full, starting
from govarchive.crawl.distributed import worker_host_label
from govarchive.crawl.guard import CrawlGuard, guard_for
from govarchive.crawl.outcome import run_status
from govarchive.crawl.politeness import is_email
from govarchive.crawl.run import RunInfo, run_for, run_summary
from govarchive.warc.recovery import recover_archive
from govarchive.warc.writer import WarcArchive

RUN_URI = "urn:govarchive:run:{}"
logger = logging.getLogger(__name__)


class WarcPipeline:
    guard: CrawlGuard | None = None  # the archive's lock (govarchive/warc/lock.py); None when built directly
    halt: StorageHalt | None = None  # stops the crawl when the disk is full (govarchive/core/storage.py)

    def __init__(self, config: ArchiveConfig, run: RunInfo, user_agent: str = "", stats: Any = None) -> None:
        self.config = config
        self.run = run
        self.user_agent = user_agent
        self.stats = stats
        self.archive: WarcArchive | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> WarcPipeline:
        pipeline = cls(archive_config(crawler.settings), run_for(crawler), crawler.settings.get("USER_AGENT", ""),
                       crawler.stats)
        pipeline.guard = guard_for(crawler)
        pipeline.halt = halt_for(crawler)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        if self.guard:  # another run holds the archive: never touch its .open files
            self.guard.require()
        warc_dir = self.config.paths.ensure().warc_dir
        with starting(self.halt, "recovering the archive"):
            recovery = recover_archive(self.config.paths, self.run.id, max_body_bytes=self.config.max_body_bytes)
        for name, count in recovery.counts().items():
            if count and self.stats:
                self.stats.set_value(f"govarchive/recovery/{name}", count)
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
        self.archive = WarcArchive(warc_dir, self.run.id, info=info, max_bytes=self.config.warc_max_bytes,
                                   hostname=hostname)

    def process_capture(self, capture: Capture) -> None:
        assert self.archive is not None, "open_spider was not called"
        self.archive.write_capture(capture)

    def discard_capture(self, capture: Capture) -> None:
        """A later stage could not store the capture: its records go (govarchive/crawl/capture.py)."""
        if self.archive is not None and capture.warc_file:
            self.archive.discard_capture(capture)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, FetchFailure):
            assert self.archive is not None, "open_spider was not called"
            if self.halt is not None and self.halt.halted:
                raise DropItem("the disk is full: not recorded", log_level="DEBUG")
            try:
                self.archive.write_failure(item)
            except OSError as error:
                if not is_storage_full(error) or self.halt is None:
                    raise
                self.halt.halt(error, f"recording the failed fetch of {item.url[:300]}")
                raise DropItem("the disk is full: not recorded", log_level="DEBUG") from None
        return item

    def spider_closed(self, spider: Any, reason: str) -> None:
        """Write the run summary record, then close (and rename) the last file."""
        if self.archive is None:
            return
        if self.archive.current_file is not None:
            if self.stats:  # counted before the summary is written, so the summary includes them
                self.stats.set_value("govarchive/warc/files", len(self.archive.files_written) + 1)
                self.stats.set_value("govarchive/warc/records", self.archive.records_written + 1)
            stats = self.stats.get_stats() if self.stats else {}
            summary = run_summary(self.run, stats, run_status(stats, reason, self.config.paths.root, self.run.id))
            try:
                self.archive.write_metadata(RUN_URI.format(self.run.id), summary, datetime.now(UTC))
            except OSError as error:  # a full disk: the file is still whole, only the summary is missing
                if not is_storage_full(error):
                    raise
                logger.error("the run summary record could not be written (%s): the WARC file is closed without "
                             "it; every capture in it is whole and indexed", error)
        self.archive.close()
