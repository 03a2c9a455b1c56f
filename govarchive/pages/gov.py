"""Government websites: 政务新媒体 directories, column list pages and article pages."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit, urlunsplit

from parsel import Selector

from govarchive.core.ids import decode_biz, website_account_id, website_post_id
from govarchive.core.items import Account, Link
from govarchive.pages.base import Extraction, Page, element_text, first, same_site, text_digest

# info_fields is re-exported: the feed parser and the tests read header fields the same way
from govarchive.pages.govfields import (  # noqa: F401
    choose_published,
    info_fields,
    page_info_fields,
    parse_gov_date,
    title_without_site,
    visible_published,
    visible_source,
)
from govarchive.pages.maintext import main_text

# Header words of directory tables, mapped to our fields (sites vary: platforms.md §4.2).
HEADER_MAP = {
    "name": ("账号名称", "名称", "新媒体名称", "政务新媒体名称"),
    "platform": ("平台", "类型", "平台类型", "账号类型", "媒体类型", "所在平台"),
    "agency": ("主办单位", "开办主体", "主管单位", "运营单位", "开办单位", "主体", "主办主体"),
    "platform_id": ("微信号/账号ID", "微信号", "账号ID", "ID", "账号id", "账号", "微信号/账号"),
    "link": ("链接", "网址", "地址", "访问地址", "账号链接"),
}
# A table whose only name-like column is headed 账号 uses it as the name.
NAME_FALLBACK = ("账号",)
PLATFORM_WORDS = (
    ("video_channel", ("视频号",)),
    ("wechat", ("微信公众号", "公众号", "微信")),
    ("weibo", ("新浪微博", "政务微博", "微博")),
    ("douyin", ("抖音",)),
    ("toutiao", ("今日头条", "头条号", "头条")),
    ("website", ("网站", "政府网站")),
)
# Anchor text of links from one directory to another (a district list, a QR-code matrix).
RELATED = re.compile(r"新媒体|矩阵|名录|一览|发布厅")
# Anchors of the page's own content: not the site navigation, breadcrumbs, header or footer.
CONTENT_ANCHORS = ("//a[@href][not(ancestor::nav or ancestor::header or ancestor::footer or ancestor::*["
                   "contains(@class,'nav') or contains(@class,'position') or contains(@class,'crumb') or "
                   "contains(@class,'footer') or contains(@class,'header') or contains(@class,'top')])]")
# Article URLs of the CMS families (docs/platforms.md): TRS ``t20250630_<id>.html``, Hanweb
# ``art_<column>_<id>.html``, Guangdong's ``/content/post_<id>.html``, numeric ids, and the 32-hex ids
# of Jiangxi's intensive platform (``/202304/3f093ec3….shtml``).
ARTICLE_PATH = re.compile(r"/t\d{8}_\d+\.s?html?$|/art_\d+_\d+\.html$|/content/(?:m?post_)\d+\.html$|/\d{6,}\.s?html?$"
                          r"|/\d{6}/[0-9a-f]{32}\.s?html?$")


def platform_of(word: str) -> str | None:
    word = (word or "").strip()
    for platform, words in PLATFORM_WORDS:
        if any(w in word for w in words):
            return platform
    return None


def meta(selector: Selector, name: str) -> str | None:
    """A gov page meta tag, whatever its case (``ColumnName`` / ``columnname``)."""
    for node in selector.root.xpath("//meta[@name]"):  # lxml's own elements: read for every page, kept cheap
        if (node.attrib.get("name") or "").lower() == name.lower():
            value = (node.attrib.get("content") or "").strip()
            if value and value not in ("政府网站标识码", name):
                return value
    return None


def region_of(site_name: str | None) -> str | None:
    match = re.match(r"^(.+?[省市县区州旗盟])(人民政府|政府)", site_name or "")
    return match.group(1) if match else None


def column_url(url: str) -> str:
    """The column a page belongs to: its folder, without a ``YYYYMM/`` date folder. Hanweb columns are
    ``<site>/col/col<id>/index.html``, whether the page is the column's own or an ``<site>/art/…/art_<id>_…``
    article (``<site>``: the path before ``/art/``, empty on most sites)."""
    parts = urlsplit(url)
    path = parts.path.rsplit("/", 1)[0] + "/"
    hanweb_article = re.match(r"^(.*?)/art/(?:.*/)?art_(\d+)_\d+\.html$", parts.path)
    hanweb_column = re.match(r"^(.*?/col/col\d+)/", parts.path)
    if hanweb_article:
        path = f"{hanweb_article.group(1)}/col/col{hanweb_article.group(2)}/index.html"
    elif hanweb_column:
        path = hanweb_column.group(1) + "/index.html"
    else:
        path = re.sub(r"/\d{6}/$", "/", path)
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


# Links that are files, not pages (attachments listed among a column's articles).
FILES = re.compile(r"\.(?:pdf|docx?|xlsx?|wps|et|ofd|zip|rar|7z|jpe?g|png|gif|mp4)$", re.I)
# A column's own index pages, never its articles.
INDEX_PAGE = re.compile(r"/(?:index|default|list)(?:_\d+)?\.s?html?$|/$")


def belongs_to(column: str, page_url: str, strict: bool = True):
    """Whether a link is an article of ``column``: same site, not a file, and in the column (its own
    folder or below, or a Hanweb ``art_<column>_…``). ``strict`` (links in markup and scripts, where
    navigation is mixed in) also wants a CMS article URL shape; a CMS's own records need not."""
    def unschemed(url: str) -> str:  # a site moved to https still links its old http URLs
        return url.split("://", 1)[-1]

    own, folder = unschemed(column), unschemed(column.rsplit("/", 1)[0] + "/")

    def belongs(url: str) -> bool:
        path = urlsplit(url).path
        if not same_site(url, page_url) or FILES.search(path) or url.split("#")[0] == page_url:
            return False
        if strict and not ARTICLE_PATH.search(path):
            return False
        if not strict and INDEX_PAGE.search(path):
            return False
        return unschemed(column_url(url)) == own or (unschemed(url).startswith(folder) and "/col/col" not in path)
    return belongs


