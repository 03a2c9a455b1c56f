"""The page-object contract and the helpers all platforms share."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import cached_property
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html
from parsel import Selector

from govarchive.core.httpdata import DecodedText, decode_text, header
from govarchive.core.items import Account, Link, Post

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")
# A browser's rendering of a page (govarchive/crawl/browser.py): ``resource`` records at these URIs + the page's URL
# (Browsertrix Crawler names its screenshots ``urn:view:`` too).
DOM_SNAPSHOT = "urn:dom:"
SCREENSHOT = "urn:view:"


@dataclass(frozen=True)
class PageInput:
    """One response, as a page object sees it: the body is content-decoded, never re-encoded."""

    url: str
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    capture_id: str
    fetched_at: datetime

    @property
    def content_type(self) -> str:
        return (header(list(self.headers), "Content-Type") or "").lower()

    @cached_property
    def decoded(self) -> DecodedText:
        return decode_text(self.body, header(list(self.headers), "Content-Type"))

    @property
    def text(self) -> str:
        return self.decoded.text

    @cached_property
    def selector(self) -> Selector:
        """Parsed once per page, shared by the router and the page object."""
        return Selector(text=self.text or "<html></html>")


@dataclass
class Extraction:
    """What one page showed."""

    page_state: str = "ok"
    accounts: list[Account] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class Page:
    """Base of all page objects: ``Page(page_input).extract()``."""

    platform: ClassVar[str] = "website"

    def __init__(self, page: PageInput) -> None:
        self.page = page

    @property
    def selector(self) -> Selector:
        return self.page.selector

    def extract(self) -> Extraction:
        raise NotImplementedError

    # helpers -------------------------------------------------------------------------------------
    def absolute(self, href: str) -> str:
        return urljoin(self.page.url, href.replace("&amp;", "&").strip())

    def account(self, account_id: str, platform_id: str, **fields: Any) -> Account:
        return Account(id=account_id, platform=self.platform, platform_id=platform_id,
                       capture_id=self.page.capture_id, seen_at=self.page.fetched_at, **fields)

    def post(self, post_id: str, account_id: str, **fields: Any) -> Post:
        return Post(id=post_id, account_id=account_id, platform=self.platform,
                    capture_id=self.page.capture_id, seen_at=self.page.fetched_at, **fields)


def same_site(url: str, other: str) -> bool:
    return urlsplit(url).netloc == urlsplit(other).netloc


def text_digest(text: str | None) -> str | None:
    if not text:
        return None
    return "sha1:" + base64.b32encode(hashlib.sha1(text.encode("utf-8")).digest()).decode("ascii")


def epoch_to_iso(epoch: str | int | float | None) -> str | None:
    """Epoch seconds → ISO 8601 in Asia/Shanghai (``2026-11-19T09:30:00+08:00``)."""
    if epoch is None:
        return None
    try:
        value = int(float(epoch))
    except (TypeError, ValueError):
        return None
    if value <= 0:
        return None
    return datetime.fromtimestamp(value, SHANGHAI).isoformat()


_BLOCK_TAGS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "blockquote",
               "table", "ul", "ol", "dd", "dt", "pre", "article", "header", "footer"}
_SKIP_TAGS = {"script", "style", "noscript", "template", "head"}
_SPACES = re.compile(r"[ \t\u00a0\u3000\r\f\v]+")
# Not visibility:hidden: WeChat hides #js_content that way until its script shows it.
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none", re.I)


def is_hidden(node: object) -> bool:
    """An element no reader sees: ``hidden``, ``display:none``, Discuz!'s ``class="jammer"``."""
    attrib = getattr(node, "attrib", {})
    return ("hidden" in attrib or bool(_HIDDEN_STYLE.search(attrib.get("style", "")))
            or "jammer" in attrib.get("class", "").split())


def html_text(fragment: str | None) -> str:
    """Readable plain text of an HTML fragment: one line per block, whitespace squeezed, hidden elements dropped."""
    if not fragment or not fragment.strip():
        return ""
    return element_text(lxml_html.fragment_fromstring(fragment, create_parent="div"))


def element_text(root: etree._Element) -> str:
    """:func:`html_text` of an element of a page already parsed (its tail left out), without writing it out as
    HTML and parsing it again."""
    parts: list[str] = []
    append = parts.append

    def walk(node: etree._Element) -> None:
        for child in node:
            tag = child.tag
            if not isinstance(tag, str) or tag.lower() in _SKIP_TAGS or is_hidden(child):  # comments, scripts, hidden
                if child.tail:
                    append(child.tail)
                continue
            block = tag.lower() in _BLOCK_TAGS
            if block:
                append("\n")
            if child.text:
                append(child.text)
            walk(child)
            if block:
                append("\n")
            if child.tail:
                append(child.tail)

    if isinstance(root.tag, str) and root.tag.lower() not in _SKIP_TAGS and not is_hidden(root):
        append("\n")
        if root.text:
            append(root.text)
        walk(root)
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def newest(posts: Iterable[Post], account_id: str | None = None) -> str | None:
    """The latest ``published_at`` of these posts (of one account, when given)."""
    dates = [p.published_at for p in posts if p.published_at and (account_id is None or p.account_id == account_id)]
    return max(dates) if dates else None


def first(values: Iterable[str | None]) -> str | None:
    for value in values:
        if value and value.strip():
            return value.strip()
    return None
