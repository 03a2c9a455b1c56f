"""What an archive holds: the numbers ``make demo`` and ``govarchive summary`` print."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from govarchive.reindex import warc_files

# Until closure notices are parsed (notices table), a title naming a closure counts as one seen.
CLOSURE_TITLE = re.compile(r"关停|停更|停止更新|停止运营|注销|迁移|整合|关闭")
CLOSURE_STATES = ("account_cancelled", "account_blocked", "migrated", "migrating", "recycled")


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
    closures: int = 0
    runs: int = 0

    def lines(self) -> list[str]:
        platforms = ", ".join(f"{k} {v}" for k, v in sorted(self.accounts_by_platform.items()))
        states = ", ".join(f"{k} {v}" for k, v in sorted(self.posts_by_state.items()))
        return [
            f"accounts:      {self.accounts} ({platforms})",
            f"posts:         {self.posts} ({states})",
            f"captures:      {self.captures} ({self.revisits} revisits of already archived payloads)",
            f"WARC files:    {self.warc_files} ({self.warc_bytes:,} bytes)",
            f"closures seen: {self.closures}",
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
        titles = [row[0] for row in db.execute("select title from posts where title is not null")]
        closed = one("select count(distinct url) from captures where page_state in (%s)"
                     % ",".join(f"'{s}'" for s in CLOSURE_STATES))
        summary.closures = sum(1 for t in titles if CLOSURE_TITLE.search(t)) + closed
    finally:
        db.close()
    return summary
