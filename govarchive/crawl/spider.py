"""ArchiveSpider: the one crawling loop all spiders share.

Each response comes with the page objects' reading of it (made when it was captured,
govarchive/crawl/capture.py, which also decided its page state); the spider yields what the page showed
(accounts, posts) and follows its links. Spiders subclass it with a name and the way their start URLs
are built; they never parse, store or deduplicate.
"""

from __future__ import annotations

import sys
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import CloseSpider
from scrapy.http import Response

from govarchive.core.config import DEFAULT_CONFIG, archive_config
from govarchive.core.failures import (
    HTTP_ERROR,
    NOT_ARCHIVED,
    NOT_COUNTED,
    URL_TOO_LONG,
    attempts_of,
    classify,
    detail_of,
)
from govarchive.core.items import FetchFailure, Link
from govarchive.core.sources import Source, load_sources, select
from govarchive.crawl.browser import META_BROWSER_PAGES, META_BROWSER_SKIPPED, META_RENDER
from govarchive.crawl.capture import (
    META_CAPTURE_ID,
    META_FETCHED_AT,
    META_KIND,
    META_NOT_ARCHIVED,
    META_READING,
    META_SOURCE,
    STOPPING,
    header_pairs,
)
from govarchive.crawl.middlewares import META_POST_ID
from govarchive.crawl.outcome import FAILED_SEEDS_STAT, FETCH_FAILURES_STAT
from govarchive.crawl.politeness import BlockBackoff
from govarchive.crawl.progress import META_ACCOUNT, tracker_for
from govarchive.pages import Extraction, PageInput, extract

# Hosts whose pages the platform parsers know; start URLs' hosts are added per spider.
PLATFORM_HOSTS = ("mp.weixin.qq.com", "mmbiz.qpic.cn", "res.wx.qq.com", "m.weibo.cn", "wx1.sinaimg.cn",
                  "wx2.sinaimg.cn", "wx3.sinaimg.cn", "wx4.sinaimg.cn", "tvax1.sinaimg.cn", "www.douyin.com")
BLOCKED = "blocked"  # the finish reason when a platform blocks the crawl
TOO_LARGE_ERROR = "too_large"  # govarchive/core/failures.py
LOG_URL_MAX = 300  # characters of a URL in a log line (a hostile URL may be any length)
# Scheduling: listings and account pages first, so a short run saves the widest view.
PRIORITY = {"listing": 30, "account": 20, "api": 20, "post": 10, "asset": 0}


def _short(url: str) -> str:
    return url if len(url) <= LOG_URL_MAX else f"{url[:LOG_URL_MAX]}… ({len(url)} characters)"


def _header(request: Any, name: str) -> str | None:
    value = request.headers.get(name)
    return value.decode("latin-1") if value else None


def split_urls(value: str | Iterable[str] | None) -> list[str]:
    if not value:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    return [u.strip() for u in items if u and u.strip()]


def page_input(response: Response) -> PageInput:
    """What the page objects read: Scrapy has already undone the Content-Encoding."""
    fetched_at = response.meta.get(META_FETCHED_AT) or datetime.now(UTC)
    headers = tuple((k, v) for k, v in header_pairs(response.headers) if k.lower() != "content-encoding")
    return PageInput(url=response.url, status=response.status, headers=headers, body=response.body,
                     capture_id=response.meta.get(META_CAPTURE_ID, ""), fetched_at=fetched_at)


def reading(response: Response) -> Extraction:
    """What the page objects read in the response: the reading the capture extension made of the exchange
    (the one its page state was decided from, govarchive/crawl/capture.py), else a reading of its own (a
    crawl without the archive, or a body the archive could not decode)."""
    capture_id, extraction = response.meta.get(META_READING) or (None, None)
    if extraction is not None and capture_id == response.meta.get(META_CAPTURE_ID):
        return extraction
    return extract(page_input(response))


def page_account(inherited: str | None, extraction: Extraction) -> str | None:
    """The account a page works for: the one its request was made for, else the one account the page
    itself is the platform's own page of (a start URL that is an account's page), else none."""
    if inherited:
        return inherited
    own = {account.id for account in extraction.accounts if account.authoritative}
    return own.pop() if len(own) == 1 else None


def link_account(link: Link, extraction: Extraction, account: str | None) -> str | None:
    """The account a followed link works for (``request.meta[META_ACCOUNT]``, read by the progress display).

    A link to an account's page belongs to that account (its id when the page names it, else the
    link's URL stands for it); a post listed on an account-less page (a directory, a feed) to the
    post's account; everything else to the page's ``account``.
    """
    if link.kind == "account":
        return next((a.id for a in extraction.accounts if a.url == link.url), link.url)
    if account is None and link.post_id:
        return next((p.account_id for p in extraction.posts if p.id == link.post_id), None)
    return account


