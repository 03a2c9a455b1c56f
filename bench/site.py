"""The bench web's pages: a municipal portal whose 政务新媒体 directory lists N website columns.

Same markup conventions as the demo web's government pages (govarchive/demo/templates.py), so the
``portal`` spider's page objects (govarchive/pages/gov.py) read them: a directory table (账号名称,
平台 = 网站, 主办单位, 链接) paginated with ``a.next``, each listed column a paginated list page
(meta ColumnName) of its articles, each article a TRS-style page (``/zwgk/<column>/YYYYMM/tYYYYMMDD_N.html``,
meta ArticleTitle/PubDate, a 信息公开 table, the text in ``#zoom``), a quarter of them with 1-3 images.

Sizes are those of real article pages: 30-80 KB of UTF-8 HTML, most of it what real portals carry
besides the text (inline CSS, a menu script, navigation), 1,500-8,000 characters of text.
Every page is generated on request from (seed, column, article): nothing is written to disk.

The link graph is closed: every ``<a href>`` and ``<img src>`` points into the set the ``portal`` spider
crawls (the directory's pages, the columns' list pages, the articles, their images), so a crawler
that follows every link (wget) fetches the same set, plus ``robots.txt``. Page 1 of a list is its
folder (``./``), never also ``index.html``, so no page has two URLs.
"""

from __future__ import annotations

import bisect
import html
import json
import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cached_property, lru_cache

from bench import text

Response = tuple[int, list[tuple[str, str]], bytes]

HTML = "text/html; charset=utf-8"
JPEG = "image/jpeg"
SITE_NAME = f"{text.CITY}人民政府"
DIRECTORY = "/xxgk/xmt/"
NEWEST = datetime(2026, 11, 20, 9, 30, tzinfo=timezone(timedelta(hours=8)))
ARTICLE = re.compile(r"^/zwgk/bm(\d{4})/(\d{6})/t(\d{8})_(\d+)\.html$")
IMAGE = re.compile(r"^/zwgk/bm(\d{4})/(\d{6})/W0(\d+)_(\d)\.jpg$")
LIST_PAGE = re.compile(r"^(/zwgk/bm\d{4}/|/xxgk/xmt/)(?:index_(\d+)\.html)?$")
# A column's first list page built by script (the browser-capture row of make bench, bench/browser.py): the page
# is a shell, its script fetches list.json and draws the list. No other page links to these.
SCRIPTED = re.compile(r"^/js/bm(\d{4})/(list\.json)?$")


