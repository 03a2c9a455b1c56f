"""KnownPostsMiddleware: posts whose page the index already holds are not fetched again.

Listing and profile pages are always fetched (each run is a snapshot). Set
``GOVARCHIVE_REFETCH_POSTS = True`` to fetch known posts again (to see deletions).

Settings: ``GOVARCHIVE_ARCHIVE_DIR``, ``GOVARCHIVE_REFETCH_POSTS``.
Stats: ``govarchive/known_posts_skipped``.
"""

from __future__ import annotations

from typing import Any

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured

from govarchive.config import ArchiveConfig, archive_config
from govarchive.index import Index, open_index

META_POST_ID = "govarchive_post_id"


class KnownPostsMiddleware:
    def __init__(self, config: ArchiveConfig, stats: Any = None) -> None:
        self.config = config
        self.stats = stats
        self.index: Index | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> "KnownPostsMiddleware":
        config = archive_config(crawler.settings)
        if config.refetch_posts:
            raise NotConfigured("GOVARCHIVE_REFETCH_POSTS is on: known posts are fetched again")
        middleware = cls(config, crawler.stats)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def process_request(self, request: Any) -> None:
        post_id = request.meta.get(META_POST_ID)
        if not post_id:
            return None
        if self.index is None:
            self.index = open_index(self.config.paths.ensure().index_db)
        if self.index.has_post(post_id):
            if self.stats:
                self.stats.inc_value("govarchive/known_posts_skipped")
            raise IgnoreRequest(f"post {post_id} is already archived")
        return None

    def spider_closed(self, spider: Any) -> None:
        if self.index is not None:
            self.index.close()
            self.index = None
