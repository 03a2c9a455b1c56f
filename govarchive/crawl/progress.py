"""Crawl progress: accounts done/total, pages, bytes, rate and block pages while a crawl runs.

A long crawl with 5–10 s per platform request is silent for minutes; this says how far it got.

**Accounts done/total.** Every request carries the account it works for in ``request.meta``
(:data:`META_ACCOUNT`), set by the spider (:mod:`govarchive.crawl.spider`): a link to an account's page
belongs to that account, a post listed on a page to the post's account, anything else (next
pages, posts, images, API calls) to the account of the page that linked it; at-risk and re-check
requests name their account. Requests whose account is not known yet (start URLs, directory
pages) belong to none. A request is *pending* from the moment it leaves the spider (seen by
:class:`ProgressMiddleware`, the outermost spider middleware, so nothing that a filter drops later
is counted) until its response has been parsed and every request the page led to is pending in
turn, or its download failed (the spider's errback), or the scheduler dropped it as a duplicate.
Redirects and retries keep the request's place. Then:

- *total*: accounts with at least one request that was really scheduled (not dropped as a
  duplicate) so far in this run;
- *done*: those of them with no request still pending.

Total grows as listings reveal accounts, so done/total is a lower bound of the work, never an ETA.
A run stopped early (Ctrl-C, a block) ends with done < total: the rest was not finished.

**Pages** are the captures archived (stat ``govarchive/captures``, one per HTTP exchange, the same
count as the run's rows in ``captures``), **bytes** their bodies as received, **rate** pages per
second since the start, **blocked** the block pages (stat ``govarchive/blocked``).

**Display.** ``GOVARCHIVE_PROGRESS``: ``auto`` (default) shows a live line with ``rich`` when
stderr is a terminal, and log lines otherwise; ``live``; ``log``; ``off``. While live, Scrapy's log
lines (its handler keeps its own reference to stderr) are routed through the same rich console,
so they scroll above the live line instead of garbling it; the handlers get their stream back at
the end. In log mode a line goes to the ``govarchive.crawl.progress`` logger every
``GOVARCHIVE_PROGRESS_INTERVAL`` seconds (30), and one final line when the spider closes.
"""

from __future__ import annotations

import atexit
import itertools
import logging
import sys
import time
import uuid
import weakref
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from rich.console import Console, RenderableType
from rich.filesize import decimal
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text
from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

from govarchive.core.config import archive_config

logger = logging.getLogger(__name__)

META_ACCOUNT = "govarchive_account"  # the account a request works for (a crawl key, not always an index id)
META_TOKEN = "govarchive_progress"  # one logical request: redirected and retried copies keep it
LIVE_REFRESH = 0.25  # seconds between live frames


@dataclass(frozen=True)
class Snapshot:
    """The numbers of one moment of a crawl."""

    accounts_done: int = 0
    accounts_total: int = 0
    pending: int = 0  # requests pending, of any account or none
    pages: int = 0
    bytes: int = 0
    blocked: int = 0
    elapsed: float = 0.0
    finished: str | None = None  # the finish reason, once the spider closed

    @property
    def rate(self) -> float:
        return self.pages / self.elapsed if self.elapsed > 0 else 0.0

    def line(self) -> str:
        """The plain log line (no markup, no escape codes)."""
        return (f"accounts {self.accounts_done}/{self.accounts_total} done, {self.pages} pages, "
                f"{decimal(self.bytes)}, {self.rate:.1f} pages/s, {self.blocked} blocked, "
                f"{self.pending} requests pending, {_duration(self.elapsed)} elapsed")


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class AccountTracker:
    """Pending requests per account (see the module docstring for what counts).

    Every method is idempotent per logical request, since several signals see the same one.
    """

    def __init__(self) -> None:
        # Tokens are unique to this tracker: a request resumed from a JOBDIR queue carries an old one.
        self._prefix = uuid.uuid4().hex[:8]
        self._tokens = itertools.count(1)
        self._open: dict[str, Any] = {}  # token -> account (None: no account)
        self._pending: defaultdict[Any, int] = defaultdict(int)
        self._scheduled: defaultdict[Any, int] = defaultdict(int)  # requests not dropped as duplicates
        self._busy = 0  # accounts (not None) with a pending request
        self._counted = 0  # accounts (not None) with a scheduled request

    def opened(self, request: Any) -> None:
        """A request left the spider (or was scheduled by someone else)."""
        token = request.meta.get(META_TOKEN)
        if token is None:
            token = request.meta[META_TOKEN] = f"{self._prefix}-{next(self._tokens)}"
        if token in self._open:
            return
        account = request.meta.get(META_ACCOUNT)
        self._open[token] = account
        self._pending[account] += 1
        self._scheduled[account] += 1
        if account is not None:
            self._busy += self._pending[account] == 1
            self._counted += self._scheduled[account] == 1

    def closed(self, request: Any, dropped: bool = False) -> None:
        """The request's page was parsed (its follow-ups are opened by then), it failed, or was dropped."""
        token = request.meta.get(META_TOKEN)
        if token not in self._open:
            return
        account = self._open.pop(token)
        self._pending[account] -= 1
        if account is not None:
            self._busy -= self._pending[account] == 0
        if dropped:
            self._scheduled[account] -= 1
            if account is not None:
                self._counted -= self._scheduled[account] == 0

    @property
    def accounts_total(self) -> int:
        return self._counted

    @property
    def accounts_done(self) -> int:
        return self._counted - self._busy

    @property
    def pending(self) -> int:
        return len(self._open)

    def pending_of(self, account: Any) -> int:
        return self._pending.get(account, 0)


