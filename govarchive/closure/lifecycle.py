"""Lifecycle status of accounts, computed from evidence, and the analysis a crawl ends with.

``accounts.status`` is one of:

- ``closed``: the platform's own page says the account is gone (自主注销, 封禁, 系统回收), or its pages
  were missing in ``closed_after_runs`` consecutive runs after having been seen; never from one failure;
- ``migrated``: the platform moved it (transferTargetLink), or its own migration notice took effect;
- ``unreachable``: every check of its own pages in the latest run was blocked or failed;
- ``closing``: a notice of its own (or of its portal) says it closes, stops updating or merges;
- a report's claim (``claims``: news, a work report, a re-post saying the account closed, merged,
  migrated or stopped) counts only where no platform page, no notice and no post says otherwise: it
  never outranks them, and a claim is set aside when the archive saw the account active after the
  claim's date (a post published, or for a closure its own page answering, after it);
- ``zombie``: its own page was seen and it never posted;
- ``dormant``: no post for more than ``dormant_days`` (14, the provincial red line), or a suspension;
- ``active``: posted within ``dormant_days``.

An account only listed in a directory and never crawled has no status (NULL) until evidence comes.
Each change is kept in ``status_history`` with the reason and the evidence capture, and
``accounts.risk`` (0–100) orders the next crawl: the most endangered accounts first.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from govarchive.closure.notices import (
    merge_provisional_accounts,
    record_notices,
    record_platform_moves,
    resolve_targets,
)
from govarchive.closure.readahead import Readings
from govarchive.closure.watermarks import WatermarkReport, update_watermarks
from govarchive.core.config import DEFAULT_CONFIG
from govarchive.index import findings, statuses
from govarchive.index.store import FAILED_CHECK_STATES, FETCH_FAILED, Index

STATUSES = ("active", "dormant", "zombie", "closing", "closed", "migrated", "unreachable")
CLOSED_STATES = ("account_cancelled", "account_blocked", "recycled")  # the platform's own closure pages
MISSING_STATES = ("empty", "not_found", "gone")  # absent; closed only after several runs
LEAVING_KINDS = ("closure", "stop_updating", "merger", "migration")
# Platforms whose posts the crawl archives: only there does "no post" mean "never posted" (zombie).
# the stat holding the moment a run's statuses were judged at (kept in runs.stats; `govarchive analyse` judges at
# the newest run's moment by default, so an archive reads the same as its last crawl left it)
AS_OF_STAT = "govarchive/analysis/as_of"
POSTING_PLATFORMS = ("wechat", "weibo", "website", "feed")


@dataclass(frozen=True)
class Verdict:
    status: str | None
    reason: str
    capture_id: str | None = None


@dataclass
class Analysis:
    """What one analysis pass did (printed after a crawl, returned by ``govarchive analyse``)."""

    merged: list[tuple[str, str]] = field(default_factory=list)
    notices: int = 0
    claims: int = 0
    platform_moves: int = 0
    resolved_targets: int = 0
    status_changes: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    watermarks: WatermarkReport = field(default_factory=WatermarkReport)

    def lines(self) -> list[str]:
        counts = ", ".join(f"{status} {n}" for status, n in sorted(self.statuses.items())) or "none"
        return [f"accounts by status: {counts}",
                f"this pass: notices found: {self.notices}; reports' claims: {self.claims}; "
                f"platform moves: {self.platform_moves}; "
                f"successors newly resolved: {self.resolved_targets}; status changes: {self.status_changes}; "
                f"provisional accounts merged: {len(self.merged)}",
                f"watermarks advanced: {self.watermarks.advanced}; failed windows recorded: {self.watermarks.failed} "
                f"(retried cleanly: {self.watermarks.retried})"]


def analyse(index: Index, as_of: datetime, run_id: str | None = None,
            dormant_days: int = DEFAULT_CONFIG.dormant_days,
            closed_after_runs: int = DEFAULT_CONFIG.closed_after_runs, readings: Readings | None = None) -> Analysis:
    """Merge provisional ids, detect notices (in this run's posts, or all), record moves, resolve targets,
    recompute every account's status and risk. ``readings``: posts the detector read ahead
    (govarchive/closure/readahead.py)."""
    stamp = as_of.isoformat(timespec="seconds")
    result = Analysis()
    result.merged = merge_provisional_accounts(index, stamp)
    # this run's posts, and those of runs that never finished (killed before their analysis)
    where, params = findings.posts_of_run(run_id)
    record_notices(index, where, params, detected_at=stamp, readings=readings)
    result.notices, result.claims = findings.findings_detected_at(index, stamp)
    result.platform_moves = record_platform_moves(index, stamp)
    result.resolved_targets = resolve_targets(index)
    result.status_changes = update_statuses(index, as_of, run_id, dormant_days, closed_after_runs)
    if run_id:
        result.watermarks = update_watermarks(index, run_id, stamp)
    result.statuses = Counter(statuses.accounts_by_status(index))
    return result


def last_judgement(index: Index) -> tuple[datetime, str] | None:
    """The moment the newest finished run judged statuses at, and its id (None: no run recorded one).

    Runs keep it in their stats (``govarchive/analysis/as_of``: ``GOVARCHIVE_AS_OF``, else the run's start);
    older runs give their start."""

    row = statuses.newest_judged_run(index, AS_OF_STAT)
    if row is None:
        return None
    for moment in (row[2], row[1]):
        try:
            return datetime.fromisoformat(str(moment).replace("Z", "+00:00")), row[0]
        except ValueError:
            continue
    return None


def update_statuses(index: Index, as_of: datetime, run_id: str | None,
                    dormant_days: int = DEFAULT_CONFIG.dormant_days,
                    closed_after_runs: int = DEFAULT_CONFIG.closed_after_runs) -> int:
    stamp = as_of.isoformat(timespec="seconds")
    changes = 0
    accounts = statuses.accounts_to_judge(index)
    with index.transaction():
        for account in accounts:
            verdict = judge(index, account, as_of, dormant_days, closed_after_runs)
            risk = risk_of(index, account["id"], verdict, account["followers"], as_of)
            if verdict.status != account["status"]:
                index.record_status("accounts", account["id"], account["status"], verdict.status, verdict.reason,
                                    verdict.capture_id, stamp, run_id)
                statuses.set_status(index, account["id"], verdict.status, verdict.reason, stamp, risk)
                changes += 1
            else:
                statuses.confirm_status(index, account["id"], verdict.reason, risk)
    return changes


def judge(index: Index, account: dict[str, Any], as_of: datetime, dormant_days: int = DEFAULT_CONFIG.dormant_days,
          closed_after_runs: int = DEFAULT_CONFIG.closed_after_runs) -> Verdict:
    """The status the evidence supports, with the reason a person can check."""
    account_id = account["id"]
    checks = statuses.checks_of(index, account_id)
    if checks and checks[0][0] in CLOSED_STATES:
        return Verdict("closed", f"the platform's page says {checks[0][0]} ({checks[0][2][:10]})", checks[0][1])
    if account["moved_to"]:
        return Verdict("migrated", f"the platform moved it to {account['moved_to']}", account["capture_id"])
    missing = 0
    for state, *_ in checks:
        if state not in MISSING_STATES:
            break
        missing += 1
    seen_before = any(state == "ok" for state, *_ in checks[missing:])
    if missing >= closed_after_runs and seen_before:
        return Verdict("closed", f"missing in {missing} consecutive runs (since {checks[missing - 1][2][:10]})",
                       checks[0][1])
    if checks and checks[0][3] == 0 and checks[0][4] > 0 and checks[0][0] in FAILED_CHECK_STATES:
        how = "could not be fetched (fetch_failures says why)" if checks[0][0] == FETCH_FAILED \
            else f"answered {checks[0][0]}"
        return Verdict("unreachable", f"its pages {how} on {checks[0][2][:10]}", checks[0][1])
    notice = statuses.latest_own_notice(index, account_id)
    today = as_of.date().isoformat()
    if notice and notice[0] in LEAVING_KINDS:
        kind, announced, effective, capture_id, _ = notice
        if kind in ("migration", "merger") and effective and effective <= today:
            return Verdict("migrated", f"{kind} notice of {announced} took effect on {effective}", capture_id)
        when = f"effective {effective}" + (" (passed; still online)" if effective and effective <= today else "") \
            if effective else "no effective date"
        note = f"; missing in {missing} run(s)" if missing and seen_before else ""
        return Verdict("closing", f"{kind} notice of {announced or '?'}, {when}{note}", capture_id)
    if notice and notice[0] == "suspension":
        return Verdict("dormant", f"suspension announced on {notice[1] or '?'}", notice[3])
    claimed = _claimed(index, account, checks, today)
    if claimed:
        return claimed
    seen_own_page = bool(account["profile_seen_at"]) or any(state == "ok" for state, *_ in checks)
    last_post = account["last_post_at"]
    if not last_post:
        posts = statuses.post_count(index, account_id)
        if seen_own_page and posts == 0 and account_id.split(":")[0] in POSTING_PLATFORMS:
            return Verdict("zombie", "its own page was seen and it has never posted", account["capture_id"])
        if not seen_own_page:
            return Verdict(None, "not crawled yet", None)
        if account_id.split(":")[0] not in POSTING_PLATFORMS:
            return Verdict(None, "its posts are not archived on this platform (profile only)", account["capture_id"])
        return Verdict(None, "no dated post yet", account["capture_id"])
    idle = as_of - _parse(last_post, as_of)
    if idle > timedelta(days=dormant_days):
        return Verdict("dormant", f"no post since {last_post[:10]} ({idle.days} days)", account["capture_id"])
    return Verdict("active", f"last post {last_post[:10]}", account["capture_id"])


CLAIMED_STATUS = {"closure": "closed", "merger": "migrated", "migration": "migrated", "stop_updating": "closing",
                  "suspension": "dormant"}


def _claimed(index: Index, account: dict[str, Any], checks: list[Any], today: str) -> Verdict | None:
    """The status reports' claims support, when nothing the archive saw contradicts them: the most
    believed claim (a quoted notice before a report), the newest first, set aside when the account posted
    after its date or (for a closure, merger or migration) its own page answered after it."""
    rows = statuses.claims_about(index, account["id"])
    last_post = (account["last_post_at"] or "")[:10]
    for kind, claimed_at, effective_at, capture_id, source, title, url in rows:
        since = effective_at or claimed_at or ""
        seen_ok = [checked[:10] for state, _, checked, *_ in checks if state == "ok"] + \
            ([account["profile_seen_at"][:10]] if account.get("profile_seen_at") else [])
        if since and (last_post > since or (kind in ("closure", "merger", "migration")
                                            and any(day > since for day in seen_ok))):
            continue  # the archive saw it active after the report's date
        status = CLAIMED_STATUS[kind]
        if effective_at and effective_at > today and status in ("closed", "migrated"):
            status = "closing"
        who = "quoting its owner's notice" if source == "quoted_notice" else "reported"
        when = f", effective {effective_at}" if effective_at else ""
        return Verdict(status, f"{who}: {kind}{when}, according to {title or url or 'a report'}, "
                               f"{claimed_at or 'undated'}", capture_id)
    return None


def risk_of(index: Index, account_id: str, verdict: Verdict, followers: int | None, as_of: datetime) -> int:
    """0–100: how urgently the account's content should be saved (closing soon, named in a notice, idle)."""
    if verdict.status in ("closed", "migrated"):
        return 5  # what is left may still be reachable for a while
    named = statuses.times_named(index, account_id)
    score = {"closing": 60, "dormant": 25, "unreachable": 15, "zombie": 10}.get(verdict.status or "", 0)
    if verdict.status == "closing":
        effective = statuses.earliest_own_effective_date(index, account_id)
        if effective and effective <= (as_of + timedelta(days=30)).date().isoformat():
            score += 25
    if named:
        score += 10
    if followers is not None and followers < 1000:
        score += 5
    return min(score, 100)


def _parse(value: str, reference: datetime) -> datetime:
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None and reference.tzinfo is not None:
        parsed = parsed.replace(tzinfo=reference.tzinfo)
    return parsed


def crawl_order(index: Index) -> list[tuple[str, str, int]]:
    """(account id, url, risk) of accounts worth crawling first, most at risk first."""
    # accounts with a failed window still open come too: the last run could not archive them cleanly
    return statuses.crawl_order(index)
