"""Archived copies read back from the WARC files: the viewer's library.

Given an index row, :func:`load_copy` seeks to the record (``warc_file``, ``warc_offset``), reads
its HTTP headers and payload (a revisit's payload from the original it refers to) and undoes
chunking and Content-Encoding. :func:`find_capture` answers "I have an old link": the capture of a
URL nearest a moment, WeChat links matched by their identity parameters. :func:`copy_context` says
what the index knows around a capture (its post, its account's status and successors), and
:func:`rewrite_html` makes an archived page safe to show: every URL it would load or navigate to
points into the archive, so nothing comes from the live web. The viewer serves the result under
:data:`ARCHIVED_CSP` in a sandboxed frame, so archived scripts never run: scripts stay in the page
as archived (a researcher sees the page as it was sent) but are inert.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from govarchive.core.httpdata import BodyTooLarge, decode_text, header, http_body
from govarchive.index.records import capture_row, captures_of_url, post_copy_of_url
from govarchive.pages.base import DOM_SNAPSHOT, SCREENSHOT
from govarchive.pages.wechat import canonical_article_url, is_article_url
from govarchive.warc.reader import http_record
from govarchive.warc.writer import open_warc

# Served with every archived payload: the document is sandboxed (no scripts, no plugins, no forms,
# an opaque origin), loads nothing but archived resources of our own origin, and only our viewer
# may frame it. A link the reader clicks may navigate the top page (to the viewer's page of that URL).
ARCHIVED_CSP = ("sandbox allow-top-navigation-by-user-activation; default-src 'none'; img-src 'self' data:; "
                "media-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self' data:; form-action 'none'; "
                "base-uri 'none'; frame-ancestors 'self'")
# The frame attribute that goes with it (the CSP sandbox applies even when the payload is opened alone).
FRAME_SANDBOX = "allow-top-navigation-by-user-activation"
# The viewer's own pages: no script at all, frames and images only from us.
VIEWER_CSP = ("default-src 'none'; script-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
              "frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
# (No Cross-Origin-Resource-Policy: the sandboxed frame has an opaque origin, so "same-origin" would
# keep its archived images from loading.)
SAFE_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}

MAX_VIEW_BYTES = 30_000_000
REDIRECT_HOPS = 5
# WeChat hides the article body until its script runs; no script runs here, so show it.
REVEAL_CSS = "#js_content,.rich_media_content{visibility:visible!important;opacity:1!important}"
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


@dataclass
class ArchivedCopy:
    """One capture as the index knows it, with the payload read from its WARC record."""

    capture: dict[str, Any]  # the captures row
    headers: list[tuple[str, str]] = field(default_factory=list)  # the archived HTTP response headers
    body: bytes | None = None  # the payload as the client saw it (None: not readable, see error)
    error: str | None = None
    payload_capture_id: str | None = None  # for a revisit, the capture whose record holds the payload

    @property
    def content_type(self) -> str:
        return (self.capture.get("content_type") or header(self.headers, "Content-Type") or "").strip()

    @property
    def mime(self) -> str:
        return self.content_type.split(";")[0].strip().lower()

    @property
    def location(self) -> str | None:
        value = header(self.headers, "Location")
        return urljoin(self.capture["url"], value) if value else None

    @property
    def kind(self) -> str:
        """How the viewer shows it: html, json, text, css, image, media, redirect, binary, empty."""
        status = self.capture.get("http_status") or 0
        if 300 <= status < 400 and self.location:
            return "redirect"
        if not self.body:
            return "empty"
        mime = self.mime
        head = self.body[:64].lstrip()
        if "json" in mime or (mime in ("text/plain", "text/javascript", "") and head[:1] in (b"{", b"[")):
            return "json"
        if mime in ("text/html", "application/xhtml+xml") or (not mime and head[:1] == b"<"):
            return "html"
        if mime == "text/css":
            return "css"
        if mime.startswith("text/") or mime.endswith("+xml") or mime in ("application/xml", "application/javascript"):
            return "text"
        if mime.startswith("image/"):
            return "image"
        if mime.startswith(("audio/", "video/")):
            return "media"
        return "binary"

    def text(self) -> str:
        return decode_text(self.body or b"", self.content_type).text


def read_capture_record(warc_dir: Path, row: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
    """:func:`read_http_record` of a ``captures`` row, also while its crawl still writes the file."""
    with open_warc(warc_dir, row["warc_file"]) as fh:
        return http_record(fh, row["warc_offset"])


def load_copy(conn: sqlite3.Connection, warc_dir: Path, capture_id: str,
              max_bytes: int = MAX_VIEW_BYTES) -> ArchivedCopy | None:
    """The archived response of ``capture_id`` (None: no such capture)."""
    capture = capture_row(conn, capture_id)
    if capture is None:
        return None
    copy = ArchivedCopy(capture)
    holder = capture
    if capture["record_type"] == "revisit":
        original = capture_row(conn, capture["refers_to"]) if capture.get("refers_to") else None
        if original is None:
            copy.error = "revisit whose original is not in the index"
            return copy
        holder = original
        copy.payload_capture_id = holder["id"]
    try:
        _, copy.headers, raw = read_capture_record(warc_dir, capture)
        payload_headers = copy.headers
        if holder is not capture:
            _, payload_headers, raw = read_capture_record(warc_dir, holder)
        copy.body = http_body(raw, payload_headers, max_bytes)
    except FileNotFoundError as exc:
        copy.error = f"WARC file missing: {Path(exc.filename or '').name}"
    except (BodyTooLarge, StopIteration, ValueError, OSError) as exc:
        copy.error = f"payload not readable: {exc or type(exc).__name__}"
    return copy


def canonical_url(url: str | None) -> str | None:
    """The form the index stores post URLs in: WeChat article links keep only their identity
    parameters; any link loses its #fragment."""
    if not url:
        return url
    url = url.strip()
    parts = urlsplit(url)
    if is_article_url(parts.path, parts.query):  # mp.weixin.qq.com, or the demo web's copy of it
        return canonical_article_url(url)
    return url.split("#", 1)[0]


