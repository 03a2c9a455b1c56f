"""Spiders: configuration over :class:`govarchive.crawl.spider.ArchiveSpider`, nothing else."""
