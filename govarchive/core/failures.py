"""Fetches that produced no page to parse: what went wrong, in one word an archivist can filter on.

Heritrix writes such fetches to its crawl log with negative status codes; govarchive records each as a
:class:`~govarchive.core.items.FetchFailure` item, which the pipelines write as a ``metadata`` record of the
run's WARC (so ``reindex`` rebuilds them) and as a ``fetch_failures`` row of the index (docs/schema.md).

=========================  ==========================================================================
error                      when
=========================  ==========================================================================
``timeout``                no complete answer within ``DOWNLOAD_TIMEOUT`` (after ``RETRY_TIMES``)
``connection_refused``     the host refused the connection
``dns``                    the host name could not be resolved
``connection_lost``        the connection broke before the body was complete (a reset mid-body)
``too_large``              the announced or received body exceeded ``DOWNLOAD_MAXSIZE``
``decompression_too_large``  a compressed body that inflates past ``DOWNLOAD_MAXSIZE`` (a gzip bomb);
                           its compressed bytes are archived, never inflated
``redirect_loop``          a redirect back to a URL already met in the same chain, or more than
                           ``REDIRECT_MAX_TIMES`` redirects; every hop is archived
``robots``                 robots.txt forbids the URL (not counted as a failure of the run)
``url_too_long``           a link longer than ``URLLENGTH_LIMIT``: never requested
``http_error``             a start URL (a seed) answered an HTTP error (4xx, 5xx): its page is a
                           capture like any other, and the run found nothing behind it
``not_archived``           the answer came but could not be written to the archive (the log line says
                           why), so it was not parsed either
``failed``                 any other download error (TLS, a protocol error…), with its message
=========================  ==========================================================================

Requests the crawl decided not to make (a post already archived, no back-office session) are not
failures and are not recorded.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Request

logger = logging.getLogger(__name__)

FAILURE_CONTENT_TYPE = "application/vnd.govarchive.fetch-failure+json"  # of its WARC metadata record
NOT_ARCHIVED = "not_archived"
URL_TOO_LONG = "url_too_long"
HTTP_ERROR = "http_error"  # only for start URLs: elsewhere an error page is a finding (a deleted post…)
NOT_COUNTED = ("robots",)  # recorded, but not a failure of the run (no partial exit, no failed window)
DETAIL_MAX = 500  # characters of an exception message kept


class RedirectLoop(IgnoreRequest):
    """A redirect back to a URL of its own chain."""


class Skipped(IgnoreRequest):
    """A request the crawl chose not to make (a post already archived…): not a failure."""


class LoopAwareRedirectMiddleware(RedirectMiddleware):
    """Scrapy's redirect handling, stopping a loop at its first repeat instead of after
    ``REDIRECT_MAX_TIMES`` hops (or silently, when the dupefilter drops the repeated URL)."""

    def process_response(self, request: Request, response: Any, spider: Any = None) -> Any:
        result = super().process_response(request, response)
        if isinstance(result, Request) and result is not request:
            chain = [*request.meta.get("redirect_urls", []), request.url]
            if result.url in chain:
                raise RedirectLoop(f"redirect loop: {' -> '.join([*chain, result.url])[:DETAIL_MAX]}")
        return result


def classify(exception: BaseException) -> str | None:
    """The ``error`` word of a failed fetch (the table above); None when it is not a failure."""
    if isinstance(exception, Skipped):
        return None
    if isinstance(exception, RedirectLoop):
        return "redirect_loop"
    if isinstance(exception, IgnoreRequest):
        message = str(exception)
        if "max redirections reached" in message:
            return "redirect_loop"
        if "during decompression" in message:
            return "decompression_too_large"
        if "robots.txt" in message:
            return "robots"
        return None  # another middleware's choice (offsite…), not a failed fetch
    if isinstance(exception, DownloadTimeoutError):
        return "timeout"
    if isinstance(exception, DownloadConnectionRefusedError):
        return "connection_refused"
    if isinstance(exception, CannotResolveHostError):
        return "dns"
    if isinstance(exception, ResponseDataLossError):
        return "connection_lost"
    if isinstance(exception, DownloadCancelledError):
        # Scrapy cancels a download for one reason of its own: the body passed DOWNLOAD_MAXSIZE (announced
        # by Content-Length, with a message, or counted while receiving, without one)
        return "too_large"
    if isinstance(exception, DownloadFailedError):  # Twisted's ResponseFailed: the connection broke
        return "connection_lost"
    return "failed"


# What a failure says when its exception has no message of its own
SILENT_DETAILS = {
    "too_large": "the body passed DOWNLOAD_MAXSIZE while it was received; the download was cancelled",
    "connection_lost": "the connection broke before the announced body was complete",
}


def detail_of(exception: BaseException, error: str) -> str:
    """The exception's message, one line, bounded (a hostile server chooses what it says)."""
    text = " ".join(str(exception).split()) or SILENT_DETAILS.get(error) or type(exception).__name__
    return text[:DETAIL_MAX]


def attempts_of(request: Request) -> int:
    """How many times the request was sent (Scrapy's retries count in ``retry_times``)."""
    return int(request.meta.get("retry_times", 0)) + 1
