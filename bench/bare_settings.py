"""Scrapy settings of crawler (a), bare Scrapy: govarchive's settings without its archiving.

The same spiders, page objects and politeness middleware (platform download slots, Retry-After);
no item pipelines (dedup, WARC, index), no capture, lock or progress extensions, no add-on, and none
of the middlewares that read the archive's index (known posts, at-risk-first ordering) or carry the
MP session. Used as ``SCRAPY_SETTINGS_MODULE=bench.bare_settings scrapy crawl portal …``.
"""

from govarchive.settings import *  # noqa: F403 (the settings module is a namespace of constants)

ITEM_PIPELINES: dict[str, int] = {}
EXTENSIONS: dict[str, int] = {}
ADDONS: dict[str, int] = {}
DOWNLOADER_MIDDLEWARES = {"govarchive.crawl.politeness.PolitenessMiddleware": 560}
SPIDER_MIDDLEWARES: dict[str, int] = {}
