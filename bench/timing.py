"""StageTimer: where the time of a govarchive crawl goes, as Scrapy stats ``bench/us/<stage>`` (µs).

A Scrapy extension for the bench's breakdown run only (:mod:`bench.timed_settings`): it wraps, in
the crawl's own process and without changing their code, the functions every response and item
goes through, and adds each call's time to a stat (and ``bench/calls/<stage>``):

- ``capture_from_exchange``: building the capture at ``response_downloaded``;
- ``DedupPipeline.check``, ``WarcPipeline.write_capture``, ``IndexPipeline.save_capture``: the
  capture stages;
- ``extract``: the page objects (router, parsing, extraction) in the spider callback;
- ``IndexPipeline.save_post`` / ``save_account`` / ``save_page_state``: indexing the items;
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
MODULE_FUNCTIONS = (("govarchive.crawl.capture", "capture_from_exchange"), ("govarchive.crawl.spider", "extract"),
                    ("pipelines.index", "analyse"))
# pipeline attribute -> its methods, wrapped on the instance once the pipelines are open
PIPELINE_METHODS = {"payloads": ("check",), "archive": ("write_capture",),
                    "index": ("save_capture", "save_post", "save_account", "save_page_state")}


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
        timer = cls(crawler)
        crawler.signals.connect(timer.spider_opened, signal=signals.spider_opened)
        return timer

    def spider_opened(self, spider: Any) -> None:
        for pipeline in getattr(self.crawler.engine.scraper.itemproc, "middlewares", ()):
            for attribute, methods in PIPELINE_METHODS.items():
                target = getattr(pipeline, attribute, None)
                for method in methods:
                    if target is not None and hasattr(target, method):
                        name = f"{type(pipeline).__name__}.{method}"
                        setattr(target, method, timed(self.crawler.stats, name, getattr(target, method)))
