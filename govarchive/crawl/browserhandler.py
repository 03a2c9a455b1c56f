"""The download handler of http and https when browser capture is on: Playwright only for the pages that need it.

One :class:`BrowserDownloadHandler` per crawl serves both schemes (Scrapy asks for one per scheme; both get the
same). Every request not marked for the browser (``request.meta["playwright"]``, set by
:class:`govarchive.crawl.browser.BrowserCaptureMiddleware`) is downloaded by Scrapy's own HTTP/1.1 handler, which
this one is. The first request that is marked builds and starts
:class:`govarchive.crawl.browserpages.BrowserPages` (scrapy-playwright's handler with a time limit per page):
Playwright's Node driver then, Chromium with that first page. A crawl that meets no such page imports no Playwright
and starts neither (scrapy-playwright alone would start one driver per scheme when the engine starts, used or not).
If Playwright cannot start, each page that needs it fails as a download error (one line, one fetch failure).
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import TYPE_CHECKING, Any

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.exceptions import DownloadFailedError

if TYPE_CHECKING:
    from govarchive.crawl.browserpages import BrowserPages

logger = logging.getLogger(__name__)
_SHARED: weakref.WeakKeyDictionary[Any, BrowserDownloadHandler] = weakref.WeakKeyDictionary()


class BrowserDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 download handler, and the browser for the requests marked ``playwright`` (started with
    the first of them)."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.crawler = crawler
        self.pages: BrowserPages | None = None  # scrapy-playwright's handler, once a page needed the browser
        self._starting = asyncio.Lock()
        self._closed = False

    @classmethod
    def from_crawler(cls, crawler: Any) -> BrowserDownloadHandler:
        """The crawler's one handler: http and https share it, and so its one browser."""
        if crawler not in _SHARED:
            _SHARED[crawler] = cls(crawler)
        return _SHARED[crawler]

    @property
    def browser_started(self) -> bool:
        return self.pages is not None

    async def download_request(self, request: Any) -> Any:
        if not request.meta.get("playwright"):
            return await super().download_request(request)
        pages = await self._browser()
        return await pages.download_request(request)

    async def _browser(self) -> BrowserPages:
        async with self._starting:  # two pages arriving together start one Playwright
            if self.pages is None:
                from govarchive.crawl.browserpages import BrowserPages

                pages = BrowserPages(self.crawler)
                try:
                    await pages.start()
                except Exception as error:
                    await _quietly(pages.close())
                    message = " ".join(str(error).split("Call log:")[0].split())[:300]
                    raise DownloadFailedError(f"the browser could not be started: {message}") from None
                self.pages = pages
        return self.pages

    async def close(self) -> None:
        if self._closed:  # Scrapy closes the handler of each scheme: this one twice
            return
        self._closed = True
        await super().close()
        if self.pages is not None:
            await self.pages.close()


async def _quietly(closing: Any) -> None:
    try:
        await closing
    except Exception as error:  # what was half started is gone with the crawl's process anyway
        logger.debug("closing a browser that did not start: %s", error)
