"""Spiders: configuration over :class:`govarchive.crawling.ArchiveSpider`, nothing else."""
