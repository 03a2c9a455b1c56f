"""scrapy-playwright's download handler with a time limit per page (govarchive/crawl/browser.py).

Built by :class:`govarchive.crawl.browserhandler.BrowserDownloadHandler` when the crawl's first page that needs
the browser arrives (this module, Playwright with it, is imported only then), and started by it: Playwright's
Node driver is not started at the engine's start, as scrapy-playwright would, and Chromium with the first page.

A page that is not done within ``GOVARCHIVE_BROWSER_TIMEOUT`` (its navigation, scrolling, DOM and screenshot)
is closed, its browser context if the page will not close, and the browser itself (scrapy-playwright starts
a new one for the next page) if even that hangs; the request fails as a ``timeout``, recorded in
``fetch_failures`` like any download that timed out. Playwright's own errors become Scrapy's download errors,
so a failed page is one log line and one row, never a traceback.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeoutError
from scrapy.exceptions import DownloadFailedError, DownloadTimeoutError
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

from govarchive.core.config import archive_config
from govarchive.crawl.browser import META_RECORDER, BrowserHung

logger = logging.getLogger(__name__)


class NoTraceback(logging.Filter):
    """scrapy-playwright logs a failed page with its traceback; the failure is our one line (a fetch failure)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info, record.exc_text = None, None
        return True


logging.getLogger("scrapy-playwright").addFilter(NoTraceback())


class BrowserPages(ScrapyPlaywrightDownloadHandler):
    """scrapy-playwright's handler, started by :meth:`start` (not by the engine's start) and with a time limit
    per page."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.limit = archive_config(crawler.settings).browser_timeout

    async def _maybe_launch_in_thread(self) -> None:
        """scrapy-playwright starts Playwright when the engine starts; here :meth:`start` does (the engine has
        started already when this handler is built)."""

    async def start(self) -> None:
        """Start Playwright's Node driver (Chromium itself starts with the first page)."""
        await self._launch()

    async def _download_request(self, request: Any, spider: Any = None) -> Any:
        recorder = request.meta.get(META_RECORDER)
        try:
            return await asyncio.wait_for(super()._download_request(request, spider), self.limit)
        except (TimeoutError, PlaywrightTimeoutError):
            await self._abandon(recorder, request)
            raise DownloadTimeoutError(f"the browser did not finish the page within {self.limit:g} s "
                                       "(GOVARCHIVE_BROWSER_TIMEOUT): it was closed") from None
        except PlaywrightError as error:
            await self._abandon(recorder, request)
            message = " ".join(str(error).split("Call log:")[0].split())
            raise DownloadFailedError(f"the browser could not load the page: {message}") from None

    async def _close(self) -> None:
        """The crawl is ending (finished, or stopped by a full disk) while pages may still be loading: their
        request routes end quietly (``unroute_all(behavior="ignoreErrors")``) before the browser closes, so a
        route in flight when its page goes away raises no "Target page, context or browser has been closed"
        traceback into the log."""
        for wrapper in list(self.context_wrappers.values()):
            for page in list(wrapper.context.pages):
                try:
                    await page.unroute_all(behavior="ignoreErrors")
                except PlaywrightError:  # the page closed meanwhile: nothing routes through it any more
                    pass
        await super()._close()

    async def _abandon(self, recorder: Any, request: Any) -> None:
        if recorder is None:
            return
        try:
            await recorder.abandon()
        except BrowserHung:
            logger.error("%s: the browser would not close the page: restarting the browser", request.url[:300])
            browser = getattr(self, "browser", None)
            if browser is not None:
                try:
                    await asyncio.wait_for(browser.close(), 10)
                except Exception as error:  # scrapy-playwright relaunches a disconnected browser
                    logger.error("the browser did not close either (%s)", error)
