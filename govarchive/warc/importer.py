"""Rebuild the index from WARC files alone: ``govarchive reindex`` and ``govarchive import``.

The WARCs are the source of truth. Records are read in file order, through
:class:`govarchive.warc.reader.RecordReader` (WARC and ARC, compressed or not; a damaged part is skipped
and reported with its file, offset and what it held, never indexed); each response, revisit or
resource record becomes a capture row, runs through the same page objects as a crawl, and its accounts
and posts are saved with the same merge rules. A record whose ``WARC-Record-ID`` is already a capture
elsewhere is a duplicate: the first one stays, the others are counted and named. Works on WARCs of
other tools (wget, Browsertrix, Heritrix, pywb…): their captures get the run ``import:<warcinfo id or file
name>``. ``import`` first puts each file into the archive (a verified copy in ``warc/``, or its place
recorded with ``--in-place``: :mod:`govarchive.warc.files`), so ``verify`` and ``reindex`` find it.
"""

from __future__ import annotations

import heapq
import json
import logging
import sqlite3
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from warcio.timeutils import timestamp_to_datetime

from govarchive.closure.lifecycle import analyse
from govarchive.core.config import DEFAULT_CONFIG
from govarchive.core.failures import FAILURE_CONTENT_TYPE
from govarchive.core.httpdata import BodyTooLarge, chunked_problem, header, http_body, payload_digest
from govarchive.core.items import Capture, FetchFailure, Post
from govarchive.core.sources import SOURCE_HEADER, SOURCES_CONTENT_TYPE
from govarchive.index.searchworker import searching_alongside
from govarchive.index.store import TOO_LARGE, Index, open_index
from govarchive.pages import Extraction
from govarchive.warc.archiver import Archiver, read_page
from govarchive.warc.files import ArchiveWarcs, Placed, PlacementError, WarcFile, archive_name
from govarchive.warc.lock import hold
from govarchive.warc.pagereading import PageReading
from govarchive.warc.reader import (
    CAPTURE_TYPES,
    Damage,
    RecordReader,
    describe_type,
    one_line,
    read_http_record,
    record_id,
)

logger = logging.getLogger(__name__)
RUN_URI_PREFIX = "urn:govarchive:run:"
PARSE_ERROR = "parse_error"  # captures.page_state of a payload that could not be decoded (a bad chunked body)
PHASES = ("all", "captures", "pages")


# the fields of a fetch-failure record's JSON (the record's headers give its id, URL and time)
FAILURE_FIELDS = tuple(f.name for f in fields(FetchFailure) if f.name not in ("id", "url", "failed_at"))


@dataclass
class FileReport:
    """What one file gave: its whole records by type, the captures indexed, and every problem, where."""

    name: str
    placed: str = ""  # how an imported file joined the archive ("copied into warc/", "recorded in place"…)
    records: Counter = field(default_factory=Counter)  # whole records, by type
    captures: int = 0  # capture rows added from this file
    known: int = 0  # capture records already indexed at this very place (merged or imported again)
    duplicates: list[tuple[int, str, str]] = field(default_factory=list)  # (offset, record id, where the first is)
    unusable: list[tuple[int, str]] = field(default_factory=list)  # (offset, why) whole records that cannot be captures
    damage: list[Damage] = field(default_factory=list)
    digest_errors: list[tuple[int, str]] = field(default_factory=list)  # (offset, what failed)
    undecoded: list[tuple[int, str]] = field(default_factory=list)  # (offset, why) payloads indexed as parse_error
    # (offset, what) revisits whose original is in no file of the archive: another tool's file that refers to a
    # file not imported (a warning, not damage: the record is whole; it replays once that file is imported)
    no_original: list[tuple[int, str]] = field(default_factory=list)
    refused: str | None = None  # why nothing of the file was read (empty, not an archive, unreadable)

    def problems(self) -> list[str]:
        """Every problem as ``@ OFFSET: what``, in file order."""
        found = [(d.offset, d.describe()) for d in self.damage]
        found += [(offset, f"@ {offset}: {why}")
                  for offset, why in self.digest_errors + self.undecoded + self.unusable]
        return [text for _, text in sorted(found, key=lambda item: item[0])]

    def warning_line(self) -> str | None:
        """The file's one line of warning (revisits whose originals are in files not imported), or None."""
        if not self.no_original:
            return None
        offset, what = min(self.no_original)
        more = f" (and {len(self.no_original) - 1} more such revisit(s))" if len(self.no_original) > 1 else ""
        return f"{self.name} @ {offset}: {what}{more}"

    def error_line(self) -> str | None:
        """The file's one line of error: its first problem, and how many more there are (None: no problem)."""
        if self.refused:
            return f"{self.name} @ 0: {self.refused}"
        problems = self.problems()
        if not problems:
            return None
        more = f" (and {len(problems) - 1} more problem(s) in this file)" if len(problems) > 1 else ""
        return f"{self.name} {problems[0]}{more}"


