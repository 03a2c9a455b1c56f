"""Writing WARC/1.1 files: one gzip member per record, warcinfo first, size rotation, ``.open``.

:class:`WarcArchive` turns a :class:`~govarchive.core.items.Capture` into a response (or revisit)
record plus its request record and records where they landed. It opens each file once, writes
it as ``NAME.warc.gz.open`` (under an exclusive lock) and renames it on close; files left
``.open`` by a killed crawl are repaired by :func:`repair_open_files`. :func:`scan_warc` reads a
file back record by record (recovery and ``govarchive verify``) through
:class:`govarchive.warc.reader.RecordReader`; which files make the archive is
:class:`govarchive.warc.files.ArchiveWarcs`'s answer.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import platform as _platform
import re
import socket
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter
from zlib_ng import zlib_ng  # zlib's API and format, about twice as fast to deflate and inflate

from govarchive import __version__
from govarchive.core.config import DEFAULT_CONFIG
from govarchive.core.dates import warc_date
from govarchive.core.failures import FAILURE_CONTENT_TYPE
from govarchive.core.httpdata import status_line
from govarchive.core.items import Capture, FetchFailure
from govarchive.core.sources import SOURCE_HEADER, SOURCES_CONTENT_TYPE, SOURCES_URI, Source, sources_record
from govarchive.warc.files import INVALID_SUFFIX, OPEN_SUFFIX, ArchiveWarcs
from govarchive.warc.reader import Damage, RecordReader, record_id

logger = logging.getLogger(__name__)

GZIP_LEVEL = 6  # zlib level of each record's gzip member
HEADER_NOTE = (
    "HTTP status lines and headers are reconstructed from Scrapy's parsed response: the reason "
    "phrase is rebuilt, header names are case-normalised, chunked framing is removed (the "
    "original Transfer-Encoding is kept as X-Crawler-Transfer-Encoding). Bodies are the bytes "
    "received, still content-encoded."
)


class RawStatusAndHeaders(StatusAndHeaders):
    """Headers written back as the latin-1 bytes they were read from (warcio would %-encode)."""

    def compute_headers_buffer(self, header_filter: Any = None) -> None:
        self.headers_buff = self.to_bytes(header_filter, encoding="latin-1")


def timestamp17(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%d%H%M%S%f")[:17]


def _host_label(hostname: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]+", "-", hostname).strip("-") or "localhost"


def software_versions() -> str:
    import scrapy
    import warcio

    warcio_version = getattr(warcio, "__version__", None)
    if warcio_version is None:
        from importlib.metadata import version

        warcio_version = version("warcio")
    return (
        f"govarchive/{__version__} Scrapy/{scrapy.__version__} warcio/{warcio_version} "
        f"Python/{_platform.python_version()}"
    )


class WarcArchive:
    """WARC files of one run in ``warc_dir``.

    :param warc_dir: folder of the files (created if missing)
    :param run_id: written into every warcinfo record, so records can be traced to their run
    :param info: extra warcinfo fields (spider, operator, robots policy, user agent…)
    :param max_bytes: start a new file once the current one reaches this size
    :param clock: returns the current UTC time (tests fix it)
    :param sources: the sources-file entries the run uses: a ``metadata`` record of them follows the
        ``warcinfo`` record of every file (:func:`govarchive.core.sources.sources_record`), so each file says
        which entries its captures' :data:`~govarchive.core.sources.SOURCE_HEADER` fields name
    """

    def __init__(
        self,
        warc_dir: Path,
        run_id: str,
        info: dict[str, str] | None = None,
        max_bytes: int = DEFAULT_CONFIG.warc_max_bytes,
        hostname: str | None = None,
        clock: Callable[[], datetime] | None = None,
        prefix: str = "govarchive",
        sources: Iterable[Source] = (),
    ) -> None:
        self.warc_dir = Path(warc_dir)
        self.run_id = run_id
        self.info = dict(info or {})
        self.max_bytes = max_bytes
        self.hostname = _host_label(hostname or socket.gethostname())
        self.clock = clock or (lambda: datetime.now(UTC))
        self.prefix = prefix
        self.sources = tuple(sources)
        self.serial = -1
        self.files_written: list[str] = []
        self.records_written = 0
        self._fh: BinaryIO | None = None  # unbuffered: a record is on the OS's side once written
        self._name: str | None = None
        self._size = 0  # bytes of the current file, all of them whole records
        # Records are rendered (gzip member by member) into this buffer, then appended to the file in one
        # write: a write that fails (disk full) is cut back to the last whole record (:meth:`_append`).
        self._buffer = BytesIO()
        self._plain = BytesIO()  # one record as warcio renders it, before it is compressed
        self._writer: WARCWriter | None = None
        self._last_capture: tuple[str, str, int, int] | None = None  # (capture id, file, start, end) of the last
        self._warcinfo_id: str | None = None

    # -- files --------------------------------------------------------------------------------
    @property
    def current_file(self) -> str | None:
        return self._name

    def _open_next(self) -> None:
        self.warc_dir.mkdir(parents=True, exist_ok=True)
        self.serial += 1
        name = f"{self.prefix}-{timestamp17(self.clock())}-{self.serial:05d}-{self.hostname}.warc.gz"
        files = ArchiveWarcs(self.warc_dir)
        while files.taken(name):  # in warc/ (closed, .open, .invalid) or an in-place import's name
            self.serial += 1
            name = f"{self.prefix}-{timestamp17(self.clock())}-{self.serial:05d}-{self.hostname}.warc.gz"
        fh = open(self.warc_dir / (name + OPEN_SUFFIX), "xb", buffering=0)  # noqa: SIM115 (kept open: the current file)
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._fh, self._name, self._size = fh, name, 0
        self._writer = WARCWriter(self._plain, gzip=False, warc_version="1.1")  # we gzip each record (_write)
        try:
            self._write_warcinfo()
            if self.sources:
                self._write_sources()
            self._append()
            self.records_written += 2 if self.sources else 1
        except OSError:  # not even the warcinfo record fits: no file at all rather than an empty one
            self._abandon()
            raise

    def _write_warcinfo(self) -> None:
        assert self._writer is not None and self._name is not None
        fields = {
            "software": software_versions(),
            "format": "WARC File Format 1.1",
            "conformsTo": "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "isPartOf": "govarchive",
            "hostname": socket.gethostname(),
            "run-id": self.run_id,
            **self.info,
            "http-header-note": HEADER_NOTE,
        }
        record = self._writer.create_warcinfo_record(self._name, fields)
        record.rec_headers.replace_header("WARC-Date", warc_date(self.clock()))
        self._warcinfo_id = record.rec_headers.get_header("WARC-Record-ID")
        self._write(record)

    def _write_sources(self) -> None:
        """The run's sources-file entries, as a ``metadata`` record about the file's ``warcinfo`` record."""
        assert self._writer is not None and self._warcinfo_id is not None
        body = json.dumps(sources_record(self.run_id, self.sources), ensure_ascii=False, sort_keys=True).encode("utf-8")
        record = self._writer.create_warc_record(
            SOURCES_URI.format(self.run_id), "metadata", payload=BytesIO(body), length=len(body),
            warc_content_type=SOURCES_CONTENT_TYPE,
            warc_headers_dict={"WARC-Date": warc_date(self.clock()), "WARC-Refers-To": self._warcinfo_id})
        self._write(record)

    def _ensure_room(self) -> None:
        if self._fh is None:
            self._open_next()
        elif self._size >= self.max_bytes:
            self._close_current()
            self._open_next()

    def _append(self) -> None:
        """Append the rendered records to the file, whole or not at all.

        A write the disk refuses (``ENOSPC``, ``EFBIG`` past ``RLIMIT_FSIZE``, a quota) may have put part of
        the records on disk: the file is cut back to its last whole record before the error goes on, so
        the file stays a valid WARC and the records are not counted as written.
        """
        assert self._fh is not None
        data = memoryview(self._buffer.getvalue())
        self._buffer.seek(0)
        self._buffer.truncate()
        written = 0
        try:
            while written < len(data):  # a regular file may take part of a write when it fills up
                written += self._fh.write(data[written:]) or 0
        except OSError:
            self._cut(self._size)
            raise
        self._size += written

    def _cut(self, size: int) -> None:
        """Cut the current file back to ``size`` bytes, and write on from there (not past a hole)."""
        assert self._fh is not None
        os.ftruncate(self._fh.fileno(), size)
        self._fh.seek(size)
        self._size = size

    def _abandon(self) -> None:
        """Drop a file the disk refused its first record: it holds no whole record."""
        assert self._fh is not None and self._name is not None
        path = self.warc_dir / (self._name + OPEN_SUFFIX)
        self._fh.close()
        path.unlink(missing_ok=True)
        self._fh = self._name = self._writer = None
        self._size = 0

    def _close_current(self) -> None:
        if self._fh is None or self._name is None:
            return
        os.fsync(self._fh.fileno())
        final = self.warc_dir / self._name
        os.rename(self.warc_dir / (self._name + OPEN_SUFFIX), final)
        fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
        self._fh.close()
        self.files_written.append(self._name)
        logger.info("closed WARC %s (%d bytes)", final, final.stat().st_size)
        self._fh = self._name = self._writer = None
        self._size = 0
        self._last_capture = None

    def close(self) -> None:
        self._close_current()

    def __enter__(self) -> WarcArchive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- records ------------------------------------------------------------------------------
    def _write(self, record: Any) -> tuple[int, int]:
        """Render one record into the buffer as its own gzip member; its offset and length once the buffer
        is appended. Members are compressed at zlib level 6 (Heritrix's default): warcio's own gzip uses
        level 9, which costs about twice the time for a few bytes less; zlib-ng's level 6 takes half of zlib's
        time for about 1 % more bytes."""
        assert self._writer is not None
        if record.rec_type != "warcinfo":
            record.rec_headers.add_header("WARC-Warcinfo-ID", self._warcinfo_id)
        self._plain.seek(0)
        self._plain.truncate()
        self._writer.write_record(record)
        compressor = zlib_ng.compressobj(GZIP_LEVEL, zlib_ng.DEFLATED, 31)  # 31: gzip framing
        start = self._buffer.tell()
        self._buffer.write(compressor.compress(self._plain.getbuffer()))
        self._buffer.write(compressor.flush())
        return self._size + start, self._buffer.tell() - start

    def write_capture(self, capture: Capture) -> None:
        """Write the response (or revisit) and request records, together; set the capture's location. A
        ``resource`` capture (a browser's DOM snapshot or screenshot of a page) is one record.

        Raises ``OSError`` when the disk refuses them, leaving the file as it was before."""
        self._ensure_room()
        assert self._writer is not None
        if capture.record_type == "resource":
            offset, length = self._write(self._resource_record(capture))
        else:
            main = self._response_record(capture) if capture.record_type == "response" else self._revisit_record(capture)
            offset, length = self._write(main)
            self._write(self._request_record(capture))
        start = self._size
        self._append()
        self.records_written += self._records_of(capture)
        self._last_capture = (capture.id, self._name or "", start, self._size)
        capture.warc_file, capture.warc_offset, capture.warc_length = self._name, offset, length

    def mark(self) -> tuple[str | None, int, int]:
        """Where the next record goes (file, offset, records written so far): :meth:`rewind` takes back
        everything written after it."""
        return self._name, self._size, self.records_written

    @property
    def rotating(self) -> bool:
        """True when the next record starts a new file (the current one is full, or none is open)."""
        return self._fh is None or self._size >= self.max_bytes

    def prepare(self) -> None:
        """Open the file the next record goes into now (a full one is closed first)."""
        self._ensure_room()

    def rewind(self, mark: tuple[str | None, int, int]) -> bool:
        """Take back every record written since ``mark`` (their index rows could not be committed), so the
        file holds no record the index does not know; False when the file changed since (nothing cut)."""
        name, size, records = mark
        if self._fh is None or name != self._name:
            return False
        if size < self._size:
            self._cut(size)
            self.records_written = records
        self._last_capture = None
        return True

    def discard_capture(self, capture: Capture) -> bool:
        """Take back the records of the capture just written (its index row could not be saved), so the
        file holds no record the index does not know. Only the last capture can be taken back."""
        if self._fh is None or self._last_capture is None:
            return False
        capture_id, name, start, end = self._last_capture
        if capture_id != capture.id or name != self._name or end != self._size:
            return False
        self._cut(start)
        self.records_written -= self._records_of(capture)
        self._last_capture = None
        capture.warc_file = capture.warc_offset = capture.warc_length = None
        return True

    @staticmethod
    def _records_of(capture: Capture) -> int:
        return 1 if capture.record_type == "resource" else 2

    def _resource_record(self, capture: Capture) -> Any:
        """A browser's rendering of a page (DOM snapshot, screenshot): content got without HTTP, its
        ``WARC-Concurrent-To`` the page's own response (or revisit) record."""
        assert self._writer is not None
        headers = self._common_headers(capture, capture.id, "resource")
        headers["WARC-Payload-Digest"] = capture.payload_digest
        if capture.snapshot_of:
            headers["WARC-Concurrent-To"] = f"<{capture.snapshot_of}>"
        return self._writer.create_warc_record(
            capture.url,
            "resource",
            payload=BytesIO(capture.body),
            length=len(capture.body),
            warc_content_type=capture.content_type or "application/octet-stream",
            warc_headers_dict=headers,
        )

    def _common_headers(self, capture: Capture, record_id: str, record_type: str) -> dict[str, str]:
        headers = {"WARC-Type": record_type, "WARC-Record-ID": f"<{record_id}>", "WARC-Target-URI": capture.url,
                   "WARC-Date": warc_date(capture.fetched_at)}
        if capture.ip_address:
            headers["WARC-IP-Address"] = capture.ip_address
        if capture.source_id and record_type != "request":  # the sources-file entry the exchange came from
            headers[SOURCE_HEADER] = capture.source_id
        return headers

    def _http_headers(self, capture: Capture) -> RawStatusAndHeaders:
        assert capture.http_status is not None, "a response record is an HTTP exchange: it has a status"
        line = status_line(capture.protocol, capture.http_status)
        protocol, statusline = line.split(" ", 1)
        return RawStatusAndHeaders(statusline, list(capture.response_headers), protocol=protocol)

    def _response_record(self, capture: Capture) -> Any:
        assert self._writer is not None
        headers = self._common_headers(capture, capture.id, "response")
        headers["WARC-Payload-Digest"] = capture.payload_digest
        if capture.truncated:
            headers["WARC-Truncated"] = capture.truncated
        return self._writer.create_warc_record(
            capture.url,
            "response",
            payload=BytesIO(capture.body),
            length=len(capture.body),
            http_headers=self._http_headers(capture),
            warc_headers_dict=headers,
        )

    def _revisit_record(self, capture: Capture) -> Any:
        assert self._writer is not None and capture.refers_to and capture.refers_to_date
        headers = self._common_headers(capture, capture.id, "revisit")
        headers["WARC-Refers-To"] = f"<{capture.refers_to}>"
        return self._writer.create_revisit_record(
            capture.url,
            capture.payload_digest,
            capture.refers_to_url or capture.url,
            warc_date(capture.refers_to_date),
            http_headers=self._http_headers(capture),
            warc_headers_dict=headers,
        )

    def _request_record(self, capture: Capture) -> Any:
        assert self._writer is not None
        parts = urlsplit(capture.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        http_headers = RawStatusAndHeaders(
            f"{capture.request_method} {target} {capture.protocol or 'HTTP/1.1'}",
            _with_host(capture.request_headers, parts.netloc),
            is_http_request=True,
        )
        headers = self._common_headers(capture, capture.request_id, "request")
        headers["WARC-Concurrent-To"] = f"<{capture.id}>"
        return self._writer.create_warc_record(
            capture.url,
            "request",
            payload=BytesIO(capture.request_body),
            length=len(capture.request_body),
            http_headers=http_headers,
            warc_headers_dict=headers,
        )

    def write_metadata(self, uri: str, data: dict[str, Any], when: datetime, content_type: str = "application/json",
                       record_id: str | None = None) -> None:
        """A ``metadata`` record holding JSON (the run summary, written last; a failed fetch)."""
        self._ensure_room()
        assert self._writer is not None
        body = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")
        headers = {"WARC-Type": "metadata", "WARC-Date": warc_date(when)}
        if record_id:
            headers["WARC-Record-ID"] = f"<{record_id}>"
        record = self._writer.create_warc_record(
            uri,
            "metadata",
            payload=BytesIO(body),
            length=len(body),
            warc_content_type=content_type,
            warc_headers_dict=headers,
        )
        self._write(record)
        self._append()
        self.records_written += 1

    def write_failure(self, failure: FetchFailure) -> None:
        """A fetch that gave no page, as a ``metadata`` record about its URL (read back by reindex)."""
        data = {key: value for key, value in asdict(failure).items() if key not in ("id", "url", "failed_at")}
        self.write_metadata(failure.url, data, failure.failed_at, FAILURE_CONTENT_TYPE, failure.id)


def _with_host(headers: list[tuple[str, str]], netloc: str) -> list[tuple[str, str]]:
    if any(name.lower() == "host" for name, _ in headers):
        return list(headers)
    return [("Host", netloc), *headers]


def open_warc(warc_dir: Path, name: str) -> BinaryIO:
    """The WARC file a ``captures`` row names, for reading (:meth:`govarchive.warc.files.ArchiveWarcs.open`):
    in ``warc/``, still ``.open`` while its crawl writes it, or where an in-place import lies."""
    return ArchiveWarcs(warc_dir).open(name)


@dataclass(frozen=True)
class StoredRecord:
    """One whole record as read back from a WARC file: where it is and what it says it is."""

    offset: int
    length: int
    record_id: str  # ``WARC-Record-ID`` without the angle brackets
    record_type: str
    payload_digest: str | None = None  # ``WARC-Payload-Digest``, when the record has one
    refers_to: str | None = None  # ``WARC-Refers-To`` of a revisit, without the angle brackets
    digest_problems: tuple[str, ...] = ()  # block or payload digests that do not match (check_digests)


@dataclass(frozen=True)
class WarcScan:
    """What one WARC (or ARC) file holds, read back record by record (:class:`~govarchive.warc.reader.RecordReader`).

    ``end`` is where the last whole record before any damage ends: every byte before it reads back,
    gzip trailers (CRC-32 and size) included. ``error`` says why reading stopped there (a torn or damaged
    gzip member, a record cut short, bytes that are no record); it is None for a whole file. With
    ``resync``, reading goes on after damage at the next whole record: ``records`` then holds those too,
    and ``damage`` every part that holds no whole record.
    """

    records: tuple[StoredRecord, ...]
    end: int
    size: int
    error: str | None = None
    damage: tuple[Damage, ...] = ()

    @property
    def damaged(self) -> tuple[tuple[int, int, str], ...]:
        """Each damaged part as (start, end, why)."""
        return tuple((d.offset, d.end, d.reason) for d in self.damage)


def scan_warc(fh: BinaryIO, check_digests: bool = False, resync: bool = False) -> WarcScan:
    """Read every whole record of an open WARC or ARC file, stopping at the first damage or (``resync``)
    going on after each damaged part at the next whole record, as ``govarchive verify`` does. With
    ``check_digests``, every record's block and payload digests are recomputed as it is read."""
    reader = RecordReader(fh, check_digests=check_digests, resync=resync)
    records: list[StoredRecord] = []
    for record in reader:
        headers = record.rec_headers
        span = reader.finish(record)
        if span is not None:
            records.append(StoredRecord(
                offset=span.offset, length=span.length, record_id=record_id(headers.get_header("WARC-Record-ID")),
                record_type=record.rec_type, payload_digest=headers.get_header("WARC-Payload-Digest"),
                refers_to=record_id(headers.get_header("WARC-Refers-To")) or None,
                digest_problems=span.digest_problems))
    damage = list(reader.damage)
    if reader.format is None and reader.size:
        damage = [Damage(0, reader.size, "not a WARC or ARC file: no record in it")]
    first = damage[0] if damage else None
    return WarcScan(tuple(records), first.offset if first else reader.size, reader.size,
                    first.describe() if first else None, tuple(damage))


@dataclass(frozen=True)
class RepairedFile:
    """A ``.open`` file a killed crawl left, as :func:`repair_open_files` left it."""

    name: str  # ``….warc.gz``, or ``….warc.gz.invalid`` when no record in it was whole
    kept_bytes: int
    cut_bytes: int
    reason: str | None = None  # why the tail was cut (torn or damaged record); None when nothing was cut

    @property
    def invalid(self) -> bool:
        return self.name.endswith(INVALID_SUFFIX)


def repair_open_files(warc_dir: Path) -> list[RepairedFile]:
    """Repair WARCs left ``.open`` by a crawl that was killed: keep every whole record.

    A file still locked by a running crawl is left alone. Each other ``.open`` file is cut after
    its last whole record and renamed; a file with no whole record becomes ``.invalid``
    (kept, never deleted: a person may want to look at it).
    """
    repaired: list[RepairedFile] = []
    for path in ArchiveWarcs(warc_dir).open_files():
        with open(path, "r+b") as fh:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # another crawl is writing it
            scan = scan_warc(fh)
            fh.truncate(scan.end)
            fh.flush()
            os.fsync(fh.fileno())
        final = path.with_name(path.name[: -len(OPEN_SUFFIX)])
        if scan.end == 0:
            final = final.with_name(final.name + INVALID_SUFFIX)
            logger.warning("WARC %s held no whole record (%s); renamed to %s", path.name, scan.error, final.name)
        else:
            logger.warning("recovered WARC %s left open by an interrupted crawl (%d bytes kept, %d cut)",
                           final.name, scan.end, scan.size - scan.end)
        path.rename(final)
        repaired.append(RepairedFile(final.name, scan.end, scan.size - scan.end, scan.error))
    return repaired


def recover_open_files(warc_dir: Path) -> list[str]:
    """:func:`repair_open_files`, giving the names of the files that kept at least one record."""
    return [f.name for f in repair_open_files(warc_dir) if not f.invalid]
