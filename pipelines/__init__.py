"""Scrapy item pipelines: thin adapters over the govarchive library.

Each pipeline is also a *capture stage*: :class:`govarchive.crawl.capture.CaptureExtension` calls their
``process_capture`` in ``ITEM_PIPELINES`` order for every HTTP exchange.
"""
