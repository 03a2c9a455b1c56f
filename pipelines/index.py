"""IndexPipeline: hands the accounts and posts the spider yields to the crawl's archive, which keeps
``<archive>/index.db`` (captures, accounts, posts, runs) up to date (govarchive/crawl/archiving.py).

Stats: ``govarchive/index/accounts``, ``govarchive/index/posts``.
"""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem

from govarchive.core.items import Account, Post
from govarchive.crawl.archiving import CrawlArchive, archive_for


class IndexPipeline:
    def __init__(self, archive: CrawlArchive, stats: Any = None) -> None:
        self.archive = archive
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> IndexPipeline:
        return cls(archive_for(crawler), crawler.stats)

    def open_spider(self) -> None:
        self.archive.open()

    def process_item(self, item: Any) -> Any:
        if isinstance(item, (Account, Post)):
            if self.archive.stopped:
                raise DropItem("the disk is full: the crawl is stopping", log_level="DEBUG")
            self.archive.save(item)
            if self.stats:
                self.stats.inc_value(f"govarchive/index/{'accounts' if isinstance(item, Account) else 'posts'}")
        return item