class ArchiveSpider(scrapy.Spider):
    """Crawl from start URLs through everything the page objects point to.

    Spider arguments: ``url`` (comma-separated start URLs), or ``sources`` (a sources file) with
    ``source`` (comma-separated ids; all when absent) and ``base_url`` (overrides the file's).
    A bad sources file or an unknown id stops the spider before any request. ``govarchive crawl`` has
    validated the file already: it passes the chosen :class:`~govarchive.core.sources.Source` entries
    themselves as ``sources``, and they are not read again. Each entry travels with the requests it
    leads to (``request.meta[META_SOURCE]``).
    """

    name = "archive"
    follow = frozenset(PRIORITY)
    blocked_limit = DEFAULT_CONFIG.blocked_limit  # GOVARCHIVE_BLOCKED_LIMIT (set in from_crawler)
    max_body_bytes = DEFAULT_CONFIG.max_body_bytes  # GOVARCHIVE_MAX_BODY_BYTES: larger bodies are archived, not parsed
    url_length_limit = 2083  # URLLENGTH_LIMIT: longer links are recorded as failures, not requested
    # Start URLs bypass the dupefilter (every run and a JOBDIR resume fetch them again), except with a
    # shared frontier: there every worker yields them and the run's shared dupefilter keeps one.
    shared_frontier = False
    backoff: BlockBackoff  # made in from_crawler

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> ArchiveSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        config = archive_config(crawler.settings)
        spider.blocked_limit = config.blocked_limit
        spider.max_body_bytes = config.max_body_bytes
        spider.url_length_limit = crawler.settings.getint("URLLENGTH_LIMIT") or sys.maxsize
        spider.shared_frontier = config.distributed
        spider.backoff = BlockBackoff(crawler, config.retry_after_max)
        return spider

    def __init__(self, url: str | None = None, sources: str | Iterable[Source] | None = None,
                 source: str | None = None, base_url: str | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        urls = split_urls(url) or list(getattr(self, "start_urls", []))
        if isinstance(sources, str):  # `scrapy crawl -a sources=FILE`: read and validated here, once
            self.sources = select(load_sources(sources, base_url), split_urls(source))
        else:  # the entries `govarchive crawl` validated
            self.sources = list(sources or ())
        self.seeds: list[tuple[str, Source | None]] = [(u, None) for u in urls] + [(s.url, s) for s in self.sources]
        self.start_urls = [u for u, _ in self.seeds]
        # Hosts that receive the MP back-office session (besides mp.weixin.qq.com): see credentials.py.
        self.backoffice_hosts: set[str] = {urlsplit(s.url).netloc for s in self.sources if s.kind == "backoffice"}
        self.render_urls: set[str] = {s.url for s in self.sources if s.render}  # loaded in the browser (browser.py)
        hosts = {urlsplit(u).hostname for u in self.start_urls} | set(PLATFORM_HOSTS)
        self.allowed_domains = sorted(h for h in hosts if h)
        self.blocked_in_a_row: Counter[str] = Counter()

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if not self.start_urls:
            self.logger.error("no start URL: pass -a url=URL[,URL…]")
        for url, source in self.seeds:
            meta: dict[str, Any] = {META_KIND: "start"}
            if source is not None:
                meta[META_SOURCE] = source
            if url in self.render_urls:
                meta[META_RENDER] = True
            yield scrapy.Request(url, callback=self.parse, errback=self.failed, priority=PRIORITY["listing"],
                                 dont_filter=not self.shared_frontier, meta=meta)

    def failed(self, failure: Any) -> Any:
        """Every request ends in :meth:`parse` or here: the progress display counts it finished.

        A fetch that failed (govarchive/core/failures.py) becomes a :class:`FetchFailure` item, recorded in
        the WARC and the index, with one log line; anything else (a request the crawl chose not to
        make) goes on as the failure, for Scrapy to log as it would without an errback."""
        request = failure.request
        tracker_for(self.crawler).closed(request)
        error = classify(failure.value)
        if error is None:
            return failure
        return [self.failure(request, error, detail_of(failure.value, error))]

    def failure(self, request: scrapy.Request, error: str, detail: str) -> FetchFailure:
        """The :class:`FetchFailure` of a request, counted in the stats and logged in one line."""
        item = FetchFailure(
            id=f"urn:uuid:{uuid.uuid4()}", url=request.url, error=error, detail=detail,
            failed_at=datetime.now(UTC), attempts=attempts_of(request),
            request_kind=request.meta.get(META_KIND), account=request.meta.get(META_ACCOUNT),
            referer=_header(request, "Referer"), capture_id=request.meta.get(META_CAPTURE_ID))
        if error not in NOT_COUNTED:
            self.crawler.stats.inc_value(FETCH_FAILURES_STAT)
            self.crawler.stats.inc_value(f"{FETCH_FAILURES_STAT}/{error}")
            if item.request_kind == "start":  # what the run set out to archive: named in the outcome and `status`
                self.crawler.stats.inc_value(FAILED_SEEDS_STAT)
        log = self.logger.info if error in NOT_COUNTED else self.logger.warning
        if error == HTTP_ERROR:
            log("%s: %s; recorded in fetch_failures", _short(request.url), item.detail)
        else:
            log("fetch failed: %s: %s after %d attempt(s) (%s); recorded in fetch_failures", _short(request.url),
                error, item.attempts, item.detail)
        return item

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        request = response.request
        assert request is not None, "a response given to a callback has its request"
        if response.meta.get(META_NOT_ARCHIVED):  # a page that is not in the archive is not read either
            if response.meta[META_NOT_ARCHIVED] != STOPPING:  # (a full disk: said once, the crawl is stopping)
                yield self.failure(request, NOT_ARCHIVED, response.meta[META_NOT_ARCHIVED])
            return
        if len(response.body) > self.max_body_bytes:  # archived as received; parsing it could exhaust memory
            self.logger.warning("%s: body of %d bytes exceeds GOVARCHIVE_MAX_BODY_BYTES (%d): archived, not parsed",
                                _short(response.url), len(response.body), self.max_body_bytes)
            return
        if response.meta.get(META_KIND) == "start" and response.status >= 400:  # a seed with nothing behind it
            yield self.failure(request, HTTP_ERROR, f"the start URL answered HTTP {response.status}")
        for url, detail in response.meta.get(META_BROWSER_SKIPPED) or ():  # a browser's answer past the limit
            yield self.failure(scrapy.Request(url, meta={META_KIND: "asset", META_ACCOUNT: response.meta.get(META_ACCOUNT)},
                                              headers={"Referer": response.url}), TOO_LARGE_ERROR, detail)
        rendered = response.meta.get(META_BROWSER_PAGES)  # what a browser received (govarchive/crawl/browser.py)
        if rendered is None:
            yield from self.parse_page(response, reading(response))
            return
        for page, extraction in rendered:  # each read when it was archived (else read here)
            yield from self.parse_page(response, extraction if extraction is not None else extract(page), True)

    def parse_page(self, response: Response, extraction: Extraction, rendered: bool = False) -> Iterator[Any]:
        """The items and requests of one page: the response itself, or one thing a browser received."""
        account = page_account(response.meta.get(META_ACCOUNT), extraction)
        for note in extraction.notes:
            self.logger.info("%s: %s", response.url, note)
        self.count_blocks(response, extraction.page_state)
        yield from extraction.accounts
        yield from extraction.posts
        for link in extraction.links:
            if link.kind in self.follow:
                request = self.request_for(link, link_account(link, extraction, account),
                                           response.meta.get(META_SOURCE))
                request.headers.setdefault("Referer", response.url)
                if rendered and link.kind == "listing":  # the next page of a list built by script
                    request.meta[META_RENDER] = True
                if len(request.url) > self.url_length_limit:  # never sent; recorded rather than dropped silently
                    yield self.failure(request, URL_TOO_LONG, f"a URL of {len(request.url)} characters, longer "
                                       f"than URLLENGTH_LIMIT ({self.url_length_limit}): not requested")
                    continue
                yield request

    def count_blocks(self, response: Response, state: str) -> None:
        """Slow a host down at each block page; stop the run when it answers only with them."""
        host = urlsplit(response.url).netloc
        if state != "blocked":
            self.blocked_in_a_row[host] = 0
            self.backoff.passed(response.request)
            return
        self.blocked_in_a_row[host] += 1
        self.crawler.stats.inc_value("govarchive/blocked")
        self.backoff.blocked(response.request)
        if self.blocked_in_a_row[host] >= self.blocked_limit:
            self.logger.error("%s blocked %d requests in a row: stopping the run", host, self.blocked_in_a_row[host])
            raise CloseSpider(BLOCKED)

    def request_for(self, link: Link, account: str | None = None, source: Source | None = None) -> scrapy.Request:
        meta: dict[str, Any] = {META_KIND: link.kind}
        if link.post_id:
            meta[META_POST_ID] = link.post_id
        if account:
            meta[META_ACCOUNT] = account
        if source is not None:
            meta[META_SOURCE] = source
        return scrapy.Request(link.url, callback=self.parse, errback=self.failed, meta=meta,
                              priority=PRIORITY.get(link.kind, 0), headers=dict(link.headers) or None,
                              method=link.method, body=link.body or None)