@dataclass(frozen=True)
class Layout:
    """How big the web is: ``pages`` HTML pages, 100 per column (95 articles on 5 list pages)."""

    pages: int = 5000
    seed: int = 20261120
    articles_per_column: int = 95
    per_list_page: int = 19
    rows_per_directory_page: int = 25
    image_share: float = 0.25  # articles with images
    related_columns: int = 12  # links to other columns in each page's menu

    @property
    def columns(self) -> int:
        return max(1, round(self.pages / (self.articles_per_column + self.list_pages_per_column)))

    @property
    def list_pages_per_column(self) -> int:
        return -(-self.articles_per_column // self.per_list_page)

    @property
    def directory_pages(self) -> int:
        return -(-self.columns // self.rows_per_directory_page)

    @property
    def html_pages(self) -> int:
        """Every HTML page of the web: what the spider and wget both fetch, besides images and robots.txt."""
        return self.directory_pages + self.columns * (self.list_pages_per_column + self.articles_per_column)


def column_path(column: int) -> str:
    return f"/zwgk/bm{column + 1:04d}/"


def list_page_href(n: int) -> str:
    """A list page's link from its siblings: page 0 is the folder itself."""
    return "./" if n == 0 else f"index_{n}.html"


def column_name(column: int) -> str:
    return text.agency(column) + text.COLUMNS[column % len(text.COLUMNS)]


@dataclass(frozen=True)
class Article:
    """Article ``number`` (0 = newest) of column ``column``: its date, URL and seeded randomness."""

    layout: Layout
    column: int
    number: int

    @property
    def published(self) -> datetime:
        # newest first, 1-3 days apart, staggered by column
        return NEWEST - timedelta(hours=self.number * 41 + self.column * 5, minutes=self.column * 7 % 60)

    @property
    def serial(self) -> int:
        return (self.column + 1) * 10000 + self.number

    @property
    def folder(self) -> str:
        return f"{column_path(self.column)}{self.published:%Y%m}/"

    @property
    def path(self) -> str:
        return f"{self.folder}t{self.published:%Y%m%d}_{self.serial}.html"

    def rng(self, part: str = "") -> random.Random:
        return random.Random(f"{self.layout.seed}/{self.column}/{self.number}/{part}")

    @cached_property
    def subject(self) -> text.Subject:
        return text.subject(self.rng("subject"), text.agency(self.column))

    @cached_property
    def title(self) -> str:
        return text.title(self.rng("title"), self.subject)

    @property
    def image_count(self) -> int:
        rng = self.rng("images")
        return rng.randint(1, 3) if rng.random() < self.layout.image_share else 0

    def image_name(self, n: int) -> str:
        return f"W0{self.serial}_{n}.jpg"

    def image_path(self, n: int) -> str:
        return self.folder + self.image_name(n)


class Site:
    """``Site(layout).render(path)`` → (status, headers, body) for every page of the bench web."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout

    def render(self, path: str) -> Response:
        path = path.split("?", 1)[0]
        if path == "/robots.txt":
            return 200, [("Content-Type", "text/plain")], b"User-agent: *\nDisallow:\n"
        page = LIST_PAGE.match(path)
        if page:
            n = int(page.group(2) or 0)
            if page.group(1) == DIRECTORY:
                return self._html(self.directory_page(n)) if n < self.layout.directory_pages else not_found()
            column = int(page.group(1)[8:12]) - 1
            if column < self.layout.columns and n < self.layout.list_pages_per_column:
                return self._html(self.list_page(column, n))
            return not_found()
        scripted = SCRIPTED.match(path)
        if scripted and 0 <= int(scripted.group(1)) - 1 < self.layout.columns:
            return self.scripted(int(scripted.group(1)) - 1, bool(scripted.group(2)))
        article = self._article(ARTICLE.match(path), path)
        if article is not None:
            return self._html(self.article_page(article))
        image = IMAGE.match(path)
        if image:
            serial, n = int(image.group(3)), int(image.group(4))
            found = self._article_by_serial(serial)
            if found is not None and n < found.image_count and found.image_path(n) == path:
                return 200, [("Content-Type", JPEG)], jpeg_bytes(found.rng(f"image{n}"))
        return not_found()

    def scripted(self, column: int, answer: bool) -> Response:
        """The column's first list page as a script-built page (``/js/bmNNNN/``) or the JSON it fetches."""
        if answer:
            items = [Article(self.layout, column, n) for n in range(min(self.layout.per_list_page,
                                                                        self.layout.articles_per_column))]
            data = [{"title": a.title, "url": a.path, "date": a.published.strftime("%Y-%m-%d")} for a in items]
            body = json.dumps({"items": data}, ensure_ascii=False).encode("utf-8")
            return 200, [("Content-Type", "application/json; charset=utf-8")], body
        name = html.escape(column_name(column))
        page = (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{name}</title>'
                f'<meta name="SiteName" content="{html.escape(SITE_NAME)}"><meta name="ColumnName" content="{name}">'
                '</head><body><h1>' + name + '</h1><ul id="list"></ul><script>'
                "fetch('list.json').then(function (r) { return r.json(); }).then(function (d) {"
                " var ul = document.getElementById('list'); d.items.forEach(function (i) {"
                " var li = document.createElement('li'), a = document.createElement('a');"
                " a.href = i.url; a.textContent = i.title; li.appendChild(a);"
                " li.appendChild(document.createTextNode(' ' + i.date)); ul.appendChild(li); }); });"
                "</script></body></html>")
        return self._html(page)

    @staticmethod
    def _html(body: str) -> Response:
        return 200, [("Content-Type", HTML)], body.encode("utf-8")

    def _article_by_serial(self, serial: int) -> Article | None:
        column, number = serial // 10000 - 1, serial % 10000
        if 0 <= column < self.layout.columns and number < self.layout.articles_per_column:
            return Article(self.layout, column, number)
        return None

    def _article(self, match: re.Match[str] | None, path: str) -> Article | None:
        if not match:
            return None
        found = self._article_by_serial(int(match.group(4)))
        return found if found is not None and found.path == path else None

    # -- pages -----------------------------------------------------------------------------------
    def directory_page(self, n: int) -> str:
        per = self.layout.rows_per_directory_page
        rows = []
        for column in range(n * per, min((n + 1) * per, self.layout.columns)):
            name = column_name(column)
            rows.append(f"""      <tr>
        <td align="center">{column + 1}</td>
        <td class="xmt-name">{esc(name)}</td>
        <td align="center">网站</td>
        <td>{esc(text.agency(column))}</td>
        <td align="center"><a href="{column_path(column)}" target="_blank" title="{esc(name)}">点击进入</a></td>
      </tr>""")
        body = f"""<div class="lm-title"><span>政务新媒体</span></div>
<div class="xmt-intro">根据《国务院办公厅关于推进政务新媒体健康有序发展的意见》要求，现将我市各部门网站栏目公布如下（动态更新）。</div>
<div class="xmt-list">
  <table class="xmt-table" width="100%" border="1" cellspacing="0" cellpadding="0">
    <tbody>
      <tr class="xmt-th"><th width="6%">序号</th><th width="30%">账号名称</th><th width="10%">平台</th><th width="34%">主办单位</th><th width="20%">链接</th></tr>
{chr(10).join(rows)}
    </tbody>
  </table>
</div>
{pager(n, self.layout.directory_pages)}"""
        metas = [("ColumnName", "政务新媒体"), ("ColumnDescription", f"{text.CITY}政务新媒体名录"),
                 ("ColumnType", "政务新媒体")]
        return self._page(f"政务新媒体_{SITE_NAME}", metas, body, 0, " &gt; <span>政务新媒体</span>",
                          random.Random(f"{self.layout.seed}/directory/{n}"), padding=0)

    def list_page(self, column: int, n: int) -> str:
        per = self.layout.per_list_page
        items = []
        for number in range(n * per, min((n + 1) * per, self.layout.articles_per_column)):
            article = Article(self.layout, column, number)
            href = article.path[len(column_path(column)):]
            items.append(f'  <li><span class="date">{article.published:%Y-%m-%d}</span>'
                         f'<a href="./{href}" target="_blank" title="{esc(article.title)}">{esc(article.title)}</a></li>')
        name = column_name(column)
        body = f"""<div class="lm-title"><span>{esc(name)}</span></div>
<ul class="list-ul">
{chr(10).join(items)}
</ul>
{pager(n, self.layout.list_pages_per_column)}"""
        metas = [("ColumnName", name), ("ColumnDescription", f"{esc(name)}信息发布"),
                 ("ColumnType", text.COLUMNS[column % len(text.COLUMNS)])]
        crumbs = f' &gt; <a href="{column_path(column)}">{esc(name)}</a>'
        rng = random.Random(f"{self.layout.seed}/list/{column}/{n}")
        return self._page(f"{name}_{SITE_NAME}", metas, body, column, crumbs, rng,
                          padding=rng.randint(8000, 20000))

    def article_page(self, article: Article) -> str:
        rng = article.rng("body")
        target = rng.randint(30_000, 80_000)  # bytes of the whole page
        chars = rng.randint(1500, 8000)
        dept = text.agency(article.column)
        paragraphs = text.paragraphs(rng, chars, article.subject)
        published = article.published
        images = "\n".join(f'<p style="text-align: center;"><img src="{article.image_name(n)}" width="600" '
                           f'alt="{esc(article.title)}"></p>' for n in range(article.image_count))
        content = "\n".join(f'<p style="text-indent: 2em;">{esc(p)}</p>' for p in paragraphs)
        body = f"""<table class="xxgk_table" width="100%" cellspacing="0" cellpadding="0">
  <tr><td class="t1">信息索引号：</td><td>{article.serial:011d}/{published:%Y}-{article.number + 1:05d}</td><td class="t1">主题分类：</td><td>综合政务</td></tr>
  <tr><td class="t1">发布机构：</td><td>{esc(dept)}</td><td class="t1">体裁分类：</td><td>{esc(text.COLUMNS[article.column % len(text.COLUMNS)])}</td></tr>
  <tr><td class="t1">发布日期：</td><td>{published:%Y-%m-%d}</td><td class="t1">公开方式：</td><td>主动公开</td></tr>
</table>
<div class="article">
  <h1 class="article-title">{esc(article.title)}</h1>
  <div class="article-info">发布时间：{published:%Y-%m-%d %H:%M}&nbsp;&nbsp;来源：{esc(dept)}</div>
  <div id="zoom" class="article-content">
<div class="TRS_Editor">
{images}
{content}
<p style="text-align: right;">{esc(dept)}</p>
<p style="text-align: right;">{published.year}年{published.month}月{published.day}日</p>
</div>
  </div>
</div>"""
        name = column_name(article.column)
        metas = [("ColumnName", name), ("ColumnType", text.COLUMNS[article.column % len(text.COLUMNS)]),
                 ("ArticleTitle", article.title), ("PubDate", f"{published:%Y-%m-%d %H:%M:%S}"),
                 ("ContentSource", dept), ("Description", paragraphs[0][:60])]
        crumbs = f' &gt; <a href="{column_path(article.column)}">{esc(name)}</a> &gt; <span>正文</span>'
        page = self._page(f"{article.title}_{SITE_NAME}", metas, body, article.column, crumbs, rng, padding=0)
        padding = target - len(page.encode("utf-8"))
        return self._page(f"{article.title}_{SITE_NAME}", metas, body, article.column, crumbs, rng,
                          padding=padding) if padding > 0 else page

    # -- the frame every page shares --------------------------------------------------------------
    def _page(self, title: str, metas: list[tuple[str, str]], body: str, column: int, crumbs: str,
              rng: random.Random, padding: int) -> str:
        meta_html = "\n".join(f'<meta name="{name}" content="{esc(value)}">' for name, value in
                              [("SiteName", SITE_NAME), ("SiteDomain", "www.binlan.gov.cn"),
                               ("SiteIDCode", "9999000001"), *metas])
        return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<title>{esc(title)}</title>
{meta_html}
{STYLE}
{menu_script(self.layout, padding)}
</head>
<body>
<div class="top"><div class="w1200"><span class="site-logo">{SITE_NAME}</span></div></div>
<div class="nav"><ul class="w1200">
  <li><a href="{DIRECTORY}">政务新媒体</a></li>
{related_menu(self.layout, column)}
</ul></div>
<div class="main w1200">
<div class="position">当前位置：<a href="{DIRECTORY}">政务新媒体</a>{crumbs}</div>
{body}
</div>
<div class="footer">
  主办单位：{SITE_NAME}办公室&nbsp;&nbsp;网站标识码：9999000001&nbsp;&nbsp;备案序号：滨ICP备{rng.randint(10000000, 99999999)}号<br>
  本网站由{text.CITY}大数据中心提供技术支持&nbsp;&nbsp;建议使用1366×768以上分辨率浏览
</div>
</body>
</html>
"""


def esc(value: str) -> str:
    return html.escape(value, quote=True)


def not_found() -> Response:
    return 404, [("Content-Type", HTML)], "<html><body><h2>您访问的页面不存在</h2></body></html>".encode()


def pager(n: int, total: int) -> str:
    parts = [f"共{total}页&nbsp;", f'<a href="{list_page_href(0)}">首页</a>']
    parts.append(f'<a class="prev" href="{list_page_href(n - 1)}">上一页</a>' if n > 0
                 else '<span class="disabled">上一页</span>')
    parts += [f'<span class="current">{i + 1}</span>' if i == n else f'<a href="{list_page_href(i)}">{i + 1}</a>'
              for i in range(max(0, n - 4), min(total, n + 5))]
    parts.append(f'<a class="next" href="{list_page_href(n + 1)}">下一页</a>' if n < total - 1
                 else '<span class="disabled">下一页</span>')
    parts.append(f'<a href="{list_page_href(total - 1)}">尾页</a>')
    return '<div class="page" id="page_div">\n    ' + "\n    ".join(parts) + "\n</div>"


def related_menu(layout: Layout, column: int) -> str:
    """Links to the next columns: the menu real portals repeat on every page (all inside the crawl)."""
    count = min(layout.related_columns, layout.columns)
    return "\n".join(f'  <li><a href="{column_path((column + i) % layout.columns)}">'
                     f'{esc(text.agency((column + i) % layout.columns))}</a></li>' for i in range(count))


def menu_script(layout: Layout, padding: int) -> str:
    """The inline menu data real portals ship in a script, the same on every page: its first ``padding``
    bytes' worth of entries (no crawler follows links in scripts)."""
    if padding <= 0:
        return ""
    entries, ends = site_menu(layout.columns)
    count = min(len(entries), bisect.bisect_left(ends, padding) + 1)
    return '<script type="text/javascript">\nvar siteMenu = [' + ",\n".join(entries[:count]) + "];\n</script>"


@lru_cache(maxsize=4)
def site_menu(columns: int, size: int = 100_000) -> tuple[list[str], list[int]]:
    """Menu entries of the whole site (every column, under every column type) up to ``size`` bytes,
    with the byte offset each one ends at."""
    entries: list[str] = []
    ends: list[int] = []
    total = 0
    i = 0
    while total < size:
        column, kind = i % columns, text.COLUMNS[(i // columns) % len(text.COLUMNS)]
        entry = (f'{{"id":"{column + 1:04d}{i:05d}","name":"{text.agency(column)}{kind}",'
                 f'"url":"{column_path(column)}"}}')
        total += len(entry.encode("utf-8")) + 2
        entries.append(entry)
        ends.append(total)
        i += 1
    return entries, ends


def jpeg_bytes(rng: random.Random) -> bytes:
    """2-8 KB of incompressible bytes framed as a JPEG (SOI … EOI), like a photo's entropy-coded data."""
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + rng.randbytes(rng.randint(2000, 8000)) + b"\xff\xd9"


STYLE = """<style type="text/css">
body{margin:0;font:14px/1.8 "Microsoft YaHei",SimSun,sans-serif;color:#333;background:#f4f6f9}
.w1200{width:1200px;margin:0 auto}.top{background:#1d4f91;color:#fff;padding:18px 0}
.site-logo{font-size:30px;font-weight:bold;letter-spacing:4px}.nav{background:#143a6e}
.nav li{display:inline-block;padding:0 14px;line-height:44px}.nav a{color:#fff;text-decoration:none}
.main{background:#fff;padding:20px 30px;min-height:480px}.position{color:#666;padding:10px 0}
.xmt-table{border-collapse:collapse}.xmt-table th,.xmt-table td{border:1px solid #dcdcdc;padding:6px 8px}
.xmt-table th{background:#f0f2f5}.page{text-align:center;padding:18px 0}.page a,.page span{margin:0 4px}
.page .current{color:#1d4f91;font-weight:bold}.list-ul li{list-style:none;border-bottom:1px dashed #ddd}
.list-ul .date{float:right;color:#999}.footer{text-align:center;color:#666;padding:20px 0;font-size:12px}
.xxgk_table{border-collapse:collapse;margin-bottom:16px}.xxgk_table td{border:1px solid #e5e5e5;padding:4px 8px}
.xxgk_table .t1{background:#f7f7f7;width:12%}.article-title{text-align:center;font-size:24px;color:#1d4f91}
.article-info{text-align:center;color:#999;border-bottom:1px solid #eee;padding-bottom:10px}
.article-content{font-size:16px;line-height:2}.article-content img{max-width:100%}
</style>"""