class GovPage(Page):
    platform = "website"

    def site_name(self) -> str | None:
        return meta(self.selector, "SiteName")

    def related_listings(self) -> list[Link]:
        """Same-site links to other directories (区县名录, 新媒体矩阵…), as listings to crawl."""
        links = []
        for anchor in self.selector.xpath(CONTENT_ANCHORS):
            text = anchor.xpath("normalize-space(.)").get() or ""
            url = self.absolute(anchor.attrib["href"])
            if RELATED.search(text) and same_site(url, self.page.url) and url.split("#")[0] != self.page.url:
                links.append(Link(url.split("#")[0], "listing"))
        return list(dict.fromkeys(links))

    def next_page(self) -> Link | None:
        href = first(self.selector.css("a.next::attr(href)").getall()) or first(
            self.selector.xpath('//a[normalize-space(text())="下一页" or normalize-space(text())="下页"]/@href').getall())
        if not href or href.startswith("javascript"):
            return None
        url = self.absolute(href)
        return None if url == self.page.url else Link(url, "listing")


class DirectoryPage(GovPage):
    """A 政务新媒体 directory: a table of accounts (账号名称, 平台, 主办单位, 微信号/账号ID, 链接)."""

    @classmethod
    def matches(cls, selector: Selector) -> bool:
        return bool(cls._tables(selector))

    @staticmethod
    def _rows(table: Selector) -> list[Selector]:
        return list(table.xpath("./tr | ./thead/tr | ./tbody/tr"))

    @classmethod
    def _tables(cls, selector: Selector) -> list[tuple[Selector, dict[str, int]]]:
        found = []
        for table in selector.css("table"):
            rows = cls._rows(table)
            if not rows:
                continue
            headers = [" ".join(c.xpath("normalize-space(.)").getall()) for c in rows[0].xpath("./th | ./td")]
            columns: dict[str, int] = {}
            for field, words in HEADER_MAP.items():
                for i, head in enumerate(headers):
                    if head in words or (field == "platform_id" and "ID" in head.upper()):
                        columns.setdefault(field, i)
            if "name" not in columns:
                fallback = next((i for i, head in enumerate(headers) if head in NAME_FALLBACK), None)
                if fallback is not None:
                    columns["name"] = fallback
                    if columns.get("platform_id") == fallback:
                        del columns["platform_id"]
            if "name" in columns and "platform" in columns:
                found.append((table, columns))
        return found

    def extract(self) -> Extraction:
        site = self.site_name()
        result = Extraction(page_state="ok")
        for table, columns in self._tables(self.selector):
            for row in self._rows(table)[1:]:  # the first row holds the headers
                account = self._row_account(row, columns, site)
                if account is None:
                    continue
                result.accounts.append(account)
                if account.url:
                    result.links.append(Link(account.url, "account"))
        next_page = self.next_page()
        if next_page:
            result.links.append(next_page)
        result.links += self.related_listings()
        return result

    def _row_account(self, row: Selector, columns: dict[str, int], site: str | None) -> Account | None:
        cells = row.xpath("./td | ./th")
        if len(cells) <= max(columns["name"], columns["platform"]):
            return None

        def cell(field: str) -> str | None:
            i = columns.get(field)
            return cells[i].xpath("normalize-space(.)").get() or None if i is not None and i < len(cells) else None

        name, platform = cell("name"), platform_of(cell("platform") or "")
        if not name or not platform:
            return None
        link_cells = [cells[columns["link"]]] if "link" in columns and columns["link"] < len(cells) else cells
        href = first(c.css("a::attr(href)").get() for c in link_cells)
        url = self.absolute(href) if href else None
        given_id = cell("platform_id")
        account_id, platform_id = self._identity(platform, url, given_id, name)
        wechat_id = given_id if platform == "wechat" and given_id and not given_id.isdigit() else None
        is_gh = bool(wechat_id and wechat_id.startswith("gh_"))
        return Account(id=account_id, platform=platform, platform_id=platform_id,
                       capture_id=self.page.capture_id, seen_at=self.page.fetched_at, name=name,
                       alias=None if is_gh else wechat_id, original_id=wechat_id if is_gh else None,
                       agency=cell("agency"), region=region_of(site), url=url, listing_url=self.page.url)

    @staticmethod
    def _identity(platform: str, url: str | None, given: str | None, name: str) -> tuple[str, str]:
        """Our account id from the row: the platform id in the link, else the id column, else the name."""
        path, query = (urlsplit(url).path, parse_qs(urlsplit(url).query)) if url else ("", {})
        if platform == "wechat":
            biz = decode_biz((query.get("__biz") or [""])[0])
            if biz:
                return f"wechat:{biz}", biz
            key = given or name
            return f"wechat:{'alias' if given else 'name'}:{key}", key
        if platform == "weibo":
            match = re.search(r"/u/(\d+)|/(\d{5,})(?:/|$)", path)
            uid = (match.group(1) or match.group(2)) if match else (given if given and given.isdigit() else None)
            if uid:
                return f"weibo:{uid}", uid
        if platform in ("douyin", "toutiao"):
            match = re.search(r"/user/(?:token/)?([\w-]+)", path)
            key = match.group(1) if match else (given or name)
            return f"{platform}:{key}", key
        if platform == "website" and url:
            return website_account_id(url), url
        key = given or name
        return f"{platform}:{key}", key


