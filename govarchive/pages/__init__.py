"""Page objects: pure extraction from one archived HTTP response.

A page object takes a :class:`~govarchive.pages.base.PageInput` (url, status, headers and the
content-decoded body) and returns an :class:`~govarchive.pages.base.Extraction`: the page's
state, the accounts and posts it shows, and the links a crawl should follow. They do no I/O, so
the spiders, ``govarchive reindex`` and ``govarchive import`` share them.
"""

from govarchive.pages.base import Extraction, PageInput
from govarchive.pages.router import extract, page_class_for

__all__ = ["Extraction", "PageInput", "extract", "page_class_for"]
