"""Migrations of ``index.db``: the schema is the product's public interface (docs/schema.md).

Never edit an applied migration: add a new function below it.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("govarchive")


@migrations()
def m001_core(db: Database) -> None:
    db.table("runs").create(
        {"id": str, "spider": str, "started_at": str, "finished_at": str, "status": str, "stats": str,
         "operator": str},
        pk="id",
    )
    db.table("captures").create(
        {"id": str, "run_id": str, "url": str, "fetched_at": str, "http_status": int, "content_type": str,
         "record_type": str, "payload_digest": str, "payload_length": int, "warc_file": str,
         "warc_offset": int, "warc_length": int, "refers_to": str, "page_state": str, "ip_address": str},
        pk="id",
        foreign_keys=[("run_id", "runs", "id"), ("refers_to", "captures", "id")],
    )
    db.table("accounts").create(
        {"id": str, "platform": str, "platform_id": str, "name": str, "alias": str, "agency": str,
         "region": str, "url": str, "followers": int, "description": str, "status": str, "first_seen": str,
         "last_seen": str, "last_post_at": str, "capture_id": str, "profile_seen_at": str,
         "original_id": str},
        pk="id",
        foreign_keys=[("capture_id", "captures", "id")],
    )
    db.table("posts").create(
        {"id": str, "account_id": str, "platform": str, "url": str, "title": str, "author": str,
         "published_at": str, "text": str, "state": str, "content_digest": str, "capture_id": str,
         "first_seen": str, "last_seen": str},
        pk="id",
        foreign_keys=[("account_id", "accounts", "id"), ("capture_id", "captures", "id")],
    )
    db.table("account_sources").create(
        {"account_id": str, "listing_url": str, "capture_id": str, "seen_at": str, "listed_name": str},
        pk=("account_id", "capture_id"),
        foreign_keys=[("account_id", "accounts", "id"), ("capture_id", "captures", "id")],
    )
    db.table("changes").create(
        {"id": int, "table_name": str, "row_id": str, "column_name": str, "old_value": str,
         "new_value": str, "capture_id": str, "changed_at": str},
        pk="id",
        foreign_keys=[("capture_id", "captures", "id")],
    )
    db.table("captures").create_index(["payload_digest"])
    db.table("captures").create_index(["url"])
    db.table("captures").create_index(["run_id"])
    db.table("posts").create_index(["account_id"])
    db.table("posts").create_index(["published_at"])
    db.table("account_sources").create_index(["listing_url"])
    db.table("changes").create_index(["row_id"])


@migrations()
def m002_post_media_and_moves(db: Database) -> None:
    """Issue 3: what a post carries besides its text, and moves announced by a platform."""
    posts = db.table("posts")
    for column in ("kind", "summary", "cover_url", "source_url", "media", "attributes", "moved_to", "moved_to_url"):
        posts.add_column(column, str)
    db.table("accounts").add_column("moved_to", str, fk="accounts", fk_col="id")
    posts.create_index(["moved_to"])


@migrations()
def m003_chinese_search(db: Database) -> None:
    """Issue 4: bigram shadow indexes for Chinese search (govarchive/index/search.py), rowid = base rowid."""
    from govarchive.index.search import SEARCHABLE, shadow_text

    for table, columns in SEARCHABLE.items():
        db.execute(f"create virtual table {table}_fts using fts5({', '.join(columns)}, "
                   "tokenize='unicode61 remove_diacritics 2')")
        # as released: keyed by the base rowid (posts are re-keyed by m010, through code of its time)
        for rowid, *values in db.execute(f"select rowid, {', '.join(columns)} from {table}").fetchall():
            db.execute(f"insert into {table}_fts (rowid, {', '.join(columns)}) values "
                       f"({', '.join('?' * (len(columns) + 1))})", [rowid, *map(shadow_text, values)])


@migrations()
def m004_closure_intelligence(db: Database) -> None:
    """Issue 4: clean text, closure notices, successors (migrations), lifecycle status and its history."""
    posts = db.table("posts")
    posts.add_column("clean_text", str)
    posts.add_column("boilerplate", str)
    posts.add_column("archived_capture_id", str, fk="captures", fk_col="id")
    posts.add_column("state_changed_at", str)
    accounts = db.table("accounts")
    for column in ("status_reason", "status_changed_at"):
        accounts.add_column(column, str)
    accounts.add_column("risk", int)
    db.execute("update posts set archived_capture_id = capture_id where state = 'ok'")
    db.table("notices").create(
        {"id": str, "account_id": str, "post_id": str, "capture_id": str, "kind": str, "announced_at": str,
         "effective_at": str, "excerpt": str, "is_report": int, "named_as": str, "named_platform": str,
         "detected_at": str},
        pk="id",
        foreign_keys=[("account_id", "accounts", "id"), ("post_id", "posts", "id"), ("capture_id", "captures", "id")],
    )
    db.table("migrations").create(
        {"id": str, "from_account_id": str, "notice_id": str, "target_name": str, "target_platform": str,
         "target_url": str, "target_account_id": str, "scope": str, "evidence": str, "confidence": float,
         "is_class": int, "resolved_by": str, "source": str, "recorded_at": str},
        pk="id",
        foreign_keys=[("from_account_id", "accounts", "id"), ("notice_id", "notices", "id"),
                      ("target_account_id", "accounts", "id")],
    )
    db.table("status_history").create(
        {"id": int, "table_name": str, "row_id": str, "old_status": str, "new_status": str, "reason": str,
         "capture_id": str, "run_id": str, "changed_at": str},
        pk="id",
        foreign_keys=[("capture_id", "captures", "id"), ("run_id", "runs", "id")],
    )
    db.table("account_checks").create(
        {"account_id": str, "run_id": str, "capture_id": str, "page_state": str, "checked_at": str,
         "ok_pages": int, "failed_pages": int},
        pk=("account_id", "run_id"),
        foreign_keys=[("account_id", "accounts", "id"), ("run_id", "runs", "id"), ("capture_id", "captures", "id")],
    )
    db.table("account_aliases").create(
        {"alias_id": str, "account_id": str, "reason": str, "merged_at": str},
        pk="alias_id",
        foreign_keys=[("account_id", "accounts", "id")],
    )
    db.table("notices").create_index(["account_id"])
    db.table("notices").create_index(["post_id"])
    db.table("migrations").create_index(["from_account_id"])
    db.table("migrations").create_index(["target_account_id"])
    db.table("status_history").create_index(["row_id"])
    db.table("accounts").create_index(["status"])


@migrations()
def m005_watermarks(db: Database) -> None:
    """Incremental runs: how far each account was archived cleanly, and the windows a run failed."""
    db.table("watermarks").create(
        {"account_id": str, "last_post_id": str, "last_post_at": str, "run_id": str, "advanced_at": str},
        pk="account_id",
        foreign_keys=[("account_id", "accounts", "id"), ("last_post_id", "posts", "id"), ("run_id", "runs", "id")],
    )
    db.table("failed_windows").create(
        {"id": int, "account_id": str, "run_id": str, "since": str, "until": str, "ok_pages": int,
         "failed_pages": int, "page_state": str, "recorded_at": str, "retried_by_run": str},
        pk="id",
        foreign_keys=[("account_id", "accounts", "id"), ("run_id", "runs", "id"), ("retried_by_run", "runs", "id")],
    )
    db.table("failed_windows").create_index(["account_id"])
    db.table("failed_windows").create_index(["account_id", "run_id"], unique=True)


@migrations()
def m006_recovery_and_workers(db: Database) -> None:
    """Resumable and distributed runs: captures whose WARC bytes a kill lost, and each worker's part of a run."""
    db.table("lost_captures").create(
        {"id": int, "capture_id": str, "run_id": str, "url": str, "record_type": str, "payload_digest": str,
         "warc_file": str, "warc_offset": int, "reason": str, "requeued": int, "detected_at": str,
         "detected_by_run": str},
        pk="id",
        foreign_keys=[("run_id", "runs", "id"), ("detected_by_run", "runs", "id")],
    )
    db.table("lost_captures").create_index(["capture_id"], unique=True)
    db.table("run_workers").create(
        {"run_id": str, "worker": str, "host": str, "shard": str, "started_at": str, "finished_at": str,
         "status": str, "captures": int, "stats": str, "merged_at": str},
        pk=("run_id", "worker"),
        foreign_keys=[("run_id", "runs", "id")],
    )