@dataclass
class ImportReport:
    files: int = 0
    captures: int = 0
    accounts: int = 0
    posts: int = 0
    failures: int = 0  # fetches that gave no page (metadata records of govarchive/core/failures.py)
    per_file: list[FileReport] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)  # .open files a killed crawl left, repaired first (reindex)
    revisits_resolved: int = 0  # revisits indexed before their original, now pointing at it (import)

    @property
    def warnings(self) -> list[str]:
        """One line per file whose revisits refer to originals in files not imported."""
        return [line for line in (f.warning_line() for f in self.per_file) if line]

    @property
    def errors(self) -> list[str]:
        """One line per file with a problem: file, offset, what (and how many more problems it has)."""
        return [line for line in (f.error_line() for f in self.per_file) if line]

    def records(self) -> Counter:
        total: Counter = Counter()
        for report in self.per_file:
            total.update(report.records)
        return total

    def add(self, report: FileReport) -> None:
        if not any(known is report for known in self.per_file):  # (equal reports of two files are two reports)
            self.per_file.append(report)

    def type_lines(self) -> list[str]:
        """Records by type, and what each type became, in words that add up to the captures row count."""
        records = self.records()
        if not records:
            return ["no whole record was read"]
        captured = [f"{t} {records[t]:,}" for t in CAPTURE_TYPES if records[t]]
        known = sum(f.known for f in self.per_file)
        duplicates = sum(len(f.duplicates) for f in self.per_file)
        unusable = sum(len(f.unusable) for f in self.per_file)
        lines = [f"records by type: {', '.join(f'{t} {n:,}' for t, n in sorted(records.items()))}"]
        total = sum(records[t] for t in CAPTURE_TYPES)
        arithmetic = f"{total:,} capture records ({', '.join(captured) or 'none'})"
        for count, why in ((duplicates, "repeating the WARC-Record-ID of an earlier record (the first is kept)"),
                           (known, "already indexed at the same place"), (unusable, "unusable (see the errors)")):
            if count:
                arithmetic += f" - {count:,} {why}"
        lines.append(f"{arithmetic} = {self.captures:,} captures indexed")
        for rtype in sorted(t for t in records if t not in CAPTURE_TYPES):
            lines.append(f"{rtype} {records[rtype]:,}: {describe_type(rtype)}")
        first = next(((f.name, d) for f in self.per_file for d in f.duplicates), None)
        if first:
            name, (offset, rid, where) = first
            lines.append(f"duplicate record ids: e.g. {rid} at {name} @ {offset} (first at {where})")
        return lines


@dataclass(frozen=True)
class RunAnalysis:
    """The closure analysis a run ended with (from its summary record), to replay on an index."""

    run_id: str
    as_of: datetime
    dormant_days: int = DEFAULT_CONFIG.dormant_days
    closed_after_runs: int = DEFAULT_CONFIG.closed_after_runs

    def run(self, index: Index) -> None:
        analyse(index, self.as_of, self.run_id, self.dormant_days, self.closed_after_runs)


def _run_id(data: bytes, headers: Any, name: str) -> str:
    """The run a warcinfo record opens: the ``run-id`` it names, else one made of its record id (another
    tool's file)."""
    return warc_fields(data).get("run-id") or f"import:{record_id(headers.get_header('WARC-Record-ID')) or name}"


def _parse_date(value: str | None) -> datetime:
    """A ``WARC-Date`` (ISO 8601, any precision) or an ARC 14-digit timestamp, as UTC."""
    text = (value or "").strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        if text.isdigit() and len(text) >= 8:
            return timestamp_to_datetime(text[:14]).replace(tzinfo=UTC)
        raise ValueError(f"no readable WARC-Date ({text[:40]!r})") from None


def _as_file(file: WarcFile | Path) -> WarcFile:
    return file if isinstance(file, WarcFile) else WarcFile(Path(file).name, Path(file))


