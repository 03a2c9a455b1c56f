"""Readable records: what the browsing pages show, read from the index (govarchive/browse/ lays them out).

A row page of ``accounts`` or ``posts`` in Datasette is one wide row of 20–27 columns. These functions
gather what a person reads instead, from the same index: for an account, its status and the history of
it, its notices, where its content went (and what moved to it), its posts, the archived copies of its
own page and the listings it was found on; for a post, its title, date, account, state, text, media and
archived copy, the notices read in it and every capture of its page. The templates
(``templates/govarchive_account.html``, ``govarchive_post.html``) lay them out; the row itself stays on
the page, folded, and as ``.json``.

The home page's sections (the newest closures with their successors, the accounts most at risk) and the
archived-copy viewer's lookups (a capture, the captures of a URL, what the index knows around a capture) are
read here too. Everything returned is plain data (dicts of the index's values); nothing here renders HTML.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any
from urllib.parse import urlsplit, urlunsplit

POSTS_SHOWN = 30  # newest posts listed on an account page (the table holds the rest)
RECENT = 12  # closures and migrations listed on the home page
AT_RISK = 10  # accounts most at risk listed on the home page
COPIES_SHOWN = 20  # archived copies of an account's page or a post's page


def rows(conn: sqlite3.Connection, sql: str, params: Any = ()) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def row(conn: sqlite3.Connection, sql: str, params: Any = ()) -> dict[str, Any] | None:
    found = rows(conn, sql, params)
    return found[0] if found else None


def _without_fragment(url: str | None) -> str:
    if not url:
        return ""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))


def _json(text: str | None, kind: type) -> Any:
    try:
        value = json.loads(text) if text else kind()
    except ValueError:
        return kind()
    return value if isinstance(value, kind) else kind()


# -- an account -----------------------------------------------------------------------------------
def account_record(conn: sqlite3.Connection, account_id: str) -> dict[str, Any] | None:
    """Everything the account page shows, or None when the index has no such account."""
    account = row(conn, "select * from accounts where id = ?", [account_id])
    if account is None:
        return None
    return {
        "account": account,
        "history": rows(conn, "select old_status, new_status, reason, capture_id, run_id, changed_at from status_history "
                              "where table_name = 'accounts' and row_id = ? order by changed_at desc, id desc",
                        [account_id]),
        "notices": notices_about(conn, account_id),
        "claims": claims_about(conn, account_id),
        "successors": successors_of(conn, account_id),
        "predecessors": rows(conn, """
            select m.from_account_id, f.name as from_name, f.platform as from_platform, f.status as from_status,
                   m.scope, m.evidence, m.confidence, m.source, n.capture_id as notice_capture_id
            from migrations m join accounts f on f.id = m.from_account_id left join notices n on n.id = m.notice_id
            where m.target_account_id = ? order by m.recorded_at desc, f.name""", [account_id]),
        "posts": rows(conn, """
            select id, title, substr(coalesce(clean_text, text, summary, ''), 1, 80) as opening, published_at, state,
                   kind, coalesce(archived_capture_id, capture_id) as copy_id
            from posts where account_id = ? order by published_at desc, id limit ?""", [account_id, POSTS_SHOWN]),
        "post_count": conn.execute("select count(*) from posts where account_id = ?", [account_id]).fetchone()[0],
        "post_states": rows(conn, "select state, count(*) as n from posts where account_id = ? group by state "
                                  "order by n desc", [account_id]),
        "copies": own_page_captures(conn, account),
        "listings": rows(conn, """
            select listing_url, max(listed_name) as listed_name, max(seen_at) as seen_at, min(seen_at) as first_seen,
                   (select capture_id from account_sources s2 where s2.account_id = s.account_id
                     and s2.listing_url = s.listing_url order by s2.seen_at desc limit 1) as capture_id
            from account_sources s where account_id = ? group by listing_url order by seen_at desc""", [account_id]),
        "aliases": rows(conn, "select alias_id, reason, merged_at from account_aliases where account_id = ? "
                              "order by merged_at", [account_id]),
    }


def notices_about(conn: sqlite3.Connection, account_id: str) -> list[dict[str, Any]]:
    """The closure notices about an account (its own, its portal's, and reports about it), newest first."""
    return rows(conn, """
        select n.id, n.kind, n.announced_at, n.effective_at, n.excerpt, n.is_report, n.named_as, n.capture_id,
               n.post_id, p.title as post_title, pa.name as post_account
        from notices n left join posts p on p.id = n.post_id left join accounts pa on pa.id = p.account_id
        where n.account_id = ? order by coalesce(n.effective_at, n.announced_at) desc, n.id""", [account_id])


def claims_about(conn: sqlite3.Connection, account_id: str) -> list[dict[str, Any]]:
    """What reports say about an account (``claims``): below its own notices, each with the report it comes from."""
    return rows(conn, """
        select c.id, c.kind, c.source, c.claimed_at, c.effective_at, c.excerpt, c.named_as, c.confidence,
               c.capture_id, c.post_id, p.title as post_title, p.url as post_url, pa.name as post_account,
               (select group_concat(coalesce(nullif(m.target_name, ''), '?') || ' (' || m.target_platform || ')', '; ')
                from migrations m where m.claim_id = c.id) as successors
        from claims c left join posts p on p.id = c.post_id left join accounts pa on pa.id = p.account_id
        where c.account_id = ? order by coalesce(c.effective_at, c.claimed_at) desc, c.id""", [account_id])


def successors_of(conn: sqlite3.Connection, account_id: str) -> list[dict[str, Any]]:
    """Where an account's content went: every successor a notice names or the platform made."""
    return rows(conn, """
        select m.target_name, m.target_platform, m.target_account_id, m.target_url, m.scope, m.evidence,
               m.confidence, m.is_class, m.resolved_by, m.source, m.notice_id,
               t.name as target_account_name, t.status as target_status, t.capture_id as target_capture_id,
               n.capture_id as notice_capture_id
        from migrations m left join accounts t on t.id = m.target_account_id left join notices n on n.id = m.notice_id
        where m.from_account_id = ? order by m.confidence desc, m.target_name""", [account_id])


def own_page_captures(conn: sqlite3.Connection, account: dict[str, Any]) -> list[dict[str, Any]]:
    """Archived copies of the account's own page: captures of its URL and each run's check of its pages."""
    return rows(conn, """
        select id, url, fetched_at, http_status, page_state, run_id from captures
        where id in (select id from captures where url in (?, ?)
                     union select capture_id from account_checks where account_id = ? and capture_id is not null)
        order by fetched_at desc limit ?""",
                [account["url"] or "", _without_fragment(account["url"]), account["id"], COPIES_SHOWN])


# -- a post ---------------------------------------------------------------------------------------
def post_record(conn: sqlite3.Connection, post_id: str) -> dict[str, Any] | None:
    """Everything the post page shows, or None when the index has no such post."""
    post = row(conn, "select * from posts where id = ?", [post_id])
    if post is None:
        return None
    body = post["clean_text"] or post["text"] or ""
    copy_id = post["archived_capture_id"] or post["capture_id"]
    summary = (post["summary"] or "").strip()
    return {
        "post": post,
        # the post's own summary, unless it is only the opening of its text (a page's Description meta often is)
        "summary": summary if summary and summary.rstrip("…. ") not in body else "",
        "paragraphs": [line.strip() for line in body.splitlines() if line.strip()],
        "account": row(conn, "select id, name, platform, status, status_reason, agency, region from accounts "
                             "where id = ?", [post["account_id"]]) if post["account_id"] else None,
        "archived": row(conn, "select id, url, fetched_at, http_status, page_state from captures where id = ?",
                    [copy_id]) if copy_id else None,
        "media": [item for item in _json(post["media"], list)
                  if isinstance(item, dict) and isinstance(item.get("url"), str)],
        "attributes": {str(k): str(v) for k, v in _json(post["attributes"], dict).items()
                       if isinstance(v, (str, int, float))},
        "captures": rows(conn, """
            select id, url, fetched_at, http_status, page_state, record_type from captures
            where url = ? or id in (?, ?) order by fetched_at desc limit ?""",
                         [post["url"] or "", post["capture_id"] or "", post["archived_capture_id"] or "", COPIES_SHOWN]),
        "history": rows(conn, "select old_status, new_status, reason, capture_id, changed_at from status_history "
                              "where table_name = 'posts' and row_id = ? order by changed_at desc, id desc", [post_id]),
        "notices": rows(conn, """
            select n.kind, n.announced_at, n.effective_at, n.excerpt, n.is_report, n.named_as, n.account_id,
                   a.name as account_name, a.status as account_status,
                   (select group_concat(coalesce(nullif(m.target_name, ''), '?') || ' (' || m.target_platform || ')',
                                        '; ') from migrations m where m.notice_id = n.id) as successors
            from notices n left join accounts a on a.id = n.account_id where n.post_id = ?
            order by n.is_report, a.name""", [post_id]),
        "moved_to": row(conn, "select id, title from posts where id = ?", [post["moved_to"]]) if post["moved_to"] else None,
    }


def canned_query_rows(conn: sqlite3.Connection, sql: str) -> list[dict[str, Any]]:
    """The rows of one of Datasette's canned queries (govarchive/browse/queries.py: public SQL text people read
    and run themselves), for a page that draws them."""
    return rows(conn, sql)


# -- the home page --------------------------------------------------------------------------------
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


# -- the archived-copy viewer ---------------------------------------------------------------------
def capture_row(conn: sqlite3.Connection, capture_id: str) -> dict[str, Any] | None:
    return row(conn, "select * from captures where id = ?", [capture_id])


def captures_of_url(conn: sqlite3.Connection, url: str | None) -> list[dict[str, Any]]:
    """(id, fetched_at, http_status) of every capture of exactly ``url``."""
    return rows(conn, "select id, fetched_at, http_status from captures where url = ?", [url])


def post_copy_of_url(conn: sqlite3.Connection, url: str | None) -> str | None:
    """The archived copy (else the capture) of the post whose URL is ``url``."""
    post = row(conn, "select coalesce(archived_capture_id, capture_id) as id from posts where url = ?", [url])
    return post["id"] if post and post["id"] else None


def copy_context(conn: sqlite3.Connection, capture_id: str) -> dict[str, Any]:
    """What the index knows around a capture: the post shown, its account and where it went."""
    post = row(conn, "select id, title, state, account_id, published_at, media from posts where capture_id = ? "
                      "or archived_capture_id = ? limit 1", [capture_id, capture_id])
    account_id = post["account_id"] if post else None
    if account_id is None:
        found = (row(conn, "select id as account_id from accounts where capture_id = ? limit 1", [capture_id])
                 or row(conn, "select account_id from account_checks where capture_id = ? limit 1", [capture_id])
                 or row(conn, "select account_id from notices where capture_id = ? and account_id is not null "
                               "limit 1", [capture_id]))
        account_id = found["account_id"] if found else None
    account = row(conn, "select id, name, platform, status, status_reason from accounts where id = ?",
                   [account_id]) if account_id else None
    successors = rows(conn, """
        select m.target_name, m.target_platform, m.target_account_id, m.target_url, m.evidence, m.confidence,
               t.name as target_account_name, t.status as target_status, t.capture_id as target_capture_id,
               m.source, coalesce(nullif(rp.title, ''), rp.url) as report_title, c.claimed_at as report_date
        from migrations m left join accounts t on t.id = m.target_account_id
        left join claims c on c.id = m.claim_id left join posts rp on rp.id = c.post_id
        where m.from_account_id = ? order by m.source = 'report', m.confidence desc, m.target_name""",
                       [account_id]) if account_id else []
    # what reports say about it (its own notices and pages outrank them: lifecycle.py)
    claims = rows(conn, """
        select c.kind, c.effective_at, c.claimed_at as report_date, c.source, c.capture_id as report_capture_id,
               coalesce(nullif(rp.title, ''), rp.url) as report_title
        from claims c left join posts rp on rp.id = c.post_id where c.account_id = ?
        order by c.confidence desc, c.claimed_at desc""", [account_id]) if account_id else []
    # a page loaded in a browser: its DOM snapshot and screenshot; a rendering: the page it was taken of
    renderings = rows(conn, "select id, url, content_type from captures where snapshot_of = ? order by url",
                       [capture_id])
    rendering_of = row(conn, "select snapshot_of from captures where id = ? and snapshot_of is not null", [capture_id])
    return {"post": post, "account": account, "successors": successors, "claims": claims,
            "renderings": [dict(r, kind="screenshot" if (r["content_type"] or "").startswith("image/") else "dom")
                           for r in renderings],
            "rendering_of": rendering_of["snapshot_of"] if rendering_of else None}
