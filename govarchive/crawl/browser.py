"""Browser capture: pages only a browser can read, archived through Chromium like any other capture.

Douyin and Toutiao accounts (``GOVARCHIVE_BROWSER_PLATFORMS``) and sources with ``render = true`` are loaded
in Debian's Chromium through scrapy-playwright's download handler (:mod:`govarchive.crawl.browserhandler`),
never a browser build Playwright downloads. While the page loads and is scrolled (at most
``GOVARCHIVE_BROWSER_SCROLL_STEPS`` steps, clicking a 加载更多 button when scrolling loads nothing, within
``GOVARCHIVE_BROWSER_TIMEOUT``), :class:`Recorder` keeps **every HTTP exchange the browser makes**
(documents, XHR/fetch JSON, scripts, images, media up to ``GOVARCHIVE_BROWSER_MAX_BODY_BYTES``): real
status, every header value, the body as the browser got it. When the page is done (or given up) they are
written together, in the order they arrived, as request + response pairs through the same path as Scrapy's
own downloads (:meth:`~govarchive.crawl.capture.CaptureExtension.store`: each read once by the page objects,
images, media and fonts excepted (:func:`worth_reading`), its page state decided from that reading, then dedup →
WARC → index in the crawl's writer process), so the
index learns of them in the order a reindex reads them; a crawl killed while a page is in the browser loses
that page only.
Chromium hands bodies over decoded, so a ``Content-Encoding`` (and the ``Content-Length`` of the encoded
body) are kept renamed ``X-Crawler-…``, as Scrapy's framing headers are. When the page is done, its rendered
DOM and a PNG screenshot are two ``resource`` records (``urn:dom:<url>``, ``urn:view:<url>``), both
``WARC-Concurrent-To`` the page's own document and ``captures.snapshot_of`` it in the index.

The spider then follows what the browser received (:data:`META_BROWSER_PAGES`): the document, every JSON
answer and the DOM snapshot, each with the page objects' reading made when it was archived, as a crawl or a
reindex reads them. A page not done
within the time limit is closed (its browser restarted if it does not close) and recorded as a ``timeout``
fetch failure; what the browser had received until then is archived.

Without Chromium (``GOVARCHIVE_CHROMIUM``, else ``chromium`` on PATH) those pages are fetched plainly, said in
one log line. Settings: ``GOVARCHIVE_BROWSER*``, ``GOVARCHIVE_CHROMIUM``. Stats: ``govarchive/browser/pages``,
``govarchive/browser/exchanges``, ``govarchive/browser/scroll_steps``, ``govarchive/browser/not_archived``.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from govarchive.core.config import ArchiveConfig, archive_config
from govarchive.core.httpdata import header, payload_digest
from govarchive.core.items import Capture
from govarchive.crawl.capture import (
    FRAMING_HEADERS,
    META_CAPTURE_ID,
    META_FETCHED_AT,
    META_NOT_ARCHIVED,
    META_SOURCE,
    STOPPING,
)
from govarchive.crawl.credentials import mask
from govarchive.crawl.progress import META_ACCOUNT
from govarchive.crawl.run import run_for
from govarchive.pages.base import DOM_SNAPSHOT, SCREENSHOT, Extraction, PageInput
from govarchive.pages.router import is_media_type, status_state
from govarchive.pages.shortvideo import account_platform

logger = logging.getLogger(__name__)

META_RENDER = "govarchive_render"  # True: load this request in the browser (a source with render = true…)
META_RECORDER = "govarchive_browser_recorder"  # the page's Recorder (set just before download, never queued)
META_BROWSER_PAGES = "govarchive_browser_pages"  # (PageInput, reading) of what the browser received, for the spider
META_BROWSER_SKIPPED = "govarchive_browser_skipped"  # (url, detail) of answers too large to archive
HANDLER = "govarchive.crawl.browserhandler.BrowserDownloadHandler"
# Chromium's flags: no network calls of its own at start, Chinese locale, shared memory on disk
CHROMIUM_FLAGS = ("--disable-dev-shm-usage", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-default-apps", "--mute-audio", "--lang=zh-CN")
VIEWPORT = {"width": 1280, "height": 900}
CONTEXT = {"viewport": VIEWPORT, "locale": "zh-CN", "timezone_id": "Asia/Shanghai", "service_workers": "block"}
SCREENSHOT_MAX_HEIGHT = 10_000  # px of a full-page screenshot (Chromium's own limit is 16,384)
FIRST_WAIT = 0.5  # seconds after the load event before the page may be called quiet
QUIET_SECONDS = 0.3  # no request in flight this long: the page has loaded what the last step asked for
STEP_WAIT_MAX = 4.0  # longest wait for quiet after one step (a video keeps a request open)
SETTLE_SHARE = 0.6  # share of the time limit spent loading and scrolling; the rest for DOM, screenshot, bodies
PARSED_TYPES = ("document", "xhr", "fetch")  # exchanges the spider follows (documents, JSON answers)
MORE_BUTTON = r"^\s*(加载更多|查看更多|点击加载更多|点击查看更多|更多内容|显示更多|load more)\s*$"
CLICK_MORE_JS = """(pattern) => {
  const re = new RegExp(pattern, 'i');
  for (const el of document.querySelectorAll('button, a, [role=button], div, span')) {
    if (el.children.length > 2 || !re.test(el.textContent || '')) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const href = el.getAttribute && el.getAttribute('href');
    if (href && !href.startsWith('#') && !href.startsWith('javascript')) continue;  // a link to another page
    el.click();
    return true;
  }
  return false;
}"""


def worth_reading(capture: Capture, resource_type: str) -> bool:
    """Whether the page objects read an exchange the browser made (on the crawl's reactor thread): what the
    spider follows (:data:`PARSED_TYPES`) and whatever could hold a page (a script's JSON answer, an HTML page
    where an image was asked for), not the images, media and fonts a page loads: those are archived, their
    page state the one their HTTP status gives, as a page object reading them (and a reindex) concludes."""
    return resource_type in PARSED_TYPES or not is_media_type((header(capture.response_headers, "Content-Type")
                                                                or "").lower())


def find_chromium(config: ArchiveConfig) -> str | None:
    """The Chromium to drive: ``GOVARCHIVE_CHROMIUM``, else Debian's ``chromium`` on PATH."""
    if config.chromium:
        return shutil.which(config.chromium)
    return shutil.which("chromium") or shutil.which("chromium-browser")


def wants_browser(config: ArchiveConfig, url: str, meta: dict[str, Any]) -> bool:
    """A request to load in the browser: marked so (a ``render = true`` source, a listing of a rendered page),
    or the account page of a platform in ``GOVARCHIVE_BROWSER_PLATFORMS``."""
    if meta.get(META_RENDER):
        return True
    platform = account_platform(url)
    return bool(platform and platform in config.browser_platforms)


class BrowserAddon:
    """Scrapy add-on (``ADDONS``): with ``GOVARCHIVE_BROWSER`` on and a Chromium found, the download handler for
    http(s) becomes scrapy-playwright's (requests not marked for the browser still go through Scrapy's own)."""

    def update_settings(self, settings: Any) -> None:
        config = archive_config(settings)
        chromium = find_chromium(config) if config.browser else None
        if not chromium:
            return
        settings.set("DOWNLOAD_HANDLERS", {**settings.getdict("DOWNLOAD_HANDLERS"), "http": HANDLER,
                                           "https": HANDLER}, priority="addon")
        settings.set("PLAYWRIGHT_BROWSER_TYPE", "chromium", priority="addon")
        settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", {"executable_path": chromium, "headless": True,
                                                   "args": list(CHROMIUM_FLAGS)}, priority="addon")
        settings.set("PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT", config.browser_timeout * 1000, priority="addon")
        settings.set("PLAYWRIGHT_MAX_PAGES_PER_CONTEXT", 2, priority="addon")


