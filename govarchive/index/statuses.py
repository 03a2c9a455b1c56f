"""The evidence an account's lifecycle status is judged from, and what the judgement writes back: statuses,
risks and per-account watermarks (govarchive/closure/lifecycle.py and watermarks.py decide; these functions
read and write ``index.db`` for them).
"""

from __future__ import annotations

from typing import Any

from govarchive.index.store import Index

ACCOUNT_FACTS = ("id", "status", "status_reason", "last_post_at", "moved_to", "profile_seen_at", "followers",
                 "capture_id")


# -- the evidence ----------------------------------------------------------------------------------------
def accounts_to_judge(index: Index) -> list[dict[str, Any]]:
    """Every account, with the columns its status is judged from (:data:`ACCOUNT_FACTS`)."""
    return [dict(zip(ACCOUNT_FACTS, row)) for row in index.db.execute(
        f"select {', '.join(ACCOUNT_FACTS)} from accounts").fetchall()]


def checks_of(index: Index, account_id: str) -> list[tuple]:
    """(page state, capture id, checked at, ok pages, failed pages) of each run's check of the account's own
    pages, newest first."""
    return index.db.execute(
        "select c.page_state, c.capture_id, c.checked_at, c.ok_pages, c.failed_pages from account_checks c "
        "join runs r on r.id = c.run_id where c.account_id = ? order by c.checked_at desc", [account_id]).fetchall()


def latest_own_notice(index: Index, account_id: str) -> tuple | None:
    """(kind, announced at, effective at, capture id, id) of the newest notice of the account's own (or its
    portal's; not a report)."""
    return index.db.execute(
        "select kind, announced_at, effective_at, capture_id, id from notices where account_id = ? and is_report = 0 "
        "order by coalesce(announced_at, '') desc limit 1", [account_id]).fetchone()


def claims_about(index: Index, account_id: str) -> list[tuple]:
    """(kind, claimed at, effective at, capture id, source, report's title, report's URL) of every report's claim
    about the account, the most believed first, then the newest."""
    return index.db.execute(
        "select c.kind, c.claimed_at, c.effective_at, c.capture_id, c.source, p.title, p.url from claims c "
        "left join posts p on p.id = c.post_id where c.account_id = ? "
        "order by c.confidence desc, coalesce(c.claimed_at, '') desc", [account_id]).fetchall()


def post_count(index: Index, account_id: str) -> int:
    return index.db.execute("select count(*) from posts where account_id = ?", [account_id]).fetchone()[0]


def times_named(index: Index, account_id: str) -> int:
    """How many notices and claims name the account."""
    return index.db.execute("select (select count(*) from notices where account_id = ?) + "
                            "(select count(*) from claims where account_id = ?)", [account_id, account_id]).fetchone()[0]


def earliest_own_effective_date(index: Index, account_id: str) -> str | None:
    """The earliest date a notice of the account's own says it takes effect."""
    return index.db.execute(
        "select min(effective_at) from notices where account_id = ? and is_report = 0", [account_id]).fetchone()[0]


def newest_judged_run(index: Index, as_of_stat: str) -> tuple[str, str, Any] | None:
    """(id, started at, the stat ``as_of_stat`` of its stats) of the newest finished run."""
    return index.db.execute("select id, started_at, json_extract(stats, ?) from runs where finished_at is not null "
                            "order by started_at desc, id desc limit 1", [f'$."{as_of_stat}"']).fetchone()


# -- the judgement -----------------------------------------------------------------------------------------
def set_status(index: Index, account_id: str, status: str | None, reason: str, changed_at: str, risk: int) -> None:
    """A new status (its reason, when it changed) and risk of the account; the change itself is kept by
    :meth:`~govarchive.index.store.Index.record_status`."""
    index.db.execute("update accounts set status = ?, status_reason = ?, status_changed_at = ?, risk = ? "
                     "where id = ?", [status, reason, changed_at, risk, account_id])


def confirm_status(index: Index, account_id: str, reason: str, risk: int) -> None:
    """The account's status stands: its reason and risk as judged now."""
    index.db.execute("update accounts set status_reason = ?, risk = ? where id = ?", [reason, risk, account_id])


def accounts_by_status(index: Index) -> dict[str, int]:
    """How many accounts have each status (``unknown``: none yet)."""
    return dict(index.db.execute("select coalesce(status, 'unknown'), count(*) from accounts group by 1").fetchall())


def crawl_order(index: Index) -> list[tuple[str, str, int]]:
    """(account id, url, priority) of accounts worth crawling first, most at risk first: a risk above 0, or a
    failed window still open (the last run could not archive them cleanly); never closed or migrated ones."""
    return [tuple(row) for row in index.db.execute(
        "select id, url, max(coalesce(risk, 0), case when id in (select account_id from failed_windows "
        "where retried_by_run is null) then 1 else 0 end) as priority from accounts where url is not null "
        "and (risk > 0 or id in (select account_id from failed_windows where retried_by_run is null)) "
        "and coalesce(status, '') not in ('closed', 'migrated') order by priority desc, id").fetchall()]


# -- watermarks --------------------------------------------------------------------------------------------
def run_started_at(index: Index, run_id: str) -> str | None:
    row = index.db.execute("select started_at from runs where id = ?", [run_id]).fetchone()
    return row[0] if row else None


def checks_of_run(index: Index, run_id: str) -> list[tuple[str, int, int, str | None]]:
    """(account id, ok pages, failed pages, page state) of every account the run checked."""
    return index.db.execute("select account_id, ok_pages, failed_pages, page_state from account_checks "
                            "where run_id = ?", [run_id]).fetchall()


def watermark_of(index: Index, account_id: str) -> str | None:
    """The publication time up to which the account is archived cleanly (None: no watermark)."""
    row = index.db.execute("select last_post_at from watermarks where account_id = ?", [account_id]).fetchone()
    return row[0] if row else None


def record_failed_window(index: Index, account_id: str, run_id: str, since: str | None, until: str, ok_pages: int,
                         failed_pages: int, page_state: str | None, recorded_at: str) -> int:
    """A window the run could not archive cleanly (once per account and run); 1 when it is new, else 0."""
    return index.db.execute(
        "insert or ignore into failed_windows (account_id, run_id, since, until, ok_pages, failed_pages, "
        "page_state, recorded_at) values (?, ?, ?, ?, ?, ?, ?, ?)",
        [account_id, run_id, since, until, ok_pages, failed_pages, page_state, recorded_at]).rowcount


def close_failed_windows(index: Index, account_id: str, run_id: str) -> int:
    """The account's open failed windows of other runs, retried cleanly by ``run_id``; how many."""
    return index.db.execute("update failed_windows set retried_by_run = ? where account_id = ? "
                            "and retried_by_run is null and run_id != ?", [run_id, account_id, run_id]).rowcount


def newest_dated_post(index: Index, account_id: str) -> tuple[str, str] | None:
    """(id, published at) of the account's newest post with a date."""
    return index.db.execute("select id, published_at from posts where account_id = ? and published_at is not null "
                            "order by published_at desc, id desc limit 1", [account_id]).fetchone()


def advance_watermark(index: Index, account_id: str, post_id: str, published_at: str, run_id: str,
                      moment: str) -> None:
    index.db.execute(
        "insert into watermarks (account_id, last_post_id, last_post_at, run_id, advanced_at) "
        "values (?, ?, ?, ?, ?) on conflict(account_id) do update set last_post_id = excluded.last_post_id, "
        "last_post_at = excluded.last_post_at, run_id = excluded.run_id, advanced_at = excluded.advanced_at",
        [account_id, post_id, published_at, run_id, moment])
