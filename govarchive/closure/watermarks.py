"""Per-account watermarks: how far each account has been archived cleanly (the weiboSpider lesson).

At the end of every run (:func:`govarchive.closure.lifecycle.analyse`), for each account whose pages the run
checked (``account_checks``):

- crawled cleanly (every page of it answered, none blocked or failed, and no fetch for it, a post or
  an image, failed: ``fetch_failures``): its watermark moves to its
  newest archived post (id and publication time), never backwards, and any failed window of it
  still open is closed (``retried_by_run``);
- some page of it blocked or failed: the watermark stays where it was, and the window from the
  watermark to the run's start is recorded in ``failed_windows``, open until a clean run. The next
  run requests accounts with an open window first (:func:`govarchive.closure.lifecycle.crawl_order`).

Accounts the run did not reach are left alone: a run stopped early moves nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from govarchive.index.store import Index
from govarchive.index.transactions import write_transaction


@dataclass
class WatermarkReport:
    advanced: int = 0
    failed: int = 0
    retried: int = 0


def update_watermarks(index: Index, run_id: str, moment: str) -> WatermarkReport:
    db = index.db
    report = WatermarkReport()
    started = db.execute("select started_at from runs where id = ?", [run_id]).fetchone()
    until = started[0] if started else moment
    checks = db.execute("select account_id, ok_pages, failed_pages, page_state from account_checks "
                        "where run_id = ?", [run_id]).fetchall()
    failed = set(index.failed_accounts(run_id))  # also a post or an image of it that could not be fetched
    with write_transaction(db):
        for account_id, ok_pages, failed_pages, page_state in checks:
            current = db.execute("select last_post_at from watermarks where account_id = ?", [account_id]).fetchone()
            if account_id in failed or not ok_pages:
                report.failed += db.execute(
                    "insert or ignore into failed_windows (account_id, run_id, since, until, ok_pages, failed_pages, "
                    "page_state, recorded_at) values (?, ?, ?, ?, ?, ?, ?, ?)",
                    [account_id, run_id, current[0] if current else None, until, ok_pages or 0, failed_pages or 0,
                     page_state, moment]).rowcount
                continue
            report.retried += db.execute("update failed_windows set retried_by_run = ? where account_id = ? "
                                         "and retried_by_run is null and run_id != ?",
                                         [run_id, account_id, run_id]).rowcount
            newest = db.execute("select id, published_at from posts where account_id = ? and published_at is not null "
                                "order by published_at desc, id desc limit 1", [account_id]).fetchone()
            if newest is None or (current and current[0] and current[0] >= newest[1]):
                continue
            db.execute("insert into watermarks (account_id, last_post_id, last_post_at, run_id, advanced_at) "
                       "values (?, ?, ?, ?, ?) on conflict(account_id) do update set last_post_id = excluded.last_post_id, "
                       "last_post_at = excluded.last_post_at, run_id = excluded.run_id, advanced_at = excluded.advanced_at",
                       [account_id, newest[0], newest[1], run_id, moment])
            report.advanced += 1
    return report