class Recorder:
    """Everything one browser page exchanges, archived as it arrives; then its DOM and screenshot."""

    def __init__(self, url: str, store: Callable[[Capture, bool], tuple[str | None, Extraction | None]], run_id: str,
                 config: ArchiveConfig, secrets: tuple[str, ...] = ()) -> None:
        self.url = url
        # archives a capture, read first when told: (why it was not archived, or None; its reading)
        self.store = store
        self.run_id = run_id
        self.config = config
        self.secrets = secrets
        self.started = time.monotonic()
        self.page: Any = None
        self.tasks: set[asyncio.Task[None]] = set()
        self.in_flight = 0
        self.requests = 0  # requests the page made so far
        self.last_activity = time.monotonic()
        self.stopping = False  # the disk is full: the crawl is stopping
        self.received: list[tuple[Capture, str, bool]] = []  # (capture, resource type, the page's own document?)
        self.main: Capture | None = None  # the page's own document
        self.pages: list[tuple[PageInput, Extraction | None]] = []  # documents, JSON answers, with their readings
        self.skipped: list[tuple[str, str]] = []  # answers too large to archive: (url, why)
        self.exchanges = 0
        self.problems = 0
        self.steps = 0
        self.screenshot: bytes | None = None

    # -- wiring (playwright_page_init_callback, then one PageMethod) -------------------------------------
    async def attach(self, page: Any, request: Any) -> None:
        self.page = page
        page.on("request", self._on_request)
        page.on("requestfinished", self._on_done)
        page.on("requestfailed", self._on_done)
        page.on("response", self._on_response)

    def _on_request(self, request: Any) -> None:
        self.requests += 1
        self.in_flight += 1
        self.last_activity = time.monotonic()

    def _on_done(self, request: Any) -> None:
        self.in_flight = max(0, self.in_flight - 1)
        self.last_activity = time.monotonic()

    def _on_response(self, response: Any) -> None:
        task = asyncio.ensure_future(self._record(response))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    # -- one exchange --------------------------------------------------------------------------------
    async def _record(self, response: Any) -> None:
        url = response.url
        if urlsplit(url).scheme not in ("http", "https"):
            return
        try:
            capture, resource_type = await self._capture(response)
        except Exception as error:  # the page went away before its body could be read: nothing to archive
            logger.debug("%s: the browser's answer could not be read: %s", url[:300], error)
            self.problems += 1
            return
        if capture is None:
            return
        is_main = resource_type == "document" and self._is_main_frame(response)
        self.received.append((capture, resource_type, is_main))

    def flush(self) -> None:
        """Archive what the page received, in the order it arrived (done once the page is done, or given up:
        the page's records are written together, so the index learns of them in the order a reindex reads them)."""
        received, self.received = self.received, []
        for capture, resource_type, is_main in received:
            problem, reading = self.store(capture, worth_reading(capture, resource_type))
            if problem:
                self.problems += 1
                self.stopping = self.stopping or problem == STOPPING
                continue
            self.exchanges += 1
            status = capture.http_status or 0  # an exchange the browser made always has its HTTP status
            if is_main and self.main is None and not 300 <= status < 400:
                self.main = capture
            if resource_type in PARSED_TYPES and not 300 <= status < 400:
                headers = tuple((k, v) for k, v in capture.response_headers if not k.lower().startswith("x-crawler-"))
                self.pages.append((PageInput(url=capture.url, status=status, headers=headers, body=capture.body,
                                             capture_id=capture.id, fetched_at=capture.fetched_at), reading))

    def _is_main_frame(self, response: Any) -> bool:
        try:
            return bool(response.request.is_navigation_request() and response.frame == self.page.main_frame)
        except Exception:  # a service worker's request has no frame
            return False

    async def _capture(self, response: Any) -> tuple[Capture | None, str]:
        request = response.request
        status = int(response.status)
        received = datetime.now(UTC)
        headers = [(h["name"], h["value"]) for h in await response.headers_array()]
        request_headers = [(h["name"], h["value"]) for h in await request.headers_array()]
        body = b""
        if not 300 <= status < 400 and status not in (204, 304):
            announced = _header(headers, "content-length")
            limit = self.config.browser_max_body_bytes
            if announced and announced.isdigit() and int(announced) > limit:
                self.skipped.append((response.url, f"the browser's answer announced {announced} bytes, more than "
                                                   f"GOVARCHIVE_BROWSER_MAX_BODY_BYTES ({limit}): not archived"))
                return None, request.resource_type
            body = await response.body()
            if len(body) > limit:
                self.skipped.append((response.url, f"the browser's answer of {len(body)} bytes is more than "
                                                   f"GOVARCHIVE_BROWSER_MAX_BODY_BYTES ({limit}): not archived"))
                return None, request.resource_type
        address = None
        try:
            server = await response.server_addr()
            address = server["ipAddress"] if server else None
        except Exception:
            pass
        timing = request.timing or {}
        started = timing.get("startTime")
        fetched_at = datetime.fromtimestamp(started / 1000, UTC) if started and started > 0 else \
            received - timedelta(seconds=0)
        location = _header(headers, "location")
        return Capture(
            id=f"urn:uuid:{uuid.uuid4()}", request_id=f"urn:uuid:{uuid.uuid4()}", run_id=self.run_id,
            url=mask(response.url, self.secrets), fetched_at=fetched_at, http_status=status, protocol="HTTP/1.1",
            response_headers=browser_headers(headers, bool(body)), body=body, request_method=request.method,
            request_headers=[(name, mask(value, self.secrets)) for name, value in request_headers
                             if not name.startswith(":")],
            request_body=request.post_data_buffer or b"", ip_address=address,
            payload_digest=payload_digest(body), payload_length=len(body),
            page_state=status_state(status, location)), request.resource_type

    # -- loading and scrolling -----------------------------------------------------------------------
    async def settle(self, page: Any) -> None:
        """Let the page load, scroll it step by step as a reader would (a 加载更多 button clicked when
        scrolling loads nothing), then take the screenshot and wait for the bodies still being read."""
        deadline = self.started + self.config.browser_timeout * SETTLE_SHARE
        await asyncio.sleep(FIRST_WAIT)  # the requests the page's scripts started may be reported a moment late
        await self._quiet(deadline)
        for _ in range(self.config.browser_scroll_steps):
            if time.monotonic() >= deadline:
                logger.info("%s: the browser stopped scrolling at the time limit, after %d step(s)", self.url[:300],
                            self.steps)
                break
            before = await page.evaluate("() => document.documentElement.scrollHeight")
            requests = self.requests
            await page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
            await page.mouse.wheel(0, VIEWPORT["height"])
            self.steps += 1
            await self._quiet(deadline)
            if not await self._grew(page, before, requests, deadline):
                requests = self.requests
                if not await page.evaluate(CLICK_MORE_JS, MORE_BUTTON):
                    break  # nothing more to load
                await self._quiet(deadline)
        await page.evaluate("() => window.scrollTo(0, 0)")
        await self._quiet(deadline)
        height = await page.evaluate("() => document.documentElement.scrollHeight")
        clip = {"x": 0, "y": 0, "width": VIEWPORT["width"], "height": min(max(height, 1), SCREENSHOT_MAX_HEIGHT)}
        self.screenshot = await page.screenshot(full_page=True, clip=clip, type="png")
        await self.drain(max(1.0, self.started + self.config.browser_timeout * 0.9 - time.monotonic()))

    async def _grew(self, page: Any, height: int, requests: int, deadline: float) -> bool:
        """Whether the last step loaded something: the page grew or made requests. A busy machine reports a
        script's request a moment late, so "nothing" is looked at twice."""
        for _ in range(2):
            if self.requests > requests or await page.evaluate("() => document.documentElement.scrollHeight") > height:
                return True
            await asyncio.sleep(FIRST_WAIT)
            await self._quiet(deadline)
        return False

    async def _quiet(self, deadline: float) -> None:
        """Wait until no request has been in flight for a moment (at most STEP_WAIT_MAX, never past deadline)."""
        until = min(deadline, time.monotonic() + STEP_WAIT_MAX)
        while time.monotonic() < until:
            if self.in_flight == 0 and time.monotonic() - self.last_activity >= QUIET_SECONDS:
                return
            await asyncio.sleep(0.05)

    async def drain(self, timeout: float) -> None:
        """Wait for the answers whose bodies are still being read and archived."""
        if self.tasks:
            await asyncio.wait(set(self.tasks), timeout=timeout)

    async def abandon(self) -> None:
        """The page did not finish in time: close it; an unresponsive one takes its context with it."""
        for task in list(self.tasks):
            task.cancel()
        page = self.page
        if page is None:
            return
        try:
            await asyncio.wait_for(page.close(run_before_unload=False), 10)
        except Exception:
            logger.warning("%s: the browser page did not close: closing its context", self.url[:300])
            try:
                await asyncio.wait_for(page.context.close(), 10)
            except Exception:
                raise BrowserHung(self.url) from None

    # -- the rendering -------------------------------------------------------------------------------
    def snapshots(self, dom: bytes, at: datetime) -> list[Capture]:
        """The DOM snapshot and the screenshot as ``resource`` captures of the page's document."""
        page_url = self.main.url if self.main else mask(self.url, self.secrets)
        made = [(DOM_SNAPSHOT, "text/html; charset=utf-8", dom)]
        if self.screenshot:
            made.append((SCREENSHOT, "image/png", self.screenshot))
        return [Capture(id=f"urn:uuid:{uuid.uuid4()}", run_id=self.run_id, url=prefix + page_url, fetched_at=at,
                        http_status=None, protocol="", response_headers=[("Content-Type", ctype)],
                        body=body, payload_digest=payload_digest(body), payload_length=len(body),
                        record_type="resource", snapshot_of=self.main.id if self.main else None, page_state="ok")
                for prefix, ctype, body in made]


