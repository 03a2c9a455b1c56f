"""Where the items of a column list come from: links in the markup, HTML fragments a CMS keeps in a
script (Hanweb's ``<record><![CDATA[<li>…]]></record>``), and JavaScript array literals a script
renders the list from (``var list = [{title: "…", url: "./202301/t20230105_1.html", time: "…"}]``).

Each gives :class:`ListedItem` (url, title, the date shown beside it). Which links are the column's
own is the caller's ``belongs(url)``: navigation, related columns and attachments are left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urljoin

from lxml import html as lxml_html
from parsel import Selector

from govarchive.pages.govfields import parse_gov_date

Belongs = Callable[[str], bool]

# The element an item's title and date share: a list row, a table row, a definition.
_ROW = "ancestor-or-self::*[self::li or self::tr or self::dd or self::dl or self::p][1]"


@dataclass(frozen=True)
class ListedItem:
    url: str
    title: str | None
    published_at: str | None  # the date shown beside the link, not the one in its URL


def _absolute(base: str, href: str) -> str:
    return urljoin(base, href.replace("&amp;", "&").strip()).split("#")[0]


def _squeeze(text: str | None) -> str:
    return re.sub(r"[\s\u00a0\u3000]+", " ", text or "").strip()


def anchor_items(selector: Selector, base_url: str, belongs: Belongs) -> list[ListedItem]:
    """The links of ``selector`` that ``belongs`` accepts, each with its title and the date in its row."""
    items: dict[str, ListedItem] = {}
    for anchor in selector.xpath(".//a[@href]"):
        href = anchor.attrib["href"]
        if href.startswith(("javascript:", "#", "mailto:")):
            continue
        url = _absolute(base_url, href)
        if url in items or not belongs(url):
            continue
        text = _squeeze(anchor.xpath("string(.)").get())
        title = _squeeze(anchor.attrib.get("title")) or text  # the title attribute is not cut short
        row = anchor.xpath(_ROW) or anchor.xpath("..")
        row_text = _squeeze(row[0].xpath("string(.)").get()) if row else ""
        outside = row_text.replace(text, " ") if text else row_text
        items[url] = ListedItem(url, title or None, parse_gov_date(outside) or None)
    return list(items.values())


def fragment_items(fragments: Iterable[str], base_url: str, belongs: Belongs) -> list[ListedItem]:
    """Items of HTML fragments (a CMS's records), in order, one per link ``belongs`` accepts."""
    items: dict[str, ListedItem] = {}
    for fragment in fragments:
        if not fragment.strip():
            continue
        try:
            root = lxml_html.fragment_fromstring(fragment, create_parent="div")
        except Exception:  # lxml raises several kinds on hostile fragments; such a record shows nothing
            continue
        for item in anchor_items(Selector(root=root), base_url, belongs):
            items.setdefault(item.url, item)
    return list(items.values())


# --- JavaScript array literals ------------------------------------------------------------------------

_STRING = re.compile(r"""'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|`((?:[^`\\]|\\.)*)`""")
_KEYED = re.compile(r"""(?:^|[{,\s])["']?([A-Za-z_$][\w$]*)["']?\s*:\s*$""")
_TITLE_KEYS = ("title", "doctitle", "name", "t", "tit", "subject", "bt")
_DATE_KEYS = ("time", "date", "pubdate", "pubtime", "docreltime", "publishtime", "publishdate", "releasedate",
              "ctime", "createtime", "d", "rq", "fbrq")
_URLISH = re.compile(r"^(?:https?://|\.{0,2}/|[\w-]+/)[^\s<>\"']*\.(?:s?html?|jsp|php|aspx?)(?:\?[^\s<>\"']*)?$", re.I)
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _unescape(value: str) -> str:
    if "\\" not in value:
        return value
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)),
                  re.sub(r"\\([\\'\"/])", r"\1", value))


def _enclosure(script: str, position: int) -> tuple[int, int] | None:
    """(start, end) of the innermost ``{…}`` or ``[…]`` around ``position`` (strings skipped)."""
    depth, start = 0, None
    i = position
    while i > 0:
        i -= 1
        ch = script[i]
        if ch in "}]":
            depth += 1
        elif ch in "{[":
            if depth == 0:
                start = i
                break
            depth -= 1
    if start is None:
        return None
    depth = 0
    for j in range(start, min(len(script), start + 4000)):
        ch = script[j]
        if ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
            if depth == 0:
                return start, j + 1
    return None


_URL_LITERAL = re.compile(r"""(['"`])((?:https?://|\.{0,2}/|[\w-]+/)[^'"`\s<>]*?\.(?:s?html?|jsp|php|aspx?)"""
                          r"""(?:\?[^'"`\s<>]*)?)\1""", re.I)


def script_items(scripts: Iterable[str], base_url: str, belongs: Belongs) -> list[ListedItem]:
    """Items of array literals in inline scripts: each string that is a link ``belongs`` accepts, with
    the title and date among the strings of its object or array (by key, else by shape)."""
    items: dict[str, ListedItem] = {}
    for script in scripts:
        if not script or len(script) > 2_000_000:
            continue
        for match in _URL_LITERAL.finditer(script):
            value = _unescape(match.group(2))
            url = _absolute(base_url, value)
            if url in items or not belongs(url):
                continue
            span = _enclosure(script, match.start())
            if span is None:
                continue
            title, published = _title_and_date(script[span[0]:span[1]], value)
            items[url] = ListedItem(url, title, published)
    return list(items.values())


def _title_and_date(literal: str, url_value: str) -> tuple[str | None, str | None]:
    keyed: dict[str, str] = {}
    loose: list[str] = []
    for match in _STRING.finditer(literal):
        value = _unescape(next(g for g in match.groups() if g is not None)).strip()
        key = _KEYED.search(literal[max(0, match.start() - 40):match.start()])
        if value == url_value:
            continue
        if key:
            keyed.setdefault(key.group(1).lower(), value)
        else:
            loose.append(value)
    title = next((keyed[k] for k in _TITLE_KEYS if keyed.get(k)), None)
    date_text = next((keyed[k] for k in _DATE_KEYS if keyed.get(k)), None)
    values = [*keyed.values(), *loose]
    if title is None:
        texts = [v for v in values if _CJK.search(v) and not _URLISH.match(v) and not parse_gov_date(v)]
        title = max(texts, key=len) if texts else None
    published = parse_gov_date(date_text) if date_text else next(
        (d for d in (parse_gov_date(v) for v in values if len(v) <= 30) if d), None)
    return (_squeeze(lxml_text(title)) or None) if title else None, published


def lxml_text(fragment: str) -> str:
    """The text of a title that may carry markup (``<font color=red>…</font>``)."""
    if "<" not in fragment:
        return fragment
    try:
        return lxml_html.fragment_fromstring(fragment, create_parent="div").text_content()
    except Exception:
        return re.sub(r"<[^>]+>", "", fragment)
