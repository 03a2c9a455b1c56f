"""WarcPipeline: opens the crawl's archive, and archives each fetch that gave no page.

The archive (govarchive/crawl/archiving.py) writes every capture as WARC/1.1 records under
``<archive>/warc/``: files named ``govarchive-{timestamp17}-{serial:05d}-{host}.warc.gz``, written as
``.open``, rotated at ``GOVARCHIVE_WARC_MAX_BYTES`` and renamed on close, the run's summary last as a
``metadata`` record. Opening it recovers an archive a crawl that died left
(:func:`govarchive.warc.recovery.recover_archive`: ``.open`` files repaired, the index made to agree with
them, killed runs marked). A fetch that gave no page (govarchive/core/failures.py) is a ``metadata``
record about its URL and a ``fetch_failures`` row.
"""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem

from govarchive.core.items import FetchFailure
from govarchive.crawl.archiving import CrawlArchive, archive_for


class WarcPipeline:
    def __init__(self, archive: CrawlArchive) -> None:
        self.archive = archive

    @classmethod
    def from_crawler(cls, crawler: Any) -> WarcPipeline:
        return cls(archive_for(crawler))

    def open_spider(self) -> None:
        self.archive.open()

    def process_item(self, item: Any) -> Any:
        if isinstance(item, FetchFailure):
            if self.archive.stopped:
                raise DropItem("the disk is full: not recorded", log_level="DEBUG")
            self.archive.save(item)
        return item