class WarcImporter:
    """Index the records of WARC (and ARC) files into an :class:`Index`.

    A capture record whose id the index already holds is not indexed again: at the same place (a file
    merged or imported again) it is counted as known, elsewhere as a duplicate record id.

    :param max_body_bytes: decoded bodies larger than this are indexed as captures, not parsed
    :param known_files: WARC files that may hold the originals revisits point to
    :param analyse_runs: run each run's closure analysis when its summary record is read; when
        False the analyses are collected in :attr:`pending_analyses` for the caller to run once
        every file is in (the workers of one distributed run write one summary each)
    :param check_digests: recompute every record's digests while reading (``govarchive import``)
    :param phase: ``all`` (each record indexed whole, as ``import`` does), or one of a reindex's two phases
        (govarchive/warc/reindexing.py): ``captures`` (the capture rows, runs and revisits' originals from the
        records' headers; no page read) and ``pages`` (the captures already indexed: their pages read, their
        page states, accounts, posts, failed fetches and runs' analyses, in record order)
    :param reading: where pages are read (:class:`~govarchive.warc.pagereading.PageReading`: worker
        processes); by default in this process, at once
    """

    def __init__(self, index: Index, max_body_bytes: int = DEFAULT_CONFIG.max_body_bytes, known_files: Iterable[WarcFile | Path] = (),
                 analyse_runs: bool = True, check_digests: bool = False, report: ImportReport | None = None,
                 phase: str = "all", reading: PageReading | None = None) -> None:
        if phase not in PHASES:
            raise ValueError(f"no such import phase: {phase!r} (one of {', '.join(PHASES)})")
        self.index = index
        self.phase = phase
        self.reading = reading or PageReading()
        self.max_body_bytes = max_body_bytes
        self.analyse_runs = analyse_runs
        self.check_digests = check_digests
        self.archiver = Archiver(index)  # the records are in their files already: captures, rows, page states
        self.report = report or ImportReport()
        self.analysed = False  # whether a run summary already triggered the closure analysis
        self.analysis_seconds = 0.0  # spent in the runs' closure analyses (a reindex reports it apart)
        self.analyses = 0
        self.pending_analyses: dict[str, RunAnalysis] = {}  # run id -> its analysis (analyse_runs=False)
        self._files: dict[str, Path] = {f.name: f.path for f in map(_as_file, known_files)}
        # Revisits met before their original (the workers of a distributed run interleave): indexed
        # once every file is read, so their pages are parsed from the original's payload.
        self._deferred: list[Capture] = []
        self._deferred_at: dict[str, str] = {}  # their ids -> where they are (duplicates of them are not deferred)
        self._deferred_posts: list[Post] = []
        self._reports: dict[str, FileReport] = {}  # file name -> its report (problems found after the file)
        # (captures phase) where the first revisit still waiting for its original lies: a resumed phase
        # reads again from there (the records after it were indexed: they count as known)
        self._deferred_from: tuple[str, int] | None = None

    def import_files(self, files: Iterable[WarcFile | Path], start: tuple[str, int] | None = None) -> ImportReport:
        """Index ``files`` in order; ``start`` (file name, offset): a resumed reading begins at that record, the
        files before it already read."""
        warcs = [_as_file(f) for f in files]
        self._files.update({f.name: f.path for f in warcs})
        names = [f.name for f in warcs]
        first = names.index(start[0]) if start and start[0] in names else 0
        for number, file in enumerate(warcs[first:], first):
            report = self._reports.get(file.name) or FileReport(file.name)
            try:
                self.import_file(file, report, start[1] if start and number == first and start[0] == file.name else 0)
            except Exception as exc:  # a file that cannot be read is reported; the others are still indexed
                logger.debug("cannot read %s", file.path, exc_info=True)
                report.refused = f"indexing stopped ({one_line(exc)}); {report.captures} capture(s) of it indexed before"
                self.report.add(report)
        self.index_deferred()
        return self.report

    def index_deferred(self) -> None:
        """Index the revisits whose original was not indexed yet when they were read, and save the post
        fragments read before their post's listing."""
        self.reading.flush()
        deferred, self._deferred = self._deferred, []
        for capture in deferred:
            self._index_capture(capture, None)
        self._deferred_at.clear()
        self._deferred_from = None
        posts, self._deferred_posts = self._deferred_posts, []
        for post in posts:  # saved now if some listing showed the post meanwhile, dropped (as in a crawl) if not
            self.archiver.save_post(post)
            self.report.posts += 1

    def import_file(self, file: WarcFile | Path, report: FileReport | None = None, start: int = 0) -> FileReport:
        """Index one file's whole records (from ``start``, a record's offset: a resumed reading); its damaged
        parts, duplicates and digest errors go in the report."""
        file = _as_file(file)
        report = report or self._reports.get(file.name) or FileReport(file.name)
        self._files.setdefault(file.name, file.path)
        self._reports[file.name] = report
        self.report.files += 1
        runs: dict[str, str] = {}  # warcinfo record id -> run id
        if start:  # the run its records belong to is named by the file's warcinfo record, before them
            runs.update(self._warcinfo_runs(file))
        with open(file.path, "rb") as fh:
            reader = RecordReader(fh, check_digests=self.check_digests, start=start, requests=False)
            if reader.probe() is None:
                report.refused = "an empty file" if reader.size == 0 else \
                    "not a WARC or ARC file: no record in it (nothing indexed)"
            for record in reader:
                self._guarded(file, reader, record, runs, report)
            report.records.update(reader.types)
            report.damage = list(reader.damage)
        self.report.add(report)
        return report

    def import_interleaved(self, files: Iterable[WarcFile | Path]) -> ImportReport:
        """Import several files' records in the order they were fetched (``WARC-Date``), as if one crawl
        had written them: the workers of a distributed run write their files side by side, and the
        index's merge rules (a listing never overrides what an account's own page said…) follow the
        order pages were met in. Each file's own order is kept."""
        warcs = [_as_file(f) for f in files]
        self._files.update({f.name: f.path for f in warcs})
        with ExitStack() as opened:
            streams, readers = [], []
            for number, file in enumerate(warcs):
                self.report.files += 1
                reader = RecordReader(opened.enter_context(open(file.path, "rb")))
                readers.append((file, reader, self._reports.setdefault(file.name, FileReport(file.name))))
                streams.append(self._dated_records(number, readers[-1], iter(reader)))
            runs: dict[str, dict[str, str]] = {f.name: {} for f in warcs}
            for _, (file, reader, report), record in heapq.merge(*streams, key=lambda item: item[0]):
                self._guarded(file, reader, record, runs[file.name], report)
            for _file, reader, report in readers:
                report.records.update(reader.types)
                report.damage = list(reader.damage)
                self.report.add(report)
        self.index_deferred()
        return self.report

    @staticmethod
    def _dated_records(number: int, part: tuple[WarcFile, RecordReader, FileReport],
                       records: Iterator[Any]) -> Iterator[tuple[tuple[str, int, int], Any, Any]]:
        for position, record in enumerate(records):
            yield (record.rec_headers.get_header("WARC-Date") or "", number, position), part, record

    def _guarded(self, file: WarcFile, reader: RecordReader, record: Any, runs: dict[str, str],
                 report: FileReport) -> None:
        """:meth:`_import_record`; a record that cannot be indexed (a bug it meets) is reported and the file goes
        on. The index or the disk failing stops the whole import."""
        try:
            self._import_record(file, reader, record, runs, report)
        except (sqlite3.Error, OSError):
            raise
        except Exception as exc:
            logger.debug("cannot index the record at %d of %s", reader.at, file.path, exc_info=True)
            report.unusable.append((reader.at, f"{record.rec_type} record could not be indexed ({one_line(exc)})"))

    def _import_record(self, file: WarcFile, reader: RecordReader, record: Any, runs: dict[str, str],
                       report: FileReport) -> None:
        rtype, headers = record.rec_type, record.rec_headers
        run_id = runs.get(record_id(headers.get_header("WARC-Warcinfo-ID"))) or f"import:{file.name}"
        if rtype in CAPTURE_TYPES:
            self._capture_record(file, reader, record, run_id, report)
            return
        data = record.content_stream().read() if rtype in ("warcinfo", "metadata") else b""
        span = self._finish(reader, record, report)
        if not span:
            return
        after = (file.name, span.offset + span.length)
        if rtype == "warcinfo":
            run = runs[record_id(headers.get_header("WARC-Record-ID"))] = _run_id(data, headers, file.name)
            self.reading.call(lambda: self._start_run(run, data, headers), after)
        elif rtype == "metadata" and (headers.get_header("WARC-Target-URI") or "").startswith(RUN_URI_PREFIX):
            self.reading.call(lambda: self._finish_run(data), after)
        elif rtype == "metadata" and headers.get_header("Content-Type") == FAILURE_CONTENT_TYPE \
                and self.phase != "captures":  # (in the pages phase: a failed check names its account)
            self.reading.call(lambda: self._save_failure(data, headers, run_id), after)
        elif rtype == "metadata" and headers.get_header("Content-Type") == SOURCES_CONTENT_TYPE \
                and self.phase != "pages":  # (in the captures phase: before the pages link accounts to entries)
            self.reading.call(lambda: self.archiver.save_sources_record(run_id, data), after)

    def _warcinfo_runs(self, file: WarcFile) -> dict[str, str]:
        """The runs the warcinfo records of ``file`` name (warcinfo record id -> run id): a reading resumed
        inside the file needs them for the records after them."""
        runs: dict[str, str] = {}
        with open(file.path, "rb") as fh:
            reader = RecordReader(fh)
            for record in reader:
                if record.rec_type == "warcinfo":
                    headers = record.rec_headers
                    runs[record_id(headers.get_header("WARC-Record-ID"))] = _run_id(
                        record.content_stream().read(), headers, file.name)
                elif record.rec_type in CAPTURE_TYPES:
                    break  # the run's records follow its warcinfo
        return runs

    def _finish(self, reader: RecordReader, record: Any, report: FileReport) -> Any:
        """The record's span when it is whole (its digest problems noted), else None: it is not indexed."""
        span = reader.finish(record)
        if span is not None and span.digest_problems:
            what = f"{record.rec_type} record {record_id(record.rec_headers.get_header('WARC-Record-ID'))}"
            report.digest_errors.append((span.offset, f"{what}: {'; '.join(span.digest_problems)} (the record's "
                                                      "bytes do not match its digest)"))
        return span

    def _capture_record(self, file: WarcFile, reader: RecordReader, record: Any, run_id: str,
                        report: FileReport) -> None:
        rid = record_id(record.rec_headers.get_header("WARC-Record-ID"))
        if self.phase == "pages":
            self._page_record(file, reader, record, run_id, rid)
            return
        first = self._where(rid)
        capture = body = problem = None
        if first is None:
            try:
                capture, body, problem = self._capture(record, run_id, file.name)
            except ValueError as exc:
                span = self._finish(reader, record, report)
                if span is not None:
                    report.unusable.append((span.offset, f"{record.rec_type} record {rid}: {exc}: not indexed"))
                return
        span = self._finish(reader, record, report)
        if span is None:
            return  # torn or damaged: the reader reported it; never indexed
        if first is not None:
            if first == f"{file.name} @ {span.offset}":
                report.known += 1
            else:
                report.duplicates.append((span.offset, rid, first))
            return
        assert capture is not None
        capture.warc_offset, capture.warc_length = span.offset, span.length
        if problem:
            report.undecoded.append((span.offset, problem))
        if capture.record_type == "revisit" and not self._original_indexed(capture):
            self._deferred.append(capture)
            self._deferred_at[capture.id] = f"{file.name} @ {span.offset}"
            if self._deferred_from is None:
                self._deferred_from = (file.name, span.offset)
        else:
            self._index_capture(capture, body, (file.name, span.offset + span.length))
        report.captures += 1

    def _page_record(self, file: WarcFile, reader: RecordReader, record: Any, run_id: str, rid: str) -> None:
        """(pages phase) Read the page of a capture the captures phase indexed at this very place; a record
        indexed elsewhere (a duplicate id) or not at all (unusable, damaged) was reported then."""
        place = self.index.capture_place(rid)
        if place is None or place[0] != file.name:
            reader.finish(record)
            return
        try:
            capture, body, problem = self._capture(record, run_id, file.name)
        except ValueError:
            reader.finish(record)
            return
        span = reader.finish(record)
        if span is None or span.offset != place[1]:
            return
        capture.warc_offset, capture.warc_length = span.offset, span.length
        if problem:
            self._reports.setdefault(file.name, FileReport(file.name)).undecoded.append((span.offset, problem))
        self._index_capture(capture, body, (file.name, span.offset + span.length))

    def _where(self, capture_id: str) -> str | None:
        """Where the capture ``capture_id`` already is (``FILE @ OFFSET``), None when it is not indexed."""
        if capture_id in self._deferred_at:
            return self._deferred_at[capture_id]
        place = self.index.capture_place(capture_id)
        return f"{place[0]} @ {place[1]}" if place else None

    def _no_original(self, capture: Capture) -> None:
        """A revisit whose original (the record holding its payload) is in no file of the archive."""
        report = self._reports.get(capture.warc_file or "")
        if report is None or capture.warc_offset is None:
            return
        named = f" {capture.refers_to}" if capture.refers_to else ""
        elsewhere = f", fetched from {capture.refers_to_url}" if capture.refers_to_url else ""
        report.no_original.append((capture.warc_offset, (
            f"revisit record {capture.id} of {capture.url[:200]}: its original{named} (payload "
            f"{capture.payload_digest}{elsewhere}) is in no file of the archive: import the file that holds it")))

    def _original_indexed(self, capture: Capture) -> bool:
        if capture.refers_to and self.index.capture_place(capture.refers_to):
            return True
        return self.index.find_original(capture.payload_digest) is not None

    def _save_failure(self, data: bytes, headers: Any, run_id: str) -> None:
        """A fetch that gave no page (govarchive/core/failures.py), as the crawl recorded it."""
        try:
            values = json.loads(data.decode("utf-8"))
            failure = FetchFailure(
                id=record_id(headers.get_header("WARC-Record-ID")), url=headers.get_header("WARC-Target-URI") or "",
                failed_at=_parse_date(headers.get_header("WARC-Date")),
                **{key: values.get(key) for key in FAILURE_FIELDS})
        except (ValueError, TypeError, AttributeError) as exc:
            logger.warning("a fetch-failure record could not be read: %s", exc)
            return
        self.archiver.save_failure(failure, run_id)
        self.report.failures += 1

    # -- runs -------------------------------------------------------------------------------------
    def _start_run(self, run_id: str, data: bytes, headers: Any) -> None:
        fields = warc_fields(data)
        started = fields.get("run-started") or headers.get_header("WARC-Date") or ""
        self.archiver.forget_accounts()
        if not self.index.has_run(run_id):
            self.index.start_run(run_id, fields.get("spider") or "import", started, fields.get("operator", ""))

    def _finish_run(self, data: bytes) -> None:
        try:
            summary = json.loads(data.decode("utf-8"))
        except ValueError:
            return
        self.index.finish_run(summary["run_id"], summary.get("finished_at"), summary.get("status", ""),
                              summary.get("stats", {}))
        self.archiver.forget_accounts()
        settings = summary.get("analysis")
        if self.phase == "captures":
            return  # analysed in the pages phase, when the run's accounts and posts are in
        if isinstance(settings, dict) and settings.get("as_of"):
            # the closure analysis the crawl ended this run with, at the same moment and settings
            analysis = RunAnalysis(summary["run_id"], datetime.fromisoformat(settings["as_of"]),
                                   int(settings.get("dormant_days", DEFAULT_CONFIG.dormant_days)),
                                   int(settings.get("closed_after_runs", DEFAULT_CONFIG.closed_after_runs)))
            if self.analyse_runs:
                began = time.perf_counter()
                analysis.run(self.index)
                self.analysis_seconds += time.perf_counter() - began
                self.analyses += 1
                self.analysed = True
            else:
                earlier = self.pending_analyses.get(analysis.run_id)
                if earlier is None or analysis.as_of < earlier.as_of:
                    self.pending_analyses[analysis.run_id] = analysis

    # -- captures ---------------------------------------------------------------------------------
    def _capture(self, record: Any, run_id: str, warc_name: str) -> tuple[Capture, bytes | None, str | None]:
        """The capture a record holds, its payload as page objects read it (None: a revisit's is read from
        its original later, or it cannot be decoded), and why it could not be decoded."""
        capture = capture_from_record(record, run_id, warc_name)
        if capture.record_type == "revisit":
            return capture, None, None
        if record.http_headers is None:  # a resource or a dns: response: the block is the payload
            return capture, capture.body, None
        if self.phase == "captures":  # the payload is decoded and read in the pages phase
            return capture, None, None
        body, problem = self._decode(capture.body, capture.response_headers, capture)
        return capture, body, problem

    def _decode(self, raw: bytes, headers: list[tuple[str, str]], capture: Capture) -> tuple[bytes | None, str | None]:
        """The payload as the page objects read it, or None (and the capture's state set) when it cannot be,
        with why when that is damage of the payload (a bad chunked body: state ``parse_error``)."""
        if (header(headers, "Transfer-Encoding") or "").lower() == "chunked":
            problem = chunked_problem(raw)
            if problem:
                capture.page_state = PARSE_ERROR
                return None, f"{capture.record_type} record of {capture.url[:200]}: bad chunked body ({problem}): " \
                             "indexed, in page state parse_error"
        try:
            return http_body(raw, headers, self.max_body_bytes), None
        except BodyTooLarge as exc:  # archived, never parsed: the same state as in the crawl
            logger.debug("%s: body not parsed: %s", capture.url[:300], exc)
            capture.page_state = TOO_LARGE
        except (ValueError, OSError) as exc:
            logger.debug("%s: body not parsed: %s", capture.url[:300], exc)
        return None, None

    def _original_body(self, capture: Capture, read: bool = True) -> bytes | None:
        """The payload a revisit points to, read back from the file that holds it (a revisit without HTTP
        headers takes the original's status and headers too; ``read`` False: only those, and None)."""
        row = self.index.capture_place(capture.refers_to) if capture.refers_to else None
        if row is None:  # the record it names is not here: another with the same payload will do
            original = self.index.find_original(capture.payload_digest)
            if original is None:
                return None
            capture.refers_to = original.capture_id
            row = self.index.capture_place(original.capture_id)
            if row is None:
                return None
        name, offset, length = row
        capture.payload_length = length
        path = self._files.get(name) if name is not None else None
        if path is None or offset is None or (not read and capture.http_status is not None):
            return None
        status, headers, raw = read_http_record(path, offset)
        if capture.http_status is None and headers:
            capture.http_status, capture.response_headers = status, headers
        return self._decode(raw, headers, capture)[0] if read else None

    def _index_capture(self, capture: Capture, body: bytes | None, after: tuple[str, int] | None = None) -> None:
        """Index a capture (``after``: where the record following it starts) with what its page shows: at
        once, or (pages phase with worker processes) once its page is read, in record order."""
        if capture.record_type == "revisit":
            body = self._original_body(capture, read=self.phase != "captures")
            fetched = self.index.capture_fetched_at(capture.refers_to) if capture.refers_to else None
            if capture.refers_to_date is None and fetched:
                capture.refers_to_date = _parse_date(fetched)
            if fetched is None and self.phase != "pages":
                self._no_original(capture)
        if self.phase == "captures":  # the row now (its page state from the HTTP status); the page later
            self.archiver.store(capture, None)
            self.report.captures += 1
            if after is not None:
                self.reading.call(lambda: None, after)
            return
        if body is None:
            self.reading.call(lambda: self._stored(capture, None), after)
        else:
            self.reading.read(capture, body, lambda reading: self._stored(capture, reading), position=after)

    def _stored(self, capture: Capture, reading: Extraction | Exception | None) -> None:
        """Store a capture with its page's reading (pages phase: the capture is indexed; its page state,
        accounts and posts are saved)."""
        if isinstance(reading, Exception):  # the page objects met a bug: reported, the capture kept
            self._unusable(capture, f"could not be read ({one_line(reading)}): indexed without its page")
            reading = None
        if self.phase == "pages":
            try:
                stored = self.archiver.store_reading(capture, reading)
            except (sqlite3.Error, OSError):
                raise
            except Exception as exc:  # (with worker processes this runs after later records were read)
                logger.debug("cannot index the page of %s", capture.url[:300], exc_info=True)
                self._unusable(capture, f"could not be indexed ({one_line(exc)})")
                return
        else:
            stored = self.archiver.store(capture, reading)  # the crawl's own archive path, the records already written
            self.report.captures += 1
        self.report.accounts += stored.accounts
        self.report.posts += stored.posts
        # fragments (a long text) read before the listing that shows their post: in a crawl the listing
        # always comes first, in merged files of several workers not necessarily
        self._deferred_posts.extend(stored.orphans)

    def _unusable(self, capture: Capture, why: str) -> None:
        report = self._reports.setdefault(capture.warc_file or "", FileReport(capture.warc_file or ""))
        report.unusable.append((capture.warc_offset or 0, f"{capture.record_type} record {why}"))

    @property
    def waiting_revisit(self) -> tuple[str, int] | None:
        """(captures phase) Where the first revisit still waiting for its original lies (file, offset)."""
        return self._deferred_from

    @property
    def waiting_posts(self) -> list[str]:
        """The captures whose pages showed posts still waiting for their listing (a resumed pages phase
        reads them again: :meth:`restore_waiting`)."""
        return sorted({post.capture_id for post in self._deferred_posts})

    def restore_waiting(self, capture_ids: Iterable[str]) -> None:
        """Read again the pages of ``capture_ids`` (a resumed pages phase) and wait, as before, with the posts
        of theirs no listing has shown yet."""
        for capture_id in capture_ids:
            place = self.index.capture_place(capture_id)
            path = self._files.get(place[0] or "") if place else None
            if place is None or path is None or place[1] is None:
                continue
            status, headers, raw = read_http_record(path, place[1])
            fetched = self.index.capture_fetched_at(capture_id)
            capture = Capture(id=capture_id, run_id="", url=self.index.capture_url(capture_id) or "", protocol="HTTP/1.1", body=b"",
                              fetched_at=_parse_date(fetched), http_status=status, response_headers=headers)
            body = self._decode(raw, headers, capture)[0]
            if body is None:
                continue
            posts = read_page(capture, body).posts
            self._deferred_posts.extend(p for p in posts if not p.account_id and not self.index.post_exists(p.id))


