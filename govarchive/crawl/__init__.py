"""The Scrapy side: the spider base, capture, middlewares, politeness, frontier, distributed runs, progress, outcome."""
