"""The SQLite index of an archive (``index.db``): a library over sqlite-utils.

Every row taken from the web points to its capture, and every capture to its WARC record.
Saving is idempotent: an account or post met again updates its row (``last_seen``, changed
fields, with each change kept in ``changes``) and never creates a second one. Each ``save_*``
call is one short transaction, so a killed crawl loses nothing it had indexed.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from govarchive.core.dates import warc_date
from govarchive.core.failures import NOT_COUNTED
from govarchive.core.items import Account, Capture, FetchFailure, PageState, Post
from govarchive.core.sources import Source
from govarchive.core.textclean import clean
from govarchive.index.schema import migrations
from govarchive.index.search import (
    attach_search,
    clear_applied,
    drain_search_queue,
    finish_search_db,
    free_search_key,
    main_file,
    open_search,
    open_search_writer,
    post_search_key,
)
from govarchive.index.transactions import BatchedWrites, write_transaction

# Fields a platform's own page is the authority on; a directory listing fills them only until then,
# or where the platform's page gives nothing.
PROFILE_FIELDS = ("name", "alias", "url", "followers", "description", "platform_id", "original_id")
LISTING_FIELDS = ("agency", "region")
# Set from whichever page shows them (a platform's migration page); never cleared.
MOVE_FIELDS = ("moved_to",)
POST_FIELDS = ("url", "title", "author", "published_at", "text", "content_digest", "kind", "summary", "cover_url",
               "source_url", "media", "attributes", "moved_to", "moved_to_url", "clean_text", "boilerplate")
# Page states of an account's own pages that say nothing about the account (retry later);
# fetch_failed: the page could not be fetched at all (fetch_failures says why).
FETCH_FAILED = "fetch_failed"
FAILED_CHECK_STATES = ("blocked", "error", "unauthorized", "server_error", "unparsed", "bad_params", FETCH_FAILED)
# Requests for an account's own pages (a failed one is a failed check of the account).
ACCOUNT_REQUESTS = ("start", "listing", "account", "api")
# Capture page state of a compressed body that inflates past the size limit (never parsed).
TOO_LARGE = "too_large"
# Accounts of a run that were not crawled cleanly: one of their own pages blocked or failed, or a fetch
# for them (a post, an image) failed. One rule for the watermarks and the exit code.
FAILED_ACCOUNTS_SQL = (
    "select account_id from account_checks where run_id = :run and failed_pages > 0 "
    "union select account_id from fetch_failures where run_id = :run and account_id is not null "
    f"and error not in ({', '.join(repr(e) for e in NOT_COUNTED)})")


@dataclass(frozen=True)
class Original:
    """Where a payload was first archived (the target of a revisit)."""

    capture_id: str
    url: str
    fetched_at: str
    warc_file: str


logger = logging.getLogger(__name__)
# A rebuilt search.db whose rows to write are at most this many is written when the index opens; a larger
# one (an upgrade, a lost search.db) is written by the search worker of a crawl, or by the first write.
OPEN_DRAIN_LIMIT = 5_000


def open_index(path: Path | str, shared: bool = False) -> Index:
    """The index at ``path``; ``shared``: its connection may be used by another thread than the one that
    opened it (one thread at a time: the crawl's writer thread, govarchive/warc/batchwriter.py).
    URI file names: search.db is attached read-only while a search worker writes it (govarchive/index/search.py)."""
    return Index(Database(sqlite3.connect(Path(path).resolve().as_uri(), uri=True, check_same_thread=not shared)))


@dataclass(frozen=True)
class ReindexMark:
    """Where a phase of a reindex stands: the next record to read is at ``offset`` of ``file`` (None: the
    first file's start); ``waiting``: captures whose posts wait for their listing (pages phase)."""

    phase: str
    file: str | None
    offset: int = 0
    waiting: tuple[str, ...] = ()
    started_at: str = ""


class Index:
    """``index.db``: :meth:`save_capture`, :meth:`save_account`, :meth:`save_post` and lookups."""

    batch: BatchedWrites | None = None  # saves grouped into large transactions (:meth:`batched`)
    # saves inside the caller's transaction without a savepoint each (a reindex's captures phase: a batch is
    # committed whole or not at all, and goes on from its last mark)
    bulk: bool = False

    def __init__(self, db: Database) -> None:
        self.db = db
        if db.conn.execute("pragma journal_mode").fetchone()[0] != "memory":
            db.enable_wal()
        db.execute("pragma busy_timeout = 10000")
        db.execute("pragma synchronous = normal")
        migrations.apply(db)
        self.path: Path | None = Path(main_file(db.conn)) if main_file(db.conn) else None
        self._deferred = False
        self._cleared = 0  # search_log entries up to this one are cleared
        self._wrote = False
        opened = open_search(db, self.path)  # search.db attached as `search`: created or rebuilt when it must be
        if opened.rebuilt and opened.queued <= OPEN_DRAIN_LIMIT:
            self.drain_search()

    def close(self) -> None:
        if self._wrote and not self.db.conn.in_transaction:
            try:  # the log entries the search index has applied: nothing to keep
                with self._transaction():
                    clear_applied(self.db)
                if not self._deferred:  # the pages FTS5's merges freed, back to the file system
                    finish_search_db(self.db)
            except sqlite3.Error:
                logger.debug("search_log not cleared at close", exc_info=True)
        self.db.close()

    @property
    def deferred_search(self) -> bool:
        """True while a search worker process writes the search rows (a crawl): saves leave them in
        ``search_log``, and this connection attaches search.db read-only, so that its ``BEGIN IMMEDIATE`` never
        takes search.db's write lock (nor the worker index.db's)."""
        return self._deferred

    @deferred_search.setter
    def deferred_search(self, value: bool) -> None:
        if value != self._deferred and self.path is not None:
            attach_search(self.db.conn, self.path, writable=not value)
        self._deferred = value

    @contextmanager
    def batched(self, every: int = 500) -> Iterator[Index]:
        """Group the saves into transactions of ``every`` saves (a reindex: nobody reads the index it builds)."""
        with BatchedWrites(self.db, every) as self.batch:
            try:
                yield self
            finally:
                self.batch = None

    @contextmanager
    def transaction(self) -> Iterator[Index]:
        """One write transaction around several writes (``BEGIN IMMEDIATE``: it waits for another writer's turn
        instead of failing); inside an open one, a savepoint. Everything in it is committed together or not at
        all."""
        with write_transaction(self.db):
            yield self

    # -- one writer's own transactions (govarchive/warc/batchwriter.py): saves inside are savepoints --------
    @property
    def in_transaction(self) -> bool:
        return self.db.conn.in_transaction

    def begin(self) -> None:
        """Begin a write transaction, waiting for the write lock (``BEGIN IMMEDIATE``)."""
        self.db.conn.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        self.db.conn.execute("COMMIT")

    def rollback(self) -> None:
        self.db.conn.execute("ROLLBACK")

    def _transaction(self) -> AbstractContextManager[Any]:
        """One save's transaction: its own, or a savepoint inside the caller's, or (:attr:`bulk`, inside the
        caller's) none: the caller's whole transaction is the unit that is kept or rolled back."""
        if self.bulk and self.db.conn.in_transaction:
            return nullcontext(self.db)
        return write_transaction(self.db)

    def _saved(self) -> None:
        if self.batch is not None:
            self.batch.tick()

    # -- runs -----------------------------------------------------------------------------------
    def start_run(self, run_id: str, spider: str, started_at: str, operator: str = "") -> None:
        with self._transaction():
            self.db.table("runs").upsert(
                {"id": run_id, "spider": spider, "started_at": started_at, "status": "running",
                 "operator": operator},
                pk="id",
            )

    def finish_run(self, run_id: str, finished_at: str, status: str, stats: dict[str, Any]) -> None:
        with self._transaction():
            self.db.table("runs").upsert(
                {"id": run_id, "finished_at": finished_at, "status": status,
                 "stats": json.dumps(stats, ensure_ascii=False, sort_keys=True, default=str)},
                pk="id",
            )

    # -- captures -------------------------------------------------------------------------------
    def find_original(self, digest: str) -> Original | None:
        """The first full record of this payload digest, in any run."""
        row = self.db.execute(
            "select id, url, fetched_at, warc_file from captures where payload_digest = ? "
            "and record_type = 'response' and warc_file is not null order by fetched_at limit 1",
            [digest],
        ).fetchone()
        return Original(*row) if row else None

    def save_capture(self, capture: Capture) -> None:
        self._saved()
        with self._transaction():
            self._upsert("captures", capture_row(capture), ("id",))

    def save_failure(self, failure: FetchFailure, run_id: str) -> None:
        """A fetch that failed (idempotent: a reindex saves the same row); a failed fetch of an account's
        own page is a failed check of the account (its watermark stays, the lifecycle sees it)."""
        at = warc_date(failure.failed_at)
        with self._transaction():
            account_id = self._account_of(failure.account)
            capture_id = failure.capture_id if failure.capture_id and self.db.execute(
                "select 1 from captures where id = ?", [failure.capture_id]).fetchone() else None
            new = self.db.execute("insert into fetch_failures (id, run_id, url, error, detail, attempts, request_kind, "
                                  "account_id, referer, capture_id, failed_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                                  "on conflict (id) do nothing",
                                  [failure.id, run_id, failure.url, failure.error, failure.detail, failure.attempts,
                                   failure.request_kind, account_id, failure.referer, capture_id, at]).rowcount
            if capture_id and failure.error == "decompression_too_large":
                self.db.execute("update captures set page_state = ? where id = ?", [TOO_LARGE, capture_id])
            if new and account_id and failure.request_kind in ACCOUNT_REQUESTS and failure.error not in NOT_COUNTED:
                self.db.execute(
                    "insert into account_checks (account_id, run_id, capture_id, page_state, checked_at, ok_pages, "
                    "failed_pages) values (?, ?, null, ?, ?, 0, 1) on conflict (account_id, run_id) do update set "
                    "failed_pages = failed_pages + 1", [account_id, run_id, FETCH_FAILED, at])

    def _account_of(self, key: str | None) -> str | None:
        """The index id of what a request's account key names: an account id, or its page's URL."""
        if not key:
            return None
        account_id = self.canonical_account_id(key)
        row = self.db.execute("select id from accounts where id = ? union all select id from accounts where url = ? "
                              "limit 1", [account_id, key]).fetchone()
        return row[0] if row else None

    def failed_accounts(self, run_id: str) -> list[str]:
        """Accounts the run did not crawl cleanly (:data:`FAILED_ACCOUNTS_SQL`)."""
        return sorted(row[0] for row in self.db.execute(FAILED_ACCOUNTS_SQL, {"run": run_id}))

    def save_page_state(self, item: PageState) -> None:
        self._saved()
        with self._transaction():
            self.db.execute("update captures set page_state = ? where id = ?", [item.state, item.capture_id])

    def has_post(self, post_id: str) -> bool:
        """True when the post's own page is archived (not merely listed)."""
        row = self.db.execute(
            "select 1 from posts where id = ? and state != 'listed'", [post_id]
        ).fetchone()
        return row is not None

    def listing_sources(self) -> list[tuple[str, str | None]]:
        """(account id, listing URL) of every listing that showed an account."""
        return self.db.execute("select account_id, listing_url from account_sources").fetchall()

    def account_pages(self) -> list[tuple[str, str]]:
        """(account id, its own page's URL) of every account whose page is known."""
        return self.db.execute("select id, url from accounts where url is not null").fetchall()

    def accounts_of_post_urls(self, urls: list[str]) -> set[str]:
        """The accounts of the posts whose page is one of ``urls``."""
        found: set[str] = set()
        for i in range(0, len(urls), 500):
            chunk = urls[i:i + 500]
            found |= {row[0] for row in self.db.execute(
                f"select account_id from posts where url in ({','.join('?' * len(chunk))}) and account_id is not null",
                chunk)}
        return found

    def archived_posts_by_risk(self) -> list[tuple[str, str, int, str | None]]:
        """(account id, url, the account's risk, last seen) of every archived post with a URL, riskiest
        accounts first, newest posts first."""
        return self.db.execute(
            "select p.account_id, p.url, coalesce(a.risk, 0), p.last_seen from posts p "
            "join accounts a on a.id = p.account_id where p.state = 'ok' and p.url is not null "
            "order by coalesce(a.risk, 0) desc, p.published_at desc").fetchall()

    def capture_place(self, capture_id: str) -> tuple[str | None, int | None, int | None] | None:
        """(WARC file, offset, payload length) of a capture, None when the index has no such capture."""
        row = self.db.execute("select warc_file, warc_offset, payload_length from captures where id = ?",
                              [capture_id]).fetchone()
        return (row[0], row[1], row[2]) if row else None

    def set_page_state(self, capture_id: str, state: str | None) -> None:
        """A capture's page state, decided again (a reindex's pages phase); written only when it changed."""
        with self._transaction():
            self.db.execute("update captures set page_state = ? where id = ? and page_state is not ?",
                            [state, capture_id, state])

    # -- a reindex's progress (govarchive/warc/reindexing.py) -------------------------------------
    def reindex_mark(self, phase: str) -> ReindexMark | None:
        """Where an unfinished reindex phase stands, None when the phase is not pending."""
        row = self.db.execute("select file, offset, waiting, started_at from reindex_progress where phase = ?",
                              [phase]).fetchone()
        if row is None:
            return None
        return ReindexMark(phase, row[0], row[1] or 0, tuple(json.loads(row[2] or "[]")), row[3])

    def set_reindex_mark(self, mark: ReindexMark) -> None:
        """Record where a reindex phase stands (in the transaction of the rows it covers)."""
        with self._transaction():
            self.db.execute(
                "insert into reindex_progress (phase, file, offset, waiting, started_at, updated_at) "
                "values (?, ?, ?, ?, ?, ?) on conflict (phase) do update set file = excluded.file, "
                "offset = excluded.offset, waiting = excluded.waiting, updated_at = excluded.updated_at",
                [mark.phase, mark.file, mark.offset, json.dumps(list(mark.waiting)), mark.started_at,
                 warc_date(datetime.now(UTC))])

    def clear_reindex_mark(self, phase: str) -> None:
        with self._transaction():
            self.db.execute("delete from reindex_progress where phase = ?", [phase])

    def capture_url(self, capture_id: str) -> str | None:
        row = self.db.execute("select url from captures where id = ?", [capture_id]).fetchone()
        return row[0] if row else None

    def capture_fetched_at(self, capture_id: str) -> str | None:
        row = self.db.execute("select fetched_at from captures where id = ?", [capture_id]).fetchone()
        return row[0] if row else None

    def has_run(self, run_id: str) -> bool:
        return self.db.execute("select 1 from runs where id = ?", [run_id]).fetchone() is not None

    def resolve_revisits(self) -> int:
        """Point revisits whose original is not indexed at the oldest response with their payload digest,
        where there is one now (an import brought it); how many were pointed."""
        with self._transaction():
            return self.db.execute(
                "update captures set refers_to = (select o.id from captures o where o.payload_digest = "
                "captures.payload_digest and o.record_type = 'response' order by o.fetched_at limit 1) "
                "where record_type = 'revisit' and (refers_to is null or refers_to not in (select id from captures)) "
                "and exists (select 1 from captures o where o.payload_digest = captures.payload_digest "
                "and o.record_type = 'response')").rowcount

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the file (a rebuilt index handed over whole)."""
        self.db.execute("pragma wal_checkpoint(truncate)")

    def post_exists(self, post_id: str) -> bool:
        """True when the index has a row for the post (listed or archived)."""
        return self.db.execute("select 1 from posts where id = ?", [post_id]).fetchone() is not None

    # -- accounts -------------------------------------------------------------------------------
    def resave_account(self, account: Account) -> None:
        """Save again an account whose values are those it was last saved with (in this run): only when it
        was seen moves, and the page counts as a check of it (or as a listing of it), as :meth:`save_account`
        would do without reading and comparing the row."""
        self._saved()
        seen = warc_date(account.seen_at)
        account.id = self.canonical_account_id(account.id)
        with self._transaction():
            self.db.execute(
                "update accounts set first_seen = min(first_seen, :seen), last_seen = max(last_seen, :seen), "
                "capture_id = case when :seen >= last_seen then :capture else capture_id end, "
                "profile_seen_at = case when :trusted then max(coalesce(profile_seen_at, ''), :seen) "
                "else profile_seen_at end where id = :id",
                {"seen": seen, "capture": account.capture_id, "trusted": int(account.authoritative), "id": account.id})
            if not account.listing_url:
                self._record_check(account.id, account.capture_id, seen)
            else:
                self._upsert("account_sources",
                             {"account_id": account.id, "listing_url": account.listing_url,
                              "capture_id": account.capture_id, "seen_at": seen, "listed_name": account.name},
                             ("account_id", "capture_id"))

    def save_account(self, account: Account) -> None:
        self._saved()
        seen = warc_date(account.seen_at)
        account.id = self.canonical_account_id(account.id)
        with self._transaction():
            existing = self._get("accounts", account.id)
            if existing is None:
                row = {field: getattr(account, field)
                       for field in (*PROFILE_FIELDS, *LISTING_FIELDS, *MOVE_FIELDS, "last_post_at")}
                row.update(id=account.id, platform=account.platform, first_seen=seen, last_seen=seen,
                           capture_id=account.capture_id,
                           profile_seen_at=seen if account.authoritative else None, source_id=account.source_id)
                self._insert("accounts", row)
            else:
                self._update_account(existing, account, seen)
                if account.source_id and account.source_id != existing["source_id"]:
                    self._link_source(account.id, account.source_id)
            self.update_search()
            if not account.listing_url:
                self._record_check(account.id, account.capture_id, seen)
            if account.listing_url:
                self._upsert("account_sources",
                             {"account_id": account.id, "listing_url": account.listing_url,
                              "capture_id": account.capture_id, "seen_at": seen, "listed_name": account.name},
                             ("account_id", "capture_id"))

    def _link_source(self, account_id: str, source_id: str) -> None:
        """The sources entry that found an account: the first that did, unless a later one is the account's own
        (the entry's URL is the account's page) and the first is not (a directory or a feed led to the account
        before its own entry was crawled): the link does not depend on the order pages were fetched in."""
        self.db.execute(
            "update accounts set source_id = :source where id = :id and (source_id is null or ("
            "(select url from sources where id = :source) = accounts.url and "
            "(select url from sources where id = accounts.source_id) is not accounts.url))",
            {"source": source_id, "id": account_id})

    def capture_source(self, capture_id: str) -> str | None:
        """The sources entry a capture came from (``captures.source_id``), None when none or no such capture."""
        row = self.db.execute("select source_id from captures where id = ?", [capture_id]).fetchone()
        return row[0] if row else None

    # -- sources --------------------------------------------------------------------------------
    def save_sources(self, run_id: str, sources: Iterable[Source]) -> None:
        """The sources-file entries run ``run_id`` used (the run's row exists). An entry's values are those of
        the latest run (by start) that used it, each change kept in ``changes``; an older run's file read later
        (an import) only moves ``first_run``. Idempotent: a reindex saves the same rows."""
        sources = list(sources)
        if not sources:
            return
        self._saved()
        found = self.db.execute("select started_at from runs where id = ?", [run_id]).fetchone()
        started = (found[0] if found else None) or ""
        with write_transaction(self.db):
            for source in sources:
                values = {"kind": source.kind, "platform": source.platform, "url": source.url,
                          "region": source.region, "agency": source.agency, "label": source.label,
                          "render": int(source.render)}
                row = self._get("sources", source.id)
                if row is None:
                    self._insert("sources", {"id": source.id, **values, "first_run": run_id, "last_run": run_id,
                                             "first_used_at": started, "last_used_at": started})
                    continue
                changed: dict[str, Any] = {}
                if started >= (row["last_used_at"] or ""):
                    changed = {k: v for k, v in values.items() if v != row[k]}
                    for field, new in changed.items():
                        if row[field] is None:  # (as for accounts and posts: the changes of a known value)
                            continue
                        self._insert("changes", {"table_name": "sources", "row_id": source.id, "column_name": field,
                                                 "old_value": None if row[field] is None else str(row[field]),
                                                 "new_value": None if new is None else str(new), "capture_id": None,
                                                 "changed_at": started})
                    changed.update(last_run=run_id, last_used_at=started)
                if started < (row["first_used_at"] or ""):
                    changed.update(first_run=run_id, first_used_at=started)
                self._update("sources", source.id, changed)

    def _update_account(self, row: dict[str, Any], account: Account, seen: str) -> set[str]:
        """Update the row from what ``account`` shows; the columns that changed."""
        trusted = account.authoritative or row["profile_seen_at"] is None
        updates: dict[str, Any] = {}
        for field in PROFILE_FIELDS:
            # a listing fills what the platform's own page left empty, whichever came first: the
            # result does not depend on the order pages were fetched in (workers race, files merge)
            if trusted or row[field] is None:
                updates[field] = getattr(account, field)
        for field in (*LISTING_FIELDS, *MOVE_FIELDS):
            updates[field] = getattr(account, field)
        if account.last_post_at and (row["last_post_at"] or "") < account.last_post_at:
            updates["last_post_at"] = account.last_post_at
        changed = self._changed("accounts", row, updates, account.capture_id, seen)
        changed["first_seen"] = min(row["first_seen"], seen)
        changed["last_seen"] = max(row["last_seen"], seen)
        if seen >= row["last_seen"]:
            changed["capture_id"] = account.capture_id
        if account.authoritative:
            changed["profile_seen_at"] = max(row["profile_seen_at"] or "", seen)
        self._update("accounts", row["id"], changed)
        return set(changed)

    def canonical_account_id(self, account_id: str) -> str:
        """The id an account is kept under (a provisional id merged into a real one resolves to it)."""
        row = self.db.execute("select account_id from account_aliases where alias_id = ?", [account_id]).fetchone()
        return row[0] if row else account_id

    def _record_check(self, account_id: str, capture_id: str, seen: str) -> None:
        """One row per account and run: how its own pages answered (the lifecycle reads these)."""
        capture = self.db.execute("select run_id, page_state from captures where id = ?", [capture_id]).fetchone()
        if capture is None or capture[0] is None:
            return
        run_id, state = capture
        failed = int(state in FAILED_CHECK_STATES)
        self.db.execute(
            "insert into account_checks (account_id, run_id, capture_id, page_state, checked_at, ok_pages, failed_pages) "
            "values (?, ?, ?, ?, ?, ?, ?) on conflict (account_id, run_id) do update set "
            "ok_pages = ok_pages + excluded.ok_pages, failed_pages = failed_pages + excluded.failed_pages, "
            "capture_id = case when excluded.checked_at >= checked_at then excluded.capture_id else capture_id end, "
            "page_state = case when excluded.checked_at >= checked_at then excluded.page_state else page_state end, "
            "checked_at = max(checked_at, excluded.checked_at)",
            [account_id, run_id, capture_id, state, seen, 1 - failed, failed])

    # -- posts ----------------------------------------------------------------------------------
    def save_post(self, post: Post) -> None:
        self._saved()
        seen = warc_date(post.seen_at)
        post.account_id = self.canonical_account_id(post.account_id) if post.account_id else post.account_id
        with self._transaction():
            existing = self._get("posts", post.id)
            if existing is None and not post.account_id:
                return  # a fragment (long text) of a post no listing has shown yet
            if existing is None:
                row = post_values(post)
                # the rowid SQLite would give, chosen here so that the search key is written with the row
                rowid = self.db.execute("select coalesce(max(rowid), 0) + 1 from posts").fetchone()[0]
                row.update(rowid=rowid, id=post.id, account_id=post.account_id, platform=post.platform,
                           state=post.state, capture_id=post.capture_id, first_seen=seen, last_seen=seen,
                           archived_capture_id=post.capture_id if post.state == "ok" else None,
                           search_key=free_search_key(self.db, post_search_key(row["published_at"], rowid), rowid))
                self._insert("posts", row)
            else:
                self._update_post(existing, post, seen)
            self.update_search()
            if post.published_at:
                self.db.execute(
                    "update accounts set last_post_at = ? where id = ? "
                    "and (last_post_at is null or last_post_at < ?)",
                    [post.published_at, post.account_id, post.published_at],
                )

    def _update_post(self, row: dict[str, Any], post: Post, seen: str) -> set[str]:
        """Update the row from what ``post`` shows; the columns that changed."""
        listed_only = not post.authoritative
        updates: dict[str, Any] = {}
        values = post_values(post)
        for field in POST_FIELDS:
            if listed_only and row[field] is not None:
                continue  # a listing never overrides what the post's own page said
            updates[field] = values[field]
        if not listed_only:
            updates["state"] = post.state
            if post.state == "ok" and seen >= row["last_seen"]:
                updates["archived_capture_id"] = post.capture_id  # the newest good copy
            if post.state != row["state"] and row["state"] != "listed" and seen >= row["last_seen"]:
                self.record_status(
                    "posts", row["id"], row["state"], post.state, f"the post's page now shows: {post.state}",
                    post.capture_id, seen)
                updates["state_changed_at"] = seen
        changed = self._changed("posts", row, updates, post.capture_id, seen)
        if "text" in changed and values["clean_text"] is None and row["clean_text"] is not None:
            changed["clean_text"] = None  # the new text needs no cleaning: NULL, read as the text itself
        if "published_at" in changed or row["search_key"] is None:  # a new date moves the post's search row
            rowid = self.db.execute("select rowid from posts where id = ?", [row["id"]]).fetchone()[0]
            key = free_search_key(self.db, post_search_key(changed.get("published_at", row["published_at"]), rowid),
                                  rowid)
            if key != row["search_key"]:
                changed["search_key"] = key
        changed["first_seen"] = min(row["first_seen"], seen)
        changed["last_seen"] = max(row["last_seen"], seen)
        if post.authoritative or row["state"] == "listed":
            changed["capture_id"] = post.capture_id
        self._update("posts", row["id"], changed)
        return set(changed)

    def record_status(self, table: str, row_id: str, old: str | None, new: str | None, reason: str,
                      capture_id: str | None, changed_at: str, run_id: str | None = None) -> None:
        """Keep one status change (of an account or a post) with its evidence in ``status_history``."""
        if run_id is None and capture_id:
            found = self.db.execute("select run_id from captures where id = ?", [capture_id]).fetchone()
            run_id = found[0] if found else None
        self._insert("status_history",
                     {"table_name": table, "row_id": row_id, "old_status": old, "new_status": new, "reason": reason,
                      "capture_id": capture_id, "run_id": run_id, "changed_at": changed_at})

    # -- search -------------------------------------------------------------------------------
    def update_search(self) -> None:
        """Write the search rows of what this transaction changed (the triggers logged it in ``search_log``),
        unless a search worker does it on another core (:attr:`deferred_search`): then clear the log entries
        the worker has applied (read from search.db as committed: this connection does not write it)."""
        self._wrote = True
        if not self._deferred:
            drain_search_queue(self.db)
            return
        applied = self.db.execute("select applied from search.search_state").fetchone()[0]
        if applied > self._cleared:
            clear_applied(self.db)
            self._cleared = applied

    def drain_search(self) -> int:
        """Write every search row still to write now (govarchive/index/searchworker.py does it during a crawl);
        how many log entries that was. With a search worker beside it, through a search.db connection of its
        own."""
        self._wrote = True
        outer = self.db.conn.in_transaction
        if self._deferred and self.path is not None:
            writer = open_search_writer(self.path)
            try:
                done = drain_search_queue(writer)
                finish_search_db(writer)
            finally:
                writer.close()
        else:
            with self._transaction():
                done = drain_search_queue(self.db)
            if not outer:
                finish_search_db(self.db)
        if not outer:  # only what search.db has committed (never in the transaction that wrote it)
            with self._transaction():
                clear_applied(self.db)
        return done

    # -- helpers --------------------------------------------------------------------------------
    # Rows are written with plain SQL: sqlite-utils' insert/update/upsert inspect the table on every call,
    # which cost more than the writes themselves on the crawl's hot path. Table and column names are ours.
    def _get(self, table: str, pk: str) -> dict[str, Any] | None:
        cursor = self.db.execute(f"select * from [{table}] where id = ?", [pk])
        found = cursor.fetchone()
        return dict(zip([column[0] for column in cursor.description], found)) if found else None

    def _insert(self, table: str, row: dict[str, Any]) -> None:
        self.db.execute(f"insert into [{table}] ({', '.join(f'[{c}]' for c in row)}) "
                        f"values ({', '.join('?' * len(row))})", list(row.values()))

    def _update(self, table: str, pk: str, changes: dict[str, Any]) -> None:
        if changes:
            self.db.execute(f"update [{table}] set {', '.join(f'[{c}] = ?' for c in changes)} where id = ?",
                            [*changes.values(), pk])

    def _upsert(self, table: str, row: dict[str, Any], keys: tuple[str, ...]) -> None:
        """Insert the row, or update its other columns where its key exists (sqlite-utils' upsert)."""
        others = [c for c in row if c not in keys]
        self.db.execute(f"insert into [{table}] ({', '.join(f'[{c}]' for c in row)}) "
                        f"values ({', '.join('?' * len(row))}) on conflict ({', '.join(keys)}) do "
                        + (f"update set {', '.join(f'[{c}] = excluded.[{c}]' for c in others)}" if others
                           else "nothing"), list(row.values()))

    def _changed(self, table: str, row: dict[str, Any], updates: dict[str, Any], capture_id: str,
                 seen: str) -> dict[str, Any]:
        """Keep the updates that change something; log each change of a known value."""
        changed = {}
        for field, new in updates.items():
            if new is None or new == row[field]:
                continue
            changed[field] = new
            if row[field] is not None:
                self._insert("changes",
                             {"table_name": table, "row_id": row["id"], "column_name": field,
                              "old_value": str(row[field]), "new_value": str(new), "capture_id": capture_id,
                              "changed_at": seen})
        return changed

    def iter_table(self, table: str, order_by: str = "rowid") -> Iterator[dict[str, Any]]:
        yield from self.db[table].rows_where(order_by=order_by)


def post_values(post: Post) -> dict[str, Any]:
    """The post's columns; ``media`` and ``attributes`` as JSON text (NULL when empty)."""
    values = {field: getattr(post, field, None) for field in POST_FIELDS}  # clean_text, boilerplate: derived below
    values["media"] = json.dumps([{k: v for k, v in asdict(m).items() if v is not None} for m in post.media],
                                 ensure_ascii=False) if post.media else None
    values["attributes"] = json.dumps(post.attributes, ensure_ascii=False, sort_keys=True) if post.attributes else None
    cleaned = clean(post.text, post.title) if post.text else None
    values["clean_text"] = cleaned.text if cleaned and cleaned.text != post.text else None  # NULL: the text itself
    values["boilerplate"] = "\n".join(cleaned.boilerplate) if cleaned and cleaned.boilerplate else None
    return values


def capture_row(capture: Capture) -> dict[str, Any]:
    return {
        "id": capture.id,
        "run_id": capture.run_id,
        "url": capture.url,
        "fetched_at": warc_date(capture.fetched_at),
        "http_status": capture.http_status,
        "content_type": capture.content_type,
        "record_type": capture.record_type,
        "payload_digest": capture.payload_digest,
        "payload_length": capture.payload_length if capture.payload_length is not None else len(capture.body),
        "warc_file": capture.warc_file,
        "warc_offset": capture.warc_offset,
        "warc_length": capture.warc_length,
        "refers_to": capture.refers_to,
        "page_state": capture.page_state,
        "ip_address": capture.ip_address,
        "snapshot_of": capture.snapshot_of,
        "source_id": capture.source_id,
    }
