"""What the exports read from the index (govarchive/browse/export.py): a read-only connection, any documented
table's rows, and the captures, WARC files and pages of a WACZ's selection.

A selection lives in temporary tables of the read-only connection (``temp.files``: the closed WARC files,
``temp.sel_accounts``, ``temp.selected``: the capture ids), made by :func:`select_captures`; the other
functions of a WACZ plan read it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlite_utils import Database
from sqlite_utils.db import Table

NOT_A_PAGE = ("blocked", "redirect", "unauthorized")  # 2xx captures that are no account page to open


def open_read_only(db_path: Path) -> Database:
    """The index, read-only (an export never changes the archive); ``sqlite3.Error`` when it cannot be read."""
    conn = sqlite3.connect(f"{Path(db_path).resolve().as_uri()}?mode=ro", uri=True)
    conn.execute("pragma busy_timeout = 10000")
    conn.execute("select count(*) from sqlite_master").fetchone()
    return Database(conn)


# -- tables ------------------------------------------------------------------------------------------------
def has_table(db: Database, table: str) -> bool:
    return db[table].exists()


def table_columns(db: Database, table: str) -> list[str]:
    return list(db[table].columns_dict)


def table_rows(db: Database, table: str) -> Iterator[dict[str, Any]]:
    """Every row of ``table``, in the order of its primary key; of a view (``account_owners``), of its first
    column."""
    source = db[table]
    if isinstance(source, Table):
        return source.rows_where(order_by=", ".join(source.pks))
    return source.rows_where(order_by=f"[{table_columns(db, table)[0]}]")


# -- ids a selection names -----------------------------------------------------------------------------
def run_exists(db: Database, run_id: str) -> bool:
    return db.execute("select 1 from runs where id = ?", [run_id]).fetchone() is not None


def latest_runs(db: Database, count: int = 3) -> list[str]:
    return [r for (r,) in db.execute("select id from runs order by started_at desc limit ?", [count])]


def known_account(db: Database, account: str) -> str | None:
    """The account's id: itself, or the real account a provisional id was merged into; None when unknown."""
    if db.execute("select 1 from accounts where id = ?", [account]).fetchone():
        return account
    alias = db.execute("select account_id from account_aliases where alias_id = ?", [account]).fetchone()
    return alias[0] if alias else None


# -- a WACZ's selection ----------------------------------------------------------------------------------
_SEL = "(select id from temp.sel_accounts)"
_ACCOUNT_URL = "case when instr(a.url, '#') > 0 then substr(a.url, 1, instr(a.url, '#') - 1) else a.url end"
_MEDIA = "case when json_valid(p.media) and json_type(p.media) = 'array' then p.media else '[]' end"
# every capture that shows an account: its pages, its posts' pages and media, its listings, its evidence
ACCOUNT_CAPTURES = f"""
    select capture_id as id from accounts where id in {_SEL}
    union select capture_id from posts where account_id in {_SEL}
    union select archived_capture_id from posts where account_id in {_SEL}
    union select capture_id from account_sources where account_id in {_SEL}
    union select capture_id from account_checks where account_id in {_SEL}
    union select capture_id from notices where account_id in {_SEL}
    union select capture_id from claims where account_id in {_SEL}
    union select capture_id from status_history where table_name = 'accounts' and row_id in {_SEL}
    union select capture_id from status_history where table_name = 'posts'
        and row_id in (select id from posts where account_id in {_SEL})
    union select c.id from captures c join posts p on c.url = p.url where p.account_id in {_SEL}
    union select c.id from captures c join posts p on c.url = p.cover_url where p.account_id in {_SEL}
    union select c.id from captures c join accounts a on c.url = {_ACCOUNT_URL} where a.id in {_SEL}
    union select c.id from posts p, json_each({_MEDIA}) m
        join captures c on c.url = json_extract(m.value, '$.url')
        where p.account_id in {_SEL} and m.type = 'object'
"""


