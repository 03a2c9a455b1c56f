"""``govarchive status``: an :class:`~govarchive.browse.summary.ArchiveSummary` as rich tables, for a person.

The data comes from :func:`govarchive.browse.summary.summarize` (also behind ``--json`` and ``govarchive
summary``); this module only lays it out. On a terminal the tables have colour; elsewhere rich
writes the same tables as plain text.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from rich import box
from rich.console import Console, RenderableType
from rich.filesize import decimal
from rich.table import Table
from rich.text import Text

from govarchive.browse.summary import ArchiveSummary, RunRow

# Statuses from the safest to the most urgent (govarchive/closure/lifecycle.py); 'unknown': not assessed yet.
STATUS_ORDER = ("active", "dormant", "zombie", "closing", "closed", "migrated", "unreachable", "unknown")
WIDTH_OFF_TERMINAL = 120  # no terminal limits a file or a pipe: do not squeeze the tables into 80 columns


def _time(value: str | None) -> str:
    """``2026-11-22T02:04:56.457934Z`` → ``2026-11-22 02:04:56``: seconds are enough to tell runs apart."""
    return value.replace("T", " ")[:19] if value else ""


def _table(title: str, *columns: str, right: tuple[str, ...] = ()) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold", box=box.SIMPLE_HEAD, pad_edge=False,
                  collapse_padding=True, show_edge=False)
    for column in columns:  # numbers never wrap; words fold rather than end in "…" on a narrow terminal
        table.add_column(column, justify="right" if column in right else "left", no_wrap=column in right,
                         overflow="fold")
    return table


def _n(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def overview(summary: ArchiveSummary) -> Text:
    return Text.assemble(
        ("archive ", "bold"), (summary.archive_dir, "bold cyan"), ": ",
        f"{_n(summary.accounts, 'account')}, {_n(summary.posts, 'post')}, {_n(summary.captures, 'capture')} "
        f"({_n(summary.revisits, 'revisit')}), {_n(summary.warc_files, 'WARC file')} "
        f"({decimal(summary.warc_bytes)}, {summary.warc_bytes:,} bytes), {_n(summary.runs, 'run')}; "
        f"index.db {decimal(summary.index_bytes)}, search.db {decimal(summary.search_bytes)}")


def accounts_table(summary: ArchiveSummary) -> Table:
    """Accounts by platform (rows) and status (columns, only those that occur), with totals."""
    statuses = sorted(summary.accounts_by_status, key=lambda s: (s not in STATUS_ORDER, STATUS_ORDER.index(s)
                                                                 if s in STATUS_ORDER else 0, s))
    table = _table("Accounts by platform and status", "platform", *statuses, "total",
                   right=(*statuses, "total"))
    for platform, total in sorted(summary.accounts_by_platform.items()):
        cells = (summary.accounts_by_status_platform.get(status, {}).get(platform) for status in statuses)
        table.add_row(platform, *(str(n) if n else "" for n in cells), str(total))
    table.add_section()
    table.add_row(Text("total", style="bold"), *(str(summary.accounts_by_status[s]) for s in statuses),
                  Text(str(summary.accounts), style="bold"))
    return table


def runs_table(summary: ArchiveSummary) -> Table:
    shown = len(summary.last_runs)
    title = "Last runs" if summary.runs <= shown else f"Last {shown} of {summary.runs} runs"
    table = _table(f"{title} (times UTC)", "run", "spider", "started", "finished", "status", "captures",
                   right=("captures",))
    table.columns[0].no_wrap = True  # a run id is looked up whole
    for column, width in zip(table.columns[1:5], (6, 10, 8, 8)):  # narrow terminal: dates wrap at the space
        column.min_width = width
    for run in summary.last_runs:
        started, finished = _time(run.started_at), _time(run.finished_at)
        if finished[:10] == started[:10]:
            finished = finished[11:]  # same day: the time is enough
        table.add_row(run.id, run.spider or "", started, finished, _status(run), str(run.captures))
    return table


def _status(run: RunRow) -> Text:
    if run.unfinished:
        return Text("killed?", style="bold red")
    if run.status == "killed":
        return Text("killed", style="bold red")
    if run.status == "fatal":
        return Text("fatal", style="bold red")
    return Text(run.status or "", style="green" if run.status in ("success", "finished") else "yellow")


def closures_table(summary: ArchiveSummary) -> Table:
    table = _table("Closures and migrations", "what", "count", right=("count",))
    for kind, count in sorted(summary.notices_by_kind.items()):
        table.add_row(f"notices: {kind}", str(count))
    table.add_row("notices (all kinds)", str(summary.notices))
    table.add_row("claims of reports (closures others report)", str(summary.reports))
    table.add_row("successors resolved to archived accounts", str(summary.migrations_resolved))
    table.add_row("successors not resolved yet", str(summary.migrations_unresolved))
    return table


def problem_lines(summary: ArchiveSummary) -> list[str]:
    """Each problem in one line, with what to do about it."""
    p = summary.problems
    lines = []
    if p.unfinished_runs:
        lines.append(f"{len(p.unfinished_runs)} run(s) left 'running' without a finish (killed, unless a "
                     f"crawl is running now): {', '.join(p.unfinished_runs)}; their indexed captures are "
                     "kept")
    if p.killed_runs:
        lines.append(f"{len(p.killed_runs)} of the last runs died without finishing (kill -9, a crash, a power "
                     f"loss): {', '.join(p.killed_runs)}; the next crawl recovered the archive and kept what they "
                     "indexed (docs/recovery.md)")
    if p.lost_not_refetched:
        lines.append(f"{p.lost_not_refetched} of {p.lost_captures} capture(s) lost to a kill or a power loss are not "
                     "archived again yet (their URLs are in lost_captures); re-queued posts are fetched by the next "
                     "crawl, media only when their post is")
    if p.open_warc_files:
        lines.append(f"{len(p.open_warc_files)} WARC file(s) left open: {', '.join(p.open_warc_files)}; "
                     "the next crawl repairs and closes them")
    if p.parse_errors:
        lines.append(f"{p.parse_errors} capture(s) in state parse_error (a parser failed; the captures are "
                     "kept): fix the parser, then run `govarchive reindex`")
    if p.unparsed:
        lines.append(f"{p.unparsed} capture(s) in state unparsed (no parser understood the page)")
    if p.unreachable_accounts:
        shown = ", ".join(p.unreachable_accounts[:5]) + (", …" if len(p.unreachable_accounts) > 5 else "")
        lines.append(f"{len(p.unreachable_accounts)} account(s) unreachable in their last check: {shown}")
    if p.blocked_last_run:
        lines.append(f"{p.blocked_last_run} block page(s) (captcha, rate limit) in the last run "
                     f"{p.last_run}: nothing blocked was recorded as deleted; crawl again later")
    if p.search_backlog:
        lines.append(f"{p.search_backlog} change(s) of posts or accounts not searchable yet (search_queue): a crawl is "
                     "writing them now, or one was killed and the next crawl catches up")
    if p.search_db:
        lines.append(p.search_db)
    if p.unfinished_reindex:
        lines.append(f"a reindex stopped before reading every page (at {p.unfinished_reindex}): the captures are all "
                     "indexed, some pages' accounts and posts are missing; run `govarchive reindex` to finish it")
    if p.failed_seeds_last_run:
        shown = "; ".join(p.failed_seeds_last_run[:5]) + ("; …" if len(p.failed_seeds_last_run) > 5 else "")
        lines.append(f"{len(p.failed_seeds_last_run)} start URL(s) of the last run answered an HTTP error or never "
                     f"answered: {shown}: check the URLs (a site may have moved them), then crawl again")
    if p.fetch_failures_last_run:
        kinds = ", ".join(f"{error} {n}" for error, n in p.fetch_failures_last_run.items())
        lines.append(f"{sum(p.fetch_failures_last_run.values())} request(s) of the last run gave no page ({kinds}): "
                     "their URLs and reasons are in fetch_failures; the next run requests their accounts first")
    return lines


def problems_table(summary: ArchiveSummary) -> RenderableType:
    lines = problem_lines(summary)
    if not lines:
        return Text("Problems: none found", style="bold green")
    table = _table("Problems", "", "what to do")
    table.show_header = False
    for line in lines:
        table.add_row(Text("!", style="bold red"), line)
    return table


def render_status(summary: ArchiveSummary) -> Iterator[RenderableType]:
    """The status report, section by section."""
    yield overview(summary)
    yield accounts_table(summary)
    yield runs_table(summary)
    yield closures_table(summary)
    yield problems_table(summary)


def print_status(summary: ArchiveSummary, console: Console | None = None) -> None:
    if console is None:
        console = Console()
        if not console.is_terminal and "COLUMNS" not in os.environ:
            console.width = max(console.width, WIDTH_OFF_TERMINAL)
    for part in render_status(summary):
        console.print(part)
        console.print()