_TRACKERS: weakref.WeakKeyDictionary[Any, AccountTracker] = weakref.WeakKeyDictionary()


def tracker_for(crawler: Any) -> AccountTracker:
    """The tracker of this crawler, shared by the spider, :class:`ProgressMiddleware` and the extension."""
    if crawler not in _TRACKERS:
        _TRACKERS[crawler] = AccountTracker()
    return _TRACKERS[crawler]


class ProgressMiddleware:
    """Spider middleware, outermost: opens the requests a page led to before closing the page's own.

    Output is opened as it passes, so a page's follow-ups are pending before the page is closed
    (the engine may queue them a moment before scheduling): an account never looks done early.
    """

    def __init__(self, tracker: AccountTracker) -> None:
        self.tracker = tracker

    @classmethod
    def from_crawler(cls, crawler: Any) -> ProgressMiddleware:
        return cls(tracker_for(crawler))

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for item in start:
            self._open(item)
            yield item

    def process_spider_output(self, response: Any, result: Iterable[Any]) -> Iterator[Any]:
        try:
            for item in result:
                self._open(item)
                yield item
        finally:
            self.tracker.closed(response.request)

    async def process_spider_output_async(self, response: Any,
                                          result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        try:
            async for item in result:
                self._open(item)
                yield item
        finally:
            self.tracker.closed(response.request)

    def process_spider_exception(self, response: Any, exception: BaseException) -> None:
        self.tracker.closed(response.request)
        return None

    def _open(self, item: Any) -> None:
        if isinstance(item, Request):
            self.tracker.opened(item)


# --- display -------------------------------------------------------------------------------------
class ProgressLine:
    """The live line: a spinner (the finish reason at the end), then the numbers; an accounts bar in
    front when the terminal is wide enough. On a narrow terminal the numbers wrap to a second line."""

    BAR = 16

    def __init__(self, snapshot: Snapshot, spinner: Spinner | None = None) -> None:
        self.snapshot = snapshot
        self.spinner = spinner or Spinner("dots", style="cyan")

    def numbers(self) -> Text:
        s = self.snapshot
        text = Text()
        text.append(f"accounts {s.accounts_done}/{s.accounts_total} done", style="bold")
        for part, style in ((f"{s.pages} pages", ""), (decimal(s.bytes), ""), (f"{s.rate:.1f} pages/s", ""),
                            (f"{s.blocked} blocked", "red" if s.blocked else ""),
                            (f"{s.pending} pending", "dim"), (_duration(s.elapsed), "dim")):
            text.append(" · ", style="dim")
            text.append(part, style=style)
        return text

    def __rich_console__(self, console: Console, options: Any) -> Iterator[RenderableType]:
        s = self.snapshot
        if s.finished is None:
            head: RenderableType = self.spinner.render(console.get_time())
        else:
            head = Text(s.finished, style="green" if s.finished == "finished" else "yellow")
        numbers = self.numbers()
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        cells: list[RenderableType] = [head]
        if options.max_width >= numbers.cell_len + self.BAR + 14:
            grid.add_column(no_wrap=True)
            bar = ProgressBar(total=max(s.accounts_total, 1), completed=s.accounts_done, width=self.BAR)
            cells.append(bar)
        grid.add_column()
        cells.append(numbers)
        grid.add_row(*cells)
        yield grid


def render(snapshot: Snapshot, spinner: Spinner | None = None) -> RenderableType:
    """What the live display shows for ``snapshot`` (tests render it into a string console)."""
    return ProgressLine(snapshot, spinner)


class _ConsoleStream:
    """A stream for logging handlers that prints whole lines through a rich console (above the live line)."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.buffer = ""

    def write(self, text: str) -> int:
        self.buffer += text
        *lines, self.buffer = self.buffer.split("\n")
        for line in lines:
            self.console.print(Text(line), soft_wrap=True, highlight=False)
        return len(text)

    def flush(self) -> None:
        if self.buffer:
            self.console.print(Text(self.buffer), soft_wrap=True, highlight=False)
            self.buffer = ""

    def isatty(self) -> bool:
        return self.console.is_terminal


def _is_terminal(stream: IO[str] | None) -> bool:
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError):  # closed or not a real file
        return False


class LiveDisplay:
    """The live line on a terminal; log handlers writing to the terminal go through its console meanwhile."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self.live = Live(console=self.console, auto_refresh=False, transient=False,
                         redirect_stdout=False, redirect_stderr=True)
        self._handlers: list[tuple[logging.StreamHandler[Any], Any]] = []
        self.spinner = Spinner("dots", style="cyan")  # one spinner, so that it turns from frame to frame

    def start(self, snapshot: Snapshot) -> None:
        stream = _ConsoleStream(self.console)
        for handler in logging.getLogger().handlers:
            if (isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler)
                    and _is_terminal(handler.stream)):
                self._handlers.append((handler, handler.setStream(stream)))
        self.live.start()
        atexit.register(self._restore)  # a forced exit (Ctrl-C twice) still gets its cursor and streams back
        self.update(snapshot)

    def update(self, snapshot: Snapshot) -> None:
        self.live.update(render(snapshot, self.spinner), refresh=True)

    def stop(self, snapshot: Snapshot) -> None:
        self.update(snapshot)
        self._restore()
        atexit.unregister(self._restore)

    def _restore(self) -> None:
        self.live.stop()
        for handler, original in self._handlers:
            handler.setStream(original)
        self._handlers.clear()


