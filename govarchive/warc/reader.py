"""Reading WARC and ARC files back, record by record, and saying where and how they are damaged.

Every command that reads an archive's files (``import``, ``reindex``, ``verify``, a crawl's recovery,
``merge``) reads them through :class:`RecordReader`, so they agree on what a file holds:

- the format is sniffed from the bytes, not the name: WARC or ARC (ARC records are read through
  warcio's ARC-to-WARC conversion, with a record id derived from their place in the file), each
  record its own gzip member or the whole file uncompressed;
- a record is *whole* when its gzip member inflates to its end with a good trailer (CRC-32 and size,
  checked with :mod:`zlib`: warcio alone reads a member cut short as if it were whole), its block
  holds the bytes its ``Content-Length`` says, and nothing but blank lines follows it; only whole
  records are handed on (:meth:`RecordReader.finish` says which);
- anything else is a :class:`Damage`: where it starts, where reading resumed (the next whole record,
  found by its first bytes) and what was lost, in one line.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, cast

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import DecompressingBufferedReader
from warcio.limitreader import LimitReader
from warcio.recordloader import ArcWarcRecordLoader
from zlib_ng import zlib_ng as zlib  # zlib's API and results, about twice as fast to inflate

CHUNK = 1 << 20  # bytes read (and inflated) at a time
GZIP_MAGIC = b"\x1f\x8b\x08"
SNIFF_BYTES = 1 << 20  # how far into a file whose start is not a record a first record is looked for
# The first line of an ARC record: URL, IP address, 14-digit date (some writers add more), type, length.
ARC_HEADER = re.compile(rb"^(?:filedesc://\S+|\S+:\S*) \S+ \d{12,18} \S+ \S+[\r\t ]*\n")
WARC_HEADER = re.compile(rb"^WARC/\d+\.\d+[\r\t ]*\n")
ARC_ID_NAMESPACE = uuid.UUID("6f1b5b52-1c7e-4c1a-9a43-3b1d1f0e7a10")  # record ids of ARC records

# zlib-ng's error (its stub declares it an instance of Exception, not the class it is)
GZIP_ERROR = cast("type[Exception]", zlib.error)
# warcio's decompressors, gzip's through zlib-ng
FAST_DECOMPRESSORS = {**DecompressingBufferedReader.DECOMPRESSORS,
                      "gzip": lambda: zlib.decompressobj(16 + zlib.MAX_WBITS)}

# What each record type becomes (``import`` and ``verify`` print it with their counts).
CAPTURE_TYPES = ("response", "revisit", "resource")
RECORD_TYPES: dict[str, str] = {
    "response": "captures (HTTP responses; dns: lookups and other non-HTTP responses too)",
    "revisit": "captures whose payload is in an earlier record",
    "resource": "captures of content got without HTTP (screenshots, DOM snapshots, files, dns:)",
    "request": "not indexed: the request of a capture, kept in the file beside it",
    "metadata": "not indexed but read when govarchive wrote them (a run's summary, a failed fetch)",
    "warcinfo": "not indexed: describes its file (software, run id), read to name the file's run",
    "conversion": "not indexed: the payload of an earlier record in another format",
    "continuation": "not indexed: a segment of a record split across files",
}


def record_id(value: str | None) -> str:
    """A ``WARC-Record-ID`` (or ``WARC-Refers-To``) as the index keeps it: without the angle brackets."""
    return (value or "").strip().strip("<>")


def describe_type(rtype: str) -> str:
    return RECORD_TYPES.get(rtype, "not indexed: a record type WARC/1.1 does not define")


@dataclass(frozen=True)
class Damage:
    """A part of a file that holds no whole record: from ``offset`` to ``end`` (where reading resumed,
    or the file's size), why, and what it held when its headers could be read."""

    offset: int
    end: int
    reason: str
    lost: str = ""

    def describe(self) -> str:
        """``@ OFFSET: why; what was lost`` (the file name goes before it)."""
        size = self.end - self.offset
        text = f"@ {self.offset}: {self.reason}; bytes {self.offset}–{self.end} ({size:,}) not indexed"
        return f"{text}: {self.lost}" if self.lost else text


@dataclass(frozen=True)
class Span:
    """Where a whole record lies: the offset and length of its gzip member (or of its bytes)."""

    offset: int
    length: int
    digest_problems: tuple[str, ...] = ()


@dataclass
class _Current:
    iterator: Any
    record: Any
    begin: int  # where the part of the file the iterator reads starts
    start: int  # where the record starts


class _Loader(ArcWarcRecordLoader):
    """warcio's loader, with folded header lines unfolded (``WARC-Type:`` then a tab and ``warcinfo``)."""

    def _detect_type_load_headers(self, stream: Any, statusline: Any = None, known_format: Any = None) -> Any:
        fmt, headers = super()._detect_type_load_headers(stream, statusline, known_format)
        headers.headers = [(name, value.strip()) for name, value in headers.headers]
        return fmt, headers

    skip_requests = False  # a request record's HTTP headers left unparsed (a reader that never reads them)

    def load_http_headers(self, rec_type: Any, uri: Any, stream: Any, length: Any) -> Any:
        if rec_type == "request" and self.skip_requests:
            return None
        return super().load_http_headers(rec_type, uri, stream, length)


class _Iterator(ArchiveIterator):
    """warcio's iterator for one known format, saying (not printing) when a record's block does not end
    where its length says."""

    def __init__(self, stream: Any, fmt: str, check_digests: bool, requests: bool = True) -> None:
        super().__init__(stream, arc2warc=fmt == "arc", check_digests=check_digests)
        self.reader.DECOMPRESSORS = FAST_DECOMPRESSORS  # (this reader's own: warcio's table is not changed)
        if self.reader.decomp_type:
            self.reader.set_decomp(self.reader.decomp_type)
        self.loader = _Loader(verify_http=False, arc2warc=fmt == "arc")
        self.loader.skip_requests = not requests and not check_digests  # (a payload digest needs them)
        self.known_format = fmt  # never guessed record by record: garbage must not pass for an ARC record
        self.junk: int | None = None  # offset of the unexpected bytes after the last record's block

    def _consume_blanklines(self) -> tuple[bytes | None, int]:
        empty_size, first_line = 0, True
        while True:
            line = self.reader.readline()
            if not line:
                return None, empty_size
            if not line.rstrip() or first_line:
                empty_size += len(line)
                if line.rstrip() and self.junk is None:
                    self.junk = self.fh.tell() - self.reader.rem_length() - empty_size
                first_line = False
                continue
            return line, empty_size


def sniff(head: bytes) -> str | None:
    """``warc`` or ``arc`` when ``head`` (a file's first bytes, inflated) starts with a record; else None."""
    if WARC_HEADER.match(head):
        return "warc"
    if ARC_HEADER.match(head):
        return "arc"
    return None


class RecordReader:
    """The records of one WARC or ARC file, in order; damaged parts skipped and recorded in :attr:`damage`.

    Iterating yields warcio records, positioned at their content. Read what you need, then call
    :meth:`finish`: it reads the record to its end and returns its :class:`Span` when it is whole, or
    None when it is not (the record must then be ignored: its damage is in :attr:`damage`). A record not
    finished by the caller is finished before the next one is read.

    :param check_digests: recompute each record's block and payload digests (``Span.digest_problems``)
    :param resync: after damage, go on at the next whole record (else stop there)
    :param requests: parse the HTTP headers of request records (False: a reader that never reads them,
        such as the index's, saves the time; never when checking digests)
    :param start: where reading begins: the start of a record (a resumed reading: the offset after the last
        record an earlier reading finished); the file's format is still probed from its first bytes
    """

    def __init__(self, fh: BinaryIO, check_digests: bool = False, resync: bool = True, start: int = 0,
                 requests: bool = True) -> None:
        self.fh = fh
        self.requests = requests
        self.resume_at = start
        self.check_digests = check_digests
        self.resync = resync
        fh.seek(0, 2)
        self.size = fh.tell()
        fh.seek(0)
        self.compressed = fh.read(len(GZIP_MAGIC)) == GZIP_MAGIC
        self.format: str | None = None  # "warc" or "arc", once :meth:`probe` has looked
        self.damage: list[Damage] = []
        self.types: Counter[str] = Counter()  # whole records, by type
        self._members: set[int] = set()  # starts of whole gzip members (and the end of the last)
        self._current: _Current | None = None
        self._last: tuple[Any, Span | None] = (None, None)
        self._problem: tuple[int, str] | None = None
        self._segment_end = 0
        self._start: int | None = None
        self._probed = False
        self.at = 0  # where the record last handed on starts

    # -- iteration ----------------------------------------------------------------------------
    def probe(self) -> str | None:
        """The file's format (``warc`` or ``arc``), None when it holds no record at all (an empty file, or
        not an archive). A file whose first bytes are not a record but which holds one further on (within
        :data:`SNIFF_BYTES`) is an archive whose start is damaged."""
        if not self._probed:
            self._probed = True
            self._start = self._first_record()
        return self.format

    def __iter__(self) -> Iterator[Any]:
        self.probe()
        begin = self._start
        if begin is not None and self.resume_at:
            begin = self.resume_at if self.resume_at < self.size else None
        while begin is not None:
            end, frame_problem = self._readable_end(begin)
            self._segment_end = end
            problem = yield from self._parse(begin, end)
            if problem is None:
                if frame_problem is None:
                    return
                problem = (end, frame_problem)
            begin = self._damaged(*problem)

    def _first_record(self) -> int | None:
        if self.size == 0:
            return None
        head = self._head(0)
        self.format = sniff(head)
        if self.format is not None:
            return 0
        following = self._next_start(1, limit=SNIFF_BYTES)
        if following is None:
            return None
        self.format = sniff(self._head(following))
        if head.strip() or not self.compressed:  # (an empty gzip member first is no damage: some tools write one)
            self.damage.append(Damage(0, following, "not a WARC or ARC record", self._lost(0, torn=False)))
        return following

    def _damaged(self, start: int, reason: str) -> int | None:
        """Record the damage at ``start``; where reading goes on (None: it stops)."""
        following = self._next_start(start + 1) if self.resync else None
        end = following if following is not None else self.size
        self.damage.append(Damage(start, end, reason, self._lost(start, torn="ends inside" in reason)))
        return following

    def _parse(self, begin: int, end: int) -> Generator[Any, None, tuple[int, str] | None]:
        """Yield the records from ``begin`` to ``end``; return (offset, why) where parsing had to stop."""
        self.fh.seek(begin)
        iterator = _Iterator(LimitReader(self.fh, end - begin), self.format or "warc", self.check_digests,
                             self.requests)
        while True:
            start = begin + iterator.offset
            try:
                record = next(iterator)
            except StopIteration:  # warcio also stops at a record cut inside its headers: is anything left?
                return self._leftover(start, end)
            except Exception as exc:  # warcio's ArchiveLoadFailed, a header it cannot parse, …
                return start, self._split(start, end) or \
                    f"not a readable {(self.format or 'warc').upper()} record ({one_line(exc)})"
            record.rec_type = (record.rec_type or "").strip()
            if self.format == "arc":
                record.rec_headers.replace_header("WARC-Record-ID", f"<{arc_record_id(record, start)}>")
            self._current = _Current(iterator, record, begin, start)
            self.at = start
            yield record
            if self._current is not None:
                self.finish(record)
            if self._problem is not None:
                problem, self._problem = self._problem, None
                return problem

    def _leftover(self, start: int, end: int) -> tuple[int, str] | None:
        """Where parsing stopped with bytes left that are not blank (a record cut inside its headers, which
        warcio takes for the end of the file), and why; None when only blank lines are left."""
        if start >= end:
            return None
        if self.compressed:
            head = self._head(start, 4096)
        else:
            self.fh.seek(start)
            head = self.fh.read(min(4096, end - start))
        if not head.strip():
            return None
        if sniff(head) is not None:
            return start, self._split(start, end) or "torn record: the file ends inside its headers"
        return start, f"not a readable {(self.format or 'warc').upper()} record"

    def _split(self, start: int, end: int) -> str | None:
        """Why the record at ``start`` could not be read when it is a gzip member holding only part of a record
        and more members follow (a writer that split records over members); None otherwise."""
        if not self.compressed:
            return None
        head = self._head(start, 65536)
        length = _header_fields(head).get("content-length", "") if sniff(head) == "warc" else ""
        have = self._inflated_size(start) - _header_size(head)
        following = next((m for m in sorted(self._members) if m > start), None)
        if not length.isdigit() or have >= int(length) or following is None or following >= end:
            return None
        return (f"record whose gzip member ends inside it ({max(have, 0):,} of {int(length):,} bytes of its block): "
                "records are not one gzip member each; `warcio recompress` rewrites such a file")

    # -- one record ---------------------------------------------------------------------------
    def finish(self, record: Any) -> Span | None:
        """Read ``record`` to its end: its :class:`Span` when it is whole, else None (and the damage noted)."""
        current = self._current
        if current is None or current.record is not record:
            return self._last[1] if self._last[0] is record else None
        self._current = None
        iterator, begin = current.iterator, current.begin
        try:
            iterator.read_to_end(record)
        except Exception as exc:  # a read error inside the record
            self._problem = (current.start, f"unreadable record ({one_line(exc)})")
            return None
        offset, length = begin + iterator.get_record_offset(), iterator.get_record_length()
        problem = self._check(record, iterator, begin, offset, length)
        if problem:
            self._problem = (offset, problem)
            self._last = (record, None)
            return None
        self.types[record.rec_type] += 1
        span = Span(offset, length, tuple(record.digest_checker.problems) if self.check_digests else ())
        self._last = (record, span)
        return span

    def _check(self, record: Any, iterator: Any, begin: int, offset: int, length: int) -> str | None:
        """Why the record just read is not whole (None when it is)."""
        what = f"{record.rec_type or 'untyped'} record"
        declared = record.rec_headers.get_header("Content-Length")
        if declared is None or not declared.strip().isdigit():
            return f"{what} with no valid Content-Length ({declared!r}): where it ends cannot be known"
        missing = getattr(record.raw_stream, "limit", 0)
        if missing:
            have = int(declared) - missing
            if self.compressed and offset + length < self._segment_end:
                return (f"{what} whose gzip member ends inside it ({have:,} of {int(declared):,} bytes of its block): "
                        "records are not one gzip member each; `warcio recompress` rewrites such a file")
            return f"torn {what}: the file ends inside it ({have:,} of {int(declared):,} bytes of its block)"
        if iterator.junk is not None:
            junk, iterator.junk = iterator.junk, None
            return (f"{what} whose block does not end where its Content-Length ({int(declared):,}) says "
                    f"(unexpected bytes at offset {begin + junk})")
        if self.compressed and (iterator.next_line or offset not in self._members
                                or offset + length not in self._members):
            return (f"{what} sharing its gzip member with other records (one gzip stream, not one member per "
                    "record): records cannot be read by offset; `warcio recompress` rewrites the file")
        return None

    # -- gzip framing ---------------------------------------------------------------------------
    def _readable_end(self, begin: int) -> tuple[int, str | None]:
        """Where the whole gzip members from ``begin`` end, and why reading stopped there (None: at the end
        of the file). An uncompressed file is readable to its end."""
        if not self.compressed:
            return self.size, None
        self.fh.seek(begin)
        pending, at = b"", begin  # bytes not inflated yet, and the file offset of pending[0]
        start, inflater = begin, None  # offset of the member being inflated, and its inflater
        self._members.add(begin)
        while True:
            if not pending:
                pending = self.fh.read(CHUNK)
                if not pending:
                    break
            if inflater is None:
                start, inflater = at, zlib.decompressobj(wbits=31)  # 31: gzip framing, trailer checked
            try:
                rest = pending
                while rest and not inflater.eof:
                    inflater.decompress(rest, CHUNK)
                    rest = inflater.unconsumed_tail
            except GZIP_ERROR as exc:
                return start, f"damaged gzip member ({exc})"
            if inflater.eof:
                at += len(pending) - len(inflater.unused_data)
                pending, inflater = inflater.unused_data, None
                self._members.add(at)
            else:
                at, pending = at + len(pending), b""
        if inflater is not None:
            return start, "torn record: the file ends inside its gzip member"
        return at, None

    # -- finding records after damage -------------------------------------------------------------
    def _head(self, offset: int, size: int = 4096) -> bytes:
        """The first bytes of what starts at ``offset``, inflated when it is a gzip member."""
        self.fh.seek(offset)
        data = self.fh.read(size if not self.compressed else size + 64)
        if self.compressed:
            if not data.startswith(GZIP_MAGIC):
                return b""
            try:
                return zlib.decompressobj(wbits=31).decompress(data, size)
            except GZIP_ERROR:
                return b""
        return data

    def _next_start(self, after: int, limit: int | None = None) -> int | None:
        """The offset of the next record start at or after ``after``: a gzip member inflating to a record,
        or (uncompressed) a line starting one; at most ``limit`` bytes are searched."""
        stop = self.size if limit is None else min(self.size, after + limit)
        if self.compressed:
            mark, shift = GZIP_MAGIC, 0
        else:  # a record starts a line: search the newline before it
            mark, shift = (b"\nWARC/" if self.format == "warc" else b"\n"), 1
        position = max(after - shift, 0)
        while position < stop:
            self.fh.seek(position)
            window = self.fh.read(CHUNK + len(mark))
            found = window.find(mark)
            while found != -1:
                candidate = position + found + shift
                if candidate >= stop:
                    return None
                if candidate >= after:
                    head = window[found + shift:found + shift + 256] if not self.compressed else b""
                    if len(head) < 256:
                        head = self._head(candidate, 256)
                    kind = sniff(head)
                    if kind is not None and kind == (self.format or kind):
                        return candidate
                found = window.find(mark, found + 1)
            position += CHUNK
        return None

    # -- what was lost ------------------------------------------------------------------------------
    def _lost(self, offset: int, torn: bool) -> str:
        """What the damaged part starting at ``offset`` held, in words."""
        head = self._head(offset, 65536)
        if not head:
            return ""
        if sniff(head) is None:
            first = head.split(b"\n", 1)[0][:60].decode("utf-8", "replace").strip()
            return f"not a record (it starts with {first!r})" if first else "not a record"
        fields = _header_fields(head)
        if self.format == "arc":
            parts = head.split(b"\n", 1)[0].decode("latin-1").split(" ")
            text = f"an ARC record of {parts[0]}"
        else:
            kind = fields.get("warc-type", "untyped")
            target = fields.get("warc-target-uri")
            text = f"a {kind} record" + (f" of {target}" if target else "") + \
                (f" ({fields['warc-record-id']})" if fields.get("warc-record-id") else "")
        if torn:
            length = fields.get("content-length", "")
            have = self._inflated_size(offset) - _header_size(head)
            if length.isdigit() and have >= 0:
                text += f", {max(have, 0):,} of {int(length):,} bytes of its block in the file"
        return text

    def _inflated_size(self, offset: int) -> int:
        """How many bytes the (torn) record starting at ``offset`` holds, inflated when compressed."""
        if not self.compressed:
            return self.size - offset
        self.fh.seek(offset)
        inflater, total = zlib.decompressobj(wbits=31), 0
        try:
            while not inflater.eof:
                data = inflater.unconsumed_tail or self.fh.read(CHUNK)
                if not data:
                    break
                total += len(inflater.decompress(data, CHUNK))
        except GZIP_ERROR:
            pass
        return total


def _header_fields(head: bytes) -> dict[str, str]:
    block = re.split(rb"\r?\n\r?\n", head, maxsplit=1)[0]
    fields: dict[str, str] = {}
    for line in block.split(b"\n")[1:]:
        name, sep, value = line.decode("utf-8", "replace").partition(":")
        if sep:
            fields.setdefault(name.strip().lower(), value.strip().strip("<>") if name.strip().lower() ==
                              "warc-record-id" else value.strip())
    return fields


def _header_size(head: bytes) -> int:
    found = re.search(rb"\r?\n\r?\n", head)
    return found.end() if found else len(head)


def one_line(exc: BaseException) -> str:
    """An exception's message on one line (warcio's span several), at most 200 characters."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]


def arc_record_id(record: Any, offset: int) -> str:
    """An ARC record's id: ARC has none, warcio makes a random one; this one is the same on every read
    (its place in the file and its header line), so a reindex finds the captures an import made."""
    headers = record.rec_headers
    line = " ".join(headers.get_header(name) or "" for name in
                    ("WARC-Target-URI", "WARC-Filename", "WARC-IP-Address", "WARC-Date", "Content-Length"))
    return f"urn:uuid:{uuid.uuid5(ARC_ID_NAMESPACE, f'{offset} {line}')}"


def read_http_record(path: Path, offset: int) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, HTTP headers and raw (still encoded) payload of the record at ``offset`` of ``path``."""
    with open(path, "rb") as fh:
        return http_record(fh, offset)


def http_record(fh: Any, offset: int) -> tuple[int, list[tuple[str, str]], bytes]:
    """:func:`read_http_record` of an open file."""
    fh.seek(offset)
    record = next(iter(ArchiveIterator(fh)))
    http = record.http_headers
    status = int(http.get_statuscode() or 0) if http is not None else 0
    headers = list(http.headers) if http is not None else []
    return status, headers, record.raw_stream.read()
