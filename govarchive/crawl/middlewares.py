"""KnownPostsMiddleware: posts whose page the index already holds are not fetched again.

Listing and profile pages are always fetched (each run is a snapshot). Set
``GOVARCHIVE_REFETCH_POSTS = True`` to fetch known posts again (to see deletions).

In a distributed run, a post another worker archived (in Redis, see govarchive/crawl/distributed.py) is
known too.

Settings: ``GOVARCHIVE_ARCHIVE_DIR``, ``GOVARCHIVE_REFETCH_POSTS``, ``GOVARCHIVE_REDIS_URL``.
Stats: ``govarchive/known_posts_skipped``.
"""

from __future__ import annotations

from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from govarchive.core.config import ArchiveConfig, archive_config
from govarchive.core.failures import Skipped
from govarchive.index.store import Index, open_index

META_POST_ID = "govarchive_post_id"
META_POST_CLAIMED = "govarchive_post_claimed"  # a distributed run: this request holds the post's claim


class KnownPostsMiddleware:
    def __init__(self, config: ArchiveConfig, stats: Any = None) -> None:
        self.config = config
        self.stats = stats
        self.index: Index | None = None
        self.shared: Any = None  # a distributed run: posts any worker archived (RedisKnownPosts)

    @classmethod
    def from_crawler(cls, crawler: Any) -> KnownPostsMiddleware:
        config = archive_config(crawler.settings)
        if config.refetch_posts:
            raise NotConfigured  # GOVARCHIVE_REFETCH_POSTS is on: known posts are fetched again (no warning: asked for)
        middleware = cls(config, crawler.stats)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def process_request(self, request: Any) -> None:
        post_id = request.meta.get(META_POST_ID)
        if not post_id:
            return None
        if self.index is None:
            self.index = open_index(self.config.paths.ensure().index_db)
            if self.config.distributed:
                from govarchive.crawl.distributed import RedisKnownPosts, connect

                self.shared = RedisKnownPosts(connect(self.config), self.config)
        if self.index.has_post(post_id) or (self.shared is not None and post_id in self.shared):
            if self.stats:
                self.stats.inc_value("govarchive/known_posts_skipped")
            raise Skipped(f"post {post_id} is already archived")
        if self.shared is not None and not request.meta.get(META_POST_CLAIMED):
            # retries and redirects of this request carry the claim in their meta
            if not self.shared.claim(post_id):
                if self.stats:
                    self.stats.inc_value("govarchive/known_posts_skipped")
                raise Skipped(f"post {post_id} is being fetched by another request of this run")
            request.meta[META_POST_CLAIMED] = True
        return None

    def spider_closed(self, spider: Any) -> None:
        if self.index is not None:
            self.index.close()
            self.index = None
