"""The home page for archivists: what the archive holds and what needs attention, one screen.

Each section is one function over the index (a read-only connection Datasette gives): accounts by
status, the newest closures and migrations with their successors, the accounts most at risk, and
closures by month (the ``closures_by_month`` canned query's own SQL, drawn by :mod:`.chart`). The runs,
the totals and the problems are :func:`govarchive.browse.summary.summarize` and
:func:`govarchive.browse.status.problem_lines`, exactly what ``govarchive status`` prints. The template
(``templates/index.html``) adds the search box, the "I have an old link" box and the tables.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from govarchive.browse.queries import QUERIES
from govarchive.browse.records import rows
from govarchive.browse.status import STATUS_ORDER, problem_lines
from govarchive.browse.summary import ArchiveSummary, summarize

RECENT = 12  # closures and migrations listed
AT_RISK = 10  # accounts most at risk listed
RUNS = 5  # runs listed


def overview(index_db: Path) -> dict[str, Any]:
    """Totals, accounts by status, the last runs and the problems: ``govarchive status``'s own data."""
    summary: ArchiveSummary = summarize(Path(index_db).parent, last_runs=RUNS, index_db=Path(index_db))
    statuses = sorted(summary.accounts_by_status.items(),
                      key=lambda item: STATUS_ORDER.index(item[0]) if item[0] in STATUS_ORDER else len(STATUS_ORDER))
    return {"summary": summary, "statuses": statuses, "problems": problem_lines(summary)}


def recent_closures(conn: sqlite3.Connection, limit: int = RECENT) -> list[dict[str, Any]]:
    """The newest closure notices (an account's own or its portal's), reports' claims (marked as reported,
    with their source) and moves the platforms made, by the date they take effect, each with its successors."""
    events = rows(conn, """
        select * from (
          select 'notice' as source, n.id, n.account_id, a.name, a.platform, a.status, n.kind,
                 coalesce(n.effective_at, n.announced_at) as happens_at, n.announced_at, n.capture_id, n.excerpt
          from notices n join accounts a on a.id = n.account_id where n.is_report = 0
          union all
          select 'claim', c.id, c.account_id, a.name, a.platform, a.status, c.kind,
                 coalesce(c.effective_at, c.claimed_at), c.claimed_at, c.capture_id, c.excerpt
          from claims c join accounts a on a.id = c.account_id
          union all
          select 'platform', m.id, m.from_account_id, a.name, a.platform, a.status, 'migration',
                 substr(coalesce(a.status_changed_at, m.recorded_at), 1, 10), null, a.capture_id, m.evidence
          from migrations m join accounts a on a.id = m.from_account_id where m.source = 'platform'
        ) order by happens_at desc, name limit ?""", [limit])
    for event in events:
        where = {"notice": "m.notice_id = ?", "claim": "m.claim_id = ?"}.get(event["source"], "m.id = ?")
        if event["source"] == "claim":
            event["report"] = next(iter(rows(conn, "select p.id, p.title, p.url from claims c join posts p on "
                                                   "p.id = c.post_id where c.id = ?", [event["id"]])), None)
        event["successors"] = rows(conn, f"""
            select m.target_name, m.target_platform, m.target_account_id, t.name as target_account_name,
                   t.status as target_status
            from migrations m left join accounts t on t.id = m.target_account_id
            where {where} order by m.confidence desc, m.target_name""", [event["id"]])
    return events


def most_at_risk(conn: sqlite3.Connection, limit: int = AT_RISK) -> list[dict[str, Any]]:
    """The accounts the next crawl starts with (``accounts.risk``, highest first)."""
    return rows(conn, """
        select id, name, platform, agency, status, status_reason, risk, last_post_at from accounts
        where risk > 0 order by risk desc, name, id limit ?""", [limit])


def closures_by_month(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """The ``closures_by_month`` canned query's rows, from its own SQL (what the chart draws is what the
    query page lists)."""
    return rows(conn, QUERIES["closures_by_month"][2])
