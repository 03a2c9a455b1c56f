"""The other pages of a list, from its pager's links: "下一页" / ``a.next``, and page-number links
(``1 2 3 … 8``, ``尾页``) for lists that have no "下一页".

A page-number link is followed only when it points to a sibling of the page: the same folder, and a
file name or query that differs from the page's own by its digits (``index_3.html``, ``list_3.shtml``,
``?page=3``, ``…&cur_page=3``).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urljoin, urlsplit

from parsel import Selector

from govarchive.core.items import Link

NEXT_TEXT = ("下一页", "下页", "后一页", "下一頁")
_NUMBER = re.compile(r"^(?:\[?\s*\d{1,4}\s*\]?|第\s*\d{1,4}\s*页|尾页|末页|最后一页|»|›|>>|next|last)$", re.I)
_PAGE_FILE = re.compile(r"^[A-Za-z]*[_-]?\d+\.(?:s?html?|jsp|php|aspx?)$|^(?:index|default|list)\.(?:s?html?|jsp|php|aspx?)$")


def _absolute(page_url: str, href: str) -> str | None:
    href = href.replace("&amp;", "&").strip()
    if not href or href.startswith(("javascript", "#", "mailto:")):
        return None
    return urljoin(page_url, href).split("#")[0]


def next_link(selector: Selector, page_url: str) -> Link | None:
    """The "下一页" link (``a.next``, or an anchor saying 下一页/下页)."""
    condition = " or ".join(f'normalize-space(.)="{t}"' for t in NEXT_TEXT)
    for href in [*selector.css("a.next::attr(href)").getall(), *selector.xpath(f"//a[{condition}]/@href").getall()]:
        url = _absolute(page_url, href)
        if url and url != page_url:
            return Link(url, "listing")
    return None


def numbered_links(selector: Selector, page_url: str) -> list[Link]:
    """Links of the pager's page numbers that are siblings of this page."""
    links: dict[str, Link] = {}
    for anchor in selector.xpath("//a[@href]"):
        if not _NUMBER.match(re.sub(r"[\s\u00a0\u3000]+", " ", anchor.xpath("string(.)").get() or "").strip()):
            continue
        url = _absolute(page_url, anchor.attrib["href"])
        if url and url != page_url and is_sibling_page(url, page_url):
            links.setdefault(url, Link(url, "listing"))
    return list(links.values())


def is_sibling_page(url: str, page_url: str) -> bool:
    a, b = urlsplit(url), urlsplit(page_url)
    if a.netloc != b.netloc:
        return False
    folder_a, _, name_a = a.path.rpartition("/")
    folder_b, _, name_b = b.path.rpartition("/")
    if folder_a != folder_b:
        return False
    if a.query or b.query:  # ?page=3: same file, the same parameters, values differing in digits only
        qa, qb = parse_qs(a.query), parse_qs(b.query)
        differs = {k for k in qa.keys() | qb.keys() if qa.get(k) != qb.get(k)}
        return name_a == name_b and all(re.fullmatch(r"\d*", (qa.get(k) or [""])[0]) for k in differs)
    return bool(_PAGE_FILE.match(name_a)) and (not name_b or bool(_PAGE_FILE.match(name_b)))
