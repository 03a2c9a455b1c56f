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

The index's side of it (its reads and the repairs, :func:`govarchive.index.repairs.forget_lost_captures`) lives
in govarchive/index/repairs.py; this module reads the files and decides. Every index change is made in a
transaction, every finding is logged as one WARNING a person can act on, and a second call changes nothing. docs/recovery.md tells the whole story.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from govarchive.core.config import DEFAULT_CONFIG, ArchivePaths
from govarchive.index.repairs import RULES as RULES  # the repair rules live with the index's repairs
from govarchive.index.repairs import (
    LostCapture,
    capture_counts_by_file,
    capture_places_in_file,
    captures_in_file,
    forget_lost_captures,
    lost_captures_of,
    mark_killed,
    move_capture_pointers,
    unfinished_runs,
    warc_files_of_run,
)
from govarchive.index.repairs import capture_references as capture_references
from govarchive.index.store import Index, open_index
from govarchive.warc.files import ArchiveWarcs
from govarchive.warc.importer import WarcImporter
from govarchive.warc.writer import INVALID_SUFFIX, StoredRecord, repair_open_files, scan_warc, warc_date

logger = logging.getLogger(__name__)

TORN_TAIL = "torn tail"  # lost_captures.reason: recovery cut the bytes off the end of an .open file
UNREADABLE_FILE = "unreadable file"  # lost_captures.reason: the whole file became .invalid
KILLED = "killed"  # runs.status of a run whose process died without finishing


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
        unfinished = unfinished_runs(index, current_run_id)
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
        names.update(warc_files_of_run(index, run_id))
    return sorted(name for name in names if (warc_dir / name).is_file())


def _find_lost(index: Index, warc_dir: Path, suspects: list[str], repaired: set[str],
               report: RecoveryReport) -> list[LostCapture]:
    """Rows pointing at records that are not there: in the suspect files, and in every ``.invalid`` file."""
    lost: list[LostCapture] = []
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
        for capture_id, offset in capture_places_in_file(index, name):
            record = at_offset.get(offset)
            if record is not None and record.record_id == capture_id:
                continue
            elsewhere = by_id.get(capture_id)
            if elsewhere is not None:
                moved.append((capture_id, elsewhere))
            else:
                gone.append(capture_id)
        move_capture_pointers(index, [(capture_id, record.offset, record.length) for capture_id, record in moved])
        for capture_id, record in moved:
            logger.warning("capture %s: its record is at offset %d of %s, not where the index said; pointer "
                               "fixed", capture_id, record.offset, name)
        report.moved_pointers += len(moved)
        lost += lost_captures_of(index, gone, TORN_TAIL, name)
    for path in ArchiveWarcs(warc_dir).invalid_files():
        stem = path.name[: -len(INVALID_SUFFIX)]
        lost += lost_captures_of(index, captures_in_file(index, stem), UNREADABLE_FILE, path.name)
    return lost


def _forget(index: Index, lost: list[LostCapture], moment: str, current_run_id: str | None,
            report: RecoveryReport) -> None:
    """Keep the lost captures in ``lost_captures``, repoint what referred to them, delete their rows; say so."""
    forgotten = forget_lost_captures(index, lost, moment, current_run_id)
    requeued = forgotten.requeued
    report.lost_captures = [item.id for item in lost]
    report.requeued_posts = forgotten.requeued_posts
    groups: dict[tuple[str, str, str | None], list[LostCapture]] = defaultdict(list)
    for item in lost:
        groups[(item.reason, item.warc_file, item.run_id)].append(item)
    for (reason, warc_file, run_id), items in groups.items():
        again = sum(item.id in requeued for item in items)
        where = "past the kept part of" if reason == TORN_TAIL else "into the unreadable file"
        logger.warning("%d capture(s) that run %s indexed pointed %s %s: their records are lost (kept in "
                       "lost_captures, e.g. %s); %d will be fetched again by this run, %d not (media, error "
                       "pages, or post pages whose earlier copy survives)", len(items), run_id, where, warc_file,
                       items[0].url, again, len(items) - again)
    for post_id in forgotten.requeued_posts:
        logger.warning("post %s lost its only archived copy: back to 'listed', this run fetches it again", post_id)
    for capture_id in forgotten.orphaned_revisits:
        logger.warning("revisit %s: its original record was lost and no other record has its payload; "
                       "`govarchive verify` lists it", capture_id)


def _import_unindexed(index: Index, warc_dir: Path, suspects: list[str], max_body_bytes: int,
                      report: RecoveryReport) -> int:
    """Index the whole records of the suspect files that no ``captures`` row points to."""
    if not suspects:
        return 0
    importer = WarcImporter(index, max_body_bytes, known_files=ArchiveWarcs(warc_dir).files(), analyse_runs=False)
    before = capture_counts_by_file(index, suspects)
    result = importer.import_files([warc_dir / name for name in suspects])
    after = capture_counts_by_file(index, suspects)
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
    for run_id, finished_at in mark_killed(index, unfinished, KILLED):
        killed.append(run_id)
        logger.warning("run %s ended without finishing (kill -9, a crash or a power loss): marked killed, "
                       "finished at its last indexed capture (%s); what it indexed is kept", run_id, finished_at)
    return killed
