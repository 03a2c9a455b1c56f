"""Douyin and Toutiao: account pages, the JSON their scripts fetch, and their verification walls.

Both platforms render accounts in the browser from signed API calls (Douyin's ``/aweme/v1/web/…`` answers,
Toutiao's ``a_bogus``-signed ``/api/pc/list/feed``), so a plain fetch gets a shell: its platform id
(``sec_uid`` / ``token``, both ``MS4wLjABAAAA…``), the name from the title, and whatever server-side data
the page carries in ``<script id="RENDER_DATA">`` (URL-encoded JSON: the account and its first posts).
Loaded in a browser (govarchive/crawl/browser.py) the page fetches its post lists, and each answer is a
capture these page objects read like any other, in a crawl or a reindex:

- an aweme list (``aweme_list``, Douyin) or a feed (``data[]`` with ``cell_type``, Toutiao): one post per
  entry, with id, description or title, publication time, cover and video URL and its state (``deleted``,
  ``private``, ``violation`` for a post the platform took down);
- a profile answer (``user``): the account, or its closure: ``account_cancelled`` (注销),
  ``account_blocked`` (封禁), ``restricted`` (a private account);
- a verification or login page, in place of the page or drawn over it (a slider captcha): ``blocked``,
  never content.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import parse_qs, unquote, urlsplit

from govarchive.core.items import Account, Link, Media, Post
from govarchive.pages.base import Extraction, Page, PageInput, epoch_to_iso, first, html_text

# ``/user/<sec_uid>`` (Douyin) and ``/c/user/token/<token>/`` (Toutiao).
DOUYIN_USER = re.compile(r"/user/(MS4wLjABAAAA[\w-]+)/?$")
TOUTIAO_USER = re.compile(r"/c/user/token/([\w-]+)/?$")
DOUYIN_POSTS = re.compile(r"/aweme/v\d+/web/aweme/post/?$")
DOUYIN_PROFILE = re.compile(r"/aweme/v\d+/web/user/profile/other/?$")
TOUTIAO_FEED = re.compile(r"/api/pc/list/feed/?$")
# Verification and login walls: their titles, and the short pages that say only this
WALL_TITLE = re.compile(r"验证码中间页|安全验证|人机验证|滑块验证|请完成验证|验证中心|访问验证|captcha", re.I)
WALL_TEXT = re.compile(r"请完成(下列|以下)?(安全)?验证|拖动(下方)?滑块|向右滑动|滑动验证|安全验证|人机验证|"
                       r"按住滑块|点击按钮进行验证|验证码")
WALL_MARKER = "//*[contains(translate(@id, 'CAPTH', 'capth'), 'captcha') or contains(translate(@class, 'CAPTH', 'capth'), " \
              "'captcha') or contains(@id, 'verify-bar') or contains(@class, 'verify-bar')]"
WALL_PATH = re.compile(r"/(verify|captcha|verifycenter)(/|$)", re.I)
WALL_TEXT_MAX = 600  # characters: a wall says little besides asking for the check
LOGIN_WALL = re.compile(r"请?(先)?登录后(查看|访问|继续)|登录后可见|需要登录")
CANCELLED = re.compile(r"注销")
BANNED = re.compile(r"封禁|封号|违反|违规|屏蔽")
GONE = re.compile(r"不存在|找不到")
RENDER_DATA = "//script[@id='RENDER_DATA']/text()"


def account_platform(url: str) -> str | None:
    """``douyin`` or ``toutiao`` for an account page of theirs (by its path), else None."""
    path = urlsplit(url).path
    if DOUYIN_USER.search(path):
        return "douyin"
    if TOUTIAO_USER.search(path):
        return "toutiao"
    return None


def is_wall(page: PageInput) -> str | None:
    """Why this HTML page is a verification or login wall rather than content (None when it is not)."""
    if WALL_PATH.search(urlsplit(page.url).path):
        return "a verification page"
    selector = page.selector
    title = " ".join(selector.xpath("//title//text()").getall())
    if WALL_TITLE.search(title):
        return f"a verification page ({title.strip()[:60]})"
    body = selector.xpath("//body").get() or ""
    text = html_text(body)
    if len(text) <= WALL_TEXT_MAX:
        if WALL_TEXT.search(text) or (text and selector.xpath(WALL_MARKER)):
            return "a verification slide"
        if LOGIN_WALL.search(text):
            return "a login wall"
    return None


def render_data(page: PageInput) -> Any:
    """The page's ``RENDER_DATA``: URL-encoded JSON the server rendered the page from (None when absent)."""
    raw = page.selector.xpath(RENDER_DATA).get()
    if not raw or not raw.strip():
        return None
    for text in (unquote(raw.strip()), raw.strip()):
        try:
            return json.loads(text)
        except ValueError:
            continue
    return None


