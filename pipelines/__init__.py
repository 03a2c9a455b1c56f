"""Scrapy item pipelines: thin adapters over the govarchive library.

Captures do not pass through them: the capture extension hands every exchange to the crawl's archive
(govarchive/crawl/archiving.py). The pipelines open that archive and hand it the items the spider yields.
"""
