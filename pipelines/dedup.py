"""DedupPipeline: an account or post a page shows twice is saved once.

Payloads already archived become revisits in the archive itself (govarchive/warc/archiver.py), and rows are
never duplicated: the index upserts accounts and posts by id.

Stats: ``govarchive/dedup/items_dropped``.
"""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem

from govarchive.core.items import Account, Post
from govarchive.warc.dedup import ItemDeduper


class DedupPipeline:
    def __init__(self, stats: Any = None) -> None:
        self.stats = stats
        self.items = ItemDeduper()

    @classmethod
    def from_crawler(cls, crawler: Any) -> DedupPipeline:
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, (Account, Post)) and self.items.is_repeat(item):
            if self.stats:
                self.stats.inc_value("govarchive/dedup/items_dropped")
            raise DropItem(f"{type(item).__name__.lower()} {item.id} already taken from this page")
        return item
