"""The frontier with a memory bound: a crawl of a province keeps its pending requests mostly on disk.

Scrapy's scheduler keeps every pending request in memory unless ``JOBDIR`` is set, and a crawl that
fetches listings first (as ours does, so a short run saves the widest view) holds every post it has
seen and not fetched yet: about 1.6 KB each, some 160 MB at 100,000 posts. :class:`SpillingScheduler`
keeps up to ``GOVARCHIVE_FRONTIER_MEMORY`` pending requests in memory and spills the rest to Scrapy's
own disk queue in ``ARCHIVE_DIR/.frontier/<run id>/``, so a crawl's memory stays flat however large
the province. Requests in memory are served first, then the spilled ones, each queue by priority.

The spill folder belongs to one run: it is removed when the run ends (``.frontier/`` too, once empty),
and a killed run's folder is removed by the next run (its pending requests are found again from the listings, as after any kill).
With ``JOBDIR`` set, Scrapy's own behaviour applies unchanged (every request on disk, resumable).

Settings: ``GOVARCHIVE_FRONTIER_MEMORY`` (0: no bound, Scrapy's memory queue only).
Stats: ``scheduler/enqueued/disk`` (requests spilled), ``scheduler/enqueued/memory``.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

from scrapy.core.scheduler import Scheduler
from scrapy.http import Request

from govarchive.core.config import archive_config

logger = logging.getLogger(__name__)

FRONTIER_DIR = ".frontier"


class SpillingScheduler(Scheduler):
    memory_limit = 0  # pending requests kept in memory before spilling; 0: no bound
    spill_dir: Path | None = None  # this run's folder, when requests spill (not with JOBDIR)

    @classmethod
    def from_crawler(cls, crawler: Any) -> SpillingScheduler:
        scheduler = super().from_crawler(crawler)
        config = archive_config(crawler.settings)
        scheduler.memory_limit = config.frontier_memory
        if scheduler.dqdir is None and scheduler.memory_limit:
            from govarchive.crawl.guard import guard_for
            from govarchive.crawl.run import run_for

            frontier = config.paths.root / FRONTIER_DIR
            if guard_for(crawler).lock is not None:  # this run holds the archive: earlier runs' folders are dead
                _remove_dead_folders(frontier)
            scheduler.spill_dir = frontier / run_for(crawler).id
            scheduler.dqdir = scheduler._dqdir(str(scheduler.spill_dir))
        return scheduler

    def enqueue_request(self, request: Request) -> bool:
        if self.spill_dir is None:
            return super().enqueue_request(request)
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        assert self.stats is not None
        if len(self.mqs) >= self.memory_limit and self._dqpush(request):
            self.stats.inc_value("scheduler/enqueued/disk")
        else:
            self._mqpush(request)
            self.stats.inc_value("scheduler/enqueued/memory")
        self.stats.inc_value("scheduler/enqueued")
        return True

    def close(self, reason: str) -> Any:
        if self.spill_dir is None:
            return super().close(reason)
        if self.dqs is not None:
            self.dqs.close()
        shutil.rmtree(self.spill_dir, ignore_errors=True)  # a spill folder is never resumed
        _remove_if_empty(self.spill_dir.parent)  # no empty .frontier/ left in the archive folder
        return self.df.close(reason)


class FrontierAddon:
    """Scrapy add-on (``ADDONS``): :class:`SpillingScheduler` as the scheduler, except in a distributed
    run, whose frontier is in Redis (govarchive/crawl/distributed.py)."""

    def update_settings(self, settings: Any) -> None:
        if not archive_config(settings).distributed:
            settings.set("SCHEDULER", f"{__name__}.SpillingScheduler", priority="addon")


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:  # another run's spill folder is in it (a distributed worker sharing the folder), or gone
        pass


def _remove_dead_folders(frontier: Path) -> None:
    if not frontier.is_dir():
        return
    for folder in frontier.iterdir():
        logger.info("removing the frontier spill folder of an earlier run that did not end: %s", folder.name)
        shutil.rmtree(folder, ignore_errors=True)
