"""Scrapy settings of the breakdown run: govarchive's own, plus :class:`bench.timing.StageTimer`."""

from govarchive.settings import *  # noqa: F403 (the settings module is a namespace of constants)
from govarchive.settings import EXTENSIONS as _GOVARCHIVE_EXTENSIONS

EXTENSIONS = {**_GOVARCHIVE_EXTENSIONS, "bench.timing.StageTimer": 0}
