"""Hanweb (大汉) jpage columns: the list is not in the markup but in a datastore inside a script,

    <div id="8142"><script type="text/xml"><datastore>
      <nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&…&columnid=…"></a>]]></nextgroup>
      <recordset><record><![CDATA[<li><a href="/art/2026/9/4/art_1234_5678.html">…</a><span>…</span></li>]]></record>…
    </datastore></script></div>

and the page's script says how to ask for the rest: ``$('#8142').jpage({totalRecord: 87, perPage: 15,
groupSize: 3, proxyUrl: '/module/web/jpage/dataproxy.jsp', ajaxParam: param_8142, …})`` with
``var param_8142 = {col: 1, webid: 1, path: '/', columnid: 1234, unitid: '8142', …}``. The browser POSTs
those parameters to ``dataproxy.jsp?startrecord=46&endrecord=90&perpage=15`` and gets the same XML for the
next group of records. Newer deployments also answer ``dataproxy.jsp?page=N&…`` (everything in the query,
a GET), the form the datastore's ``<nextgroup>`` link gives.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

from parsel import Selector

from govarchive.core.ids import website_account_id, website_post_id
from govarchive.core.items import Link
from govarchive.pages.base import Extraction, newest, same_site
from govarchive.pages.gov import GovPage, belongs_to, column_url
from govarchive.pages.jsobject import assigned, balanced, integer, object_pairs
from govarchive.pages.listitems import ListedItem, fragment_items

PROXY_PATH = "/module/web/jpage/dataproxy.jsp"
# How the jpage script posts (jQuery's ajax): a form body, marked as an XMLHttpRequest.
FORM_HEADERS = (("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8"),
                ("X-Requested-With", "XMLHttpRequest"))
MAX_GROUPS = 2000  # a column claiming more records than this many groups is read this far (90,000 at 45)
DEFAULT_PER_PAGE, DEFAULT_GROUP_SIZE = 15, 3  # jpage's defaults

_DATASTORE = re.compile(r"<datastore\b[^>]*>(.*?)</datastore>", re.S | re.I)
_RECORD = re.compile(r"<record\b[^>]*>\s*(?:<!\[CDATA\[(.*?)\]\]>|(.*?))\s*</record>", re.S | re.I)
_NEXTGROUP = re.compile(r"<nextgroup\b[^>]*>\s*<!\[CDATA\[(.*?)\]\]>\s*</nextgroup>", re.S | re.I)
_TOTAL_RECORD = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I)
_TOTAL_PAGE = re.compile(r"<totalpage>\s*(\d+)\s*</totalpage>", re.I)
_HREF = re.compile(r"""href\s*=\s*["']([^"']+)["']""", re.I)


@dataclass(frozen=True)
class Datastore:
    records: tuple[str, ...]
    nextgroup: str | None  # the href in <nextgroup>, as written
    total_records: int | None
    total_pages: int | None


def read_datastore(text: str) -> Datastore | None:
    """The first ``<datastore>`` of ``text`` (a script's content or a dataproxy answer), or None."""
    match = _DATASTORE.search(text or "")
    if not match:
        return None
    inner = match.group(1)
    records = tuple((m.group(1) if m.group(1) is not None else m.group(2)) for m in _RECORD.finditer(inner))
    nextgroup = _NEXTGROUP.search(inner)
    href = _HREF.search(nextgroup.group(1)) if nextgroup else None
    total = _TOTAL_RECORD.search(inner)
    pages = _TOTAL_PAGE.search(inner)
    return Datastore(records, href.group(1).replace("&amp;", "&") if href else None,
                     int(total.group(1)) if total else None, int(pages.group(1)) if pages else None)


@dataclass
class JpageUnit:
    """One jpage list of a page: its datastore and the parameters its script gives the proxy."""

    unit: str | None  # the id of the element the list is drawn in
    store: Datastore
    params: dict[str, str] = field(default_factory=dict)  # ajaxParam: what the browser POSTs
    total_records: int | None = None
    per_page: int | None = None
    group_size: int | None = None
    proxy_url: str = PROXY_PATH

    @property
    def column_id(self) -> str | None:
        value = self.params.get("columnid") or self.params.get("colid")
        return value if value and value.isdigit() else None


def jpage_units(selector: Selector, text: str) -> list[JpageUnit]:
    """The page's jpage lists, each with what its script says about fetching the next groups."""
    found = []
    for script in selector.xpath("//script[contains(translate(@type, 'XML', 'xml'), 'xml')]"):
        store = read_datastore("".join(script.xpath("text()").getall()))
        if store is None:
            continue
        unit = script.xpath("../@id").get()
        config = _config(text, unit)
        params = _params(text, unit, config)
        found.append(JpageUnit(
            unit, store, params, integer(text, _get(config, "totalRecord")) or store.total_records,
            integer(text, _get(config, "perPage")), integer(text, _get(config, "groupSize")),
            (_get(config, "proxyUrl") or "").strip("'\"") or PROXY_PATH))
    return found


def _get(config: dict[str, str], key: str) -> str | None:
    return next((v for k, v in config.items() if k.lower() == key.lower()), None)


def _config(text: str, unit: str | None) -> dict[str, str]:
    """The options object of ``$('#<unit>').jpage({…})`` (or of the only jpage call)."""
    calls = list(re.finditer(r"\.jpage\s*\(\s*", text))
    chosen = None
    for call in calls:
        before = text[max(0, call.start() - 80):call.start()]
        if unit and re.search(rf"#{re.escape(unit)}\b", before):
            chosen = call
            break
    if chosen is None and len(calls) == 1:
        chosen = calls[0]
    if chosen is None:
        return {}
    literal = balanced(text, chosen.end())
    return object_pairs(literal) if literal else {}


def _params(text: str, unit: str | None, config: dict[str, str]) -> dict[str, str]:
    value = _get(config, "ajaxParam")
    literal = None
    if value and value.startswith("{"):
        literal = value
    elif value and re.fullmatch(r"[A-Za-z_$][\w$]*", value):
        literal = assigned(text, value)
    if literal is None and unit:
        literal = assigned(text, f"param_{unit}")
    if literal is None:
        names = set(re.findall(r"(?<![\w$.])(param_\d+)\s*=\s*\{", text))
        if len(names) == 1:
            literal = assigned(text, names.pop())
    if not literal or not literal.startswith("{"):
        return {}
    return {k: v for k, v in object_pairs(literal).items() if not v.startswith(("{", "["))}


def dataproxy_links(unit: JpageUnit, page_url: str) -> list[Link]:
    """The requests for the records the page does not hold: the browser's POSTs of the unit's
    parameters for each further group, or (without parameters) the ``<nextgroup>`` link."""
    shown = len(unit.store.records)
    total = unit.total_records
    if unit.params and total and total > shown:
        per_page = unit.per_page or DEFAULT_PER_PAGE
        group = per_page * (unit.group_size or DEFAULT_GROUP_SIZE)
        if not unit.per_page and not unit.group_size and shown:
            group = shown  # the first group is what the page holds
        proxy = urljoin(page_url, unit.proxy_url)
        body = urlencode(unit.params).encode("ascii")
        links = []
        for start in range(group + 1, total + 1, group)[:MAX_GROUPS]:
            url = f"{proxy}?startrecord={start}&endrecord={start + group - 1}&perpage={per_page}"
            links.append(Link(url, "listing", headers=FORM_HEADERS, method="POST", body=body))
        return links
    if unit.store.nextgroup and (total is None or total > shown):
        url = urljoin(page_url, unit.store.nextgroup)
        if urlsplit(url).path.endswith("/dataproxy.jsp") and same_site(url, page_url):
            return [Link(url, "listing")]
    return []


def hanweb_column_of(url: str, column_id: str | None = None) -> str:
    """A Hanweb column's URL, ``<site>/col/col<id>/index.html``: from a column page's own URL, or from
    its id and a URL of the site (``<site>``: the path before ``/module/``, ``/col/`` or ``/art/``)."""
    if column_id:
        parts = urlsplit(url)
        site = re.match(r"^(.*?)/(?:module|col|art)/", parts.path)
        prefix = site.group(1) if site else ""
        return urlunsplit((parts.scheme, parts.netloc, f"{prefix}/col/col{column_id}/index.html", "", ""))
    return column_url(url)


class HanwebDataProxyPage(GovPage):
    """A ``dataproxy.jsp`` answer: the next group of a jpage list, itself a listing of the column."""

    @classmethod
    def matches(cls, path: str) -> bool:
        return path.endswith("/dataproxy.jsp")

    def extract(self) -> Extraction:
        store = read_datastore(self.page.text)
        if store is None:
            return Extraction(page_state="unparsed", notes=["dataproxy answer without a <datastore>"])
        query = {k: v[0] for k, v in parse_qs(urlsplit(self.page.url).query).items()}
        column_id = query.get("columnid") or query.get("colid")
        column = hanweb_column_of(self.page.url, column_id if column_id and column_id.isdigit() else None)
        if not column_id:  # the POST form: the column is in the body; its records name it
            columns = Counter(column_url(u) for u in (_first_href(r, self.page.url) for r in store.records) if u)
            if not columns:
                return Extraction(page_state="empty")  # nothing names the column: no account to invent
            column = columns.most_common(1)[0][0]
        account = self.account(website_account_id(column), column, url=column)
        items = fragment_items(store.records, self.page.url, belongs_to(column, self.page.url, strict=False))
        result = Extraction(page_state="ok" if items else "empty", accounts=[account])
        self._add(result, items, account.id)
        account.last_post_at = newest(result.posts)
        result.links += self._next(query, store, len(store.records))
        return result

    def _add(self, result: Extraction, items: list[ListedItem], account_id: str) -> None:
        for item in items:
            post_id = website_post_id(item.url)
            result.posts.append(self.post(post_id, account_id, url=item.url, title=item.title,
                                          published_at=item.published_at, state="listed"))
            result.links.append(Link(item.url, "post", post_id=post_id))

    def _next(self, query: dict[str, str], store: Datastore, shown: int) -> list[Link]:
        """The GET form chains: page N+1 while the answer says there are more."""
        page = query.get("page")
        if not shown or not page or not page.isdigit() or not store.nextgroup:
            return []
        number = int(page)
        more = (store.total_pages is not None and number < store.total_pages) or (
            store.total_pages is None and store.total_records is not None and number * shown < store.total_records)
        url = urljoin(self.page.url, store.nextgroup)
        next_page = parse_qs(urlsplit(url).query).get("page", [""])[0]
        if more and next_page.isdigit() and int(next_page) > number:
            return [Link(url, "listing")]
        return []


def _first_href(record: str, base: str) -> str | None:
    match = _HREF.search(record)
    return urljoin(base, match.group(1).replace("&amp;", "&")) if match else None