def capture_from_record(record: Any, run_id: str, warc_name: str) -> Capture:
    """The capture a response, revisit or resource record holds; its body is the raw payload, still encoded
    (empty for a revisit). A record without HTTP headers (a resource, a ``dns:`` response, a revisit that
    names only its original) has no HTTP status: its block is the payload, its Content-Type the record's."""
    rec = record.rec_headers
    http = record.http_headers
    raw = b"" if record.rec_type == "revisit" else record.raw_stream.read()
    if http is not None:
        status, protocol, headers = _status(http.get_statuscode()), http.protocol or "HTTP/1.1", list(http.headers)
    else:
        content_type = rec.get_header("Content-Type")
        keep = content_type and record.rec_type != "revisit"
        status, protocol, headers = None, "", [("Content-Type", content_type)] if keep else []
    return Capture(
        id=record_id(rec.get_header("WARC-Record-ID")), run_id=run_id,
        url=rec.get_header("WARC-Target-URI") or "", fetched_at=_parse_date(rec.get_header("WARC-Date")),
        http_status=status, protocol=protocol, response_headers=headers, body=raw,
        ip_address=rec.get_header("WARC-IP-Address"), truncated=rec.get_header("WARC-Truncated"),
        payload_digest=rec.get_header("WARC-Payload-Digest") or payload_digest(raw), record_type=record.rec_type,
        warc_file=warc_name, refers_to=record_id(rec.get_header("WARC-Refers-To")) or None,
        refers_to_url=rec.get_header("WARC-Refers-To-Target-URI"),
        snapshot_of=record_id(rec.get_header("WARC-Concurrent-To")) or None if record.rec_type == "resource" else None,
        source_id=rec.get_header(SOURCE_HEADER) or None)


