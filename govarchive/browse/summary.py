"""What an archive holds: the one gatherer behind ``govarchive summary``, ``govarchive status`` and the demo.

:func:`summarize` reads the index and the WARC folder once into an :class:`ArchiveSummary`;
``summary`` prints its :meth:`~ArchiveSummary.lines`, ``status`` renders it as tables or JSON
(:mod:`govarchive.browse.status`), so the numbers never disagree.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from govarchive.index import inspection
from govarchive.index.search import search_status
from govarchive.warc.files import ArchiveWarcs

LAST_RUNS = 10  # runs listed by ``govarchive status``
PROBLEM_STATES = ("parse_error", "unparsed")  # captures whose page no parser could read


@dataclass
class RunRow:
    """One crawl (or import) run and what it archived."""

    id: str
    spider: str | None
    started_at: str | None
    finished_at: str | None
    status: str | None
    captures: int = 0
    blocked: int = 0  # its captures in page state ``blocked``

    @property
    def unfinished(self) -> bool:
        """Left ``running`` without a finish: killed (or still running right now)."""
        return self.status == "running" and not self.finished_at


@dataclass
class Problems:
    """What needs a person's attention; each is empty or zero when all is well."""

    unfinished_runs: list[str] = field(default_factory=list)  # run ids left 'running' with no finish
    killed_runs: list[str] = field(default_factory=list)  # runs recovery marked 'killed', among the last runs
    lost_captures: int = 0  # captures whose WARC bytes a kill or power loss took (lost_captures)
    lost_not_refetched: int = 0  # those whose URL no capture since has archived again
    open_warc_files: list[str] = field(default_factory=list)  # *.warc.gz.open a killed crawl left
    parse_errors: int = 0  # captures in page state parse_error (a parser failed)
    unparsed: int = 0  # captures no parser understood
    unreachable_accounts: list[str] = field(default_factory=list)  # "name (id)" of unreachable accounts
    last_run: str | None = None
    blocked_last_run: int = 0  # block pages (captchas, rate limits) in the last run
    # requests of the last run that gave no page, by error (fetch_failures; robots.txt refusals and start URLs
    # left out)
    fetch_failures_last_run: dict[str, int] = field(default_factory=dict)
    # start URLs of the last run that answered an HTTP error or never answered: "url (error: detail)"
    failed_seeds_last_run: list[str] = field(default_factory=list)
    search_backlog: int = 0  # changes of posts and accounts not searchable yet (search_queue)
    search_db: str | None = None  # why search.db cannot serve the index (missing, damaged…); None: it can
    unfinished_reindex: str | None = None  # where a killed reindex's pages phase stopped ("FILE @ OFFSET")

    def __bool__(self) -> bool:
        return bool(self.unfinished_runs or self.open_warc_files or self.parse_errors or self.unparsed
                    or self.unreachable_accounts or self.blocked_last_run or self.killed_runs
                    or self.lost_not_refetched or self.fetch_failures_last_run or self.search_backlog
                    or self.failed_seeds_last_run or self.search_db or self.unfinished_reindex)