def _moment(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def find_capture(conn: sqlite3.Connection, url: str, at: str | None = None) -> str | None:
    """The capture id of ``url`` nearest ``at`` (else the newest): successful answers first, then
    redirects, then anything. Falls back to the post whose canonical URL it is."""
    candidates = captures_of_url(conn, url)
    if not candidates:
        canonical = canonical_url(url)
        if canonical != url:
            candidates = captures_of_url(conn, canonical)
        if not candidates:
            return post_copy_of_url(conn, canonical)
    target = _moment(at)

    def rank(row: dict[str, Any]) -> tuple[int, float]:
        status = row["http_status"] or 0
        tier = 0 if 200 <= status < 300 else 1 if 300 <= status < 400 else 2
        moment = _moment(row["fetched_at"]) or 0.0
        return tier, abs(moment - target) if target is not None else -moment

    return min(candidates, key=rank)["id"]


def follow_redirects(conn: sqlite3.Connection, warc_dir: Path, capture_id: str) -> str:
    """The capture a chain of archived redirects ends at (for images and stylesheets)."""
    for _ in range(REDIRECT_HOPS):
        row = capture_row(conn, capture_id)
        if row is None or not 300 <= (row["http_status"] or 0) < 400:
            return capture_id
        try:
            _, headers, _ = read_capture_record(warc_dir, row)
        except (OSError, StopIteration, ValueError):
            return capture_id
        location = header(headers, "Location")
        following = find_capture(conn, urljoin(row["url"], location), row["fetched_at"]) if location else None
        if following is None or following == capture_id:
            return capture_id
        capture_id = following
    return capture_id


def page_url(url: str) -> str:
    """The page a capture shows: a browser's DOM snapshot (``urn:dom:<url>``) is the page at ``<url>``."""
    for prefix in (DOM_SNAPSHOT, SCREENSHOT):
        if url.startswith(prefix):
            return url[len(prefix):]
    return url


# -- making an archived page safe to show -----------------------------------------------------------

# (tag, attribute) pairs whose URL is loaded as a resource; every other URL attribute is a link.
_RESOURCE_ATTRS = {"src", "data-src", "poster", "background", "data", "srcset", "data-srcset", "data-backsrc"}
_LINK_ATTRS = {"href", "action", "formaction", "cite", "longdesc"}
_RESOURCE_LINK_RELS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload", "prefetch", "image_src"}


def _rewritable(value: str) -> bool:
    value = value.strip()
    if not value or value.startswith("#"):
        return False
    scheme = urlsplit(value).scheme.lower()
    return scheme in ("", "http", "https")


def rewrite_css(css: str, base_url: str, resource: Callable[[str], str]) -> str:
    def swap(match: re.Match[str]) -> str:
        if match.group(2) is not None:
            target = match.group(2)
            return f'url("{resource(urljoin(base_url, target))}")' if _rewritable(target) else match.group(0)
        target = match.group(4)
        return f'@import "{resource(urljoin(base_url, target))}"' if _rewritable(target) else match.group(0)

    return _CSS_URL.sub(swap, css)


def _srcset(value: str, base_url: str, resource: Callable[[str], str]) -> str:
    parts = []
    for candidate in value.split(","):
        bits = candidate.strip().split()
        if bits and _rewritable(bits[0]):
            bits[0] = resource(urljoin(base_url, bits[0]))
        parts.append(" ".join(bits))
    return ", ".join(parts)


def rewrite_html(text: str, base_url: str, link: Callable[[str], str], resource: Callable[[str], str]) -> str:
    """The archived page with every URL pointing into the archive, as UTF-8 HTML.

    ``resource(url)`` gives the address of an archived image/stylesheet, ``link(url)`` the viewer's
    page of an archived URL. ``<base>`` and ``<meta http-equiv=refresh>`` are dropped (they would
    resolve or navigate outside the archive); lazy images (``data-src``) get their ``src``.
    """
    text = _XML_DECL.sub("", text, count=1)
    try:
        root = lxml.html.document_fromstring(text or "<html></html>")
    except (etree.ParserError, ValueError):
        root = lxml.html.document_fromstring("<html><body><pre></pre></body></html>")
        for pre in root.iter("pre"):  # the one just written
            pre.text = text
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if tag == "base" or (tag == "meta" and (element.get("http-equiv") or "").lower() in
                             ("refresh", "set-cookie", "content-security-policy")):
            element.drop_tree()
            continue
        if tag == "meta" and element.get("charset") is not None:
            element.set("charset", "utf-8")
            continue
        if tag == "meta" and (element.get("http-equiv") or "").lower() == "content-type":
            element.set("content", "text/html; charset=utf-8")
            continue
        if tag == "style" and element.text:
            element.text = rewrite_css(element.text, base_url, resource)
        rel = {part.lower() for part in (element.get("rel") or "").split()}
        for name, value in list(element.attrib.items()):
            lname = name.lower()
            if lname == "style":
                element.set(name, rewrite_css(value, base_url, resource))
            elif lname in ("srcset", "data-srcset"):
                element.set(name, _srcset(value, base_url, resource))
            elif not _rewritable(value):
                continue
            elif lname in _RESOURCE_ATTRS or (tag == "link" and lname == "href" and rel & _RESOURCE_LINK_RELS):
                element.set(name, resource(urljoin(base_url, value.strip())))
            elif lname in _LINK_ATTRS:
                element.set(name, link(urljoin(base_url, value.strip())))
                if tag in ("a", "area"):
                    element.set("target", "_top")
        if tag == "img" and element.get("data-src") and not (element.get("src") or "").startswith("/"):
            element.set("src", element.get("data-src"))
    head = root.find("head")
    if head is None:
        head = lxml.html.Element("head")
        root.insert(0, head)
    meta = lxml.html.Element("meta", charset="utf-8")
    style = lxml.html.Element("style")
    style.text = REVEAL_CSS
    head.insert(0, meta)
    head.append(style)
    return "<!DOCTYPE html>\n" + lxml.html.tostring(root, encoding="unicode", method="html")
