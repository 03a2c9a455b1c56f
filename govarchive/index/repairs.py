"""The index's side of recovery (govarchive/warc/recovery.py): the rows a killed crawl's WARC files are compared
with, and the repairs made when a capture's record did not survive.

Recovery reads the WARC files and decides what was lost; these functions read and change ``index.db`` for it.
:func:`forget_lost_captures` is the repair itself, in one transaction: the lost captures kept in
``lost_captures``, every row that referred to one pointed at the newest surviving capture of the same thing
(or NULL), a post left without an archived copy back to ``listed``, the ``captures`` rows deleted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from govarchive.index.store import Index
from govarchive.index.transactions import write_transaction

# Columns that refer to captures and are repaired with a rule of their own; any other column whose
# foreign key points at captures.id is set to NULL (see Repointer.generic).
RULES = {("captures", "refers_to"), ("posts", "capture_id"), ("posts", "archived_capture_id"),
         ("accounts", "capture_id"), ("account_sources", "capture_id"), ("account_checks", "capture_id"),
         ("notices", "capture_id")}


@dataclass(frozen=True)
class LostCapture:
    """A ``captures`` row whose WARC record did not survive."""

    id: str
    run_id: str | None
    url: str
    record_type: str | None
    payload_digest: str | None
    warc_offset: int | None
    reason: str
    warc_file: str  # as recorded in lost_captures: the file's name now


@dataclass
class Forgotten:
    """What :func:`forget_lost_captures` did besides deleting the rows."""

    requeued: set[str] = field(default_factory=set)  # lost capture ids the next run fetches again
    requeued_posts: list[str] = field(default_factory=list)  # posts put back to 'listed'
    orphaned_revisits: list[str] = field(default_factory=list)  # revisits left with no original


# -- what recovery compares ------------------------------------------------------------------------
def unfinished_runs(index: Index, except_run: str | None) -> list[str]:
    """Runs left ``running`` (oldest first), but ``except_run`` (the run doing the recovery)."""
    return [row[0] for row in index.db.execute(
        "select id from runs where status = 'running' and id is not ? order by started_at", [except_run])]


def warc_files_of_run(index: Index, run_id: str) -> set[str]:
    """The WARC files a run's captures point into."""
    return {row[0] for row in index.db.execute(
        "select distinct warc_file from captures where run_id = ? and warc_file is not null", [run_id])}


def capture_places_in_file(index: Index, warc_file: str) -> list[tuple[str, int]]:
    """(capture id, offset) of every capture the index says is in ``warc_file``."""
    return index.db.execute("select id, warc_offset from captures where warc_file = ?", [warc_file]).fetchall()


def captures_in_file(index: Index, warc_file: str) -> list[str]:
    """The ids of the captures the index says are in ``warc_file``."""
    return [row[0] for row in index.db.execute("select id from captures where warc_file = ?", [warc_file])]


def capture_counts_by_file(index: Index, warc_files: list[str]) -> Counter[str]:
    """How many captures the index has in each of ``warc_files``."""
    return Counter(row[0] for row in index.db.execute(
        "select warc_file from captures where warc_file in (" + ", ".join("?" for _ in warc_files) + ")", warc_files))


def lost_captures_of(index: Index, capture_ids: Iterable[str], reason: str, warc_file: str) -> list[LostCapture]:
    """The captures ``capture_ids`` as lost for ``reason`` in ``warc_file`` (their rows' facts, kept)."""
    found = []
    for capture_id in capture_ids:
        row = index.db.execute("select id, run_id, url, record_type, payload_digest, warc_offset from captures "
                               "where id = ?", [capture_id]).fetchone()
        lost_id, run_id, url, record_type, digest, offset = row
        found.append(LostCapture(lost_id, run_id, url, record_type, digest, offset, reason=reason,
                                 warc_file=warc_file))
    return found


# -- repairs ---------------------------------------------------------------------------------------
def move_capture_pointers(index: Index, moved: list[tuple[str, int, int]]) -> None:
    """Point each (capture id, offset, length) at where its record really is, in one transaction."""
    with write_transaction(index.db):
        for capture_id, offset, length in moved:
            index.db.execute("update captures set warc_offset = ?, warc_length = ? where id = ?",
                             [offset, length, capture_id])