class GovArticlePage(GovPage):
    """An article of a government site column (meta ArticleTitle, or a CMS article URL)."""

    CONTENT = ("#zoom", ".TRS_Editor", ".article-content", ".article_con", "#content", ".content", "article")

    @classmethod
    def matches(cls, selector: Selector, url: str) -> bool:
        return bool(meta(selector, "ArticleTitle")) or bool(ARTICLE_PATH.search(urlsplit(url).path))

    def extract(self) -> Extraction:
        site = self.site_name()
        column = column_url(self.page.url)
        account = self.account(website_account_id(column), column, name=meta(self.selector, "ColumnName"),
                               agency=site, region=region_of(site), url=column)
        page_text = self._body_text()
        title = meta(self.selector, "ArticleTitle") or self._title(page_text, site)
        info = page_info_fields(self.selector, page_text)
        meta_date = meta(self.selector, "PubDate")
        published, disagrees = choose_published(meta_date, visible_published(page_text, title))
        published = published or parse_gov_date(info.get("发布日期"))
        attributes = {**info, **({"PubDate": meta_date} if disagrees and meta_date else {})}
        text = self._text()
        author = first([meta(self.selector, "ContentSource"), visible_source(page_text, title), info.get("发布机构"),
                        info.get("信息来源")])
        post = self.post(website_post_id(self.page.url), account.id, url=self.page.url, title=title,
                         author=author, published_at=published, text=text, state="ok",
                         content_digest=text_digest(text), authoritative=True, kind="page",
                         summary=first([meta(self.selector, "Description")]), attributes=attributes)
        account.last_post_at = published
        links = [Link(self.absolute(src), "asset") for src in self.selector.css(
            ", ".join(f"{c} img::attr(src)" for c in self.CONTENT)).getall() if not src.startswith("data:")]
        return Extraction(page_state="ok", accounts=[account], posts=[post], links=links)

    def _title(self, page_text: str, site: str | None) -> str | None:
        """The heading: ``<title>`` without the site's name, or the ``<h1>``."""
        lines = {line.strip() for line in page_text.split("\n")}
        head = first([" ".join(self.selector.css("title::text").getall())])
        h1 = first([self.selector.xpath("normalize-space(//h1)").get()])
        if head:
            names = (site or "", meta(self.selector, "ColumnName") or "")
            cleaned = title_without_site(head, lines, names)
            if cleaned in lines or not h1:
                return cleaned
        return h1

    def _text(self) -> str:
        for css in self.CONTENT:
            node = self.selector.css(css)
            if node:
                return element_text(node[0].root)
        return main_text(self.page.text, self.page.url) or self._body_text()

    def _body_text(self) -> str:
        body = self.selector.css("body")
        return element_text(body[0].root) if body else ""