class BrowserHung(Exception):
    """A browser page that would not close: the handler restarts the browser."""


def browser_headers(headers: list[tuple[str, str]], decoded_body: bool) -> list[tuple[str, str]]:
    """The headers of a browser's answer as archived: the body is the decoded one Chromium hands over, so a
    Content-Encoding (and the encoded body's Content-Length) are kept under X-Crawler- names."""
    encoded = decoded_body and any(name.lower() == "content-encoding" for name, _ in headers)
    renamed = dict(FRAMING_HEADERS)
    if encoded:
        renamed.update({"content-encoding": "X-Crawler-Content-Encoding", "content-length": "X-Crawler-Content-Length"})
    return [(renamed.get(name.lower(), name), value) for name, value in headers if not name.startswith(":")]


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((value.strip() for key, value in headers if key.lower() == name), None)


class BrowserCaptureMiddleware:
    """Downloader middleware: sends the requests that need a browser through scrapy-playwright with a
    :class:`Recorder`, then archives the page's DOM and screenshot and hands the spider what it received."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.config = archive_config(crawler.settings)
        handlers = crawler.settings.getdict("DOWNLOAD_HANDLERS")
        self.enabled = handlers.get("http") == HANDLER
        self.said_missing = False
        self.capture_ext: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> BrowserCaptureMiddleware:
        return cls(crawler)

    def _store(self, capture: Capture, context: tuple[Any, ...] = (), read: bool = True) -> tuple[str | None,
                                                                                               Extraction | None]:
        """Read a capture the browser made (unless ``read`` is false: :func:`worth_reading`) and archive it
        through the capture extension (the path of Scrapy's own exchanges: its page state decided from the
        reading, stored by the crawl's writer process); ``context``: the (kind, account, referer, attempts) of
        its fetch failure if it cannot be stored."""
        if self.capture_ext is None:
            from govarchive.crawl.capture import CaptureExtension

            self.capture_ext = next((e for e in self.crawler.extensions.middlewares
                                     if isinstance(e, CaptureExtension)), None)
        if self.capture_ext is None:
            return "no capture extension: nothing is archived", None
        if self.capture_ext.archive.stopped:
            return STOPPING, None
        reading = self.capture_ext.read(capture) if read else None
        return self.capture_ext.store(capture, reading, context), reading

    def process_request(self, request: Any) -> None:
        if request.meta.get("playwright") or not wants_browser(self.config, request.url, request.meta):
            return None
        if not self.enabled:
            if not self.said_missing:
                why = "GOVARCHIVE_BROWSER is off" if not self.config.browser else \
                    f"no Chromium found ({self.config.chromium or 'chromium on PATH'}; Debian: apt-get install chromium)"
                logger.warning("browser capture skipped: %s; pages that need a browser are fetched without one "
                               "(their posts are not archived)", why)
                self.said_missing = True
            self.crawler.stats.inc_value("govarchive/browser/skipped")
            return None
        from scrapy_playwright.page import PageMethod

        # what the page loads is an asset of the page's account, the page its referer
        context = ("asset", request.meta.get(META_ACCOUNT), request.url, 1)
        source_id = getattr(request.meta.get(META_SOURCE), "id", None)  # every exchange names the page's entry

        def store(capture: Capture, read: bool) -> tuple[str | None, Extraction | None]:
            capture.source_id = capture.source_id or source_id
            return self._store(capture, context, read)

        recorder = Recorder(request.url, store, run_for(self.crawler).id, self.config,
                            archive_config(self.crawler.settings).secrets)
        request.meta.update({
            "playwright": True, "playwright_context": "govarchive", META_RECORDER: recorder,
            "playwright_context_kwargs": CONTEXT,  # the browser starts with the first page that needs it
            "playwright_page_init_callback": recorder.attach,
            "playwright_page_methods": [PageMethod(recorder.settle)],
            "playwright_page_goto_kwargs": {"wait_until": "load"},
        })
        return None

    def process_response(self, request: Any, response: Any) -> Any:
        recorder: Recorder | None = request.meta.pop(META_RECORDER, None)
        if recorder is None:
            return response
        for key in ("playwright_page_init_callback", "playwright_page_methods"):  # callables: never queued again
            request.meta.pop(key, None)
        recorder.flush()
        stats = self.crawler.stats
        stats.inc_value("govarchive/browser/pages")
        stats.inc_value("govarchive/browser/exchanges", recorder.exchanges)
        stats.inc_value("govarchive/browser/scroll_steps", recorder.steps)
        if recorder.problems:
            stats.inc_value("govarchive/browser/not_archived", recorder.problems)
        request.meta[META_BROWSER_SKIPPED] = recorder.skipped
        if recorder.main is None:  # the document itself could not be archived: nothing is read either
            request.meta[META_NOT_ARCHIVED] = STOPPING if recorder.stopping else \
                "the browser's page document could not be archived"
            return response
        at = datetime.now(UTC)
        pages = list(recorder.pages)
        for snapshot in recorder.snapshots(response.text.encode("utf-8"), at):
            problem, reading = self._store(snapshot, ("asset", request.meta.get(META_ACCOUNT), request.url, 1))
            if problem is None and snapshot.url.startswith(DOM_SNAPSHOT):
                pages.append((PageInput(url=snapshot.url, status=200, headers=tuple(snapshot.response_headers),
                                        body=snapshot.body, capture_id=snapshot.id, fetched_at=at), reading))
        request.meta[META_BROWSER_PAGES] = pages
        request.meta[META_CAPTURE_ID] = recorder.main.id
        request.meta[META_FETCHED_AT] = recorder.main.fetched_at
        logger.info("%s: rendered in the browser: %d exchange(s) archived, %d scroll step(s)", request.url[:300],
                    recorder.exchanges, recorder.steps)
        return response

    def process_exception(self, request: Any, exception: BaseException) -> None:
        recorder: Recorder | None = request.meta.pop(META_RECORDER, None)
        for key in ("playwright_page_init_callback", "playwright_page_methods"):
            request.meta.pop(key, None)
        if recorder is not None:  # what the page received before it failed is archived all the same
            recorder.flush()
            self.crawler.stats.inc_value("govarchive/browser/exchanges", recorder.exchanges)
            if recorder.main is not None:
                request.meta[META_CAPTURE_ID] = recorder.main.id
        return None
