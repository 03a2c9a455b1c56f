"""Raw capture: every HTTP exchange the crawler makes becomes a :class:`Capture`, read once and archived.

:class:`CaptureExtension` listens to Scrapy's ``response_downloaded`` signal, where the body is
still content-encoded and redirects and error pages are still visible. It builds the capture, has the
page objects read it (:func:`read_exchange`: the body decoded as the client saw it, the page object the
router picks), and hands both to the crawl's archive (govarchive/crawl/archiving.py), which decides the
capture's page state from that reading and stores it off the reactor thread. The capture id and the
reading are put in ``request.meta``: the spider follows the reading's links and yields its accounts and
posts (it reads the page itself only when no reading came with it). Once the disk is full, exchanges
are neither archived nor parsed (govarchive/core/storage.py).

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
from govarchive.core.failures import attempts_of
from govarchive.core.httpdata import BodyTooLarge, http_body, payload_digest
from govarchive.core.items import Capture
from govarchive.crawl.archiving import archive_for
from govarchive.crawl.credentials import mask
from govarchive.crawl.progress import META_ACCOUNT
from govarchive.crawl.run import run_for
from govarchive.index.store import TOO_LARGE
from govarchive.pages import Extraction
from govarchive.warc.archiver import read_page

logger = logging.getLogger(__name__)

META_CAPTURE_ID = "govarchive_capture_id"
META_FETCHED_AT = "govarchive_fetched_at"
META_NOT_ARCHIVED = "govarchive_not_archived"  # why an exchange could not be archived (then it is not parsed)
STOPPING = "stopping"  # META_NOT_ARCHIVED of exchanges met once the disk is full: already said, not recorded
META_KIND = "govarchive_kind"  # what a request is for: start, or a Link.kind (listing, account, post…)
META_READING = "govarchive_reading"  # (capture id, Extraction or None): the page objects' reading of the exchange
# The sources-file entry (a validated Source) a start request was made for; the requests it leads to inherit it,
# and their captures name it (Capture.source_id).
META_SOURCE = "govarchive_source"
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
    """Build the capture of one exchange as seen at ``response_downloaded``, naming the sources-file entry its
    request came from (``request.meta[META_SOURCE]``).

    ``secrets`` (the user's session values) are masked in the URL and the request headers.
    """
    latency = float(request.meta.get("download_latency") or 0.0)
    body = response.body
    source = request.meta.get(META_SOURCE)
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
        source_id=getattr(source, "id", None),
    )


def read_exchange(capture: Capture, url: str, max_body_bytes: int) -> Extraction | None:
    """The page objects' reading of an exchange (``url`` as requested: the capture's may be masked); None
    when its body is not read: larger than ``max_body_bytes`` once decoded (the capture's page state is
    then ``too_large``) or in an encoding that cannot be undone (its HTTP status decides its state)."""
    try:
        body = http_body(capture.body, capture.response_headers, max_body_bytes)
    except BodyTooLarge:
        capture.page_state = TOO_LARGE
        return None
    except (ValueError, OSError) as error:
        logger.debug("%s: body not read: %s", url[:300], error)
        return None
    return read_page(capture, body, url)


class CaptureExtension:
    """Scrapy extension: build captures at ``response_downloaded``, read them, hand them to the archive."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        config = archive_config(crawler.settings)
        self.secrets = config.secrets
        self.max_body_bytes = config.max_body_bytes
        self.archive = archive_for(crawler)

    @classmethod
    def from_crawler(cls, crawler: Any) -> CaptureExtension:
        if not crawler.settings.getdict("ITEM_PIPELINES"):
            raise NotConfigured("CaptureExtension needs the govarchive ITEM_PIPELINES (they open the archive)")
        ext = cls(crawler)
        crawler.signals.connect(ext.response_downloaded, signal=signals.response_downloaded)
        return ext

    def response_downloaded(self, response: Any, request: Any, spider: Any) -> None:
        request.meta.pop(META_READING, None)  # a retry or a redirect carries the reading of the exchange before
        if request.meta.get("playwright"):  # a browser's rendering: govarchive/crawl/browser.py archives its exchanges
            return
        if self.archive.stopped or not self.archive.is_open:
            # the disk is full and the crawl is stopping: nothing more is archived or parsed
            request.meta[META_NOT_ARCHIVED] = STOPPING
            return
        capture = capture_from_exchange(response, request, run_for(self.crawler).id, datetime.now(UTC),
                                        self.secrets)
        reading = read_exchange(capture, response.url, self.max_body_bytes)
        referer = request.headers.get("Referer")
        self.store(capture, reading, (request.meta.get(META_KIND), request.meta.get(META_ACCOUNT),
                                      referer.decode("latin-1") if referer else None, attempts_of(request)))
        request.meta[META_CAPTURE_ID] = capture.id
        request.meta[META_FETCHED_AT] = capture.fetched_at
        request.meta[META_READING] = (capture.id, reading)

    def read(self, capture: Capture, url: str | None = None) -> Extraction | None:
        """The page objects' reading of a capture (:func:`read_exchange`; ``url`` as requested, when the
        capture's own is masked). Also used for the exchanges a browser made (browser.py)."""
        return read_exchange(capture, url or capture.url, self.max_body_bytes)

    def store(self, capture: Capture, reading: Extraction | None = None, context: tuple[Any, ...] = ()) -> str | None:
        """Hand one capture and its page objects' reading to the crawl's archive, which decides its page state
        from the reading and stores it (dedup → WARC → index) in its writer process; None once handed over,
        else why not (``STOPPING`` once the disk is full). ``context``: its request's (kind, account, referer,
        attempts), for its fetch failure if the writer cannot store it. Also used for the exchanges a
        browser made (browser.py)."""
        if self.archive.stopped or not self.archive.is_open:
            return STOPPING
        self.archive.store(capture, reading, context)
        self.crawler.stats.inc_value("govarchive/captures")
        return None
