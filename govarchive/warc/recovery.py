"""Recovery at crawl start: after ``kill -9`` or a power loss, the WARC files and the index agree again.

A crawl writes each capture to the WARC file (flushed) and then commits its ``captures`` row, so:

- after ``kill -9``, the last file is left ``.open``, it may end in a torn record, and its last whole
  record may have no ``captures`` row yet; the run stays ``running`` in ``runs``;
- after a power loss, the file may also have lost bytes the index had already pointed at.

:func:`recover_archive`, called once at the start of every crawl while it holds the archive's lock
(govarchive/warc/lock.py), so that nothing else is writing:

1. cuts every ``.open`` file after its last whole record and renames it (no whole record: ``.invalid``),
   :func:`govarchive.warc.writer.repair_open_files`;
2. reads the records of those files (and of the files of runs left ``running``, in case an earlier
   recovery was itself interrupted) and compares them with the ``captures`` rows pointing into them:
   a row whose record is gone is *lost* (a row pointing into an ``.invalid`` file too): it is kept in
   ``lost_captures``, every row that referred to it is pointed at the newest surviving capture of the
   same thing or set to NULL, a post left without an archived copy goes back to ``listed`` so the
   crawl fetches it again, and the ``captures`` row is deleted;
3. indexes the whole records no ``captures`` row points to (:class:`govarchive.warc.importer.WarcImporter`);
4. marks the runs left ``running`` as ``killed``, finished at their last indexed capture.

Every index change is made in a transaction, every finding is logged as one WARNING a person can
act on, and a second call changes nothing. docs/recovery.md tells the whole story.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from govarchive.core.config import DEFAULT_CONFIG, ArchivePaths
from govarchive.index.store import Index, open_index
from govarchive.index.transactions import write_transaction
from govarchive.warc.files import ArchiveWarcs
from govarchive.warc.importer import WarcImporter
from govarchive.warc.writer import INVALID_SUFFIX, StoredRecord, repair_open_files, scan_warc, warc_date

logger = logging.getLogger(__name__)

TORN_TAIL = "torn tail"  # lost_captures.reason: recovery cut the bytes off the end of an .open file
UNREADABLE_FILE = "unreadable file"  # lost_captures.reason: the whole file became .invalid
KILLED = "killed"  # runs.status of a run whose process died without finishing
# Columns that refer to captures and are repaired with a rule of their own; any other column whose
# foreign key points at captures.id is set to NULL (see _Repointer.generic).
RULES = {("captures", "refers_to"), ("posts", "capture_id"), ("posts", "archived_capture_id"),
         ("accounts", "capture_id"), ("account_sources", "capture_id"), ("account_checks", "capture_id"),
         ("notices", "capture_id")}


@dataclass
class RecoveryReport:
    """What one recovery found and did; every list is empty when the archive needed nothing."""

    repaired_files: list[str] = field(default_factory=list)  # .open files cut and renamed
    invalid_files: list[str] = field(default_factory=list)  # .open files with no whole record, now .invalid
    lost_captures: list[str] = field(default_factory=list)  # capture ids now in lost_captures
    requeued_posts: list[str] = field(default_factory=list)  # posts put back to 'listed'
    imported_captures: int = 0  # whole records the killed run wrote but had not indexed
    killed_runs: list[str] = field(default_factory=list)
    moved_pointers: int = 0  # rows whose record was found at another offset of the same file
    errors: list[str] = field(default_factory=list)  # files that could not be read or imported

    def counts(self) -> dict[str, int]:
        """The numbers a crawl keeps in its stats (``govarchive/recovery/<name>``)."""
        return {"repaired_files": len(self.repaired_files), "invalid_files": len(self.invalid_files),
                "lost_captures": len(self.lost_captures), "requeued_posts": len(self.requeued_posts),
                "imported_captures": self.imported_captures, "killed_runs": len(self.killed_runs),
                "moved_pointers": self.moved_pointers, "errors": len(self.errors)}

    def __bool__(self) -> bool:
        return any(self.counts().values())


@dataclass(frozen=True)
class _Lost:
    """A ``captures`` row whose WARC record did not survive."""

    id: str
    run_id: str | None
    url: str
    record_type: str | None
    payload_digest: str | None
    warc_offset: int | None
    reason: str
    warc_file: str  # as recorded in lost_captures: the file's name now


def recover_archive(paths: ArchivePaths, current_run_id: str | None = None, now: datetime | None = None,
                    max_body_bytes: int = DEFAULT_CONFIG.max_body_bytes) -> RecoveryReport:
    """Make the WARC files and the index of ``paths`` agree after a crawl died (see the module docstring).

    Call it while holding the archive's lock. ``current_run_id`` is the run doing the recovery (never
    marked killed; recorded as ``lost_captures.detected_by_run``); ``now`` is ``detected_at``.
    """
    moment = warc_date(now or datetime.now(UTC))
    paths.ensure()
    report = RecoveryReport()
    for repaired in repair_open_files(paths.warc_dir):
        (report.invalid_files if repaired.invalid else report.repaired_files).append(repaired.name)
    index = open_index(paths.index_db)
    try:
        unfinished = [row[0] for row in index.db.execute(
            "select id from runs where status = 'running' and id is not ? order by started_at", [current_run_id])]
        suspects = _suspect_files(index, paths.warc_dir, report.repaired_files, unfinished)
        lost = _find_lost(index, paths.warc_dir, suspects, set(report.repaired_files), report)
        if lost:
            _forget(index, lost, moment, current_run_id, report)
        report.imported_captures = _import_unindexed(index, paths.warc_dir, suspects, max_body_bytes, report)
        report.killed_runs = _mark_killed(index, unfinished)
    finally:
        index.close()
    return report


def _suspect_files(index: Index, warc_dir: Path, repaired: list[str], unfinished: list[str]) -> list[str]:
    """Files to compare with the index: those just repaired, and every file of a run left running."""
    names = set(repaired)
    for run_id in unfinished:
        names.update(row[0] for row in index.db.execute(
            "select distinct warc_file from captures where run_id = ? and warc_file is not null", [run_id]))
    return sorted(name for name in names if (warc_dir / name).is_file())


def _find_lost(index: Index, warc_dir: Path, suspects: list[str], repaired: set[str],
               report: RecoveryReport) -> list[_Lost]:
    """Rows pointing at records that are not there: in the suspect files, and in every ``.invalid`` file."""
    lost: list[_Lost] = []
    for name in suspects:
        with open(warc_dir / name, "rb") as fh:
            scan = scan_warc(fh)
        if scan.error and name not in repaired:
            # A closed file damaged on disk: its bytes are still there, maybe restorable; never drop its rows.
            logger.warning("WARC %s is damaged (%s): left as it is; run `govarchive verify`, then restore the "
                           "file from a copy if you have one", name, scan.error)
            report.errors.append(f"{name} {scan.error}")
            continue
        at_offset = {record.offset: record for record in scan.records}
        by_id = {record.record_id: record for record in scan.records}
        gone: list[str] = []
        moved: list[tuple[str, StoredRecord]] = []
        for capture_id, offset in index.db.execute("select id, warc_offset from captures where warc_file = ?",
                                                   [name]).fetchall():
            record = at_offset.get(offset)
            if record is not None and record.record_id == capture_id:
                continue
            elsewhere = by_id.get(capture_id)
            if elsewhere is not None:
                moved.append((capture_id, elsewhere))
            else:
                gone.append(capture_id)
        with write_transaction(index.db):
            for capture_id, record in moved:
                index.db.execute("update captures set warc_offset = ?, warc_length = ? where id = ?",
                                 [record.offset, record.length, capture_id])
                logger.warning("capture %s: its record is at offset %d of %s, not where the index said; pointer "
                               "fixed", capture_id, record.offset, name)
        report.moved_pointers += len(moved)
        lost += _lost_rows(index, gone, TORN_TAIL, name)
    for path in ArchiveWarcs(warc_dir).invalid_files():
        stem = path.name[: -len(INVALID_SUFFIX)]
        ids = [row[0] for row in index.db.execute("select id from captures where warc_file = ?", [stem])]
        lost += _lost_rows(index, ids, UNREADABLE_FILE, path.name)
    return lost


def _lost_rows(index: Index, ids: list[str], reason: str, warc_file: str) -> list[_Lost]:
    found = []
    for capture_id in ids:
        row = index.db.execute("select id, run_id, url, record_type, payload_digest, warc_offset from captures "
                               "where id = ?", [capture_id]).fetchone()
        lost_id, run_id, url, record_type, digest, offset = row
        found.append(_Lost(lost_id, run_id, url, record_type, digest, offset, reason=reason, warc_file=warc_file))
    return found


def _forget(index: Index, lost: list[_Lost], moment: str, current_run_id: str | None,
            report: RecoveryReport) -> None:
    """Keep the lost captures in ``lost_captures``, repoint what referred to them, delete their rows."""
    db = index.db
    by_id = {item.id: item for item in lost}
    db.execute("create temp table if not exists recovery_lost (id text primary key)")
    with write_transaction(db):  # one transaction: the index never shows a half-repaired state
        db.execute("delete from temp.recovery_lost")
        db.conn.executemany("insert into temp.recovery_lost (id) values (?)", [(key,) for key in by_id])
        db.execute("delete from captures where id in (select id from temp.recovery_lost)")
        repointer = _Repointer(db, by_id, moment, current_run_id)
        requeued = repointer.run()
        db.conn.executemany(
            "insert into lost_captures (capture_id, run_id, url, record_type, payload_digest, warc_file, "
            "warc_offset, reason, requeued, detected_at, detected_by_run) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "on conflict (capture_id) do nothing",
            [(item.id, item.run_id, item.url, item.record_type, item.payload_digest, item.warc_file,
              item.warc_offset, item.reason, int(item.id in requeued), moment, current_run_id) for item in lost])
        db.execute("delete from temp.recovery_lost")
    report.lost_captures = [item.id for item in lost]
    report.requeued_posts = repointer.requeued_posts
    groups: dict[tuple[str, str, str | None], list[_Lost]] = defaultdict(list)
    for item in lost:
        groups[(item.reason, item.warc_file, item.run_id)].append(item)
    for (reason, warc_file, run_id), items in groups.items():
        again = sum(item.id in requeued for item in items)
        where = "past the kept part of" if reason == TORN_TAIL else "into the unreadable file"
        logger.warning("%d capture(s) that run %s indexed pointed %s %s: their records are lost (kept in "
                       "lost_captures, e.g. %s); %d will be fetched again by this run, %d not (media, error "
                       "pages, or post pages whose earlier copy survives)", len(items), run_id, where, warc_file,
                       items[0].url, again, len(items) - again)
    for post_id in repointer.requeued_posts:
        logger.warning("post %s lost its only archived copy: back to 'listed', this run fetches it again", post_id)
    for capture_id in repointer.orphaned_revisits:
        logger.warning("revisit %s: its original record was lost and no other record has its payload; "
                       "`govarchive verify` lists it", capture_id)


class _Repointer:
    """Points every row that referred to a lost capture at the newest surviving capture of the same
    thing, or at NULL. The lost rows are already deleted from ``captures`` (same transaction), so any
    capture still there has survived."""

    def __init__(self, db: Any, lost: dict[str, _Lost], moment: str, run_id: str | None) -> None:
        self.db = db
        self.lost = lost
        self.moment = moment
        self.run_id = run_id
        self.requeued: set[str] = set()  # lost capture ids the next run fetches again
        self.requeued_posts: list[str] = []
        self.orphaned_revisits: list[str] = []

    def run(self) -> set[str]:
        self.listing_pages()
        self.revisits()
        self.posts()
        self.notices()
        self.account_sources()
        self.account_checks()
        self.accounts()
        self.generic()
        return self.requeued

    def _select(self, sql: str, params: Iterable[Any] = ()) -> list[tuple]:
        return self.db.execute(sql, list(params)).fetchall()

    def _newest(self, url: str, extra: str = "", params: Iterable[Any] = ()) -> str | None:
        row = self.db.execute(f"select id from captures where url = ? {extra} order by fetched_at desc limit 1",
                              [url, *params]).fetchone()
        return row[0] if row else None

    def listing_pages(self) -> None:
        """Listing and account pages (what accounts and listed posts point at): every run fetches them."""
        self.requeued.update(row[0] for row in self._select(
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
                self.orphaned_revisits.append(capture_id)

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
                self.requeued.update(lost_ids)
                self.requeued_posts.append(post_id)
                lost = self.lost[lost_ids[0]]
                self.db.execute(
                    "insert into status_history (table_name, row_id, old_status, new_status, reason, capture_id, "
                    "run_id, changed_at) values ('posts', ?, ?, ?, ?, null, ?, ?)",
                    [post_id, state, new_state, f"its only archived copy was lost ({lost.reason} of "
                     f"{lost.warc_file}): fetched again by the next run", self.run_id, self.moment])
            self.db.execute("update posts set capture_id = ?, archived_capture_id = ?, state = ? where id = ?",
                            [new_capture, new_archived, new_state, post_id])
        # a post page lost before its post row was saved: still 'listed', so fetched again too
        self.requeued.update(item.id for item in self.lost.values() if self.db.execute(
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


def _import_unindexed(index: Index, warc_dir: Path, suspects: list[str], max_body_bytes: int,
                      report: RecoveryReport) -> int:
    """Index the whole records of the suspect files that no ``captures`` row points to."""
    if not suspects:
        return 0
    importer = WarcImporter(index, max_body_bytes, known_files=ArchiveWarcs(warc_dir).files(), analyse_runs=False)
    before = Counter(row[0] for row in index.db.execute(
        "select warc_file from captures where warc_file in (" + ", ".join("?" for _ in suspects) + ")", suspects))
    result = importer.import_files([warc_dir / name for name in suspects])
    after = Counter(row[0] for row in index.db.execute(
        "select warc_file from captures where warc_file in (" + ", ".join("?" for _ in suspects) + ")", suspects))
    for name in suspects:
        if after[name] > before[name]:
            logger.warning("indexed %d whole record(s) of %s that the killed run wrote but had not indexed",
                           after[name] - before[name], name)
    said = {known.split(" @ ", 1)[0] for known in report.errors}
    for error in result.errors:
        if error.split(" @ ", 1)[0] in said:
            continue  # a closed file found damaged above: said once
        logger.warning("could not index the records of %s", error)
        report.errors.append(error)
    return result.captures


def _mark_killed(index: Index, unfinished: list[str]) -> list[str]:
    """Runs left ``running`` by a dead process: ``killed``, finished at their last indexed capture."""
    killed = []
    with write_transaction(index.db):
        for run_id in unfinished:
            row = index.db.execute(
                "select coalesce((select max(fetched_at) from captures where run_id = r.id), r.started_at), "
                "r.status from runs r where r.id = ?", [run_id]).fetchone()
            if row is None or row[1] != "running":  # its summary record was among the imported records
                continue
            index.db.execute("update runs set status = ?, finished_at = ? where id = ?", [KILLED, row[0], run_id])
            killed.append(run_id)
            logger.warning("run %s ended without finishing (kill -9, a crash or a power loss): marked killed, "
                           "finished at its last indexed capture (%s); what it indexed is kept", run_id, row[0])
    return killed
