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
from govarchive.browse.status import STATUS_ORDER, problem_lines
from govarchive.browse.summary import ArchiveSummary, summarize
from govarchive.index.records import AT_RISK, canned_query_rows, most_at_risk, recent_closures

RUNS = 5  # runs listed
__all__ = ["AT_RISK", "closures_by_month", "most_at_risk", "overview", "recent_closures"]


def overview(index_db: Path) -> dict[str, Any]:
    """Totals, accounts by status, the last runs and the problems: ``govarchive status``'s own data."""
    summary: ArchiveSummary = summarize(Path(index_db).parent, last_runs=RUNS, index_db=Path(index_db))
    statuses = sorted(summary.accounts_by_status.items(),
                      key=lambda item: STATUS_ORDER.index(item[0]) if item[0] in STATUS_ORDER else len(STATUS_ORDER))
    return {"summary": summary, "statuses": statuses, "problems": problem_lines(summary)}


def closures_by_month(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """The ``closures_by_month`` canned query's rows, from its own SQL (what the chart draws is what the
    query page lists)."""
    return canned_query_rows(conn, QUERIES["closures_by_month"][2])
