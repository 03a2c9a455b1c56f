"""Raw capture: every HTTP exchange the crawler makes becomes a :class:`Capture`.

:class:`CaptureExtension` listens to Scrapy's ``response_downloaded`` signal, where the body is
still content-encoded and redirects and error pages are still visible, builds the capture and
passes it through the ``process_capture`` stages of the item pipelines (dedup → WARC → index), in
their ``ITEM_PIPELINES`` order. The capture id is put in ``request.meta`` so the spider's items
can point to it. A stage that fails has the capture taken back by the stages before it
(``discard_capture``), so no record is in the WARC without its index row; a full disk stops the
crawl (govarchive/core/storage.py), any other failure is logged and that response is not parsed.

Stats: ``govarchive/captures``.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from govarchive.core.config import archive_config
from govarchive.core.httpdata import payload_digest
from govarchive.core.items import Capture
from govarchive.core.storage import halt_for, is_storage_full
from govarchive.crawl.credentials import mask
from govarchive.crawl.run import run_for
from govarchive.pages.router import status_state

logger = logging.getLogger(__name__)

META_CAPTURE_ID = "govarchive_capture_id"
META_FETCHED_AT = "govarchive_fetched_at"
META_NOT_ARCHIVED = "govarchive_not_archived"  # why an exchange could not be archived (then it is not parsed)
STOPPING = "stopping"  # META_NOT_ARCHIVED of exchanges met once the disk is full: already said, not recorded
# Headers that describe framing Scrapy already removed: kept under another name, never dropped.
FRAMING_HEADERS = {"transfer-encoding": "X-Crawler-Transfer-Encoding"}


def header_pairs(headers: Any) -> list[tuple[str, str]]:
    """Every value of every header (``getlist``), as latin-1 text so the bytes survive."""
    pairs = []
    for key in headers:
        name = key.decode("latin-1") if isinstance(key, bytes) else str(key)
        for value in headers.getlist(key):
            text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
            pairs.append((FRAMING_HEADERS.get(name.lower(), name), text))
    return pairs


def capture_from_exchange(response: Any, request: Any, run_id: str, received_at: datetime,
                          secrets: tuple[str, ...] = ()) -> Capture:
    """Build the capture of one exchange as seen at ``response_downloaded``.

    ``secrets`` (the user's session values) are masked in the URL and the request headers.
    """
    latency = float(request.meta.get("download_latency") or 0.0)
    body = response.body
    return Capture(
        id=f"urn:uuid:{uuid.uuid4()}",
        request_id=f"urn:uuid:{uuid.uuid4()}",
        run_id=run_id,
        url=mask(response.url, secrets),
        fetched_at=received_at - timedelta(seconds=latency),
        http_status=int(response.status),
        protocol=response.protocol or "HTTP/1.1",
        response_headers=header_pairs(response.headers),
        body=body,
        request_method=request.method,
        request_headers=[(name, mask(value, secrets)) for name, value in header_pairs(request.headers)],
        request_body=request.body or b"",
        ip_address=str(response.ip_address) if getattr(response, "ip_address", None) else None,
        truncated="disconnect" if "dataloss" in (response.flags or []) else None,
        payload_digest=payload_digest(body),
        payload_length=len(body),
        page_state=status_state(int(response.status), _location(response)),
    )


def _location(response: Any) -> str | None:
    value = response.headers.get(b"Location")
    return value.decode("latin-1") if value else None


class CaptureExtension:
    """Scrapy extension: build captures at ``response_downloaded`` and hand them to the stages."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.stages: list[Any] = []
        self.secrets = archive_config(crawler.settings).secrets
        self.halt = halt_for(crawler)

    @classmethod
    def from_crawler(cls, crawler: Any) -> CaptureExtension:
        if not crawler.settings.getdict("ITEM_PIPELINES"):
            raise NotConfigured("CaptureExtension needs the govarchive ITEM_PIPELINES")
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.response_downloaded, signal=signals.response_downloaded)
        return ext

    def spider_opened(self, spider: Any) -> None:
        pipelines = getattr(self.crawler.engine.scraper.itemproc, "middlewares", ())
        self.stages = [p for p in pipelines if hasattr(p, "process_capture")]
        if not self.stages:
            logger.warning("no pipeline has process_capture: nothing will be archived")

    def response_downloaded(self, response: Any, request: Any, spider: Any) -> None:
        if request.meta.get("playwright"):  # a browser's rendering: govarchive/crawl/browser.py archives its exchanges
            return
        if self.halt.halted:  # the disk is full and the crawl is stopping: nothing more is archived or parsed
            request.meta[META_NOT_ARCHIVED] = STOPPING
            return
        capture = capture_from_exchange(response, request, run_for(self.crawler).id, datetime.now(UTC),
                                        self.secrets)
        problem = self.store(capture)
        if problem:
            request.meta[META_NOT_ARCHIVED] = problem
            return
        request.meta[META_CAPTURE_ID] = capture.id
        request.meta[META_FETCHED_AT] = capture.fetched_at

    def store(self, capture: Capture) -> str | None:
        """Pass one capture through the stages (dedup → WARC → index); None once stored, else why not
        (``STOPPING`` once the disk is full). Also used for the exchanges a browser made (browser.py)."""
        if self.halt.halted:
            return STOPPING
        stored = []
        try:
            for stage in self.stages:
                stage.process_capture(capture)
                stored.append(stage)
        except Exception as error:
            # the WARC files and the index must keep agreeing: take the capture back where it was stored
            for stage in reversed(stored):
                if hasattr(stage, "discard_capture"):
                    stage.discard_capture(capture)
            if is_storage_full(error):
                self.halt.halt(error, f"archiving {capture.url[:300]}")
                return STOPPING
            logger.error("%s could not be archived (%s: %s); the crawl goes on without it", capture.url[:300],
                         type(error).__name__, error, exc_info=True)
            self.crawler.stats.inc_value("govarchive/capture_errors")
            return f"not archived: {type(error).__name__}: {error}"
        self.crawler.stats.inc_value("govarchive/captures")
        return None
