"""StageTimer: where the time of a govarchive crawl goes, as Scrapy stats ``bench/us/<stage>`` (µs).

A Scrapy extension for the bench's breakdown run only (:mod:`bench.timed_settings`): it wraps, in
the crawl's own process and without changing their code, the functions every response and item
goes through, and adds each call's time to a stat (and ``bench/calls/<stage>``):

- on the reactor thread: ``capture_from_exchange`` (building the capture at ``response_downloaded``),
  ``read_exchange`` (decoding the body and the page objects: router, parsing, extraction), ``extract``
  (the spider's own reading, only for a body the capture extension could not decode);
- on the archive's writer thread (govarchive/warc/batchwriter.py), named ``writer: …``: the archiver's
  ``store_capture`` (dedup, WARC records, the ``captures`` row), ``save_account``, ``save_post``,
  ``save_failure``;
- ``analyse``: the closure analysis at the end of the run.

A stage whose function a core change renamed is left out (and so missing from the stats).
"""

from __future__ import annotations

import functools
import importlib
import time
from collections.abc import Callable
from typing import Any

from scrapy import signals

# (module, global function) the crawl looks up at call time
MODULE_FUNCTIONS = (("govarchive.crawl.capture", "capture_from_exchange"),
                    ("govarchive.crawl.capture", "read_exchange"), ("govarchive.crawl.spider", "extract"),
                    ("govarchive.crawl.archiving", "analyse"))
# the archiver's methods, wrapped on the crawl's archiver once it is open (they run on the writer thread)
ARCHIVER_METHODS = ("store_capture", "save_account", "save_post", "save_failure")


def timed(stats: Any, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            stats.inc_value(f"bench/us/{name}", int((time.perf_counter() - started) * 1e6))
            stats.inc_value(f"bench/calls/{name}")

    return wrapper


class StageTimer:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> "StageTimer":
        for module_name, function_name in MODULE_FUNCTIONS:
            module = importlib.import_module(module_name)
            function = getattr(module, function_name, None)
            if function is not None:
                setattr(module, function_name, timed(crawler.stats, function_name, function))
        timer = cls(crawler)
        crawler.signals.connect(timer.spider_opened, signal=signals.spider_opened)
        return timer

    def spider_opened(self, spider: Any) -> None:
        from govarchive.crawl.archiving import archive_for

        archiver = archive_for(self.crawler).archiver
        if archiver is None:
            return
        for method in ARCHIVER_METHODS:
            if hasattr(archiver, method):
                setattr(archiver, method, timed(self.crawler.stats, f"writer: {method}", getattr(archiver, method)))
