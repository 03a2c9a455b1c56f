"""StageTimer: where the time of a govarchive crawl goes, as Scrapy stats ``bench/us/<stage>`` (µs).

A Scrapy extension for the bench's breakdown run only (:mod:`bench.timed_settings`): it wraps, in
the crawl's own process and without changing their code, the functions every response goes through on
the reactor thread, and adds each call's time to a stat (and ``bench/calls/<stage>``):

- ``capture_from_exchange``: building the capture at ``response_downloaded``;
- ``read_exchange``: decoding the body and the page objects (router, parsing, extraction), once per
  exchange; ``extract``: the spider's own reading, only of a body the capture extension could not decode;
- ``analyse``: the closure analysis at the end of the run.

The archive's writes (dedup, WARC records, index rows) run in the crawl's writer process
(govarchive/crawl/archiveprocess.py), not timed here: their CPU is in the crawl's CPU seconds (its
children's included). A stage whose function a core change renamed is left out (missing from the stats).
"""

from __future__ import annotations

import functools
import importlib
import time
from collections.abc import Callable
from typing import Any

# (module, global function) the crawl looks up at call time
MODULE_FUNCTIONS = (("govarchive.crawl.capture", "capture_from_exchange"),
                    ("govarchive.crawl.capture", "read_exchange"), ("govarchive.crawl.spider", "extract"),
                    ("govarchive.crawl.archiving", "analyse"))


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
    def from_crawler(cls, crawler: Any) -> StageTimer:
        for module_name, function_name in MODULE_FUNCTIONS:
            module = importlib.import_module(module_name)
            function = getattr(module, function_name, None)
            if function is not None:
                setattr(module, function_name, timed(crawler.stats, function_name, function))
        return cls(crawler)
