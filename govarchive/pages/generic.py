"""Any page as a post: an HTML page no platform parser claims (a news site reporting closures, an
aggregator re-posting a notice, a CMS we do not know) that carries an article becomes a post of its
site, so search and the closure analysis see it.

An article is a page whose main text (trafilatura's, menus and footers left out) is long enough and is
not a list of the page's own links; navigation, index and list pages stay unparsed pages. The cheap
test (enough text outside links) runs first, trafilatura only on the pages that pass it. Title, date
and author come from the page's own metadata (``og:title``, ``article:published_time``, JSON-LD,
visible dates and 来源), the account is the site's section (the page's folder without its date
folders), as website columns are.

Pages of the platforms govarchive reads with their own parsers (WeChat, Weibo, Douyin, Toutiao,
Sogou) are never read this way: a Toutiao article is a platform's page, which needs a browser.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

from govarchive.core.ids import website_account_id, website_post_id
from govarchive.pages.base import SHANGHAI, Extraction, Page, PageInput, first, text_digest
from govarchive.pages.govfields import parse_date, title_without_site, visible_published, visible_source
from govarchive.pages.maintext import extraction

PLATFORM_HOSTS = re.compile(r"(?:^|\.)(?:weixin\.qq\.com|weibo\.com|weibo\.cn|sina\.cn|douyin\.com|iesdouyin\.com|"
                            r"toutiao\.com|toutiaocdn\.com|snssdk\.com|ixigua\.com|sogou\.com)$")
MIN_TEXT = 150  # characters of main text (Chinese counts one a character): a short notice has more
MIN_OUTSIDE_LINKS = 150  # characters of the page's text outside links, for trafilatura to be tried
_OUTSIDE_LINKS = ("//body//text()[not(ancestor::a) and not(ancestor::script) and not(ancestor::style) and "
                  "not(ancestor::noscript) and not(ancestor::template) and not(ancestor::select)]")
_DATE_IN_LINE = re.compile(r"[\s\[(（【]*\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?[\s\])）】]*$")
_DATE_FOLDER = re.compile(r"^(?:\d{4}(?:[-_]?\d{1,2}){0,2}|\d{1,2}|\d{6,8})$")
_PUBLISHED_META = ("article:published_time", "og:article:published_time", "publishdate", "publish_date", "pubdate",
                   "PubDate", "datePublished", "dc.date", "dc.date.issued", "sailthru.date", "parsely-pub-date",
                   "publishtime", "published_time", "og:release_date")


def is_platform_host(url: str) -> bool:
    return bool(PLATFORM_HOSTS.search((urlsplit(url).hostname or "").lower()))


def section_url(url: str) -> str:
    """A page's section: its folder, without the date folders news sites file articles in
    (``/html/2026-11/18/`` → ``/html/``, ``/n1/2026/1118/`` → ``/n1/``)."""
    parts = urlsplit(url)
    segments = parts.path.split("/")[:-1]
    while len(segments) > 1 and _DATE_FOLDER.match(segments[-1]):
        segments.pop()
    return urlunsplit((parts.scheme, parts.netloc, "/".join(segments) + "/", "", ""))


class GenericArticlePage(Page):
    """A page of a site no parser knows, read as an article when it is one."""

    platform = "website"

    @classmethod
    def matches(cls, page: PageInput) -> bool:
        if is_platform_host(page.url):
            return False
        outside = sum(len(t.strip()) for t in page.selector.xpath(_OUTSIDE_LINKS).getall())
        return outside >= MIN_OUTSIDE_LINKS

    def extract(self) -> Extraction:
        document = extraction(self.page.text, self.page.url) or {}
        text = "\n".join(line.strip() for line in (document.get("text") or "").split("\n") if line.strip())
        if len(re.sub(r"\s", "", text)) < MIN_TEXT or self._is_list(text):
            return Extraction(page_state="ok")  # a navigation, index or list page: archived as it is
        structured = self._json_ld()
        page_text = "\n".join(t.strip() for t in self.selector.xpath(_OUTSIDE_LINKS + " | //body//a//text()")
                              .getall() if t.strip())
        site = first([self._meta("og:site_name"), _name(structured.get("publisher")), document.get("sitename")])
        title = self._title(structured, site)
        published = self._published(structured, page_text, title) or _iso(document.get("date"))
        author = first([self._meta("author"), _name(structured.get("author")), visible_source(page_text, title),
                        document.get("author")])
        section = section_url(self.page.url)
        # no url: the section's folder is an id, not always a page a later run could fetch
        account = self.account(website_account_id(section), section, name=site or urlsplit(self.page.url).hostname,
                               last_post_at=published)
        post = self.post(website_post_id(self.page.url), account.id, url=self.page.url, title=title, author=author,
                         published_at=published, text=text, state="ok", content_digest=text_digest(text),
                         authoritative=True, kind="page",
                         summary=first([self._meta("description"), self._meta("og:description")]))
        return Extraction(page_state="ok", accounts=[account], posts=[post])

    # -- reading the page -------------------------------------------------------------------------------
    def _meta(self, name: str) -> str | None:
        wanted = name.lower()
        for node in self.selector.xpath("//meta[@content]"):
            key = (node.attrib.get("property") or node.attrib.get("name") or node.attrib.get("itemprop") or "").lower()
            if key == wanted and node.attrib["content"].strip():
                return node.attrib["content"].strip()
        return None

    def _json_ld(self) -> dict:
        """The page's JSON-LD article object (``NewsArticle``, ``Article``…), or {}."""
        for raw in self.selector.xpath('//script[@type="application/ld+json"]/text()').getall():
            try:
                data = json.loads(raw)
            except ValueError:
                continue
            for item in (data if isinstance(data, list) else data.get("@graph", [data]) if isinstance(data, dict) else []):
                if isinstance(item, dict) and ("headline" in item or "datePublished" in item):
                    return item
        return {}

    def _title(self, structured: dict, site: str | None) -> str | None:
        lines = {t.strip() for t in self.selector.xpath("//body//text()").getall() if t.strip()}
        head = first([" ".join(self.selector.css("title::text").getall())])
        cleaned = title_without_site(head, lines, (site or "",)) if head else None
        h1 = first([self.selector.xpath("normalize-space(//h1)").get()])
        return first([structured.get("headline") if isinstance(structured.get("headline"), str) else None,
                      self._meta("og:title"), cleaned if cleaned and cleaned in lines else None, h1, cleaned])

    def _published(self, structured: dict, page_text: str, title: str | None) -> str | None:
        for value in [structured.get("datePublished"), *(self._meta(name) for name in _PUBLISHED_META)]:
            moment = _iso(value) if isinstance(value, str) else None
            if moment:
                return moment
        visible = visible_published(page_text, title)
        return visible[0] if visible else None

    def _is_list(self, text: str) -> bool:
        """Whether the main text is mostly the page's own link texts (a list trafilatura kept)."""
        anchors = {re.sub(r"\s+", "", a) for a in self.selector.xpath("//a").xpath("string(.)").getall()}
        anchors = {a for a in anchors if len(a) >= 6}
        lines = [re.sub(r"\s+", "", _DATE_IN_LINE.sub("", line.lstrip("-•·* "))) for line in text.split("\n")]
        total = sum(len(line) for line in lines) or 1
        linked = sum(len(line) for line in lines if line in anchors)
        return linked / total > 0.5


def _name(value: object) -> str | None:
    if isinstance(value, dict):
        return value.get("name") if isinstance(value.get("name"), str) else None
    if isinstance(value, list) and value:
        return _name(value[0])
    return value if isinstance(value, str) else None


def _iso(value: str | None) -> str | None:
    """An ISO 8601 or Chinese-written date as ISO 8601 in +08:00 (a date without a zone is Shanghai's)."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        parsed = parse_date(value)
        return parsed[0] if parsed else None
    moment = moment.replace(tzinfo=SHANGHAI) if moment.tzinfo is None else moment.astimezone(SHANGHAI)
    return moment.isoformat()