def _status(code: Any) -> int:
    try:
        return int(str(code or "0").strip()[:3])
    except ValueError:
        return 0


def warc_fields(data: bytes) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in data.decode("utf-8", "replace").splitlines():
        name, sep, value = line.partition(":")
        if sep:
            fields.setdefault(name.strip(), value.strip())
    return fields


def warc_files(warc_dir: Path) -> list[Path]:
    """Where the finished WARC files of an archive lie, by name: those in ``warc/`` (``.warc.gz``,
    ``.warc``, ``.arc.gz``, ``.arc``) and those imported in place (:class:`~govarchive.warc.files.ArchiveWarcs`)."""
    return ArchiveWarcs(warc_dir).paths()


def import_warcs(paths: Iterable[Path], archive_dir: Path, max_body_bytes: int = DEFAULT_CONFIG.max_body_bytes,
                 in_place: bool = False) -> ImportReport:
    """Add WARC or ARC files (ours or other tools') to the archive and index them, holding the archive's
    lock (:class:`~govarchive.warc.lock.ArchiveBusy` while a crawl writes).

    Each file is first put into the archive: copied into ``warc/`` (the copy compared with the source
    before it is indexed; a name the archive uses for other bytes gets ``-2``…), or, ``in_place``, recorded
    where it lies in ``warc/in-place.tsv``. An empty file, or one holding no WARC or ARC record, is refused
    and nothing of it is kept. Every record's digests are checked while it is indexed."""
    with hold(archive_dir, "import"):
        return _import([Path(p) for p in paths], Path(archive_dir), max_body_bytes, in_place)