@dataclass
class ArchiveSummary:
    archive_dir: str = ""
    index_exists: bool = False
    accounts: int = 0
    accounts_by_platform: dict[str, int] = field(default_factory=dict)
    posts: int = 0
    posts_by_state: dict[str, int] = field(default_factory=dict)
    captures: int = 0
    revisits: int = 0
    warc_files: int = 0
    warc_bytes: int = 0
    index_bytes: int = 0  # index.db and its WAL files
    search_bytes: int = 0  # search.db and its WAL files (m014)
    accounts_by_status: dict[str, int] = field(default_factory=dict)
    # status ('unknown': not assessed yet) -> platform -> accounts
    accounts_by_status_platform: dict[str, dict[str, int]] = field(default_factory=dict)
    notices: int = 0  # notices of accounts' own closures (one per named account)
    notices_by_kind: dict[str, int] = field(default_factory=dict)  # those by kind (closure, migration…)
    reports: int = 0  # reports about closures elsewhere
    migrations: int = 0
    migrations_resolved: int = 0  # with a target account in the archive
    migrations_unresolved: int = 0
    runs: int = 0
    last_runs: list[RunRow] = field(default_factory=list)  # newest first, at most LAST_RUNS
    problems: Problems = field(default_factory=Problems)

    def lines(self) -> list[str]:
        platforms = ", ".join(f"{k} {v}" for k, v in sorted(self.accounts_by_platform.items()))
        states = ", ".join(f"{k} {v}" for k, v in sorted(self.posts_by_state.items()))
        return [
            f"accounts:      {self.accounts} ({platforms})",
            f"posts:         {self.posts} ({states})",
            f"captures:      {self.captures} ({self.revisits} revisits of already archived payloads)",
            f"WARC files:    {self.warc_files} ({self.warc_bytes:,} bytes)",
            f"statuses:      {', '.join(f'{k} {v}' for k, v in sorted(self.accounts_by_status.items())) or 'none'}",
            f"notices:       {self.notices} closure notices ({self.reports} claims of reports)",
            f"successors:    {self.migrations} recorded, {self.migrations_resolved} resolved to archived accounts",
            f"runs:          {self.runs}",
        ]

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``govarchive status --json``."""
        return asdict(self)


def open_warc_files(warc_dir: Path) -> list[Path]:
    """``*.open`` files: a crawl is writing them, or was killed (the next one repairs them)."""
    return ArchiveWarcs(warc_dir).open_files()


def summarize(archive_dir: Path, last_runs: int = LAST_RUNS, index_db: Path | None = None) -> ArchiveSummary:
    """Everything ``summary`` and ``status`` show, read once; an archive without index.db gives zeros.
    ``index_db``: the index, when it is not ``archive_dir/index.db`` (Datasette may serve it by any name)."""
    archive_dir = Path(archive_dir)
    index_db = Path(index_db) if index_db else archive_dir / "index.db"
    summary = ArchiveSummary(archive_dir=str(archive_dir))
    files = ArchiveWarcs(archive_dir / "warc").paths()  # in warc/ and imported in place
    summary.warc_files, summary.warc_bytes = len(files), sum(p.stat().st_size for p in files)
    summary.problems.open_warc_files = [p.name for p in open_warc_files(archive_dir / "warc")]
    if not index_db.exists():
        return summary
    summary.index_exists = True
    summary.index_bytes = sum(f.stat().st_size for f in (index_db, index_db.with_name(index_db.name + "-wal"),
                                                          index_db.with_name(index_db.name + "-shm")) if f.exists())
    db = Database(str(index_db))
    try:
        _read_index(db, summary, last_runs)
    finally:
        db.close()
    search = search_status(index_db)
    summary.search_bytes = search.bytes
    summary.problems.search_db = search.problem
    if summary.last_runs:
        summary.problems.search_backlog = search.backlog
    return summary


def _read_index(db: Database, summary: ArchiveSummary, last_runs: int) -> None:
    for name, value in inspection.totals(db).items():
        setattr(summary, name, value)
    summary.last_runs = [RunRow(*row) for row in inspection.last_runs(db, last_runs)]
    summary.problems.unfinished_reindex = inspection.unfinished_reindex(db)

    problems = summary.problems
    problems.unfinished_runs = inspection.unfinished_runs(db)
    problems.killed_runs = [run.id for run in reversed(summary.last_runs) if run.status == "killed"]
    problems.lost_captures, problems.lost_not_refetched = inspection.lost_capture_counts(db)
    states = inspection.captures_in_states(db, PROBLEM_STATES)
    problems.parse_errors, problems.unparsed = states.get("parse_error", 0), states.get("unparsed", 0)
    problems.unreachable_accounts = [f"{name} ({ident})" if name else ident
                                     for ident, name in inspection.unreachable_accounts(db)]
    if summary.last_runs:
        problems.last_run = summary.last_runs[0].id
        problems.blocked_last_run = summary.last_runs[0].blocked
        failures = inspection.failures_of_run(db, problems.last_run)
        if failures is not None:
            problems.fetch_failures_last_run = failures
            problems.failed_seeds_last_run = [f"{url} ({error}: {detail})" for url, error, detail
                                              in inspection.failed_seeds(db, problems.last_run)]
