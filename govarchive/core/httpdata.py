"""Bytes and headers of HTTP messages: digests, status lines, content decoding, charsets.

Archived bytes are never changed; these helpers only derive things from them (a digest, the
decoded body a page object reads, its text).
"""

from __future__ import annotations

import base64
import codecs
import hashlib
import http
import zlib
from dataclasses import dataclass

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, resolve_encoding

# gb2312/gbk declarations are widened: rare characters in officials' names are outside GB2312.
_WIDEN = {"gb2312": "gb18030", "gbk": "gb18030", "gb_2312-80": "gb18030", "euc-cn": "gb18030"}


class BodyTooLarge(ValueError):
    """The decoded body would exceed the configured limit (a gzip bomb, or a huge file)."""


def payload_digest(body: bytes) -> str:
    """``sha1:BASE32`` over the bytes, as in WARC-Payload-Digest."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def status_line(protocol: str | None, status: int) -> str:
    """``HTTP/1.1 200 OK``; the reason phrase is rebuilt, Scrapy does not keep the one received."""
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown"
    return f"{protocol or 'HTTP/1.1'} {status} {phrase}"


def header(headers: list[tuple[str, str]], name: str) -> str | None:
    """The first value of header ``name`` (case-insensitive)."""
    lname = name.lower()
    for key, value in headers:
        if key.lower() == lname:
            return value
    return None


def content_decode(body: bytes, content_encoding: str | None, max_bytes: int) -> bytes:
    """Undo Content-Encoding (gzip, deflate, br), never producing more than ``max_bytes``."""
    codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
    for coding in reversed(codings):
        if coding in ("gzip", "x-gzip"):
            body = _inflate(body, zlib.MAX_WBITS | 32, max_bytes)
        elif coding == "deflate":
            try:
                body = _inflate(body, zlib.MAX_WBITS, max_bytes)
            except zlib.error:  # raw deflate, as some servers send it
                body = _inflate(body, -zlib.MAX_WBITS, max_bytes)
        elif coding == "br":
            body = _unbrotli(body, max_bytes)
        elif coding != "identity":
            raise ValueError(f"unsupported Content-Encoding {coding!r}")
    if len(body) > max_bytes:
        raise BodyTooLarge(f"body of {len(body)} bytes exceeds {max_bytes}")
    return body


def http_body(raw: bytes, headers: list[tuple[str, str]], max_bytes: int) -> bytes:
    """The payload of an archived HTTP message as the client saw it: chunking and Content-Encoding
    undone (raises :class:`BodyTooLarge` or ``ValueError``)."""
    if (header(headers, "Transfer-Encoding") or "").lower() == "chunked":
        raw = dechunk(raw)
    return content_decode(raw, header(headers, "Content-Encoding"), max_bytes)


def dechunk(data: bytes) -> bytes:
    out, pos = bytearray(), 0
    while pos < len(data):
        end = data.find(b"\r\n", pos)
        if end < 0:
            break
        try:
            size = int(data[pos:end].split(b";")[0], 16)
        except ValueError:
            return data  # not chunked after all
        if size == 0:
            break
        out += data[end + 2 : end + 2 + size]
        pos = end + 2 + size + 2
    return bytes(out)


def chunked_problem(data: bytes) -> str | None:
    """Why a body archived with ``Transfer-Encoding: chunked`` does not hold whole chunks, None when it does
    (or holds no chunk framing at all: a tool that stored the body de-chunked but kept the header)."""
    pos = 0
    while pos < len(data):
        end = data.find(b"\r\n", pos)
        if end < 0:
            return None if pos == 0 else f"the body ends inside the chunk-size line at byte {pos}"
        text = data[pos:end].split(b";")[0].strip()
        try:
            size = int(text, 16)
        except ValueError:
            return None if pos == 0 else f"the chunk-size line at byte {pos} is not a hexadecimal number"
        if size == 0:
            return None  # the last chunk (trailers may follow)
        if end + 2 + size > len(data):
            return (f"the chunk at byte {pos} announces {size:,} bytes, {len(data) - end - 2:,} are there: "
                    "the body was cut")
        if data[end + 2 + size:end + 4 + size] != b"\r\n":
            return f"the chunk at byte {pos} is not followed by CRLF where its size says"
        pos = end + 4 + size
    return None if pos == 0 else f"the body ends at byte {pos} without the last (zero-size) chunk"


def _inflate(data: bytes, wbits: int, max_bytes: int) -> bytes:
    out = bytearray()
    decompressor = zlib.decompressobj(wbits)
    while data:
        out += decompressor.decompress(data, max_bytes + 1 - len(out))
        if len(out) > max_bytes:
            raise BodyTooLarge(f"decompressed body exceeds {max_bytes} bytes")
        data = decompressor.unconsumed_tail
        if decompressor.eof:
            break
    return bytes(out)


def _unbrotli(data: bytes, max_bytes: int) -> bytes:
    try:
        import brotli
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ValueError("Content-Encoding br needs the brotli package") from exc
    out = brotli.decompress(data)
    if len(out) > max_bytes:
        raise BodyTooLarge(f"decompressed body exceeds {max_bytes} bytes")
    return out


def _norm(encoding: str | None) -> str | None:
    if not encoding:
        return None
    resolved = resolve_encoding(encoding) or encoding
    try:
        name = codecs.lookup(resolved).name
    except LookupError:
        return None
    return _WIDEN.get(name, _WIDEN.get(encoding.lower(), name))


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str
    note: str | None = None  # set when a declaration was wrong or missing


def decode_text(body: bytes, content_type: str | None) -> DecodedText:
    """Decode an HTML/JSON body, catching a lying header or a missing declaration.

    Order: BOM, HTTP charset, ``<meta>`` charset; a declaration whose strict decoding fails is
    distrusted, then UTF-8 and GB18030 are tried strictly; the last resort decodes GB18030 with
    replacement characters and says so.
    """
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if body.startswith(bom):
            return DecodedText(body[len(bom):].decode(enc, "replace"), enc)
    header_enc = _norm(http_content_type_encoding(content_type or ""))
    meta_enc = _norm(html_body_declared_encoding(body[:4096]))
    candidates: list[tuple[str, str | None]] = []
    if header_enc:
        candidates.append((header_enc, None))
    if meta_enc and meta_enc != header_enc:
        note = f"HTTP header says {header_enc}, body is {meta_enc}" if header_enc else None
        candidates.append((meta_enc, note))
    for enc in ("utf-8", "gb18030"):
        if enc not in (header_enc, meta_enc):
            declared = header_enc or meta_enc
            note = f"declared {declared}, body is {enc}" if declared else f"no charset declared; detected {enc}"
            candidates.append((enc, note))
    for enc, note in candidates:
        try:
            return DecodedText(body.decode(enc), enc, note)
        except (UnicodeDecodeError, LookupError):
            if enc == "utf-8" and _mostly_utf8(body):  # a few broken bytes in a UTF-8 page: not GB18030 text
                return DecodedText(body.decode("utf-8", "replace"), "utf-8", "invalid UTF-8 bytes replaced")
            continue
    return DecodedText(body.decode("gb18030", "replace"), "gb18030", "undecodable bytes replaced")


UTF8_BAD_SHARE = 0.1  # at most one invalid sequence per ten UTF-8 characters for a body to be read as UTF-8


def _mostly_utf8(body: bytes) -> bool:
    """True when the body is UTF-8 but for a few invalid sequences (GB18030 would decode it strictly, into
    nonsense: nearly every byte pair is valid GB18030). A GBK body read as UTF-8 fails on about every
    character, so its invalid sequences are as many as its would-be UTF-8 characters."""
    bad = body.decode("utf-8", "replace").count("\ufffd") - body.count("\ufffd".encode())
    multibyte = sum(1 for byte in body if byte >= 0xC0)  # lead bytes of UTF-8 sequences
    return 0 < bad <= multibyte * UTF8_BAD_SHARE
