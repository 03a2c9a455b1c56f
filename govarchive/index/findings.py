"""The migrated-content index's rows: ``notices``, ``claims`` and ``migrations``, and the account lookups and
merges the closure analysis (govarchive/closure/notices.py) makes while writing them.

The analysis decides what a post says and which account it names; these functions read and write the rows.
Each write joins the caller's transaction (:meth:`govarchive.index.store.Index.transaction`) when one is open.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from govarchive.index.store import Index
from govarchive.index.transactions import write_transaction


# -- posts to read -----------------------------------------------------------------------------------------
def posts_to_detect(index: Index, where: str, params: Iterable[Any], after: int, limit: int) -> list[tuple]:
    """The next ``limit`` archived posts with text after rowid ``after`` that match ``where`` (SQL over
    ``posts p``): (rowid, id, account id, capture id, title, text, clean text, published at, account name,
    account platform)."""
    return index.db.execute(
        "select p.rowid, p.id, p.account_id, p.capture_id, p.title, p.text, coalesce(p.clean_text, p.text), "
        "p.published_at, a.name, a.platform from posts p left join accounts a on a.id = p.account_id "
        f"where p.rowid > ? and p.state in ('ok') and p.text is not null and ({where}) "
        "order by p.rowid limit ?", [after, *params, limit]).fetchall()


# the posts an analysis of a run reads: the run's own, and those of runs that never finished (killed before
# their analysis); for posts_to_detect
POSTS_OF_RUN = ("p.capture_id in (select id from captures where run_id = ? or run_id in "
                "(select id from runs where finished_at is null and id != ?))")


def posts_of_run(run_id: str | None) -> tuple[str, list[Any]]:
    """The ``where`` and its parameters of :func:`posts_to_detect` for an analysis of ``run_id`` (None: every
    post)."""
    return (POSTS_OF_RUN, [run_id, run_id]) if run_id else ("1", [])


def findings_detected_at(index: Index, detected_at: str) -> tuple[int, int]:
    """(notices, claims) written by the analysis of that moment."""
    return index.db.execute(
        "select (select count(*) from notices where detected_at = ?), (select count(*) from claims where detected_at = ?)",
        [detected_at, detected_at]).fetchone()


# -- notices, claims, successors -----------------------------------------------------------------------------
def forget_findings_of_post(index: Index, post_id: str) -> None:
    """The notices and claims read in a post, and the successors they named, gone (it is read again)."""
    index.db.execute("delete from migrations where notice_id in (select id from notices where post_id = ?)", [post_id])
    index.db.execute("delete from migrations where claim_id in (select id from claims where post_id = ?)", [post_id])
    index.db.execute("delete from notices where post_id = ?", [post_id])
    index.db.execute("delete from claims where post_id = ?", [post_id])


def save_notice(index: Index, row: dict[str, Any]) -> None:
    """A ``notices`` row (replacing the one of the same id)."""
    index.db.table("notices").insert(row, pk="id", replace=True)


def save_claim(index: Index, row: dict[str, Any]) -> None:
    """A ``claims`` row (replacing the one of the same id)."""
    index.db.table("claims").insert(row, pk="id", replace=True)


def save_migration(index: Index, row: dict[str, Any]) -> None:
    """A ``migrations`` row (replacing the one of the same id)."""
    index.db.table("migrations").insert(row, pk="id", replace=True)


def platform_moves(index: Index) -> list[tuple]:
    """(account id, moved to, target's name, platform and URL, a post's ``moved_to_url``) of every account the
    platform moved (``accounts.moved_to``)."""
    return index.db.execute(
        "select a.id, a.moved_to, t.name, t.platform, t.url, "
        "(select moved_to_url from posts where account_id = a.id and moved_to_url is not null limit 1) "
        "from accounts a left join accounts t on t.id = a.moved_to where a.moved_to is not null").fetchall()


def unresolved_targets(index: Index) -> list[tuple]:
    """(migration id, target name, target platform, is a class, the source account's region and agency) of
    every successor not matched to an archived account yet."""
    return index.db.execute(
        "select m.id, m.target_name, m.target_platform, m.is_class, a.region, a.agency from migrations m "
        "left join accounts a on a.id = m.from_account_id where m.target_account_id is null").fetchall()


def resolve_target(index: Index, migration_id: str, account_id: str, url: str | None, how: str | None) -> None:
    """A successor matched to an archived account (its URL kept unless one is known)."""
    index.db.execute("update migrations set target_account_id = ?, target_url = coalesce(target_url, ?), "
                     "resolved_by = ? where id = ?", [account_id, url, how, migration_id])


# -- accounts the findings name ----------------------------------------------------------------------------
def account_url(index: Index, account_id: str) -> str | None:
    row = index.db.execute("select url from accounts where id = ?", [account_id]).fetchone()
    return row[0] if row else None


def account_names(index: Index, platform: str | None) -> list[tuple[str, str | None, str | None, str]]:
    """(id, name, alias, platform) of the accounts of ``platform`` (None: of every platform)."""
    return index.db.execute(
        "select id, name, alias, platform from accounts where (? is null or platform = ?)", [platform, platform]
    ).fetchall()


def account_agencies(index: Index, platform: str | None) -> list[tuple[str, str]]:
    """(id, agency) of the accounts of ``platform`` (None: of every platform) whose owner is known."""
    return index.db.execute("select id, agency from accounts where agency is not null and (? is null or platform = ?)",
                            [platform, platform]).fetchall()


def website_accounts(index: Index) -> list[tuple[str, str | None, str | None]]:
    """(id, name, agency) of the website accounts, shortest id first."""
    return index.db.execute(
        "select id, name, agency from accounts where platform = 'website' order by length(id), id").fetchall()


def fill_owner(index: Index, account_id: str, agency: str | None, region: str | None) -> None:
    """The account's owner and region, where it has none yet."""
    index.db.execute("update accounts set agency = coalesce(agency, ?), region = coalesce(region, ?) where id = ?",
                     [agency, region, account_id])


def create_named_account(index: Index, account_id: str, platform: str, name: str, agency: str | None,
                         region: str | None, seen: str, capture_id: str | None) -> None:
    """An account only a notice or a report names (unless it exists), with its search row: it is found by its
    name at once."""
    with write_transaction(index.db):
        index.db.execute(
            "insert or ignore into accounts (id, platform, platform_id, name, agency, region, first_seen, last_seen, "
            "capture_id) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [account_id, platform, name, name, agency, region, seen, seen, capture_id])
        fill_owner(index, account_id, agency, region)
        index.update_search()


# -- provisional accounts ------------------------------------------------------------------------------------
def all_account_names(index: Index) -> list[tuple[str, str, str | None, str | None]]:
    """(id, platform, name, alias) of every account."""
    return index.db.execute("select id, platform, name, alias from accounts").fetchall()


def other_accounts_of_platform(index: Index, platform: str, account_id: str) -> list[tuple[str, str | None, str | None]]:
    """(id, name, alias) of the other accounts of ``platform`` (of every platform for ``unspecified``)."""
    return index.db.execute(
        "select id, name, alias from accounts where (platform = ? or ? = 'unspecified') and id != ?",
        [platform, platform, account_id]).fetchall()


def fold_account(index: Index, old_id: str, new_id: str, reason: str, merged_at: str) -> None:
    """Point everything at ``new_id``, keep the listing facts the real row lacks, remember the old id (an
    alias, a change); the old row goes, and its search row with it."""
    db = index.db
    old = db.execute("select agency, region, status from accounts where id = ?", [old_id]).fetchone()
    if old is None:
        return
    fill_owner(index, new_id, old[0], old[1])
    for table, column in (("posts", "account_id"), ("notices", "account_id"), ("claims", "account_id"),
                          ("migrations", "from_account_id"),
                          ("migrations", "target_account_id"), ("accounts", "moved_to")):
        db.execute(f"update {table} set {column} = ? where {column} = ?", [new_id, old_id])
    db.execute("update or ignore account_sources set account_id = ? where account_id = ?", [new_id, old_id])
    db.execute("delete from account_sources where account_id = ?", [old_id])
    db.execute("update or ignore account_checks set account_id = ? where account_id = ?", [new_id, old_id])
    db.execute("delete from account_checks where account_id = ?", [old_id])
    db.execute("update account_aliases set account_id = ? where account_id = ?", [new_id, old_id])
    db.execute("update status_history set row_id = ? where table_name = 'accounts' and row_id = ?", [new_id, old_id])
    db.table("account_aliases").insert({"alias_id": old_id, "account_id": new_id, "reason": reason,
                                        "merged_at": merged_at}, pk="alias_id", replace=True)
    db.table("changes").insert({"table_name": "accounts", "row_id": old_id, "column_name": "id", "old_value": old_id,
                                "new_value": new_id, "capture_id": None, "changed_at": merged_at}, pk="id")
    db.execute("delete from accounts where id = ?", [old_id])  # its search row goes with it (search_log)