@migrations()
def m007_fetch_failures(db: Database) -> None:
    """Fetches that gave no page to parse (timeouts, resets, redirect loops, bodies past the limits), as
    a crawl log: each is also a metadata record of the run's WARC (govarchive/core/failures.py)."""
    db.table("fetch_failures").create(
        {"id": str, "run_id": str, "url": str, "error": str, "detail": str, "attempts": int, "request_kind": str,
         "account_id": str, "referer": str, "capture_id": str, "failed_at": str},
        pk="id",
        foreign_keys=[("run_id", "runs", "id"), ("account_id", "accounts", "id"), ("capture_id", "captures", "id")],
    )
    db.table("fetch_failures").create_index(["run_id"])
    db.table("fetch_failures").create_index(["url"])
    db.table("fetch_failures").create_index(["account_id"])


@migrations()
def m008_search_rows_of_named_accounts(db: Database) -> None:
    """Accounts created from a closure notice's names before this release had no search row: add them."""
    from govarchive.index.search import refresh_shadow

    refresh_shadow(db, "accounts", "rowid not in (select rowid from accounts_fts)")


@migrations()
def m009_search_queue(db: Database) -> None:
    """The search shadows are kept by a queue that triggers fill in the row's own transaction: a crawl's
    search worker (govarchive/index/searchworker.py) writes the shadows on another core; other writers drain it
    at once (docs/schema.md, search_queue)."""
    from govarchive.index.search import SEARCHABLE

    db.execute("create table search_queue (tbl text not null, row integer not null, seq integer not null, "
               "primary key (tbl, row))")
    db.execute("create index search_queue_seq on search_queue (seq)")
    for table, columns in SEARCHABLE.items():
        for event, ref in (("insert", "new"), (f"update of {', '.join(columns)}", "new"), ("delete", "old")):
            name = f"{table}_search_{event.split()[0]}"
            db.execute(
                f"create trigger {name} after {event} on {table} begin "
                f"insert into search_queue (tbl, row, seq) values ('{table}', {ref}.rowid, "
                f"(select coalesce(max(seq), 0) + 1 from search_queue)) "
                f"on conflict (tbl, row) do update set seq = excluded.seq; end")


