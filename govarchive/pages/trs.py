"""TRS WCM columns: the pages of a column are ``index.html``, ``index_1.html``, … ``index_<n-1>.html``,
and only a script call announces them:

    createPageHTML(18, 0, "index", "html");                    // pages, current (from 0), name, extension
    createPageHTML('page_div', 18, 1, 'index', 'shtml', 342);  // newer: the pager's element first, records last
    var countPage = 18; var currentPage = 0; createPageHTML(countPage, currentPage, "index", "htm");

Its articles are ``./YYYYMM/tYYYYMMDD_<id>.html`` with a ``TRS_Editor`` body (gov.py reads those).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from govarchive.core.items import Link
from govarchive.pages.jsobject import integer

MAX_PAGES = 2000
_CALL = re.compile(r"(?<![\w$.])createPageHTML\s*\(([^()]*)\)")
_STRING = re.compile(r"""^\s*(['"])(.*)\1\s*$""")


def create_page_links(text: str, page_url: str) -> list[Link]:
    """The column's other pages, from each ``createPageHTML(…)`` call whose page count can be read."""
    links: dict[str, Link] = {}
    for call in _CALL.finditer(text or ""):
        args = [a.strip() for a in call.group(1).split(",")]
        numbers: list[tuple[int, int]] = []  # (position, value) of the arguments that are numbers
        names: list[tuple[int, str]] = []  # (position, text) of the string arguments
        for position, arg in enumerate(args):
            quoted = _STRING.match(arg)
            if quoted and not quoted.group(2).isdigit():
                names.append((position, quoted.group(2)))
            elif (value := integer(text, arg)) is not None:
                numbers.append((position, value))
        if len(numbers) < 2:
            continue  # the function's own definition, or a call built from expressions we do not run
        count_at, count = numbers[0]
        after = [name for position, name in names if position > count_at]
        name, ext = (after + ["index", "html"])[:2] if len(after) != 1 else (after[0], "html")
        for number in range(min(count, MAX_PAGES)):
            url = urljoin(page_url, f"{name}.{ext}" if number == 0 else f"{name}_{number}.{ext}")
            if not _same_page(url, page_url):
                links.setdefault(url, Link(url, "listing"))
    return list(links.values())


def _same_page(url: str, page_url: str) -> bool:
    a, b = urlsplit(url), urlsplit(page_url)
    path_b = b.path + "index" if b.path.endswith("/") else b.path
    return a.netloc == b.netloc and (a.path == b.path or a.path.rsplit(".", 1)[0] == path_b.rsplit(".", 1)[0])