def forget_lost_captures(index: Index, lost: list[LostCapture], moment: str, run_id: str | None) -> Forgotten:
    """Keep the lost captures in ``lost_captures``, repoint what referred to them, delete their rows (one
    transaction: the index never shows a half-repaired state). ``run_id`` is the run that found them."""
    db = index.db
    by_id = {item.id: item for item in lost}
    db.execute("create temp table if not exists recovery_lost (id text primary key)")
    with write_transaction(db):
        db.execute("delete from temp.recovery_lost")
        db.conn.executemany("insert into temp.recovery_lost (id) values (?)", [(key,) for key in by_id])
        db.execute("delete from captures where id in (select id from temp.recovery_lost)")
        repointer = Repointer(db, by_id, moment, run_id)
        repointer.run()
        db.conn.executemany(
            "insert into lost_captures (capture_id, run_id, url, record_type, payload_digest, warc_file, "
            "warc_offset, reason, requeued, detected_at, detected_by_run) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "on conflict (capture_id) do nothing",
            [(item.id, item.run_id, item.url, item.record_type, item.payload_digest, item.warc_file,
              item.warc_offset, item.reason, int(item.id in repointer.done.requeued), moment, run_id)
             for item in lost])
        db.execute("delete from temp.recovery_lost")
    return repointer.done


def mark_killed(index: Index, run_ids: list[str], status: str) -> list[tuple[str, str]]:
    """Runs still ``running`` among ``run_ids``: given ``status``, finished at their last indexed capture (or
    their start); (run id, finished at) of each one marked."""
    marked = []
    with write_transaction(index.db):
        for run_id in run_ids:
            row = index.db.execute(
                "select coalesce((select max(fetched_at) from captures where run_id = r.id), r.started_at), "
                "r.status from runs r where r.id = ?", [run_id]).fetchone()
            if row is None or row[1] != "running":  # its summary record was among the imported records
                continue
            index.db.execute("update runs set status = ?, finished_at = ? where id = ?", [status, row[0], run_id])
            marked.append((run_id, row[0]))
    return marked


