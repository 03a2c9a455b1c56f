"""Rebuild the index from WARC files alone: ``govarchive reindex`` and ``govarchive import``.

The WARCs are the source of truth. Records are read in file order; each response or revisit
becomes a capture row, runs through the same page objects as a crawl, and its accounts and
posts are saved with the same merge rules. Works on WARCs of other tools (wget, Browsertrix,
Heritrix): their captures get the run ``import:<warcinfo id or file name>``.
"""

from __future__ import annotations

import heapq
import json
import logging
import os
from contextlib import ExitStack
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator

from warcio.archiveiterator import ArchiveIterator

from govarchive.dedup import ItemDeduper
from govarchive.httpdata import BodyTooLarge, header, http_body, payload_digest
from govarchive.failures import FAILURE_CONTENT_TYPE
from govarchive.index import TOO_LARGE, Index, open_index
from govarchive.items import Capture, FetchFailure, PageState, Post
from govarchive.lifecycle import analyse
from govarchive.lock import hold
from govarchive.pages import PageInput, extract
from govarchive.pages.router import status_state
from govarchive.replay import read_http_record
from govarchive.searchindex import searching_alongside

logger = logging.getLogger(__name__)
RUN_URI_PREFIX = "urn:govarchive:run:"


# the fields of a fetch-failure record's JSON (the record's headers give its id, URL and time)
FAILURE_FIELDS = tuple(f.name for f in fields(FetchFailure) if f.name not in ("id", "url", "failed_at"))


@dataclass
class ImportReport:
    files: int = 0
    captures: int = 0
    accounts: int = 0
    posts: int = 0
    skipped: int = 0
    failures: int = 0  # fetches that gave no page (metadata records of govarchive/failures.py)
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RunAnalysis:
    """The closure analysis a run ended with (from its summary record), to replay on an index."""

    run_id: str
    as_of: datetime
    dormant_days: int = 14
    closed_after_runs: int = 3

    def run(self, index: Index) -> None:
        analyse(index, self.as_of, self.run_id, self.dormant_days, self.closed_after_runs)


def _record_id(value: str | None) -> str:
    return (value or "").strip().strip("<>")


