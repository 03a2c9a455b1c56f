"""govarchive: archive Chinese government new-media accounts before they close.

The library (this package) does the work; the Scrapy spiders in ``spiders/``, the pipelines in
``pipelines/`` and the click CLI in :mod:`govarchive.cli` are thin adapters over it.
"""

__version__ = "0.1.0"
