"""AtRiskFirstMiddleware: the most endangered accounts are crawled first.

A run limited in time (a ban, a deadline, ``CLOSESPIDER_TIMEOUT``) should save what is about to
vanish before what will still be there tomorrow. ``accounts.risk`` (set by the closure analysis at
the end of every run, :func:`govarchive.closure.lifecycle.risk_of`: closing soon, named in a notice, dormant,
unreachable, few followers) orders this run:

- before the run's start requests, the at-risk accounts in the run's scope (an account listed by a
  page on a start URL's host, whose own page is a start URL, or one of whose posts is: a news report
  given as a ``page`` source) are requested, riskiest first;
- any request the crawl makes for an at-risk account's page gets its risk added to its priority.

The first run of an archive has no risks yet and crawls in the usual order.

It also re-checks archived posts (``GOVARCHIVE_RECHECK_POSTS``: ``at_risk``, the default, for the
posts of at-risk accounts; ``all`` for every account in scope; ``none``): a post that vanished from
its listing is fetched again, so its deletion is seen and dated (``status_history``) while its
archived copy stays linked (``posts.archived_capture_id``). Unchanged pages become revisits.

Settings: ``GOVARCHIVE_AT_RISK_FIRST`` (on by default), ``GOVARCHIVE_RECHECK_POSTS`` (``sample``: at-risk posts plus
``GOVARCHIVE_RECHECK_SAMPLE`` least recently seen ones per run), ``GOVARCHIVE_ARCHIVE_DIR``.
Stats: ``govarchive/at_risk_requests``, ``govarchive/rechecked_posts``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from govarchive.closure.lifecycle import crawl_order
from govarchive.core.config import archive_config
from govarchive.crawl.progress import META_ACCOUNT
from govarchive.crawl.spider import META_KIND, PRIORITY
from govarchive.index.store import open_index

BASE_PRIORITY = 30  # the priority of listings (crawling.PRIORITY): at-risk accounts go above it


def _key(url: str) -> str:
    return url.split("#")[0]


def recheck_selection(posts: list[tuple[str, str, int]], mode: str, sample: int,
                      last_seen: dict[str, str]) -> list[tuple[str, str, int]]:
    """The archived posts (account id, url, risk) to fetch again this run.

    ``all``: every one; ``at_risk``: those of accounts with a risk; ``sample``: those, plus the
    ``sample`` posts seen least recently, so successive runs re-check the whole archive in turn
    (each run's re-check moves a post's ``last_seen`` forward) at a bounded cost per run.
    """
    if mode == "all":
        return posts
    risky = [row for row in posts if row[2] > 0]
    if mode != "sample":
        return risky
    chosen = {row[1] for row in risky}
    rest = sorted((row for row in posts if row[1] not in chosen), key=lambda row: (last_seen.get(row[1], ""), row[1]))
    return risky + rest[:max(sample, 0)]


class AtRiskFirstMiddleware(BaseSpiderMiddleware):
    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        config = archive_config(crawler.settings)
        if not config.at_risk_first and config.recheck_posts == "none":
            raise NotConfigured  # GOVARCHIVE_AT_RISK_FIRST is off and GOVARCHIVE_RECHECK_POSTS is none (asked for)
        self.at_risk_first = config.at_risk_first
        self.recheck = config.recheck_posts
        self.sample = config.recheck_sample
        self.index_path = config.paths.index_db
        self.risk: dict[str, int] = {}

    def _load(self, spider: Any) -> tuple[list[tuple[str, str, int]], list[tuple[str, str, int]]]:
        """(at-risk accounts, posts to re-check) in the run's scope: (id, url, risk), riskiest first."""
        if not self.index_path.exists():
            return [], []
        index = open_index(self.index_path)
        try:
            hosts = {urlsplit(u).netloc for u in getattr(spider, "start_urls", [])}
            starts = {_key(u) for u in getattr(spider, "start_urls", [])}
            listed = {account for account, listing in index.listing_sources() if urlsplit(listing or "").netloc in hosts}
            in_scope = listed | {account for account, url in index.account_pages() if _key(url) in starts}
            # a start URL that is a post's page (a news report, a sources entry of kind page) brings its account
            in_scope |= index.accounts_of_post_urls(sorted(starts))
            accounts = [row for row in crawl_order(index) if row[0] in in_scope]
            posts: list[tuple[str, str, int]] = []
            if self.recheck != "none":
                rows = [row for row in index.archived_posts_by_risk() if row[0] in in_scope]
                last_seen = {url: seen or "" for _, url, _, seen in rows}
                posts = recheck_selection([(account, url, risk) for account, url, risk, _ in rows], self.recheck,
                                          self.sample, last_seen)
        finally:
            index.close()
        return (accounts if self.at_risk_first else []), posts

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        spider = self.crawler.spider
        assert spider is not None, "start requests come after the spider is made"
        at_risk, rechecks = self._load(spider)
        self.risk = {_key(url): risk for _, url, risk in at_risk}
        if at_risk:
            spider.logger.info("at-risk first: %d accounts (highest risk %d)", len(at_risk), at_risk[0][2])
        for account_id, url, risk in at_risk:
            self.crawler.stats.inc_value("govarchive/at_risk_requests")
            yield scrapy.Request(url, callback=spider.parse, errback=getattr(spider, "failed", None),
                                 priority=BASE_PRIORITY + risk,
                                 meta={"govarchive_at_risk": account_id, META_ACCOUNT: account_id, META_KIND: "account"})
        if rechecks:
            spider.logger.info("re-checking %d archived posts (%s)", len(rechecks), self.recheck)
        for account_id, url, risk in rechecks:
            self.crawler.stats.inc_value("govarchive/rechecked_posts")
            yield scrapy.Request(url, callback=spider.parse, errback=getattr(spider, "failed", None),
                                 priority=PRIORITY["post"] + risk,
                                 meta={"govarchive_recheck": account_id, META_ACCOUNT: account_id, META_KIND: "post"})
        async for item in super().process_start(start):
            yield item

    def get_processed_request(self, request: scrapy.Request, response: Response | None) -> scrapy.Request | None:
        risk = self.risk.get(_key(request.url))
        if risk and request.priority < BASE_PRIORITY + risk:
            return request.replace(priority=BASE_PRIORITY + risk)
        return request
