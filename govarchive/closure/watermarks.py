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

from govarchive.index import statuses
from govarchive.index.store import Index


@dataclass
class WatermarkReport:
    advanced: int = 0
    failed: int = 0
    retried: int = 0


def update_watermarks(index: Index, run_id: str, moment: str) -> WatermarkReport:
    report = WatermarkReport()
    until = statuses.run_started_at(index, run_id) or moment
    checks = statuses.checks_of_run(index, run_id)
    failed = set(index.failed_accounts(run_id))  # also a post or an image of it that could not be fetched
    with index.transaction():
        for account_id, ok_pages, failed_pages, page_state in checks:
            current = statuses.watermark_of(index, account_id)
            if account_id in failed or not ok_pages:
                report.failed += statuses.record_failed_window(index, account_id, run_id, current, until,
                                                               ok_pages or 0, failed_pages or 0, page_state, moment)
                continue
            report.retried += statuses.close_failed_windows(index, account_id, run_id)
            newest = statuses.newest_dated_post(index, account_id)
            if newest is None or (current and current >= newest[1]):
                continue
            statuses.advance_watermark(index, account_id, newest[0], newest[1], run_id, moment)
            report.advanced += 1
    return report
