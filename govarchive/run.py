"""The identity of one crawl run, shared by the components of one crawler."""

from __future__ import annotations

import uuid
import weakref
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from govarchive.warc import warc_date


@dataclass(frozen=True)
class RunInfo:
    id: str
    spider: str
    started_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    def warcinfo_fields(self) -> dict[str, str]:
        return {"spider": self.spider, "run-started": warc_date(self.started_at)}


_RUNS: "weakref.WeakKeyDictionary[Any, RunInfo]" = weakref.WeakKeyDictionary()


def new_run_id(moment: datetime) -> str:
    return f"{moment.strftime('%Y%m%dT%H%M%SZ')}-{uuid.uuid4().hex[:8]}"


def run_for(crawler: Any) -> RunInfo:
    """The run of this crawler, created on first use (one run per crawler)."""
    if crawler not in _RUNS:
        started = datetime.now(timezone.utc)
        _RUNS[crawler] = RunInfo(new_run_id(started), getattr(crawler.spidercls, "name", "unknown"), started)
    return _RUNS[crawler]


def run_stats(stats: dict[str, Any]) -> dict[str, Any]:
    """The crawl stats as stored in ``runs.stats`` and in the run's WARC metadata record."""
    return {key: value for key, value in sorted(stats.items())}


def run_summary(run: RunInfo, stats: dict[str, Any], reason: str) -> dict[str, Any]:
    """How a run ended: written as the run's WARC metadata record and into ``runs``."""
    collected = run_stats(stats)
    finished = collected.get("finish_time")
    if isinstance(finished, datetime):
        finished_at = warc_date(finished)
    else:
        finished_at = warc_date(datetime.now(timezone.utc))
    return {"run_id": run.id, "spider": run.spider, "started_at": warc_date(run.started_at),
            "finished_at": finished_at, "status": reason, "stats": collected}