@migrations()
def m010_search_in_published_order(db: Database) -> None:
    """``posts_fts`` rows are keyed by ``posts.search_key``, which grows with ``published_at``: a search
    returns the newest hits by FTS5's own rowid order, in milliseconds however many posts match
    (docs/benchmarks.md, search). The shadows already computed are copied, not recomputed; a deleted
    post's queue entry keeps its key (``search_queue.fts_row``); a new date re-keys a post."""
    from govarchive.index.search import SEARCHABLE, post_search_key

    db.execute("alter table posts add column search_key integer")
    db.execute("alter table search_queue add column fts_row integer")
    keys: set[int] = set()
    for rowid, published_at in db.execute("select rowid, published_at from posts").fetchall():
        key = post_search_key(published_at, rowid)
        while key in keys:
            key -= 1
        keys.add(key)
        db.execute("update posts set search_key = ? where rowid = ?", [key, rowid])
    db.execute("create unique index idx_posts_search_key on posts (search_key)")
    columns = ", ".join(SEARCHABLE["posts"])
    db.execute(f"create virtual table posts_fts_keyed using fts5({columns}, tokenize='unicode61 remove_diacritics 2')")
    db.execute(f"insert into posts_fts_keyed (rowid, {columns}) select p.search_key, {', '.join('f.' + c for c in SEARCHABLE['posts'])} "
               "from posts_fts f join posts p on p.rowid = f.rowid")
    db.execute("drop table posts_fts")
    db.execute("alter table posts_fts_keyed rename to posts_fts")
    for name, event, ref, keep in (
            ("posts_search_update", f"update of {columns}, published_at", "new", "search_queue.fts_row"),
            ("posts_search_delete", "delete", "old", "coalesce(excluded.fts_row, search_queue.fts_row)")):
        db.execute(f"drop trigger {name}")
        db.execute(
            f"create trigger {name} after {event} on posts begin "
            f"insert into search_queue (tbl, row, seq, fts_row) values ('posts', {ref}.rowid, "
            f"(select coalesce(max(seq), 0) + 1 from search_queue), {'old.search_key' if ref == 'old' else 'null'}) "
            f"on conflict (tbl, row) do update set seq = excluded.seq, fts_row = {keep}; end")


