"""The priority of a crawl's background processes (its writer, its search worker).

A crawl's reactor thread fetches and reads pages; its writer process (govarchive/crawl/archiveprocess.py) and
its search worker (govarchive/index/searchworker.py) do what can wait: the writer's backlog is bounded (the crawl
waits when it is full) and the search rows are caught up at the end. On a machine whose cores are all busy, the
scheduler otherwise shares them out evenly, and the fetching slows for work that could have waited: on the bench
(2 cores, the crawl and its two helpers and the bench web all busy) a nice increment of 5 for the helpers made
the crawl 10 to 15 % faster (docs/benchmarks.md). ``GOVARCHIVE_BACKGROUND_NICE`` chooses the increment (0: the
crawl's own priority).
"""

from __future__ import annotations

import logging
import os

logger = logging.getLogger(__name__)


def lower_priority(increment: int) -> None:
    """Make this process yield the CPU to the crawl by ``increment`` (Unix nice; raising it needs no privilege).
    Where the system has no nice, or refuses it, the process runs at its parent's priority."""
    if increment <= 0 or not hasattr(os, "nice"):
        return
    try:
        os.nice(increment)
    except OSError as error:
        logger.debug("could not lower this process's priority (%s)", error)