def _import(paths: list[Path], archive_dir: Path, max_body_bytes: int, in_place: bool) -> ImportReport:
    warcs = ArchiveWarcs(archive_dir / "warc")
    report = ImportReport()
    placed: list[tuple[Placed, FileReport]] = []
    for path in paths:
        try:
            placement = _place(warcs, path, in_place)
        except (OSError, PlacementError) as exc:
            logger.debug("cannot import %s", path, exc_info=True)
            refused = FileReport(path.name, refused=_refusal(exc))
            report.files += 1
            report.add(refused)
            continue
        placed.append((placement, FileReport(placement.file.name, placed=placement.describe())))
    index = open_index(archive_dir / "index.db")
    try:
        importer = WarcImporter(index, max_body_bytes, known_files=warcs.files(), check_digests=True, report=report)
        with searching_alongside(index, archive_dir / "index.db"):
            for placement, file_report in placed:
                try:
                    importer.import_file(placement.file, file_report)
                except Exception as exc:  # one unreadable file: reported, the others are still indexed
                    logger.debug("cannot read %s", placement.file.path, exc_info=True)
                    file_report.refused = f"cannot be read ({one_line(exc)})"
                    report.add(file_report)
            importer.index_deferred()
            report.revisits_resolved = _resolve_revisits(index)
            if not importer.analysed:  # other tools' WARCs carry no run summary: analyse as of now
                analyse(index, datetime.now(UTC))
        return report
    finally:
        index.close()


def _resolve_revisits(index: Index) -> int:
    """Revisits indexed earlier while their original was in no file of the archive, pointed at the original an
    import has just brought (the oldest response with their payload digest)."""
    return index.resolve_revisits()


def _place(warcs: ArchiveWarcs, path: Path, in_place: bool) -> Placed:
    """Put ``path`` into the archive (a verified copy, or its place recorded); refused when it holds no record."""
    with open(path, "rb") as fh:
        reader = RecordReader(fh)
        fmt = reader.probe()
        if fmt is None:
            if reader.size == 0:
                raise PlacementError("an empty file: nothing imported")
            fh.seek(0)
            start = fh.read(40)
            raise PlacementError(f"not a WARC or ARC file (it starts with {start!r}): nothing imported")
    name = archive_name(path.name, fmt, reader.compressed)
    return warcs.add_in_place(path, name) if in_place else warcs.add_copy(path, name)


def _refusal(exc: Exception) -> str:
    if isinstance(exc, PlacementError):
        return str(exc)
    if isinstance(exc, OSError):
        return f"cannot be read or copied ({exc.strerror or exc}): nothing imported"
    return one_line(exc)