class ProgressExtension:
    """Scrapy extension: shows :class:`Snapshot` live or as log lines (``GOVARCHIVE_PROGRESS``)."""

    def __init__(self, crawler: Any, tracker: AccountTracker, mode: str, interval: float) -> None:
        self.crawler = crawler
        self.tracker = tracker
        self.mode = mode  # live | log
        self.interval = interval
        self.bytes = 0
        self.started = time.monotonic()
        self.task: Any = None
        self.display: LiveDisplay | None = None
        self.finished = False

    @classmethod
    def from_crawler(cls, crawler: Any) -> ProgressExtension:
        config = archive_config(crawler.settings)
        mode = config.progress
        if mode == "off":
            raise NotConfigured  # GOVARCHIVE_PROGRESS is off (no warning: asked for)
        if mode == "auto":
            mode = "live" if _is_terminal(sys.stderr) else "log"
        ext = cls(crawler, tracker_for(crawler), mode, config.progress_interval)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        crawler.signals.connect(ext.request_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(ext.request_dropped, signal=signals.request_dropped)
        crawler.signals.connect(ext.response_downloaded, signal=signals.response_downloaded)
        return ext

    # -- counting
    def request_scheduled(self, request: Any, spider: Any = None) -> None:
        self.tracker.opened(request)  # a no-op for requests the middleware opened; redirects keep their token

    def request_dropped(self, request: Any, spider: Any = None) -> None:
        self.tracker.closed(request, dropped=True)

    def response_downloaded(self, response: Any, request: Any, spider: Any = None) -> None:
        self.bytes += len(response.body)

    def snapshot(self, finished: str | None = None) -> Snapshot:
        stats = self.crawler.stats
        return Snapshot(
            accounts_done=self.tracker.accounts_done, accounts_total=self.tracker.accounts_total,
            pending=self.tracker.pending, pages=int(stats.get_value("govarchive/captures", 0)),
            bytes=self.bytes, blocked=int(stats.get_value("govarchive/blocked", 0)),
            elapsed=time.monotonic() - self.started, finished=finished)

    # -- showing
    def spider_opened(self, spider: Any = None) -> None:
        self.started = time.monotonic()
        if self.mode == "live":
            self.display = LiveDisplay()
            self.display.start(self.snapshot())
            self.task = create_looping_call(self._refresh)
            self.task.start(LIVE_REFRESH, now=False)
        else:
            self.task = create_looping_call(self._log)
            self.task.start(self.interval, now=False)

    def _refresh(self) -> None:
        if self.display is not None:
            self.display.update(self.snapshot())

    def _log(self) -> None:
        logger.info("progress: %s", self.snapshot().line())

    def spider_closed(self, spider: Any = None, reason: str = "finished") -> None:
        self._finish(reason)

    def engine_stopped(self) -> None:
        self._finish("stopped")  # a forced stop closes no spider: still give the terminal back

    def _finish(self, reason: str) -> None:
        if self.finished:
            return
        self.finished = True
        if self.task is not None and self.task.running:
            self.task.stop()
        final = self.snapshot(finished=reason)
        if self.display is not None:
            self.display.stop(final)
            self.display = None
        else:
            logger.info("progress (%s): %s", reason, final.line())
