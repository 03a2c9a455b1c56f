"""Choosing the page object for a response: by HTTP status, then URL shape, then content."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from urllib.parse import urlsplit

from govarchive.core.items import Link
from govarchive.pages.base import DOM_SNAPSHOT, Extraction, Page, PageInput
from govarchive.pages.columns import GovColumnPage
from govarchive.pages.feeds import FeedPage, is_feed
from govarchive.pages.generic import GenericArticlePage
from govarchive.pages.gov import DirectoryPage, GovArticlePage, QrGridPage
from govarchive.pages.hanweb import HanwebDataProxyPage
from govarchive.pages.shortvideo import DouyinUserPage, ToutiaoUserPage, answer_class, is_wall
from govarchive.pages.sogou import SogouAccountSearchPage
from govarchive.pages.wechat import (
    WechatAboutPage,
    WechatAlbumPage,
    WechatArticlePage,
    WechatHistoryPage,
    is_article_url,
)
from govarchive.pages.wechat_mp import BackofficeListPage, BackofficeSearchPage
from govarchive.pages.weibo import WeiboApiPage, WeiboLongTextPage, WeiboShellPage, weibo_page_class

logger = logging.getLogger(__name__)

BLOCK_STATUSES = {403: "blocked", 418: "blocked", 429: "blocked", 432: "blocked"}
# Redirects to these are a platform's visitor/login wall or captcha: the content was refused.
LOGIN_WALLS = re.compile(r"^https?://(visitor\.)?passport\.weibo\.(cn|com)/|/mp/wappoc_appmsgcaptcha|"
                         r"^https?://weibo\.com/login|/sorry\?|antispider")


def status_state(status: int, location: str | None = None) -> str:
    """The page state an HTTP status (and a redirect's target) implies, also when no page object runs."""
    if status in BLOCK_STATUSES:
        return BLOCK_STATUSES[status]
    if 300 <= status < 400:
        return "blocked" if location and LOGIN_WALLS.search(location) else "redirect"
    if status == 404:
        return "not_found"
    if status == 410:
        return "gone"
    if 400 <= status < 500:
        return "client_error"
    if status >= 500:
        return "server_error"
    return "ok"


class StatusPage(Page):
    """Redirects and HTTP errors: the status is the finding."""

    def extract(self) -> Extraction:
        location = next((v for k, v in self.page.headers if k.lower() == "location"), None)
        result = Extraction(page_state=status_state(self.page.status, location))
        if location and result.page_state == "redirect":
            result.links.append(Link(self.absolute(location), "redirect"))
        return result


class AssetPage(Page):
    """Images and other files: archived, nothing to extract."""

    def extract(self) -> Extraction:
        return Extraction(page_state="ok")


class OtherPage(Page):
    """An HTML page no parser recognises and too short to be an article (a portal home page, a help page…)."""

    def extract(self) -> Extraction:
        return Extraction(page_state="ok")


MEDIA_TYPES = ("image/", "audio/", "video/", "font/")
MARKUP_START = re.compile(rb"\s*<")  # a body that starts as markup (after blanks): read as HTML whatever its type


def is_media_type(content_type: str) -> bool:
    """Images, audio, video and fonts (by their Content-Type, lowercase): archived, never read. Whatever their
    status, a page object concludes no more than :func:`status_state` says (an :class:`AssetPage` is ``ok``)."""
    return content_type.startswith(MEDIA_TYPES)


def page_class_for(page: PageInput) -> type[Page]:
    """The page object class for one response."""
    if not 200 <= page.status < 300:
        return StatusPage
    parts = urlsplit(page.url)
    path, query = parts.path, parts.query
    ctype = page.content_type
    if is_media_type(ctype):
        return AssetPage
    if answer := answer_class(path):  # Douyin's and Toutiao's JSON answers (a browser fetched them)
        return answer
    if path.endswith("/api/container/getIndex"):
        return WeiboApiPage
    if path.endswith("/statuses/extend"):
        return WeiboLongTextPage
    if weibo := weibo_page_class(page.url):
        return weibo
    if re.search(r"^/u/\d+/?$", path):
        return WeiboShellPage
    if is_article_url(path, query):
        return WechatArticlePage
    if path in ("/mp/profile_ext", "/profile") and ("action=home" in query or "src=3" in query):
        return WechatHistoryPage
    if path == "/mp/appmsgalbum":
        return WechatAlbumPage
    if path == "/mp/aboutbiz":
        return WechatAboutPage
    if DouyinUserPage.matches(path):
        return DouyinUserPage
    if ToutiaoUserPage.matches(path):
        return ToutiaoUserPage
    if HanwebDataProxyPage.matches(path):  # XML, whatever its Content-Type says
        return HanwebDataProxyPage
    if path == "/weixin" and "type=1" in query:
        return SogouAccountSearchPage
    if path == "/cgi-bin/searchbiz":
        return BackofficeSearchPage
    if path in ("/cgi-bin/appmsgpublish", "/cgi-bin/appmsg"):
        return BackofficeListPage
    if is_feed(page.body, ctype):
        return FeedPage
    if "html" not in ctype and not MARKUP_START.match(page.body):  # PDFs, archives, robots.txt, scripts…
        return AssetPage
    return _html_page_class(page)


def _html_page_class(page: PageInput) -> type[Page]:
    selector = page.selector
    if DirectoryPage.matches(selector):
        return DirectoryPage
    if QrGridPage.matches(selector):
        return QrGridPage
    if GovArticlePage.matches(selector, page.url):
        return GovArticlePage
    if GovColumnPage.matches(page):
        return GovColumnPage
    if GenericArticlePage.matches(page):
        return GenericArticlePage
    return OtherPage


class WallPage(Page):
    """A page a browser rendered into a verification slide or a login wall: blocked, never content."""

    def extract(self) -> Extraction:
        return Extraction(page_state="blocked", notes=[f"rendered page: {is_wall(self.page)}"])


def extract(page: PageInput) -> Extraction:
    """Run the right page object; a parser failure becomes a recorded state, never a lost capture.

    A browser's DOM snapshot (``urn:dom:<url>``, govarchive/crawl/browser.py) is read as the page at ``<url>``
    as it was rendered, by the same page objects, unless it shows a verification or login wall."""
    if page.url.startswith(DOM_SNAPSHOT):
        page = replace(page, url=page.url[len(DOM_SNAPSHOT):])
        cls = WallPage if is_wall(page) else page_class_for(page)
    else:
        cls = page_class_for(page)
    try:
        result = cls(page).extract()
    except Exception as exc:  # a parser bug must not stop archiving: record it and go on
        logger.warning("%s failed on %s: %s", cls.__name__, page.url, exc, exc_info=True)
        return Extraction(page_state="parse_error", notes=[f"{cls.__name__}: {exc}"])
    if "html" in page.content_type and page.decoded.note:  # (never decode an image's bytes for this)
        result.notes.append(f"charset: {page.decoded.note}")
    return result
