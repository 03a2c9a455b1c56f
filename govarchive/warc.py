"""Writing WARC/1.1 files: one gzip member per record, warcinfo first, size rotation, ``.open``.

:class:`WarcArchive` turns a :class:`~govarchive.items.Capture` into a response (or revisit)
record plus its request record and records where they landed. It opens each file once, writes
it as ``NAME.warc.gz.open`` (under an exclusive lock) and renames it on close; files left
``.open`` by a killed crawl are repaired by :func:`recover_open_files`.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import platform as _platform
import re
import socket
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO, Callable
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from govarchive import __version__
from govarchive.httpdata import status_line
from govarchive.items import Capture

logger = logging.getLogger(__name__)

OPEN_SUFFIX = ".open"
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


def warc_date(moment: datetime) -> str:
    """WARC/1.1 date with microseconds, UTC."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def timestamp17(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y%m%d%H%M%S%f")[:17]


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
    """

    def __init__(
        self,
        warc_dir: Path,
        run_id: str,
        info: dict[str, str] | None = None,
        max_bytes: int = 1_000_000_000,
        hostname: str | None = None,
        clock: Callable[[], datetime] | None = None,
        prefix: str = "govarchive",
    ) -> None:
        self.warc_dir = Path(warc_dir)
        self.run_id = run_id
        self.info = dict(info or {})
        self.max_bytes = max_bytes
        self.hostname = _host_label(hostname or socket.gethostname())
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.prefix = prefix
        self.serial = -1
        self.files_written: list[str] = []
        self.records_written = 0
        self._fh: BinaryIO | None = None
        self._name: str | None = None
        self._writer: WARCWriter | None = None
        self._warcinfo_id: str | None = None

    # -- files --------------------------------------------------------------------------------
    @property
    def current_file(self) -> str | None:
        return self._name

    def _open_next(self) -> None:
        self.warc_dir.mkdir(parents=True, exist_ok=True)
        self.serial += 1
        name = f"{self.prefix}-{timestamp17(self.clock())}-{self.serial:05d}-{self.hostname}.warc.gz"
        while (self.warc_dir / name).exists() or (self.warc_dir / (name + OPEN_SUFFIX)).exists():
            self.serial += 1
            name = f"{self.prefix}-{timestamp17(self.clock())}-{self.serial:05d}-{self.hostname}.warc.gz"
        fh = open(self.warc_dir / (name + OPEN_SUFFIX), "xb")
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._fh, self._name = fh, name
        self._writer = WARCWriter(fh, gzip=True, warc_version="1.1")
        self._write_warcinfo()

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
        self._writer.write_record(record)
        self.records_written += 1

    def _ensure_room(self) -> None:
        if self._fh is None:
            self._open_next()
        elif self._fh.tell() >= self.max_bytes:
            self._close_current()
            self._open_next()

    def _close_current(self) -> None:
        if self._fh is None or self._name is None:
            return
        self._fh.flush()
        os.fsync(self._fh.fileno())
        final = self.warc_dir / self._name
        os.rename(self.warc_dir / (self._name + OPEN_SUFFIX), final)
        fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
        self._fh.close()
        self.files_written.append(self._name)
        logger.info("closed WARC %s (%d bytes)", final, final.stat().st_size)
        self._fh = self._name = self._writer = None

    def close(self) -> None:
        self._close_current()

    def __enter__(self) -> "WarcArchive":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- records ------------------------------------------------------------------------------
    def _write(self, record: Any) -> tuple[int, int]:
        assert self._fh is not None and self._writer is not None
        record.rec_headers.add_header("WARC-Warcinfo-ID", self._warcinfo_id)
        start = self._fh.tell()
        self._writer.write_record(record)
        self.records_written += 1
        return start, self._fh.tell() - start

    def write_capture(self, capture: Capture) -> None:
        """Write the response (or revisit) and request records; set the capture's location."""
        self._ensure_room()
        assert self._writer is not None
        main = self._response_record(capture) if capture.record_type == "response" else self._revisit_record(capture)
        offset, length = self._write(main)
        self._write(self._request_record(capture))
        assert self._fh is not None
        self._fh.flush()
        capture.warc_file, capture.warc_offset, capture.warc_length = self._name, offset, length

    def _common_headers(self, capture: Capture, record_id: str, record_type: str) -> dict[str, str]:
        headers = {"WARC-Type": record_type, "WARC-Record-ID": f"<{record_id}>", "WARC-Target-URI": capture.url,
                   "WARC-Date": warc_date(capture.fetched_at)}
        if capture.ip_address:
            headers["WARC-IP-Address"] = capture.ip_address
        return headers

    def _http_headers(self, capture: Capture) -> RawStatusAndHeaders:
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

    def write_metadata(self, uri: str, data: dict[str, Any], when: datetime) -> None:
        """A ``metadata`` record holding JSON (the run summary, written last)."""
        self._ensure_room()
        assert self._writer is not None
        body = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")
        record = self._writer.create_warc_record(
            uri,
            "metadata",
            payload=BytesIO(body),
            length=len(body),
            warc_content_type="application/json",
            warc_headers_dict={"WARC-Type": "metadata", "WARC-Date": warc_date(when)},
        )
        self._write(record)
        assert self._fh is not None
        self._fh.flush()


def _with_host(headers: list[tuple[str, str]], netloc: str) -> list[tuple[str, str]]:
    if any(name.lower() == "host" for name, _ in headers):
        return list(headers)
    return [("Host", netloc), *headers]


def recover_open_files(warc_dir: Path) -> list[str]:
    """Repair WARCs left ``.open`` by a crawl that was killed: keep every complete record.

    A file still locked by a running crawl is left alone. Each other ``.open`` file is cut after
    its last complete gzip member and renamed; a file with no complete record becomes ``.invalid``.
    Returns the names of the repaired files.
    """
    repaired: list[str] = []
    for path in sorted(Path(warc_dir).glob(f"*.warc.gz{OPEN_SUFFIX}")):
        with open(path, "r+b") as fh:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # another crawl is writing it
            good_end = _last_complete_offset(fh)
            fh.truncate(good_end)
        final = path.with_name(path.name[: -len(OPEN_SUFFIX)])
        if good_end == 0:
            path.rename(path.with_name(final.name + ".invalid"))
            logger.warning("WARC %s held no complete record; renamed to .invalid", path.name)
            continue
        path.rename(final)
        repaired.append(final.name)
        logger.warning("recovered WARC %s left open by an interrupted crawl (%d bytes kept)", final.name, good_end)
    return repaired


def _last_complete_offset(fh: BinaryIO) -> int:
    fh.seek(0)
    end = 0
    try:
        iterator = ArchiveIterator(fh, no_record_parse=False)
        for record in iterator:
            record.content_stream().read()
            iterator.read_to_end(record)
            end = iterator.get_record_offset() + iterator.get_record_length()
    except Exception:  # a torn record ends the good part of the file
        logger.debug("torn record after offset %d", end, exc_info=True)
    return end