@migrations()
def m012_report_claims(db: Database) -> None:
    """Issue 17: what reports say about accounts (``claims``), apart from their owners' notices. A report's
    successors are ``migrations`` rows with ``claim_id``. Reports read before this release were ``notices``
    rows with ``is_report = 1``: they become claims (same digest in the id), their successors follow."""
    db.table("claims").create(
        {"id": str, "account_id": str, "post_id": str, "capture_id": str, "source": str, "kind": str,
         "claimed_at": str, "effective_at": str, "excerpt": str, "named_as": str, "named_platform": str,
         "named_agency": str, "confidence": float, "detected_at": str},
        pk="id",
        foreign_keys=[("account_id", "accounts", "id"), ("post_id", "posts", "id"), ("capture_id", "captures", "id")],
    )
    db.table("claims").create_index(["account_id"])
    db.table("claims").create_index(["post_id"])
    db.table("migrations").add_column("claim_id", str, fk="claims", fk_col="id")
    db.table("migrations").create_index(["claim_id"])
    db.execute(
        "insert into claims (id, account_id, post_id, capture_id, source, kind, claimed_at, effective_at, excerpt, "
        "named_as, named_platform, named_agency, confidence, detected_at) "
        "select 'claim-' || substr(id, 8), account_id, post_id, capture_id, 'report', kind, announced_at, effective_at, "
        "excerpt, named_as, named_platform, null, 0.5, detected_at from notices where is_report = 1")
    db.execute("update migrations set claim_id = 'claim-' || substr(notice_id, 8), notice_id = null, source = 'report', "
               "confidence = min(confidence, 0.5) where notice_id in (select id from notices where is_report = 1)")
    db.execute("delete from notices where is_report = 1")


@migrations()
def m013_page_snapshots(db: Database) -> None:
    """Issue 21: a page captured through a browser keeps its rendered DOM and a screenshot as ``resource``
    records; ``captures.snapshot_of`` names the capture of the page's own document they were taken of."""
    db.table("captures").add_column("snapshot_of", str, fk="captures", fk_col="id")
    db.table("captures").create_index(["snapshot_of"])