class Repointer:
    """Points every row that referred to a lost capture at the newest surviving capture of the same
    thing, or at NULL. The lost rows are already deleted from ``captures`` (same transaction), so any
    capture still there has survived."""

    def __init__(self, db: Any, lost: dict[str, LostCapture], moment: str, run_id: str | None) -> None:
        self.db = db
        self.lost = lost
        self.moment = moment
        self.run_id = run_id
        self.done = Forgotten()

    def run(self) -> None:
        self.listing_pages()
        self.revisits()
        self.posts()
        self.notices()
        self.account_sources()
        self.account_checks()
        self.accounts()
        self.generic()

    def _select(self, sql: str, params: Iterable[Any] = ()) -> list[tuple]:
        return self.db.execute(sql, list(params)).fetchall()

    def _newest(self, url: str, extra: str = "", params: Iterable[Any] = ()) -> str | None:
        row = self.db.execute(f"select id from captures where url = ? {extra} order by fetched_at desc limit 1",
                              [url, *params]).fetchone()
        return row[0] if row else None

    def listing_pages(self) -> None:
        """Listing and account pages (what accounts and listed posts point at): every run fetches them."""
        self.done.requeued.update(row[0] for row in self._select(
            "select capture_id from accounts where capture_id in (select id from temp.recovery_lost) "
            "union select capture_id from account_sources where capture_id in (select id from temp.recovery_lost) "
            "union select capture_id from account_checks where capture_id in (select id from temp.recovery_lost) "
            "union select capture_id from posts where state = 'listed' "
            "and capture_id in (select id from temp.recovery_lost)"))

    def revisits(self) -> None:
        """A revisit of a lost original: the oldest surviving full record of the same payload, as dedup
        would have picked it."""
        for capture_id, digest in self._select(
                "select id, payload_digest from captures where refers_to in (select id from temp.recovery_lost)"):
            row = self.db.execute(
                "select id from captures where payload_digest = ? and record_type = 'response' "
                "and warc_file is not null order by fetched_at limit 1", [digest]).fetchone()
            self.db.execute("update captures set refers_to = ? where id = ?", [row[0] if row else None, capture_id])
            if row is None:
                self.done.orphaned_revisits.append(capture_id)

    def posts(self) -> None:
        """A post's archived copy becomes its newest surviving good copy of the same URL; a post left with
        none goes back to ``listed``, so that the crawl fetches it again (KnownPostsMiddleware skips only
        posts that are not ``listed``). A post whose error page (deleted, migrated…) was lost keeps its
        state: fetching it again would show the same, and its loss is in ``lost_captures``."""
        for post_id, state, capture_id, archived in self._select(
                "select id, state, capture_id, archived_capture_id from posts "
                "where capture_id in (select id from temp.recovery_lost) "
                "or archived_capture_id in (select id from temp.recovery_lost)"):
            new_archived = archived
            if archived in self.lost:
                new_archived = self._newest(self.lost[archived].url, "and page_state = 'ok'")
            new_capture, new_state = capture_id, state
            if capture_id in self.lost:
                url = self.lost[capture_id].url
                if state == "ok":
                    new_capture = new_archived
                elif state == "listed":  # the listing that showed it, captured earlier
                    new_capture = self._newest(url)
                else:  # the same error page, captured earlier
                    new_capture = self._newest(url, "and page_state = ?", [state])
            if state == "ok" and new_archived is None:
                new_capture, new_state = None, "listed"
                lost_ids = [c for c in (capture_id, archived) if c in self.lost]
                self.done.requeued.update(lost_ids)
                self.done.requeued_posts.append(post_id)
                lost = self.lost[lost_ids[0]]
                self.db.execute(
                    "insert into status_history (table_name, row_id, old_status, new_status, reason, capture_id, "
                    "run_id, changed_at) values ('posts', ?, ?, ?, ?, null, ?, ?)",
                    [post_id, state, new_state, f"its only archived copy was lost ({lost.reason} of "
                     f"{lost.warc_file}): fetched again by the next run", self.run_id, self.moment])
            self.db.execute("update posts set capture_id = ?, archived_capture_id = ?, state = ? where id = ?",
                            [new_capture, new_archived, new_state, post_id])
        # a post page lost before its post row was saved: still 'listed', so fetched again too
        self.done.requeued.update(item.id for item in self.lost.values() if self.db.execute(
            "select 1 from posts where url = ? and state = 'listed'", [item.url]).fetchone())

    def notices(self) -> None:
        """A notice read in a lost copy of a post: the post's surviving archived copy says the same."""
        self.db.execute(
            "update notices set capture_id = (select p.archived_capture_id from posts p where p.id = notices.post_id) "
            "where capture_id in (select id from temp.recovery_lost)")

    def account_sources(self) -> None:
        """A listing sighting whose capture is gone is no evidence any more: the row goes (the next run
        lists the account again)."""
        self.db.execute("delete from account_sources where capture_id in (select id from temp.recovery_lost)")

    def account_checks(self) -> None:
        """The account's page in that run: another capture of the same URL in the same run, else NULL."""
        for account_id, run_id, capture_id in self._select(
                "select account_id, run_id, capture_id from account_checks "
                "where capture_id in (select id from temp.recovery_lost)"):
            replacement = self._newest(self.lost[capture_id].url, "and run_id is ?", [run_id])
            self.db.execute("update account_checks set capture_id = ? where account_id = ? and run_id = ?",
                            [replacement, account_id, run_id])

    def accounts(self) -> None:
        """The latest surviving capture that showed the account: its listings, its checks, the same URL."""
        for account_id, capture_id in self._select(
                "select id, capture_id from accounts where capture_id in (select id from temp.recovery_lost)"):
            row = self.db.execute(
                "select id from captures where id in (select capture_id from account_sources where account_id = ? "
                "union select capture_id from account_checks where account_id = ?) or url = ? "
                "order by fetched_at desc limit 1", [account_id, account_id, self.lost[capture_id].url]).fetchone()
            self.db.execute("update accounts set capture_id = ? where id = ?", [row[0] if row else None, account_id])

    def generic(self) -> None:
        """History rows (``changes``, ``status_history``) and any column added later: NULL. The facts stay;
        their evidence is gone, and ``lost_captures`` says so."""
        for table, column in capture_references(self.db):
            if (table, column) not in RULES:
                self.db.execute(f"update [{table}] set [{column}] = null "
                                f"where [{column}] in (select id from temp.recovery_lost)")


def capture_references(db: Any) -> list[tuple[str, str]]:
    """Every (table, column) whose foreign key points at ``captures.id``, read from the schema itself."""
    return sorted((table.name, fk.column) for table in db.tables for fk in table.foreign_keys
                  if fk.other_table == "captures")
