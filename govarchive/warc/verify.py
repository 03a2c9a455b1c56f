"""``govarchive verify``: read every WARC record back and check the index against it. Read-only.

For every file of the archive (:class:`~govarchive.warc.files.ArchiveWarcs`: ``.warc.gz``, ``.warc``,
``.arc.gz`` and ``.arc`` files in ``warc/``, and files imported in place), every record is read back
(:func:`govarchive.warc.writer.scan_warc`: gzip members inflated whole with their trailer checked, each
record's length checked) and its block and payload digests are recomputed. Then every ``captures``
row's pointer is followed: the file exists, a record with the row's ``WARC-Record-ID`` starts at
``warc_offset``, ``warc_length`` is its length, and its type and payload digest are the row's. Every
revisit must refer to a response capture with the same payload digest whose record is there, and every
response, revisit or resource record must have its row (else: an orphan; a record repeating the id of
a capture indexed elsewhere is a duplicate, counted, not a problem). Leftover ``.open`` files (a killed
crawl's, unless a crawl is writing right now) and ``.invalid`` files are reported too. Each kind of
problem comes with what to do (docs/recovery.md).
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

from govarchive.index import inspection
from govarchive.index.search import search_status
from govarchive.warc.files import IN_PLACE_LIST, INVALID_SUFFIX, OPEN_SUFFIX, ArchiveWarcs
from govarchive.warc.lock import holder_of
from govarchive.warc.reader import CAPTURE_TYPES
from govarchive.warc.writer import StoredRecord, WarcScan, scan_warc

SHOWN = 5  # problems of each kind listed by :meth:`VerifyReport.lines` (--json lists them all)


@dataclass(frozen=True)
class Problem:
    """One thing wrong, where it is."""

    file: str | None
    offset: int | None
    record_id: str | None  # the WARC-Record-ID (= captures.id) concerned, when one is
    detail: str

    def describe(self) -> str:
        where = self.file or "index"
        if self.offset is not None:
            where += f" @ {self.offset}"
        return f"{where}: {self.record_id + ': ' if self.record_id else ''}{self.detail}"


# Each kind of problem: what it is, and what to do about it (lines() prints both).
KINDS: dict[str, tuple[str, str]] = {
    "open_files": ("WARC file(s) left .open by a crawl that was killed",
                   "the next crawl repairs them when it starts (cuts a torn last record, indexes whole records "
                   "the killed run had not): run one"),
    "invalid_files": ("WARC file(s) in which recovery found no whole record (renamed .invalid)",
                      "their captures are listed in lost_captures; keep the files to inspect them, or delete them"),
    "unreadable": ("damaged part(s) of WARC files (a torn or damaged gzip member, a record cut short or longer "
                   "than it says, bytes that are no record; reading went on after each)",
                   "restore the file from a copy if you have one (a file imported damaged stays so: its whole "
                   "records are indexed, the damaged parts never are); `govarchive reindex` rebuilds the index "
                   "from what can still be read"),
    "digest_errors": ("record(s) whose bytes no longer match their WARC digests",
                      "the bytes are not those their writer recorded (changed on disk, or written wrong): restore "
                      "the file from a copy if you have one; these records cannot be trusted"),
    "missing_records": ("capture row(s) whose record is not where the index points",
                        "after a killed crawl, run a crawl (its recovery moves them to lost_captures and fetches "
                        "the pages again); otherwise `govarchive reindex` rebuilds the index from the WARC files"),
    "pointer_mismatches": ("capture row(s) whose record is there but differs (length, type or payload digest)",
                           "`govarchive reindex` rebuilds every pointer from the WARC files"),
    "broken_revisits": ("revisit(s) whose original full record is missing or holds another payload",
                        "restore the WARC file holding the original; otherwise the next crawl that fetches the "
                        "URL archives its payload in full again"),
    "orphans": ("response, revisit or resource record(s) no capture row points to",
                "`govarchive reindex` indexes every record (a killed crawl's last records are indexed by the "
                "next crawl's recovery)"),
}


@dataclass
class VerifyReport:
    """Every problem found, by kind; :attr:`ok` when there is none."""

    archive_dir: str
    files: int = 0  # closed WARC files read (in warc/ and imported in place)
    records: int = 0  # whole records read in them
    captures: int = 0  # capture rows checked
    record_types: dict[str, int] = field(default_factory=dict)  # whole records read, by type
    in_place_files: int = 0  # files read where an in-place import recorded them
    duplicates: int = 0  # records repeating the WARC-Record-ID of a capture indexed elsewhere (not a problem)
    # revisits of imported files whose originals were never in this archive (another tool's file refers to a
    # file not imported): whole records, replayable once that file is imported; said, not a problem
    foreign_revisits: list[Problem] = field(default_factory=list)
    lost_captures: int = 0  # captures recovery recorded as lost (known losses, not problems)
    in_use_by: str | None = None  # the run writing the archive while it was verified, if any
    # search.db (m014): derived from index.db, so never a problem of the archive; said when it cannot serve
    search_db: str | None = None
    open_files: list[Problem] = field(default_factory=list)
    invalid_files: list[Problem] = field(default_factory=list)
    unreadable: list[Problem] = field(default_factory=list)
    digest_errors: list[Problem] = field(default_factory=list)
    missing_records: list[Problem] = field(default_factory=list)
    pointer_mismatches: list[Problem] = field(default_factory=list)
    broken_revisits: list[Problem] = field(default_factory=list)
    orphans: list[Problem] = field(default_factory=list)

    def problems(self) -> Iterator[tuple[str, list[Problem]]]:
        for kind in KINDS:
            found = getattr(self, kind)
            if found:
                yield kind, found

    @property
    def ok(self) -> bool:
        return not any(True for _ in self.problems())

    def lines(self) -> list[str]:
        """The report for a person: counts, then each kind of problem with examples and what to do."""
        in_place = f" ({self.in_place_files} imported in place)" if self.in_place_files else ""
        lines = [f"verified {self.archive_dir}: {self.files} WARC files{in_place}, {self.records} records, "
                 f"{self.captures} captures"]
        if self.record_types:
            kinds = ", ".join(f"{t} {n:,}" for t, n in sorted(self.record_types.items()))
            lines.append(f"records by type: {kinds} ({', '.join(CAPTURE_TYPES)} are captures; the others are kept "
                         "in their files, not indexed)")
        if self.duplicates:
            lines.append(f"{self.duplicates} record(s) repeat the WARC-Record-ID of a capture indexed elsewhere: the "
                         "index keeps the first (not a problem of the files)")
        if self.foreign_revisits:
            first = self.foreign_revisits[0]
            lines.append(f"{len(self.foreign_revisits)} revisit(s) of imported files refer to originals in files "
                         f"that were never imported (e.g. {first.describe()}): import those files to replay them "
                         "(not a problem of the files)")
        if self.in_use_by:
            lines.append(f"a crawl is writing this archive now ({self.in_use_by}): its .open files were read "
                         "up to their last whole record")
        if self.lost_captures:
            lines.append(f"{self.lost_captures} capture(s) were lost to a killed crawl or a power loss and are "
                         "recorded in lost_captures (not a problem of the files)")
        if self.search_db:
            lines.append(f"{self.search_db} (not a problem of the files: search.db is made from index.db)")
        if self.ok:
            lines.append("no problem found")
            return lines
        for kind, found in self.problems():
            what, todo = KINDS[kind]
            lines.append(f"{len(found)} {what}:")
            lines += [f"  {problem.describe()}" for problem in found[:SHOWN]]
            if len(found) > SHOWN:
                lines.append(f"  … and {len(found) - SHOWN} more (--json lists them all)")
            lines.append(f"  what to do: {todo}")
        return lines

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data


def verify_archive(archive_dir: Path | str) -> VerifyReport:
    """Check every WARC record of ``archive_dir`` and every ``captures`` row of its index (read-only).

    Rows are read once, in file order, and each file once, so time grows with the archive's size and
    memory with its largest file. Raises :class:`sqlite3.DatabaseError` when ``index.db`` cannot be read.
    """
    archive_dir = Path(archive_dir)
    warcs = ArchiveWarcs(archive_dir / "warc")
    report = VerifyReport(str(archive_dir))
    holder = holder_of(archive_dir)
    report.in_use_by = holder.describe() if holder else None
    files = warcs.files()
    closed = {f.name: f.path for f in files}
    report.in_place_files = sum(f.in_place for f in files)
    # rows point at a file's final name; the last records of an .open file may not be indexed yet
    still_open = {path.name[: -len(OPEN_SUFFIX)]: path for path in warcs.open_files()}
    if holder is None:
        report.open_files = [Problem(path.name, None, None, "left open: not closed by its crawl")
                             for _, path in sorted(still_open.items())]
    report.invalid_files = [Problem(path.name, None, None, "no whole record") for path in warcs.invalid_files()]
    types: Counter = Counter()
    repeats: list[Problem] = []  # capture records whose id a row gives to another place
    conn = sqlite3.connect(f"file:{archive_dir / 'index.db'}?mode=ro", uri=True)
    try:
        report.lost_captures = inspection.lost_capture_count(conn)

        def indexed(capture_id: str) -> bool:
            return inspection.is_indexed(conn, capture_id)

        failed: set[str] = set()  # captures whose own record failed its check (revisits of them are broken)
        rows = inspection.capture_pointers(conn)
        seen: set[str] = set()
        for name, group in groupby(rows, key=itemgetter(0)):
            found = [row[1:] for row in group]
            report.captures += len(found)
            seen.add(name)
            if name in closed:
                failed |= _check_file(closed[name], name, found, report, indexed, types, repeats, closed=True)
            elif name in still_open:
                failed |= _check_file(still_open[name], name, found, report, indexed, types, repeats, closed=False)
            else:
                failed |= _absent(warcs, name, found, report)
        for name in sorted(set(closed) - seen):
            _check_file(closed[name], name, [], report, indexed, types, repeats, closed=True)
        for name in sorted(set(still_open) - seen):
            _check_file(still_open[name], name, [], report, indexed, types, repeats, closed=False)
        _check_revisits(conn, failed, report)
    finally:
        conn.close()
    for problem in repeats:  # the row is right about another record with this id: a duplicate id, else an orphan
        if problem.record_id in failed:
            report.orphans.append(problem)
        else:
            report.duplicates += 1
    report.orphans.sort(key=lambda p: (p.file or "", p.offset or 0))
    report.record_types = dict(sorted(types.items()))
    search = search_status(archive_dir / "index.db", check=True)
    report.search_db = search.problem or (f"{search.backlog} change(s) of posts or accounts not searchable yet "
                                          "(search_queue)" if search.backlog else None)
    return report


def _check_file(path: Path, name: str, rows: list[tuple], report: VerifyReport, indexed: Callable[[str], bool],
                types: Counter, repeats: list[Problem], closed: bool) -> set[str]:
    """Read one file back and check the rows pointing into it; return the ids whose check failed.

    A closed file must read to its end and hold no record without its row; an ``.open`` one is read up to
    its last whole record (the rest is the next crawl's recovery, or still being written)."""
    with open(path, "rb") as fh:  # a closed file is read past any damage, so one bad byte costs one record
        scan = scan_warc(fh, check_digests=True, resync=closed)
    for scanned in scan.records:
        if scanned.digest_problems:
            report.digest_errors.append(Problem(name, scanned.offset, scanned.record_id or None,
                                                f"{scanned.record_type} record: {'; '.join(scanned.digest_problems)}"))
    if closed:
        report.files += 1
        report.records += len(scan.records)
        types.update(record.record_type for record in scan.records)
        for damage in scan.damage:
            report.unreadable.append(Problem(name, damage.offset, None,
                                             f"bytes {damage.offset}–{damage.end} cannot be read: {damage.reason}"
                                             + (f" ({damage.lost})" if damage.lost else "")))
    at_offset: dict[int, StoredRecord] = {record.offset: record for record in scan.records}
    pointed: set[int] = set()
    failed: set[str] = set()
    for capture_id, offset, length, record_type, digest in rows:
        pointed.add(offset)
        record = at_offset.get(offset)
        if record is None or record.record_id != capture_id:
            failed.add(capture_id)
            if record is not None:
                detail = f"the record at this offset is {record.record_id}"
            elif offset is not None and (where := _damaged_part(scan, offset)):
                detail = f"inside the unreadable part of the file (bytes {where[0]}–{where[1]})"
            elif scan.error and not closed and offset is not None and offset >= scan.end:
                detail = f"past the readable part of the file (it ends at {scan.end})"
            else:
                detail = "no record starts at this offset"
            report.missing_records.append(Problem(name, offset, capture_id, detail))
            continue
        checked = [("warc_length", length, record.length), ("record_type", record_type, record.record_type)]
        if record.payload_digest is not None:  # a record without one: the index computed it from the payload
            checked.append(("payload_digest", digest, record.payload_digest))
        differences = [f"{what} {ours!r} in the index, {theirs!r} in the record" for what, ours, theirs in checked
                       if ours != theirs]
        if differences:
            failed.add(capture_id)
            report.pointer_mismatches.append(Problem(name, offset, capture_id, "; ".join(differences)))
    if closed:
        for record in scan.records:
            if record.record_type not in CAPTURE_TYPES or record.offset in pointed:
                continue
            orphan = Problem(name, record.offset, record.record_id, f"a {record.record_type} record")
            # its id a capture elsewhere: a duplicate when that capture's own record checks out (decided at the end)
            (repeats if record.record_id and indexed(record.record_id) else report.orphans).append(orphan)
    return failed


def _damaged_part(scan: WarcScan, offset: int) -> tuple[int, int] | None:
    return next(((start, end) for start, end, _ in scan.damaged if start <= offset < end), None)


def _absent(warcs: ArchiveWarcs, name: str | None, rows: list[tuple], report: VerifyReport) -> set[str]:
    """Rows pointing into a file that is not in warc/ nor where an in-place import recorded it (or into none)."""
    elsewhere = warcs.in_place().get(name) if name else None
    if name is None:
        detail = "the row has no WARC file"
    elif (warcs.warc_dir / (name + INVALID_SUFFIX)).exists():
        detail = "its file was renamed .invalid (no whole record): the next crawl moves it to lost_captures"
    elif elsewhere is not None:
        detail = (f"imported in place from {elsewhere}, which is not there any more: put the file back, or fix its "
                  f"line in warc/{IN_PLACE_LIST}")
    else:
        detail = "no such file in warc/"
    report.missing_records += [Problem(name, offset, capture_id, detail) for capture_id, offset, *_ in rows]
    return {capture_id for capture_id, *_ in rows}


def _check_revisits(conn: sqlite3.Connection, bad_originals: set[str], report: VerifyReport) -> None:
    for capture_id, name, offset, refers_to, digest, original, original_type, original_digest, imported in \
            inspection.revisits_and_originals(conn):
        if original is None and imported:  # another tool's revisit of a record in a file never imported
            detail = (f"its original {refers_to} is in no file of the archive" if refers_to
                      else f"no record of the archive holds its payload {digest}")
            report.foreign_revisits.append(Problem(name, offset, capture_id, detail))
            continue
        if not refers_to:
            detail = "it names no original (refers_to is empty)"
        elif original is None:
            detail = f"its original {refers_to} is not in the index"
        elif original_type != "response":
            detail = f"its original {refers_to} is a {original_type} record, not a response"
        elif original_digest != digest:
            detail = f"its original {refers_to} holds another payload ({original_digest})"
        elif original in bad_originals:
            detail = f"its original {refers_to} cannot be read where the index points"
        else:
            continue
        report.broken_revisits.append(Problem(name, offset, capture_id, detail))