def walk(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every object inside a JSON value (depth-first, bounded)."""
    if depth > 40:
        return
    if isinstance(data, dict):
        yield data
        for value in data.values():
            yield from walk(value, depth + 1)
    elif isinstance(data, list):
        for value in data:
            yield from walk(value, depth + 1)


def pick(data: Any, *names: str) -> Any:
    """The first of ``names`` (snake_case and camelCase spellings) ``data`` has a value for."""
    if not isinstance(data, dict):
        return None
    for name in names:
        value = data.get(name)
        if value not in (None, "", [], {}):
            return value
    return None


def url_of(value: Any) -> str | None:
    """A media URL however the platform wraps it: a string, ``{url_list: […]}``, ``[{src: …}]``, ``{url: …}``."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list):
        return next((u for u in (url_of(v) for v in value) if u), None)
    if isinstance(value, dict):
        return url_of(pick(value, "url_list", "urlList", "src", "url", "uri_list"))
    return None


def _number(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _flag(value: Any) -> bool:
    return value in (True, 1, "1", "true")


class ShortVideoPage(Page):
    """Shared by the Douyin and Toutiao page objects."""

    def data(self) -> Any:
        try:
            return json.loads(self.page.text)
        except ValueError:
            return None

    def query(self, *names: str) -> str | None:
        values = parse_qs(urlsplit(self.page.url).query)
        return next((values[n][0] for n in names if values.get(n)), None)

    def closure_state(self, *texts: Any) -> str | None:
        said = " ".join(str(t) for t in texts if t)
        if not said:
            return None
        if CANCELLED.search(said):
            return "account_cancelled"
        if BANNED.search(said):
            return "account_blocked"
        if LOGIN_WALL.search(said) or "验证" in said:
            return "blocked"
        if GONE.search(said):
            return "not_found"
        return None

    def media_url(self, url: str | None) -> str | None:
        """An absolute http(s) URL (``//host/…`` and paths resolved against the answer's own URL), else None."""
        if not url:
            return None
        absolute = self.absolute(url)
        return absolute if urlsplit(absolute).scheme in ("http", "https") else None

    def wall(self) -> Extraction | None:
        why = is_wall(self.page)
        return Extraction(page_state="blocked", notes=[f"{self.platform}: {why}"]) if why else None


class ShellUserPage(ShortVideoPage):
    """An account page whose content is rendered by scripts: id and name, and RENDER_DATA when present."""

    path_pattern: ClassVar[re.Pattern[str]]
    title_suffix: ClassVar[re.Pattern[str]]

    @classmethod
    def matches(cls, path: str) -> bool:
        return bool(cls.path_pattern.search(path))

    def extract(self) -> Extraction:
        match = self.path_pattern.search(urlsplit(self.page.url).path)
        if not match:
            return Extraction(page_state="unparsed")
        if wall := self.wall():
            return wall
        platform_id = match.group(1)
        title = (self.selector.css("title::text").get() or "").strip()
        name = first([self.title_suffix.sub("", title)])
        description = first([self.selector.css('meta[name="description"]::attr(content)').get()])
        fields: dict[str, Any] = {"name": name, "url": self.page.url, "description": description}
        result = Extraction(page_state="ok")
        data = render_data(self.page)
        if data is not None:
            user = self.rendered_user(data, platform_id)
            fields.update({k: v for k, v in user.items() if v not in (None, "") and k != "state"})
            if user.get("state"):
                result.page_state = user["state"]
            result.posts = list(self.rendered_posts(data, f"{self.platform}:{platform_id}"))
        result.accounts.append(self.account(f"{self.platform}:{platform_id}", platform_id, authoritative=True,
                                            **fields))
        if not result.posts and data is None:
            result.notes.append(f"{self.platform}: the page's scripts load its posts (a browser capture reads them)")
        return result

    def rendered_user(self, data: Any, platform_id: str) -> dict[str, Any]:
        return {}

    def rendered_posts(self, data: Any, account_id: str) -> Iterator[Post]:
        return iter(())


class DouyinPage(ShortVideoPage):
    platform = "douyin"

    def user_fields(self, user: dict[str, Any]) -> dict[str, Any]:
        special = pick(user, "special_state_info", "specialStateInfo") or {}
        state = None
        if _flag(pick(user, "user_canceled", "userCanceled", "is_cancel")):
            state = "account_cancelled"
        elif _flag(pick(user, "is_ban", "isBan", "is_block", "isBlock")):
            state = "account_blocked"
        elif special:
            state = self.closure_state(pick(special, "title"), pick(special, "content"))
        if state is None and _number(pick(user, "secret", "is_private", "isPrivate")) == 1:
            state = "restricted"
        return {"name": pick(user, "nickname"), "description": pick(user, "signature", "desc"),
                "followers": _number(pick(user, "follower_count", "followerCount", "mplatform_followers_count")),
                "state": state}

    def aweme_post(self, item: dict[str, Any], account_id: str | None) -> Post | None:
        aweme_id = str(pick(item, "aweme_id", "awemeId") or "")
        if not aweme_id.isdigit():
            return None
        author = pick(item, "author", "authorInfo") or {}
        sec_uid = pick(author, "sec_uid", "secUid")
        owner = f"douyin:{sec_uid}" if sec_uid else account_id
        if not owner:
            return None
        desc = str(pick(item, "desc", "caption") or "").strip()
        video = pick(item, "video") or {}
        images = pick(item, "images") or []
        cover = self.media_url(url_of(pick(video, "cover", "origin_cover", "originCover", "dynamic_cover"))
                               or url_of(images))
        play = self.media_url(url_of(pick(video, "play_addr", "playAddr", "download_addr", "playApi")))
        media = [Media("video", play)] if play and not images else []
        media += [Media("image", u) for u in (self.media_url(url_of(i)) for i in images if isinstance(i, dict)) if u]
        status = pick(item, "status") or {}
        state = "ok"
        if _flag(pick(status, "is_delete", "isDelete")):
            state = "deleted"
        elif _flag(pick(status, "is_prohibited", "isProhibited")):
            state = "violation"
        elif _number(pick(status, "private_status", "privateStatus")) == 1 or _flag(pick(status, "is_private")):
            state = "private"
        path = "note" if images else "video"
        return self.post(f"douyin:{aweme_id}", owner, url=self.absolute(f"/{path}/{aweme_id}"),
                         title=desc.splitlines()[0][:120] if desc else None, text=desc or None,
                         published_at=epoch_to_iso(pick(item, "create_time", "createTime")), state=state,
                         authoritative=True, kind="image_share" if images else "video", cover_url=cover, media=media,
                         attributes={k: str(v) for k, v in (("duration_ms", pick(video, "duration")),) if v})


class DouyinUserPage(ShellUserPage, DouyinPage):
    path_pattern = DOUYIN_USER
    title_suffix = re.compile(r"的抖音.*$")

    def rendered_user(self, data: Any, platform_id: str) -> dict[str, Any]:
        for node in walk(data):
            if pick(node, "sec_uid", "secUid") == platform_id and pick(node, "nickname"):
                return self.user_fields(node)
        return {}

    def rendered_posts(self, data: Any, account_id: str) -> Iterator[Post]:
        for node in walk(data):
            if pick(node, "aweme_id", "awemeId") and (post := self.aweme_post(node, account_id)):
                yield post


class DouyinPostListPage(DouyinPage):
    """An aweme list answer (``/aweme/v1/web/aweme/post/``): the account's posts, newest first."""

    def extract(self) -> Extraction:
        data = self.data()
        if not isinstance(data, dict):
            return self.wall() or Extraction(page_state="unparsed")
        sec_uid = self.query("sec_user_id", "sec_uid")
        account_id = f"douyin:{sec_uid}" if sec_uid else None
        code = _number(data.get("status_code"))
        if code not in (0, None):
            state = self.closure_state(data.get("status_msg"), data.get("message")) or "unparsed"
            return Extraction(page_state=state, notes=[f"douyin: status_code {code} {data.get('status_msg') or ''}"])
        posts = [p for p in (self.aweme_post(i, account_id) for i in data.get("aweme_list") or []
                             if isinstance(i, dict)) if p]
        links = [Link(m.url, "asset") for p in posts for m in p.media if m.kind == "video"]
        return Extraction(page_state="ok" if posts else "empty", posts=posts, links=links)


class DouyinProfilePage(DouyinPage):
    """A profile answer (``/aweme/v1/web/user/profile/other/``): the account, or the platform's word on its closure."""

    def extract(self) -> Extraction:
        data = self.data()
        if not isinstance(data, dict):
            return self.wall() or Extraction(page_state="unparsed")
        user = data.get("user") if isinstance(data.get("user"), dict) else {}
        sec_uid = pick(user, "sec_uid", "secUid") or self.query("sec_user_id", "sec_uid")
        code = _number(data.get("status_code"))
        state = self.closure_state(data.get("status_msg")) if code not in (0, None) else None
        fields = self.user_fields(user) if user else {"state": None}
        state = state or fields.pop("state", None) or "ok"
        fields.pop("state", None)
        if not sec_uid:
            return Extraction(page_state=state if state != "ok" else "unparsed")
        account = self.account(f"douyin:{sec_uid}", sec_uid, url=self.absolute(f"/user/{sec_uid}"),
                               authoritative=True, **{k: v for k, v in fields.items() if v not in (None, "")})
        return Extraction(page_state=state, accounts=[account])


class ToutiaoPage(ShortVideoPage):
    platform = "toutiao"

    def feed_post(self, item: dict[str, Any], account_id: str) -> Post | None:
        ident = str(pick(item, "group_id", "item_id", "id", "thread_id") or "")
        if not ident.isdigit():
            return None
        cell = _number(pick(item, "cell_type"))
        video = (cell in (0, 49) and _flag(pick(item, "has_video"))) or bool(pick(item, "video_detail_info"))
        micro = cell == 32
        text = pick(item, "content", "rich_content", "abstract")
        title = pick(item, "title") or (str(text).splitlines()[0][:120] if text else None)
        path = f"/video/{ident}/" if video else f"/w/{ident}/" if micro else f"/article/{ident}/"
        url = pick(item, "display_url", "article_url", "share_url", "url")
        url = self.absolute(url) if isinstance(url, str) and url.startswith(("/", "http")) else self.absolute(path)
        images = pick(item, "image_list", "large_image_list") or []
        cover = self.media_url(url_of(pick(item, "middle_image", "image_url")) or url_of(images) or
                               url_of(pick(pick(item, "video_detail_info") or {}, "detail_video_large_image")))
        play = self.media_url(url_of(pick(pick(item, "video_play_info") or {}, "main_url", "url")))
        media = [Media("video", play)] if play else []
        state = "deleted" if _flag(pick(item, "is_deleted", "delete")) else "ok"
        return self.post(f"toutiao:{ident}", account_id, url=url, title=title, text=str(text) if text else None,
                         summary=pick(item, "abstract"), published_at=epoch_to_iso(pick(item, "publish_time", "behot_time")),
                         state=state, authoritative=True, kind="video" if video else "short" if micro else "article",
                         cover_url=cover, media=media)


class ToutiaoUserPage(ShellUserPage, ToutiaoPage):
    path_pattern = TOUTIAO_USER
    title_suffix = re.compile(r"(的个人主页)?\s*-\s*今日头条.*$")

    def rendered_user(self, data: Any, platform_id: str) -> dict[str, Any]:
        for node in walk(data):
            if pick(node, "token", "user_token") == platform_id and pick(node, "name", "screen_name"):
                return {"name": pick(node, "name", "screen_name"), "description": pick(node, "description", "desc"),
                        "followers": _number(pick(node, "followers_count", "fans_count", "follower_count")),
                        "state": self.closure_state(pick(node, "status_desc", "ban_status_desc"))}
        return {}

    def rendered_posts(self, data: Any, account_id: str) -> Iterator[Post]:
        for node in walk(data):
            if pick(node, "cell_type") is not None and (post := self.feed_post(node, account_id)):
                yield post


class ToutiaoFeedPage(ToutiaoPage):
    """A profile feed answer (``/api/pc/list/feed?category=profile_all&token=…``): the account's posts."""

    def extract(self) -> Extraction:
        data = self.data()
        if not isinstance(data, dict):
            return self.wall() or Extraction(page_state="unparsed")
        token = self.query("token", "user_token")
        message = str(data.get("message") or "")
        found = data.get("data")
        items: list[Any] = found if isinstance(found, list) else []
        if message and message != "success" and not items:
            state = self.closure_state(message, data.get("tips"), data.get("msg")) or "unparsed"
            return Extraction(page_state=state, notes=[f"toutiao: {message}"])
        if not token:
            return Extraction(page_state="unparsed", notes=["toutiao: a feed without its account's token"])
        posts = [p for p in (self.feed_post(i, f"toutiao:{token}") for i in items if isinstance(i, dict)) if p]
        links = [Link(m.url, "asset") for p in posts for m in p.media if m.kind == "video"]
        return Extraction(page_state="ok" if posts else "empty", posts=posts, links=links)


def answer_class(path: str) -> type[Page] | None:
    """The page object of a Douyin or Toutiao JSON answer, by its path."""
    if DOUYIN_POSTS.search(path):
        return DouyinPostListPage
    if DOUYIN_PROFILE.search(path):
        return DouyinProfilePage
    if TOUTIAO_FEED.search(path):
        return ToutiaoFeedPage
    return None


__all__ = ["Account", "DouyinPostListPage", "DouyinProfilePage", "DouyinUserPage", "ToutiaoFeedPage",
           "ToutiaoUserPage", "account_platform", "answer_class", "is_wall"]
