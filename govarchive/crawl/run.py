"""The identity of one crawl run, shared by the components of one crawler."""

from __future__ import annotations

import uuid
import weakref
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from govarchive.closure.lifecycle import AS_OF_STAT
from govarchive.core.config import DEFAULT_CONFIG
from govarchive.core.dates import warc_date

# AS_OF_STAT (govarchive/closure/lifecycle.py), the stat holding the moment a run's statuses were judged at
# (kept in runs.stats): `govarchive analyse` judges at the newest run's moment by default, so an archive reads
# the same as its last crawl left it.
__all__ = ["AS_OF_STAT", "RunInfo", "new_run_id", "run_for", "run_stats", "run_summary"]


@dataclass(frozen=True)
class RunInfo:
    id: str
    spider: str
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    # The closure analysis the run ends with (govarchive.closure.lifecycle.analyse); kept in the run's WARC
    # summary so that a reindex judges statuses exactly as the crawl did.
    as_of: datetime | None = None
    dormant_days: int = DEFAULT_CONFIG.dormant_days
    closed_after_runs: int = DEFAULT_CONFIG.closed_after_runs
    worker: str = ""  # this process's name among the workers of a distributed run

    @property
    def analysis_as_of(self) -> datetime:
        return self.as_of or self.started_at

    def analysis(self) -> dict[str, Any]:
        return {"as_of": self.analysis_as_of.isoformat(), "dormant_days": self.dormant_days,
                "closed_after_runs": self.closed_after_runs}

    def warcinfo_fields(self) -> dict[str, str]:
        fields = {"spider": self.spider, "run-started": warc_date(self.started_at)}
        if self.worker:
            fields["worker"] = self.worker
        return fields


_RUNS: weakref.WeakKeyDictionary[Any, RunInfo] = weakref.WeakKeyDictionary()


def new_run_id(moment: datetime) -> str:
    return f"{moment.strftime('%Y%m%dT%H%M%SZ')}-{uuid.uuid4().hex[:8]}"


def run_for(crawler: Any) -> RunInfo:
    """The run of this crawler, created on first use (one run per crawler)."""
    if crawler not in _RUNS:
        from govarchive.core.config import archive_config

        started = datetime.now(UTC)
        config = archive_config(crawler.settings)
        _RUNS[crawler] = RunInfo(config.run_id or new_run_id(started), getattr(crawler.spidercls, "name", "unknown"),
                                 started, config.as_of, config.dormant_days, config.closed_after_runs,
                                 config.worker)
    return _RUNS[crawler]


def run_stats(stats: dict[str, Any]) -> dict[str, Any]:
    """The crawl stats as stored in ``runs.stats`` and in the run's WARC metadata record."""
    return {key: value for key, value in sorted(stats.items())}


def run_summary(run: RunInfo, stats: dict[str, Any], status: str) -> dict[str, Any]:
    """How a run ended: written as the run's WARC metadata record and into ``runs``. ``status`` is the run's
    outcome (:func:`govarchive.crawl.outcome.run_status`); Scrapy's finish reason is in the stats."""
    collected = run_stats(stats)
    finished = collected.get("finish_time")
    finished_at = warc_date(finished if isinstance(finished, datetime) else datetime.now(UTC))
    return {"run_id": run.id, "spider": run.spider, "started_at": warc_date(run.started_at),
            "finished_at": finished_at, "status": status, "stats": collected, "analysis": run.analysis(),
            **({"worker": run.worker} if run.worker else {})}
