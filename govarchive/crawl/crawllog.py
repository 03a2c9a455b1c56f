"""What a crawl's log says about a problem: one line, never a traceback.

Scrapy logs a robots.txt it could not fetch (a host that does not answer, a name that does not resolve)
as an ERROR with two tracebacks, although nothing is wrong with the crawl: Scrapy then requests the
host's pages as if its robots.txt allowed them, and each of those fails or answers on its own (a
failed fetch is one ``fetch failed:`` line and a ``fetch_failures`` row, govarchive/core/failures.py).
:class:`OneLineRobotsErrors` turns that record into one WARNING line naming the host and the reason.

:class:`CrawlLogExtension` attaches it for the length of a crawl (``EXTENSIONS``), under ``govarchive
crawl`` and plain ``scrapy crawl`` alike. (The ``Gave up retrying`` line of a download that failed is
logged at INFO, ``RETRY_GIVE_UP_LOG_LEVEL`` in govarchive/settings.py: its own line follows it.)
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from scrapy import signals

ROBOTS_LOGGER = "scrapy.downloadermiddlewares.robotstxt"
DETAIL_MAX = 300  # characters of an error message in the line


class OneLineRobotsErrors(logging.Filter):
    """Rewrites Scrapy's "Error downloading <robots.txt request>" record as one WARNING line."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, dict) else None
        if record.levelno < logging.ERROR or not args or "f_exception" not in args:
            return True
        request = args.get("request")
        url = getattr(request, "url", str(request))
        parts = urlsplit(url)
        reason = " ".join(str(args["f_exception"]).split())[:DETAIL_MAX] or type(args["f_exception"]).__name__
        record.msg = "robots.txt of %s could not be fetched (%s): its pages are requested as if it allowed them"
        record.args = (f"{parts.scheme}://{parts.netloc}", reason)
        record.levelno, record.levelname = logging.WARNING, logging.getLevelName(logging.WARNING)
        record.exc_info = record.exc_text = None
        record.stack_info = None
        return True


class CrawlLogExtension:
    """Scrapy extension: :class:`OneLineRobotsErrors` on Scrapy's robots.txt logger while the crawl runs."""

    def __init__(self) -> None:
        self.robots = OneLineRobotsErrors()
        logging.getLogger(ROBOTS_LOGGER).addFilter(self.robots)

    @classmethod
    def from_crawler(cls, crawler: Any) -> CrawlLogExtension:
        extension = cls()
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def engine_stopped(self) -> None:
        logging.getLogger(ROBOTS_LOGGER).removeFilter(self.robots)
