"""DedupPipeline: already-archived payloads become revisits; repeated items on a page are dropped.

Settings: ``GOVARCHIVE_ARCHIVE_DIR``, ``GOVARCHIVE_DEDUP_MIN_BYTES``; in a distributed run
``GOVARCHIVE_REDIS_URL`` (payloads are claimed in Redis, atomically across workers).
Stats: ``govarchive/dedup/revisits``, ``govarchive/dedup/items_dropped``.
"""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem

from govarchive.core.config import ArchiveConfig, archive_config
from govarchive.core.items import Account, Capture, Post
from govarchive.core.storage import StorageHalt, halt_for, starting
from govarchive.crawl.guard import CrawlGuard, guard_for
from govarchive.index.store import open_index
from govarchive.warc.dedup import ItemDeduper, PayloadDeduper


class DedupPipeline:
    guard: CrawlGuard | None = None  # the archive's lock (govarchive/warc/lock.py); None when built directly
    halt: StorageHalt | None = None  # stops the crawl when the disk is full (govarchive/core/storage.py)

    def __init__(self, config: ArchiveConfig, stats: Any = None) -> None:
        self.config = config
        self.stats = stats
        self.items = ItemDeduper()
        self.payloads: PayloadDeduper | None = None
        self.shared: Any = None  # a distributed run: the payload claims in Redis (RedisPayloads)

    @classmethod
    def from_crawler(cls, crawler: Any) -> DedupPipeline:
        pipeline = cls(archive_config(crawler.settings), crawler.stats)
        pipeline.guard = guard_for(crawler)
        pipeline.halt = halt_for(crawler)
        return pipeline

    def open_spider(self) -> None:
        if self.guard:  # another run holds the archive: close before writing anything
            self.guard.require()
        self.config.paths.ensure()
        finder = None
        if self.config.distributed:  # the first worker to claim a payload stores it; the others refer to it
            from govarchive.crawl.distributed import RedisPayloads, connect

            self.shared = RedisPayloads(connect(self.config), self.config)
            finder = self.shared.claim
        with starting(self.halt, "opening the index"):
            index = open_index(self.config.paths.index_db)
        self.payloads = PayloadDeduper(index, self.config.dedup_min_bytes, finder)

    def close_spider(self) -> None:
        if self.payloads:
            self.payloads.index.close()

    def process_capture(self, capture: Capture) -> None:
        assert self.payloads is not None, "open_spider was not called"
        if self.payloads.check(capture) and self.stats:
            self.stats.inc_value("govarchive/dedup/revisits")

    def discard_capture(self, capture: Capture) -> None:
        """A later stage could not store the capture: a payload it claimed for the workers is free again."""
        if self.shared is not None and capture.record_type == "response":
            self.shared.release(capture)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, (Account, Post)) and self.items.is_repeat(item):
            if self.stats:
                self.stats.inc_value("govarchive/dedup/items_dropped")
            raise DropItem(f"{type(item).__name__.lower()} {item.id} already taken from this page")
        return item