def _parse_date(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(timezone.utc)


class WarcImporter:
    """Index the records of WARC files into an :class:`Index`.

    :param max_body_bytes: decoded bodies larger than this are indexed as captures, not parsed
    :param known_files: WARC files that may hold the originals revisits point to
    :param skip_known: leave out records already indexed (their ``WARC-Record-ID`` is a capture):
        importing a file again then changes nothing (recovery, ``govarchive merge``)
    :param analyse_runs: run each run's closure analysis when its summary record is read; when
        False the analyses are collected in :attr:`pending_analyses` for the caller to run once
        every file is in (the workers of one distributed run write one summary each)
    """

    def __init__(self, index: Index, max_body_bytes: int = 50_000_000, known_files: Iterable[Path] = (),
                 skip_known: bool = False, analyse_runs: bool = True) -> None:
        self.index = index
        self.max_body_bytes = max_body_bytes
        self.skip_known = skip_known
        self.analyse_runs = analyse_runs
        self.items = ItemDeduper()
        self.report = ImportReport()
        self.analysed = False  # whether a run summary already triggered the closure analysis
        self.pending_analyses: dict[str, RunAnalysis] = {}  # run id -> its analysis (analyse_runs=False)
        self._files: dict[str, Path] = {p.name: p for p in known_files}
        # Revisits met before their original (the workers of a distributed run interleave): indexed
        # once every file is read, so their pages are parsed from the original's payload.
        self._deferred: list[Capture] = []
        self._deferred_posts: list[Post] = []

    def import_files(self, paths: Iterable[Path]) -> ImportReport:
        paths = list(paths)
        self._files.update({p.name: p for p in paths})
        for path in paths:
            try:
                self.import_file(path)
            except Exception as exc:  # a broken file is reported; the others are still indexed
                logger.error("cannot read %s: %s", path, exc, exc_info=True)
                self.report.errors.append(f"{path.name}: {exc}")
        self.index_deferred()
        return self.report

    def index_deferred(self) -> None:
        """Index the revisits whose original was not indexed yet when they were read, and save the post
        fragments read before their post's listing."""
        deferred, self._deferred = self._deferred, []
        for capture in deferred:
            self._index_capture(capture, None)
        posts, self._deferred_posts = self._deferred_posts, []
        for post in posts:  # saved now if some listing showed the post meanwhile, dropped (as in a crawl) if not
            self.index.save_post(post)
            self.report.posts += 1

    def import_file(self, path: Path) -> None:
        self._files.setdefault(path.name, path)
        self.report.files += 1
        runs: dict[str, str] = {}  # warcinfo record id -> run id
        records = 0
        with open(path, "rb") as fh:
            iterator = ArchiveIterator(fh)
            for record in iterator:
                records += 1
                self._import_record(path, iterator, record, runs)
        if records == 0:
            raise ValueError("no WARC record found: not a WARC file, or an empty one")

    def import_interleaved(self, paths: Iterable[Path]) -> ImportReport:
        """Import several files' records in the order they were fetched (``WARC-Date``), as if one crawl
        had written them: the workers of a distributed run write their files side by side, and the
        index's merge rules (a listing never overrides what an account's own page said…) follow the
        order pages were met in. Each file's own order is kept."""
        paths = [Path(p) for p in paths]
        self._files.update({p.name: p for p in paths})
        with ExitStack() as files:
            streams = []
            for number, path in enumerate(paths):
                self.report.files += 1
                fh = files.enter_context(open(path, "rb"))
                streams.append(self._dated_records(number, path, ArchiveIterator(fh)))
            runs: dict[str, dict[str, str]] = {p.name: {} for p in paths}
            for _, path, iterator, record in heapq.merge(*streams, key=lambda item: item[0]):
                try:
                    self._import_record(path, iterator, record, runs[path.name])
                except Exception as exc:  # a broken record is reported; the rest is still indexed
                    logger.error("cannot read a record of %s: %s", path, exc, exc_info=True)
                    self.report.errors.append(f"{path.name}: {exc}")
        self.index_deferred()
        return self.report

    @staticmethod
    def _dated_records(number: int, path: Path, iterator: Any) -> Iterator[tuple[tuple[str, int, int], Path, Any, Any]]:
        for position, record in enumerate(iterator):
            yield (record.rec_headers.get_header("WARC-Date") or "", number, position), path, iterator, record

    def _import_record(self, path: Path, iterator: Any, record: Any, runs: dict[str, str]) -> None:
        if record.format != "warc":
            raise ValueError("not a WARC file (ARC files and other formats are not supported)")
        rtype = record.rec_type
        if rtype == "warcinfo":
            runs[_record_id(record.rec_headers.get_header("WARC-Record-ID"))] = self._start_run(record, path)
            iterator.read_to_end(record)
        elif rtype == "metadata" and (record.rec_headers.get_header("WARC-Target-URI") or "").startswith(RUN_URI_PREFIX):
            self._finish_run(record)
            iterator.read_to_end(record)
        elif rtype == "metadata" and record.rec_headers.get_header("Content-Type") == FAILURE_CONTENT_TYPE:
            run_id = runs.get(_record_id(record.rec_headers.get_header("WARC-Warcinfo-ID"))) or f"import:{path.name}"
            self._save_failure(record, run_id)
            iterator.read_to_end(record)
        elif rtype in ("response", "revisit") and record.http_headers is not None and self._known(record):
            self.report.skipped += 1
            iterator.read_to_end(record)
        elif rtype in ("response", "revisit") and record.http_headers is not None:
            run_id = runs.get(_record_id(record.rec_headers.get_header("WARC-Warcinfo-ID"))) or f"import:{path.name}"
            capture, body = self._capture(record, run_id, path.name)
            iterator.read_to_end(record)
            capture.warc_offset = iterator.get_record_offset()
            capture.warc_length = iterator.get_record_length()
            if capture.record_type == "revisit" and not self._original_indexed(capture):
                self._deferred.append(capture)
            else:
                self._index_capture(capture, body)
        else:
            iterator.read_to_end(record)

    def _original_indexed(self, capture: Capture) -> bool:
        if capture.refers_to and self.index.db.execute("select 1 from captures where id = ?",
                                                       [capture.refers_to]).fetchone():
            return True
        return self.index.find_original(capture.payload_digest) is not None

    def _known(self, record: Any) -> bool:
        if not self.skip_known:
            return False
        record_id = _record_id(record.rec_headers.get_header("WARC-Record-ID"))
        return self.index.db.execute("select 1 from captures where id = ?", [record_id]).fetchone() is not None

    def _save_failure(self, record: Any, run_id: str) -> None:
        """A fetch that gave no page (govarchive/failures.py), as the crawl recorded it."""
        try:
            data = json.loads(record.content_stream().read().decode("utf-8"))
            failure = FetchFailure(
                id=_record_id(record.rec_headers.get_header("WARC-Record-ID")),
                url=record.rec_headers.get_header("WARC-Target-URI") or "",
                failed_at=_parse_date(record.rec_headers.get_header("WARC-Date")),
                **{key: data.get(key) for key in FAILURE_FIELDS})
        except (ValueError, TypeError, AttributeError) as exc:
            logger.warning("a fetch-failure record could not be read: %s", exc)
            return
        self.index.save_failure(failure, run_id)
        self.report.failures += 1

    # -- runs -------------------------------------------------------------------------------------
    def _start_run(self, record: Any, path: Path) -> str:
        fields = _warc_fields(record.content_stream().read())
        run_id = fields.get("run-id") or f"import:{_record_id(record.rec_headers.get_header('WARC-Record-ID')) or path.name}"
        started = fields.get("run-started") or record.rec_headers.get_header("WARC-Date") or ""
        existing = self.index.db.execute("select 1 from runs where id = ?", [run_id]).fetchone()
        if not existing:
            self.index.start_run(run_id, fields.get("spider") or "import", started, fields.get("operator", ""))
        return run_id

    def _finish_run(self, record: Any) -> None:
        try:
            summary = json.loads(record.content_stream().read().decode("utf-8"))
        except ValueError:
            return
        self.index.finish_run(summary["run_id"], summary.get("finished_at"), summary.get("status", ""),
                              summary.get("stats", {}))
        settings = summary.get("analysis")
        if isinstance(settings, dict) and settings.get("as_of"):
            # the closure analysis the crawl ended this run with, at the same moment and settings
            analysis = RunAnalysis(summary["run_id"], datetime.fromisoformat(settings["as_of"]),
                                   int(settings.get("dormant_days", 14)), int(settings.get("closed_after_runs", 3)))
            if self.analyse_runs:
                analysis.run(self.index)
                self.analysed = True
            else:
                earlier = self.pending_analyses.get(analysis.run_id)
                if earlier is None or analysis.as_of < earlier.as_of:
                    self.pending_analyses[analysis.run_id] = analysis

    # -- captures ---------------------------------------------------------------------------------
    def _capture(self, record: Any, run_id: str, warc_name: str) -> tuple[Capture, bytes | None]:
        capture = capture_from_record(record, run_id, warc_name)
        body = None if capture.record_type == "revisit" else \
            self._decode(capture.body, list(record.http_headers.headers), capture)
        return capture, body

    def _decode(self, raw: bytes, headers: list[tuple[str, str]], capture: Capture) -> bytes | None:
        """The payload as the page objects read it; None (and the capture's state set) when it cannot be."""
        try:
            return http_body(raw, headers, self.max_body_bytes)
        except BodyTooLarge as exc:  # archived, never parsed: the same state as in the crawl
            logger.warning("%s: body not parsed: %s", capture.url[:300], exc)
            capture.page_state = TOO_LARGE
        except (ValueError, OSError) as exc:
            logger.warning("%s: body not parsed: %s", capture.url[:300], exc)
        return None

    def _original_body(self, capture: Capture) -> bytes | None:
        """The payload a revisit points to, read back from the file that holds it."""
        row = None
        if capture.refers_to:
            row = self.index.db.execute("select warc_file, warc_offset, payload_length from captures where id = ?",
                                        [capture.refers_to]).fetchone()
        if row is None:
            original = self.index.find_original(capture.payload_digest)
            if original is None:
                return None
            capture.refers_to = capture.refers_to or original.capture_id
            row = self.index.db.execute("select warc_file, warc_offset, payload_length from captures where id = ?",
                                        [original.capture_id]).fetchone()
        name, offset, length = row
        capture.payload_length = length
        path = self._files.get(name)
        if path is None or offset is None:
            return None
        _, headers, raw = read_http_record(path, offset)
        return self._decode(raw, headers, capture)

    def _index_capture(self, capture: Capture, body: bytes | None) -> None:
        if capture.record_type == "revisit":
            body = self._original_body(capture)
            if capture.refers_to_date is None and capture.refers_to:
                row = self.index.db.execute("select fetched_at from captures where id = ?", [capture.refers_to]).fetchone()
                capture.refers_to_date = _parse_date(row[0]) if row else None
        extraction = None
        if body is not None:
            page = PageInput(url=capture.url, status=capture.http_status,
                             headers=tuple((k, v) for k, v in capture.response_headers if k.lower() != "content-encoding"),
                             body=body, capture_id=capture.id, fetched_at=capture.fetched_at)
            extraction = extract(page)
            capture.page_state = extraction.page_state
        else:
            capture.page_state = capture.page_state or status_state(capture.http_status,
                                                                    header(capture.response_headers, "Location"))
        self.index.save_capture(capture)
        self.report.captures += 1
        if extraction is None:
            return
        for account in extraction.accounts:
            if not self.items.is_repeat(account):
                self.index.save_account(account)
                self.report.accounts += 1
        for post in extraction.posts:
            if self.items.is_repeat(post):
                continue
            if not post.account_id and not self.index.db.execute("select 1 from posts where id = ?",
                                                                  [post.id]).fetchone():
                # a fragment (a long text) read before the listing that shows its post: in a crawl the
                # listing always comes first, in merged files of several workers not necessarily
                self._deferred_posts.append(post)
                continue
            self.index.save_post(post)
            self.report.posts += 1
        self.index.save_page_state(PageState(capture.id, extraction.page_state))


def capture_from_record(record: Any, run_id: str, warc_name: str) -> Capture:
    """The capture a response or revisit record (with HTTP headers) holds; its body is the raw payload,
    still encoded (empty for a revisit)."""
    rec = record.rec_headers
    http = record.http_headers
    raw = b"" if record.rec_type == "revisit" else record.raw_stream.read()
    return Capture(
        id=_record_id(rec.get_header("WARC-Record-ID")), run_id=run_id,
        url=rec.get_header("WARC-Target-URI") or "", fetched_at=_parse_date(rec.get_header("WARC-Date")),
        http_status=int(http.get_statuscode() or 0), protocol=http.protocol or "HTTP/1.1",
        response_headers=list(http.headers), body=raw,
        ip_address=rec.get_header("WARC-IP-Address"), truncated=rec.get_header("WARC-Truncated"),
        payload_digest=rec.get_header("WARC-Payload-Digest") or payload_digest(raw), record_type=record.rec_type,
        warc_file=warc_name, refers_to=_record_id(rec.get_header("WARC-Refers-To")) or None,
        refers_to_url=rec.get_header("WARC-Refers-To-Target-URI"))


def _warc_fields(data: bytes) -> dict[str, str]:
    fields = {}
    for line in data.decode("utf-8", "replace").splitlines():
        name, sep, value = line.partition(":")
        if sep:
            fields.setdefault(name.strip(), value.strip())
    return fields


def warc_files(warc_dir: Path) -> list[Path]:
    """The finished WARC files of an archive, oldest first (names start with a timestamp)."""
    return sorted(p for p in Path(warc_dir).glob("*.warc.gz") if p.is_file())


def reindex(archive_dir: Path, max_body_bytes: int = 50_000_000) -> ImportReport:
    """Rebuild ``archive_dir/index.db`` from ``archive_dir/warc/*.warc.gz``.

    The new index is built beside the old one and swapped in only when complete. It holds the
    archive's lock (govarchive/lock.py): :class:`~govarchive.lock.ArchiveBusy` while a crawl writes.
    """
    with hold(archive_dir, "reindex"):
        return _rebuild(Path(archive_dir), max_body_bytes)


def _rebuild(archive_dir: Path, max_body_bytes: int) -> ImportReport:
    target = archive_dir / "index.db"
    building = archive_dir / "index.db.rebuilding"
    for stale in _db_files(building):
        stale.unlink()
    index = open_index(building)
    try:
        with searching_alongside(index, building), index.batched():  # search rows on the other core
            report = WarcImporter(index, max_body_bytes).import_files(warc_files(archive_dir / "warc"))
        index.db.execute("pragma wal_checkpoint(truncate)")
    finally:
        index.close()
    for old in _db_files(target):
        old.unlink()
    os.replace(building, target)
    for leftover in _db_files(building):
        leftover.unlink()
    return report


def import_warcs(paths: Iterable[Path], archive_dir: Path, max_body_bytes: int = 50_000_000) -> ImportReport:
    """Index WARC files (ours or other tools') into ``archive_dir/index.db``, in place, holding the
    archive's lock (:class:`~govarchive.lock.ArchiveBusy` while a crawl writes)."""
    with hold(archive_dir, "import"):
        return _import(paths, Path(archive_dir), max_body_bytes)


def _import(paths: Iterable[Path], archive_dir: Path, max_body_bytes: int) -> ImportReport:
    index = open_index(archive_dir / "index.db")
    try:
        importer = WarcImporter(index, max_body_bytes, known_files=warc_files(archive_dir / "warc"))
        with searching_alongside(index, archive_dir / "index.db"):
            report = importer.import_files(Path(p) for p in paths)
            if not importer.analysed:  # other tools' WARCs carry no run summary: analyse as of now
                analyse(index, datetime.now(timezone.utc))
        return report
    finally:
        index.close()


def _db_files(path: Path) -> Iterator[Path]:
    for suffix in ("", "-wal", "-shm"):
        candidate = path.with_name(path.name + suffix)
        if candidate.exists():
            yield candidate