def select_captures(db: Database, files: list[str], runs: list[str], account_ids: list[str]) -> None:
    """The selection: the captures of ``runs`` and of ``account_ids`` (with both, the accounts' captures made in
    those runs); with neither, every capture in ``files`` (the closed WARC files, also kept for the queries
    below)."""
    db.execute("create temp table files (name text primary key)")
    db.conn.executemany("insert into temp.files values (?)", [(name,) for name in files])
    db.execute("create temp table sel_accounts (id text primary key)")
    db.conn.executemany("insert or ignore into temp.sel_accounts values (?)", [(a,) for a in account_ids])
    db.execute("create temp table selected (id text primary key)")
    queries, params = [], []
    if runs:
        queries.append(f"select id from captures where run_id in ({', '.join('?' * len(runs))})")
        params += runs
    if account_ids:
        queries.append(ACCOUNT_CAPTURES)
    if queries:
        both = " intersect ".join(f"select id from ({query})" for query in queries)  # compound selects nest
        db.execute(f"insert or ignore into temp.selected select id from ({both}) where id is not null",
                   params)
    else:
        db.execute("insert into temp.selected select id from captures "
                   "where warc_file in (select name from temp.files)")


def files_of_selection(db: Database) -> list[str]:
    """The WARC files holding the selected captures (by name), sorted."""
    return sorted(name for (name,) in db.execute(
        "select distinct warc_file from captures where id in (select id from temp.selected)"))


def keep_selected_in_files(db: Database) -> None:
    """Out of the selection: captures in files that are not among the closed files."""
    db.execute("delete from temp.selected where id in (select id from captures where warc_file not in "
               "(select name from temp.files))")


def revisit_dependencies(db: Database, files: list[str]) -> list[tuple[str, str | None, int]]:
    """(file, file holding the originals or None: not in the index, revisits) of the revisits in ``files`` whose
    originals are in another file."""
    marks = ", ".join("?" * len(files))
    return db.execute(f"""
        select r.warc_file, o.warc_file, count(*) from captures r left join captures o on o.id = r.refers_to
        where r.record_type = 'revisit' and r.warc_file in ({marks})
            and (o.warc_file is null or o.warc_file != r.warc_file)
        group by 1, 2 order by 1, 2""", files).fetchall()


def post_pages(db: Database, only_selected_accounts: bool) -> list[tuple]:
    """(post id, URL, fetched at, title, text, published at, state, account id, account name, platform) of each
    post's newest good selected page: its archived copy, its capture, or a capture of its URL."""
    scope = f"and p.account_id in {_SEL}" if only_selected_accounts else ""
    return db.execute(f"""
            with cand as (
                select p.id as pid, c.id as cid, c.fetched_at as at
                    from posts p join captures c on c.id = p.archived_capture_id
                union select p.id, c.id, c.fetched_at from posts p join captures c on c.id = p.capture_id
                    where c.page_state = 'ok'
                union select p.id, c.id, c.fetched_at from posts p join captures c on c.url = p.url
                    where c.page_state = 'ok'),
            best as (select pid, cid, max(at) from cand
                     where cid in (select id from temp.selected) group by pid)
            select p.id, c.url, c.fetched_at, p.title, p.text, p.published_at, p.state, a.id, a.name,
                p.platform
            from best join posts p on p.id = best.pid join captures c on c.id = best.cid
            left join accounts a on a.id = p.account_id where 1 {scope}""").fetchall()


def accounts_of_selection(db: Database, only_selected_accounts: bool) -> list[tuple]:
    """(id, name, platform, URL, status, capture id, profile seen at) of the selected accounts (or all)."""
    where = f"where a.id in {_SEL}" if only_selected_accounts else ""
    return db.execute("select a.id, a.name, a.platform, a.url, a.status, a.capture_id, a.profile_seen_at "
                      f"from accounts a {where}").fetchall()


def account_page(db: Database, url: str, capture_id: str | None, profile_seen: str | None) -> tuple[str, str] | None:
    """(URL, fetched at) of the newest selected capture of the account's own page: its URL, else its latest
    capture if that was the platform's own page of it (``profile_seen_at``) and not one of its posts."""
    good = (f"id in (select id from temp.selected) and http_status between 200 and 299 "
            f"and coalesce(page_state, '') not in ({', '.join(repr(s) for s in NOT_A_PAGE)})")
    if url:
        found = db.execute(f"select url, fetched_at from captures where url = ? and {good} "
                           "order by fetched_at desc limit 1", [url]).fetchone()
        if found:
            return found
    if capture_id and profile_seen:
        return db.execute("select url, fetched_at from captures c where id = ? and fetched_at = ? "
                          f"and {good} and not exists (select 1 from posts p "
                          "where c.id in (p.capture_id, p.archived_capture_id))",
                          [capture_id, profile_seen]).fetchone()
    return None
