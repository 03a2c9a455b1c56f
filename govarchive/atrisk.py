"""AtRiskFirstMiddleware: the most endangered accounts are crawled first.

A run limited in time (a ban, a deadline, ``CLOSESPIDER_TIMEOUT``) should save what is about to
vanish before what will still be there tomorrow. ``accounts.risk`` (set by the closure analysis at
the end of every run, :func:`govarchive.lifecycle.risk_of`: closing soon, named in a notice, dormant,
unreachable, few followers) orders this run:

- before the run's start requests, the at-risk accounts in the run's scope (an account listed by a
  page on a start URL's host, or whose own page is a start URL) are requested, riskiest first;
- any request the crawl makes for an at-risk account's page gets its risk added to its priority.

The first run of an archive has no risks yet and crawls in the usual order.
Settings: ``GOVARCHIVE_AT_RISK_FIRST`` (on by default), ``GOVARCHIVE_ARCHIVE_DIR``.
Stats: ``govarchive/at_risk_requests``.
"""

from __future__ import annotations

from typing import Any, AsyncIterator
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from govarchive.config import archive_config
from govarchive.index import open_index
from govarchive.lifecycle import crawl_order

BASE_PRIORITY = 30  # the priority of listings (crawling.PRIORITY): at-risk accounts go above it


def _key(url: str) -> str:
    return url.split("#")[0]


class AtRiskFirstMiddleware(BaseSpiderMiddleware):
    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        config = archive_config(crawler.settings)
        if not config.at_risk_first:
            raise NotConfigured("GOVARCHIVE_AT_RISK_FIRST is off")
        self.index_path = config.paths.index_db
        self.risk: dict[str, int] = {}

    def _load(self, spider: Any) -> list[tuple[str, str, int]]:
        if not self.index_path.exists():
            return []
        index = open_index(self.index_path)
        try:
            order = crawl_order(index)
            hosts = {urlsplit(u).netloc for u in getattr(spider, "start_urls", [])}
            starts = {_key(u) for u in getattr(spider, "start_urls", [])}
            listed = {row[0] for row in index.db.execute("select account_id, listing_url from account_sources")
                      if urlsplit(row[1] or "").netloc in hosts}
        finally:
            index.close()
        return [(account_id, url, risk) for account_id, url, risk in order
                if account_id in listed or _key(url) in starts]

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        spider = self.crawler.spider
        at_risk = self._load(spider)
        self.risk = {_key(url): risk for _, url, risk in at_risk}
        if at_risk:
            spider.logger.info("at-risk first: %d accounts (highest risk %d)", len(at_risk), at_risk[0][2])
        for account_id, url, risk in at_risk:
            self.crawler.stats.inc_value("govarchive/at_risk_requests")
            yield scrapy.Request(url, callback=spider.parse, priority=BASE_PRIORITY + risk,
                                 cb_kwargs={}, meta={"govarchive_at_risk": account_id})
        async for item in super().process_start(start):
            yield item

    def get_processed_request(self, request: scrapy.Request, response: Response | None) -> scrapy.Request | None:
        risk = self.risk.get(_key(request.url))
        if risk and request.priority < BASE_PRIORITY + risk:
            return request.replace(priority=BASE_PRIORITY + risk)
        return request
