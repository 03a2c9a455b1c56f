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

from scrapy.exceptions import NotConfigured

from govarchive.core.config import ArchiveConfig, archive_config
from govarchive.core.failures import Skipped
from govarchive.crawl.archiving import CrawlArchive, archive_for

META_POST_ID = "govarchive_post_id"
META_POST_CLAIMED = "govarchive_post_claimed"  # a distributed run: this request holds the post's claim


class KnownPostsMiddleware:
    def __init__(self, config: ArchiveConfig, archive: CrawlArchive, stats: Any = None) -> None:
        self.config = config
        self.archive = archive  # what is archived: the index, this run's writes, other workers' (Redis)
        self.stats = stats
        self.claims: Any = None  # a distributed run: which posts this run's workers are fetching (RedisKnownPosts)

    @classmethod
    def from_crawler(cls, crawler: Any) -> KnownPostsMiddleware:
        config = archive_config(crawler.settings)
        if config.refetch_posts:
            raise NotConfigured  # GOVARCHIVE_REFETCH_POSTS is on: known posts are fetched again (no warning: asked for)
        return cls(config, archive_for(crawler), crawler.stats)

    def process_request(self, request: Any) -> None:
        post_id = request.meta.get(META_POST_ID)
        if not post_id:
            return None
        if self.archive.has_post(post_id):
            if self.stats:
                self.stats.inc_value("govarchive/known_posts_skipped")
            raise Skipped(f"post {post_id} is already archived")
        if self.config.distributed and not request.meta.get(META_POST_CLAIMED):
            if self.claims is None:
                from govarchive.crawl.distributed import RedisKnownPosts, connect

                self.claims = RedisKnownPosts(connect(self.config), self.config)
            # retries and redirects of this request carry the claim in their meta
            if not self.claims.claim(post_id):
                if self.stats:
                    self.stats.inc_value("govarchive/known_posts_skipped")
                raise Skipped(f"post {post_id} is being fetched by another request of this run")
            request.meta[META_POST_CLAIMED] = True
        return None