@migrations()
def m014_search_database(db: Database) -> None:
    """Issue 19: the search index leaves index.db for a file of its own, ``search.db`` (attached as ``search``:
    govarchive/index/search.py), contentless: no second copy of the text. index.db keeps ``search_log``, each
    change of a searchable row with what the search index held for it (triggers, in the row's transaction),
    replayed into search.db by the search worker without index.db's write lock. Post keys move to minutes
    (16 per minute): smaller FTS5 doclists. ``clean_text`` is NULL where the cleaning changed nothing. The old
    ``posts_fts``, ``accounts_fts`` and ``search_queue`` are dropped; search.db is built from the posts and
    accounts at the next open (docs/schema.md, release notes)."""
    from govarchive.index.search import SEARCHABLE, post_search_key

    for table in SEARCHABLE:
        for event in ("insert", "update", "delete"):
            db.execute(f"drop trigger if exists {table}_search_{event}")
        db.execute(f"drop table if exists {table}_fts")
    db.execute("drop table if exists search_queue")
    db.execute("create table search_log (seq integer primary key, tbl text not null, "
               "row integer not null, fts_row integer, old text)")
    db.execute("create index search_log_row on search_log (tbl, row, seq)")
    db.execute("update posts set clean_text = null where clean_text = text")
    db.execute("update posts set search_key = null")
    keys: set[int] = set()
    rekeyed = []
    for rowid, published_at in db.execute("select rowid, published_at from posts order by rowid").fetchall():
        key = post_search_key(published_at, rowid)
        while key in keys:
            key -= 1
        keys.add(key)
        rekeyed.append((key, rowid))
    db.conn.executemany("update posts set search_key = ? where rowid = ?", rekeyed)
    for table, columns in SEARCHABLE.items():
        fts_key = "search_key" if table == "posts" else "rowid"
        old = (f"case when old.{fts_key} is not null then json_array({', '.join('old.' + c for c in columns)}) end")
        changed = " or ".join(f"old.{c} is not new.{c}" for c in (*columns, *(("search_key",) if table == "posts" else ())))
        updated = ", ".join((*columns, *(("search_key",) if table == "posts" else ())))
        db.execute(f"create trigger {table}_search_insert after insert on {table} begin "
                   f"insert into search_log (tbl, row) values ('{table}', new.rowid); end")
        db.execute(f"create trigger {table}_search_update after update of {updated} on {table} when {changed} begin "
                   f"insert into search_log (tbl, row, fts_row, old) values ('{table}', new.rowid, old.{fts_key}, {old}); end")
        db.execute(f"create trigger {table}_search_delete after delete on {table} begin "
                   f"insert into search_log (tbl, row, fts_row, old) values ('{table}', old.rowid, old.{fts_key}, {old}); end")


@migrations()
def m015_sources(db: Database) -> None:
    """Issue 19: the sources-file entries runs used (``sources``, rebuilt from each WARC file's sources record),
    the entry each capture came from and the entry that found each account (``source_id``); the view
    ``account_owners`` gives every account an agency and a region, the entry's only where the archive's pages
    and reports said none (docs/schema.md). Existing rows get NULL: their files name no entry."""
    db.table("sources").create(
        {"id": str, "kind": str, "platform": str, "url": str, "region": str, "agency": str, "label": str,
         "render": int, "first_run": str, "last_run": str, "first_used_at": str, "last_used_at": str},
        pk="id",
        foreign_keys=[("first_run", "runs", "id"), ("last_run", "runs", "id")],
    )
    db.table("sources").create_index(["region"])
    # plain ALTER TABLE: sqlite-utils' add_column(fk=…) rebuilds the table, which would drop the search triggers
    # of accounts (m014) and copy every capture of a large archive
    for table in ("accounts", "captures"):
        db.execute(f"alter table {table} add column source_id text references sources(id)")
    db.table("accounts").create_index(["source_id"])
    db.table("captures").create_index(["source_id"])
    own = "s.url = a.url"  # the entry is the account's own page (a listing may be a directory of many accounts)
    db.execute(
        "create view account_owners as select a.id, a.name, a.platform, a.status, a.risk, "
        f"coalesce(a.agency, case when {own} then s.agency end) as agency, "
        f"case when a.agency is not null then 'archive' when {own} and s.agency is not null then 'sources' end "
        "as agency_from, "
        "coalesce(a.region, s.region) as region, "
        "case when a.region is not null then 'archive' when s.region is not null then 'sources' end as region_from, "
        "a.source_id, s.label as source_label, a.url, a.last_post_at "
        "from accounts a left join sources s on s.id = a.source_id")


@migrations()
def m016_reindex_progress(db: Database) -> None:
    """Issue 19: a reindex in two phases, each resumable (govarchive/warc/reindexing.py). ``reindex_progress``
    holds, per unfinished phase, where its reading of the WARC files stands: committed with the rows it
    covers, so a killed reindex goes on from there."""
    db.execute("create table reindex_progress (phase text primary key, file text, offset integer, "
               "waiting text, started_at text not null, updated_at text not null)")