class QrGridPage(GovPage):
    """A 新媒体矩阵 page: a grid of QR-code images where an account's name may be only in the
    image's ``alt`` text or a caption beside it, and its platform a word in either."""

    ITEMS = "//li[.//img] | //figure[.//img] | //div[contains(@class,'item')][.//img][not(.//li)]"

    @classmethod
    def matches(cls, selector: Selector) -> bool:
        return sum(1 for node in selector.xpath(cls.ITEMS) if cls.describe(node)[1]) >= 2

    @staticmethod
    def describe(node: Selector) -> tuple[str | None, str | None, str | None]:
        """(name, platform, link) of one grid item."""
        alt = " ".join(a.strip() for a in node.css("img::attr(alt), img::attr(title)").getall() if a.strip())
        captions = [t.strip() for t in node.xpath(".//text()[not(ancestor::script) and not(ancestor::style)]").getall()
                    if t.strip()]
        platform = next((p for p in (platform_of(t) for t in [*captions, alt]) if p), None)
        name = None
        for text in [*captions, alt]:
            rest = text.replace("二维码", "")
            for _, words in PLATFORM_WORDS:
                for word in sorted(words, key=len, reverse=True):
                    rest = rest.replace(word, "")
            rest = re.sub(r"[\s:：\-—|/（）()]+$|^[\s:：\-—|/]+", "", rest).strip()
            if rest:
                name = rest
                break
        href = first(node.xpath("./ancestor-or-self::a/@href | .//a/@href").getall())
        return name, platform, href

    def extract(self) -> Extraction:
        site = self.site_name()
        result = Extraction(page_state="ok")
        for node in self.selector.xpath(self.ITEMS):
            name, platform, href = self.describe(node)
            if not name or not platform:
                continue
            url = self.absolute(href) if href and not href.startswith("javascript") else None
            account_id, platform_id = DirectoryPage._identity(platform, url, None, name)
            result.accounts.append(Account(
                id=account_id, platform=platform, platform_id=platform_id, capture_id=self.page.capture_id,
                seen_at=self.page.fetched_at, name=name, region=region_of(site), url=url, listing_url=self.page.url))
            if url:
                result.links.append(Link(url, "account"))
        result.links += self.related_listings()
        if not result.accounts:
            result.page_state = "empty"
        return result
