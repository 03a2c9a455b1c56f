"""How a crawl ended, as the exit code of ``govarchive crawl`` and ``govarchive demo``.

A scheduler acts on the code alone, so each one means one thing to do:

======  ========  =======================================================================================
code    name      when
======  ========  =======================================================================================
0       success   the run finished and everything it set out to archive answered
3       partial   the run finished (or a ``CLOSESPIDER_*`` limit stopped it), but something is missing:
                  a start URL (a seed) that answered an HTTP error (4xx, 5xx) or never answered,
                  an account whose own pages were blocked or failed in this run (``account_checks``
                  rows of the run with ``failed_pages > 0``: the same rule keeps its watermark back and
                  opens a failed window, so the next run retries it), a download given up after every
                  retry (stat ``retry/max_reached``), a fetch that gave no page at all (a timeout, a reset,
                  a redirect loop, a body past the size limits: ``fetch_failures``), or a page whose parsing raised
                  (``spider_exceptions/count``; its capture is in the WARC, a ``reindex`` reads it again)
73      locked    another run holds the archive (govarchive/warc/lock.py), or a killed reindex is not finished
                  (finish reason ``reindex_unfinished``: run ``govarchive reindex`` first); nothing was written
75      blocked   a platform blocked the crawl (finish reason ``blocked``): run again later
1       fatal     a full disk (finish reason ``disk_full``, govarchive/core/storage.py: a clean stop, nothing
                  archived before is lost; or at the run's end, stat ``govarchive/storage_error``: every capture
                  indexed, not the run's row or its analysis), any other finish reason (``shutdown`` after Ctrl-C or SIGTERM,
                  ``cancelled``, …), a run
                  that archived nothing at all, or an error before or during the run
======  ========  =======================================================================================

(``2`` is a usage mistake: nothing started.) :func:`decide` is the rule, over :class:`RunFacts`
gathered by :func:`run_facts` from the run's stats and the index. The outcome's name is also the run's
``runs.status`` (written by the index pipeline at the end of the run, whoever started it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govarchive.core.failures import HTTP_ERROR
from govarchive.core.storage import DISK_FULL, STORAGE_ERROR_STAT
from govarchive.index.inspection import failed_accounts_of_run
from govarchive.warc.lock import LOCKED
from govarchive.warc.reindexing import REINDEX_UNFINISHED

EXIT_OK = 0
EXIT_FATAL = 1
EXIT_PARTIAL = 3
EXIT_LOCKED = 73  # EX_CANTCREAT: the archive cannot be written now, another run holds it
EXIT_BLOCKED = 75  # EX_TEMPFAIL: a platform blocked the crawl; try again later

FINISHED = "finished"
BLOCKED = "blocked"  # govarchive.crawl.spider.BLOCKED
EARLY_STOP_PREFIX = "closespider_"  # CLOSESPIDER_TIMEOUT, _ITEMCOUNT…: a limit the operator set
SHOWN_ACCOUNTS = 5  # account ids named in the partial line
FETCH_FAILURES_STAT = "govarchive/fetch_failures"  # and …/<error>: counted by the spider (govarchive/core/failures.py)
ROBOTS_ERRORS_STAT = "robotstxt/exception_count/"  # Scrapy's: robots.txt downloads that failed
FAILED_SEEDS_STAT = "govarchive/failed_seeds"  # start URLs that answered an HTTP error or never answered
OUTCOMES = ("success", "partial", "blocked", "fatal")  # the runs.status of a finished run (locked runs write none)


@dataclass(frozen=True)
class RunFacts:
    """What the exit code is decided from."""

    finish_reason: str | None
    captures: int = 0  # HTTP exchanges archived by the run
    failed_accounts: tuple[str, ...] = ()  # accounts whose own pages were blocked or failed in the run
    downloads_given_up: int = 0  # requests that failed after every retry
    spider_errors: int = 0  # pages whose parsing raised
    fetch_failures: tuple[tuple[str, int], ...] = ()  # (error, count) of fetches that gave no page (fetch_failures)
    blocked_pages: int = 0
    locked_by: str = ""  # who held the archive, when refused
    failed_seeds: int = 0  # start URLs that answered an HTTP error or never answered (also in fetch_failures)
    storage_error: str = ""  # what the disk refused, during the run or at its end (govarchive/core/storage.py)

    @classmethod
    def from_stats(cls, stats: Mapping[str, Any], failed_accounts: tuple[str, ...] = ()) -> RunFacts:
        def number(key: str) -> int:
            try:
                return int(stats.get(key) or 0)
            except (TypeError, ValueError):
                return 0

        prefix = FETCH_FAILURES_STAT + "/"
        failures = tuple(sorted((key[len(prefix):], number(key)) for key in stats if key.startswith(prefix)))
        # a robots.txt given up on is not what the run set out to archive (its pages are requested anyway)
        robots = sum(number(key) for key in stats if key.startswith(ROBOTS_ERRORS_STAT))
        return cls(stats.get("finish_reason"), number("govarchive/captures"), tuple(failed_accounts),
                   max(0, number("retry/max_reached") - robots), number("spider_exceptions/count"), failures,
                   number("govarchive/blocked"), str(stats.get("govarchive/locked_by") or ""),
                   number(FAILED_SEEDS_STAT), str(stats.get(STORAGE_ERROR_STAT) or ""))


@dataclass(frozen=True)
class Outcome:
    code: int
    name: str  # success, partial, locked, blocked, fatal
    reasons: tuple[str, ...] = ()

    def line(self) -> str:
        """One line for the operator (and cron's mail): what happened, what to do, the code."""
        what = {
            "success": "the run finished",
            "partial": "partial run: " + "; ".join(self.reasons) + ": the next run retries them",
            "locked": "; ".join(self.reasons),
            "blocked": "; ".join(self.reasons) + ": nothing blocked was recorded as deleted; run again later",
            "fatal": "the run failed: " + "; ".join(self.reasons),
        }[self.name]
        return f"{what} (exit code {self.code})"


def decide(facts: RunFacts) -> Outcome:
    """The exit code of a run (the table in this module's docstring)."""
    reason = facts.finish_reason
    if reason == LOCKED:
        holder = facts.locked_by or "another run"
        return Outcome(EXIT_LOCKED, "locked", (f"the archive is in use by {holder}, so this run wrote "
                                               "nothing: wait for it to end, then run again",))
    if reason == REINDEX_UNFINISHED:
        return Outcome(EXIT_LOCKED, "locked", ("a reindex of this archive stopped before reading every page, so this "
                                               "run wrote nothing: run `govarchive reindex` to finish it, then crawl",))
    if reason == BLOCKED:
        blocked = f"a platform blocked the crawl ({facts.blocked_pages} block pages)"
        return Outcome(EXIT_BLOCKED, "blocked", (blocked,))
    if reason == DISK_FULL:
        return Outcome(EXIT_FATAL, "fatal", ("the disk refused a write (full, a quota or a file size limit): the "
                                             "crawl stopped cleanly and kept everything archived before; free some "
                                             "space, then run again",))
    if facts.storage_error:  # the pages were all fetched and archived, but not the run's end
        return Outcome(EXIT_FATAL, "fatal", ("the disk refused a write (full, a quota or a file size limit) at the "
                                             "run's end: every capture is archived and indexed, not the run's end "
                                             "(its row, the closure analysis); free some space, then run "
                                             "`govarchive analyse`",))
    if reason != FINISHED and not (reason or "").startswith(EARLY_STOP_PREFIX):
        return Outcome(EXIT_FATAL, "fatal", (f"it ended with finish reason {reason or 'none'!r}",))
    if facts.captures == 0:
        return Outcome(EXIT_FATAL, "fatal", ("it archived nothing: every download failed or nothing was "
                                             "requested",))
    problems = []
    if reason != FINISHED:
        problems.append(f"stopped early by a limit ({reason})")
    if facts.failed_accounts:
        accounts = facts.failed_accounts
        shown = ", ".join(accounts[:SHOWN_ACCOUNTS])
        more = f" and {len(accounts) - SHOWN_ACCOUNTS} more" if len(accounts) > SHOWN_ACCOUNTS else ""
        problems.append(f"{_count(len(accounts), 'account')} with blocked or failed pages ({shown}{more})")
    if facts.downloads_given_up:
        problems.append(f"{_count(facts.downloads_given_up, 'download')} given up after every retry")
    if facts.failed_seeds:
        problems.append(f"{_count(facts.failed_seeds, 'start URL')} that answered an HTTP error or never answered "
                        "(see fetch_failures)")
    others = sum(n for _, n in facts.fetch_failures) - facts.failed_seeds
    if others > 0:
        kinds = ", ".join(f"{error} {n}" for error, n in facts.fetch_failures if error != HTTP_ERROR)
        problems.append(f"{_count(others, 'request')} that gave no page ({kinds}; see fetch_failures)")
    if facts.spider_errors:
        problems.append(f"{_count(facts.spider_errors, 'page')} whose parsing failed (see the log)")
    if problems:
        return Outcome(EXIT_PARTIAL, "partial", tuple(problems))
    return Outcome(EXIT_OK, "success")


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def failed_accounts(index_db: Path, run_id: str | None) -> tuple[str, ...]:
    """Accounts whose own pages were blocked or failed in the run (read-only; no index: none)."""
    if not run_id or not Path(index_db).is_file():
        return ()
    return failed_accounts_of_run(index_db, run_id)


def run_facts(stats: Mapping[str, Any], archive_dir: Path, run_id: str | None) -> RunFacts:
    """The facts of a finished run: its stats, and what the index recorded about it."""
    if stats.get("finish_reason") == LOCKED:  # the index is the other run's
        return RunFacts.from_stats(stats)
    return RunFacts.from_stats(stats, failed_accounts(Path(archive_dir) / "index.db", run_id))


def crawl_outcome(stats: Mapping[str, Any], archive_dir: Path, run_id: str | None) -> Outcome:
    return decide(run_facts(stats, archive_dir, run_id))


def run_status(stats: Mapping[str, Any], reason: str, archive_dir: Path, run_id: str) -> str:
    """``runs.status`` of a run that ended with ``reason``: its outcome's name (:data:`OUTCOMES`), the same
    rule as the exit code, written by the pipelines at the end of the run (also under plain ``scrapy crawl``)."""
    return crawl_outcome({**stats, "finish_reason": stats.get("finish_reason") or reason}, archive_dir, run_id).name
