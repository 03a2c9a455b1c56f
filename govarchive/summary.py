"""What an archive holds: the numbers ``make demo`` and ``govarchive summary`` print."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from govarchive.reindex import warc_files



@dataclass
class ArchiveSummary:
    accounts: int = 0
    accounts_by_platform: dict[str, int] = field(default_factory=dict)
    posts: int = 0
    posts_by_state: dict[str, int] = field(default_factory=dict)
    captures: int = 0
    revisits: int = 0
    warc_files: int = 0
    warc_bytes: int = 0
    accounts_by_status: dict[str, int] = field(default_factory=dict)
    notices: int = 0  # notices of accounts' own closures (one per named account)
    reports: int = 0  # reports about closures elsewhere
    migrations: int = 0
    migrations_resolved: int = 0  # with a target account in the archive
    runs: int = 0

    def lines(self) -> list[str]:
        platforms = ", ".join(f"{k} {v}" for k, v in sorted(self.accounts_by_platform.items()))
        states = ", ".join(f"{k} {v}" for k, v in sorted(self.posts_by_state.items()))
        return [
            f"accounts:      {self.accounts} ({platforms})",
            f"posts:         {self.posts} ({states})",
            f"captures:      {self.captures} ({self.revisits} revisits of already archived payloads)",
            f"WARC files:    {self.warc_files} ({self.warc_bytes:,} bytes)",
            f"statuses:      {', '.join(f'{k} {v}' for k, v in sorted(self.accounts_by_status.items())) or 'none'}",
            f"notices:       {self.notices} closure notices ({self.reports} reports about others)",
            f"successors:    {self.migrations} recorded, {self.migrations_resolved} resolved to archived accounts",
            f"runs:          {self.runs}",
        ]


def summarize(archive_dir: Path) -> ArchiveSummary:
    archive_dir = Path(archive_dir)
    summary = ArchiveSummary()
    files = warc_files(archive_dir / "warc")
    summary.warc_files, summary.warc_bytes = len(files), sum(p.stat().st_size for p in files)
    if not (archive_dir / "index.db").exists():
        return summary
    db = Database(str(archive_dir / "index.db"))
    try:
        one = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
        summary.accounts = one("select count(*) from accounts")
        summary.accounts_by_platform = dict(db.execute("select platform, count(*) from accounts group by platform").fetchall())
        summary.posts = one("select count(*) from posts")
        summary.posts_by_state = dict(db.execute("select state, count(*) from posts group by state").fetchall())
        summary.captures = one("select count(*) from captures")
        summary.revisits = one("select count(*) from captures where record_type = 'revisit'")
        summary.runs = one("select count(*) from runs")
        summary.accounts_by_status = dict(db.execute(
            "select coalesce(status, 'unknown'), count(*) from accounts group by 1").fetchall())
        summary.notices = one("select count(*) from notices where is_report = 0")
        summary.reports = one("select count(*) from notices where is_report = 1")
        summary.migrations = one("select count(*) from migrations")
        summary.migrations_resolved = one("select count(*) from migrations where target_account_id is not null")
    finally:
        db.close()
    return summary
