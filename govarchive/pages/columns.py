"""Column list pages of government sites, whatever system built them.

A column's items come from its markup, from the records a Hanweb page keeps in a script, and from
JavaScript array literals its scripts render the list from (listitems.py); its other pages from its
pager: "下一页", page numbers, TRS's ``createPageHTML(…)`` (trs.py) and Hanweb's dataproxy requests
(hanweb.py). The content system (cms.py) decides which of the system-specific ways apply.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from govarchive.core.ids import website_account_id, website_post_id
from govarchive.core.items import Link
from govarchive.pages import cms
from govarchive.pages.base import Extraction, PageInput, newest, same_site
from govarchive.pages.generic import is_platform_host
from govarchive.pages.gov import ARTICLE_PATH, GovPage, belongs_to, column_url, meta, region_of
from govarchive.pages.hanweb import JpageUnit, dataproxy_links, hanweb_column_of, jpage_units
from govarchive.pages.listitems import ListedItem, anchor_items, fragment_items, script_items
from govarchive.pages.pagers import next_link, numbered_links
from govarchive.pages.trs import create_page_links

_INLINE_SCRIPTS = "//script[not(@src)][not(contains(translate(@type, 'XML', 'xml'), 'xml'))]/text()"


class GovColumnPage(GovPage):
    """A column list page: meta ``ColumnName`` without ``ArticleTitle``, or a CMS list without the meta
    tags (a Hanweb datastore, a TRS ``createPageHTML`` pager, links to CMS articles in its own folder)."""

    MIN_LISTED = 3  # a page without the meta tags lists at least this many CMS articles of its own folder

    @classmethod
    def matches(cls, page: PageInput) -> bool:
        if meta(page.selector, "ArticleTitle"):
            return False
        if meta(page.selector, "ColumnName"):
            return True
        text = page.text
        if ("<datastore" in text and "<record" in text) or "createPageHTML" in text:
            return True
        if is_platform_host(page.url):
            return False
        column, listed = column_url(page.url), set()
        for href in page.selector.root.xpath("//a/@href"):  # its own folder's articles (not a home page's)
            url = urljoin(page.url, href.strip()).split("#")[0]
            if ARTICLE_PATH.search(urlsplit(url).path) and same_site(url, page.url) and column_url(url) == column:
                listed.add(url)
                if len(listed) >= cls.MIN_LISTED:
                    return True
        return False

    def extract(self) -> Extraction:
        family = cms.family(self.page)
        units = jpage_units(self.selector, self.page.text) if family == "hanweb" or "<datastore" in self.page.text \
            else []
        column = self._column(units)
        site = self.site_name()
        account = self.account(website_account_id(column), column, name=meta(self.selector, "ColumnName"),
                               agency=site, region=region_of(site), url=column, authoritative=True)
        result = Extraction(page_state="ok", accounts=[account])
        own_units = [u for u in units if not u.column_id or hanweb_column_of(self.page.url, u.column_id) == column]
        strict, lenient = belongs_to(column, self.page.url), belongs_to(column, self.page.url, strict=False)
        items: dict[str, ListedItem] = {}
        sources = (anchor_items(self.selector, self.page.url, strict),
                   *(fragment_items(u.store.records, self.page.url, lenient) for u in own_units),
                   script_items(self.selector.xpath(_INLINE_SCRIPTS).getall(), self.page.url, strict))
        for found in sources:
            for item in found:
                items.setdefault(item.url, item)
        self._add_posts(result, list(items.values()), account.id)
        result.links += self._other_pages(family, own_units)
        account.last_post_at = newest(result.posts)
        return result

    def _column(self, units: list[JpageUnit]) -> str:
        """The column's URL: the page's folder; for a Hanweb list drawn on a page of another shape,
        the column its one jpage unit is for."""
        column = column_url(self.page.url)
        ids = {u.column_id for u in units if u.column_id}
        if "/col/col" not in column and len(ids) == 1:
            return hanweb_column_of(self.page.url, ids.pop())
        return column

    def _add_posts(self, result: Extraction, items: list[ListedItem], account_id: str) -> None:
        for item in items:
            post_id = website_post_id(item.url)
            result.posts.append(self.post(post_id, account_id, url=item.url, title=item.title,
                                          published_at=item.published_at, state="listed"))
            result.links.append(Link(item.url, "post", post_id=post_id))

    def _other_pages(self, family: str | None, units: list[JpageUnit]) -> list[Link]:
        links: dict[str, Link] = {}
        found: list[Link] = []
        for unit in units:
            found += dataproxy_links(unit, self.page.url)
        if family == "trs" or "createPageHTML" in self.page.text:
            found += create_page_links(self.page.text, self.page.url)
        following = next_link(self.selector, self.page.url)
        found += [following] if following else []
        found += numbered_links(self.selector, self.page.url)
        for link in found:
            links.setdefault(link.url if link.method == "GET" else f"{link.url} {link.body!r}", link)
        return list(links.values())
