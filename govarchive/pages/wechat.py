"""WeChat official accounts: article pages, their error pages, and the history (msgList) page."""

from __future__ import annotations

import html
import json
import re
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from govarchive.core.ids import decode_biz, encode_biz, wechat_account_id, wechat_article_key, wechat_post_id
from govarchive.core.items import Account, Link, Media, Post
from govarchive.pages.base import SHANGHAI, Extraction, Page, epoch_to_iso, first, html_text, newest, text_digest
from govarchive.pages.jsvars import js_call_args, js_json, js_keyed, js_object, js_object_list, js_var, scalar

# (state, markers): checked in this order, on visible text, only when the page has no article body
# (several markers also occur inside normal pages' script bundles). The order is we-extract's
# (platforms.md §1.3): a copyright complaint before a migration, a violation before the mass-complaint
# wording that the violation page also shows in its description.
ERROR_STATES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("blocked", ("环境异常", "完成验证后即可继续访问", "访问过于频繁", "操作频繁，请稍候再试", "wappoc_appmsgcaptcha")),
    ("link_expired", ("链接已过期",)),
    ("complaint", ("此内容被投诉且经审核涉嫌侵权",)),
    ("migrated", ("该公众号已迁移", "此账号已迁移", "此帐号已迁移")),
    ("deleted", ("该内容已被发布者删除", "The content has been deleted by the author")),
    ("violation", ("此内容因违规无法查看", "此内容因违规已删除")),
    ("send_failed", ("此内容发送失败无法查看", "发送失败")),
    ("complaint", ("此内容被多人投诉", "涉嫌过度营销、骚扰用户")),
    ("account_blocked", ("此帐号已被屏蔽", "此账号已被屏蔽", "该公众号已被封禁")),
    ("account_cancelled", ("已自主注销", "已系统注销", "此帐号已注销", "此账号已注销")),
    ("migrating", ("帐号迁移流程", "账号迁移流程")),
    ("recycled", ("帐号已被系统回收", "账号已被系统回收")),
    ("restricted", ("根据作者隐私设置", "该内容需要权限才可查看", "付费后可继续阅读", "该内容暂时无法查看")),
    ("rumor", ("page_rumor",)),
    ("bad_params", ("参数错误",)),
)
# item_show_type → posts.kind (platforms.md §1.2; RSSHub's showTypeMap). Unknown values: type_<n>.
SHOW_TYPES = {"0": "article", "5": "video", "6": "music", "7": "audio", "8": "image_share", "10": "text",
              "11": "article", "17": "short"}
VOICE_URL = "https://res.wx.qq.com/voice/getvoice"
# Canonical article URLs keep only the identity parameters.
_KEY_PARAMS = ("__biz", "mid", "idx", "sn")


def canonical_article_url(url: str) -> str:
    parts = urlsplit(url.replace("&amp;", "&"))
    query = parse_qs(parts.query)
    kept = [(k, query[k][0]) for k in _KEY_PARAMS if query.get(k)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept), ""))


def error_state(visible_text: str) -> str | None:
    for state, markers in ERROR_STATES:
        if any(marker in visible_text for marker in markers):
            return state
    return None


class WechatPage(Page):
    platform = "wechat"

    def visible_text(self) -> str:
        return " ".join(t.strip() for t in self.selector.xpath(
            "//body//text()[not(ancestor::script) and not(ancestor::style)]").getall() if t.strip())


class ArticleData:
    """What an article page's scripts say, in every template generation (:mod:`jsvars`).

    A name is looked up as an assignment (``var``/``window.``, then the 2019 ``d.``/``_g.``), then
    as a field of ``window.cgiDataNew``; the first non-empty value wins.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self.cgi = js_object(source, "cgiDataNew") or {}
        self._vars: dict[str, str | None] = {}

    def var(self, name: str) -> str | None:
        if name not in self._vars:
            self._vars[name] = js_var(self.source, name)
        return self._vars[name]

    def get(self, *names: str) -> str | None:
        for name in names:
            for value in (self.var(name), scalar(self.cgi.get(name))):
                if value and value.strip():
                    return value.strip()
        return None

    def field(self, *path: str) -> str | None:
        """A nested ``cgiDataNew`` field (``copyright_info``, ``copyright_stat``)."""
        value: Any = self.cgi
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        return scalar(value) or None


def profile_fields(selector: Any) -> dict[str, str]:
    """Label → value of a profile block (微信号, 功能介绍, 帐号主体…), read row by row.

    Each row pairs its own label with its own value, so an empty 微信号 stays empty instead of
    shifting the next value (the 功能介绍) into the alias, as pairing two lists by position does.
    """
    fields: dict[str, str] = {}
    for row in selector.css(".profile_meta, .profile_desc li, .profile_info li"):
        label_node = row.css(".profile_meta_label, .profile_desc_label, label")
        if not label_node:
            continue
        label = re.sub(r"[\s:：]+", "", label_node[0].xpath("string()").get() or "")
        value_node = row.css(".profile_meta_value, .profile_desc_value")
        if value_node:
            value = value_node[0].xpath("normalize-space(string())").get() or ""
        else:  # the row's text after its label
            value = " ".join(t.strip() for t in label_node[0].xpath("following-sibling::node()//text() | "
                                                                  "following-sibling::text()").getall() if t.strip())
        if label and label not in fields:
            fields[label] = value.strip()
    return fields


_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.S | re.I)


def written_text(body_html: str | None) -> str | None:
    """The body with the text its scripts write in place (``document.write("…")``, as 2018 image
    and video shares carry their caption) put where the script stood."""
    if not body_html or "document.write" not in body_html:
        return body_html

    def replace(match: re.Match[str]) -> str:
        if "document.write" not in match.group(1):
            return match.group(0)
        return "".join(html.escape(value) for value in js_call_args(match.group(1), "document.write")
                       if isinstance(value, str))

    return _SCRIPT.sub(replace, body_html)


_MOMENT = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")


def page_time(value: str | None) -> str | None:
    """Epoch seconds (``ct``) or ``YYYY-MM-DD[ HH:MM[:SS]]`` (``create_time``) → ISO 8601, +08:00."""
    value = (value or "").strip()
    if re.fullmatch(r"\d{9,11}", value):
        return epoch_to_iso(value)
    match = _MOMENT.fullmatch(value)
    if not match:
        return None
    parts = [int(p) if p else 0 for p in match.groups()]
    try:
        year, month, day, hour, minute, second = parts
        return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI).isoformat()
    except ValueError:
        return None


class WechatArticlePage(WechatPage):
    """``/s?__biz=…&mid=…&idx=…`` (and short ``/s/<id>`` or temporary ``/s?timestamp=…`` links): an
    article or its error page.

    The post is keyed by what the page itself says (its biz/mid/idx, else the ids of its own
    ``msg_link``/``og:url``/canonical link), never by the URL it was reached at: a temporary link and
    the permanent link of one article give one post.
    """

    def extract(self) -> Extraction:
        data = ArticleData(self.page.text)
        has_body = bool(self.selector.css("#js_content, #js_article")) or bool(data.cgi)
        key = self._key(data)
        if not has_body:
            return self._error_page(key)
        if key is None:
            return Extraction(page_state="unparsed", notes=["article without biz/mid/idx"])
        biz, mid, idx = key
        account = self._account(data, biz)
        body_html = written_text(self.selector.css("#js_content").get())
        text = html_text(body_html) or html_text(data.get("content_noencode")) or data.get("msg_desc", "desc") or ""
        published = first(page_time(data.get(name)) for name in ("ct", "ori_create_time", "create_time",
                                                                 "publish_time"))
        published = published or page_time(first(self.selector.css("#publish_time::text, #post-date::text").getall()))
        share_source = self.selector.css("#js_share_source::attr(data-url)").get()
        source_url = first([share_source, data.get("msg_source_url", "source_url")])
        kind = self._kind(data)
        post = self.post(
            wechat_post_id(biz, mid, idx), account.id,
            url=canonical_article_url(self._article_url(data, key)),
            title=self._title(data), author=first([self.selector.css('meta[name="author"]::attr(content)').get(),
                                                  data.get("author"), account.name]),
            published_at=published, text=text, state="ok", content_digest=text_digest(text),
            authoritative=True, kind="repost" if share_source else kind,
            summary=first([data.get("msg_desc", "desc"),
                           self.selector.css('meta[property="og:description"]::attr(content)').get(),
                           self.selector.css('meta[name="description"]::attr(content)').get()]),
            cover_url=self._absolute_or_none(first([
                data.get("msg_cdn_url", "cdn_url"), self.selector.css('meta[property="og:image"]::attr(content)').get()])),
            source_url=self._absolute_or_none(source_url), media=self._media(data, kind),
            attributes=self._attributes(data))
        account.last_post_at = published
        return Extraction(page_state="ok", accounts=[account], posts=[post],
                          links=self._links(post, share_source))

    def _absolute_or_none(self, href: str | None) -> str | None:
        return self.absolute(href) if href else None

    def _title(self, data: ArticleData) -> str | None:
        return first([data.get("msg_title", "title"),
                      self.selector.xpath("normalize-space(//*[@id='activity-name'])").get(),
                      self.selector.css('meta[property="og:title"]::attr(content)').get(),
                      self.selector.css('meta[name="twitter:title"]::attr(content)').get(),
                      self.selector.xpath("normalize-space(//*[contains(@class,'share_audio_title')])").get()])

    def _kind(self, data: ArticleData) -> str:
        """``item_show_type`` when the page has it; else what the page template itself is."""
        show_type = data.get("item_show_type", "real_item_show_type")
        if show_type:
            return SHOW_TYPES.get(show_type, f"type_{show_type}")
        classes = (self.selector.css("body::attr(class)").get() or "").split()
        if "page_share_audio" in classes or self.selector.css("#voice_parent"):
            return "audio"
        if "video" in classes or any(c.startswith(("video_share", "page_share_video")) for c in classes):
            return "video"
        if "page_share_img" in classes or self.selector.css("#img_list"):
            return "image_share"
        return "article"

    def _media(self, data: ArticleData, kind: str) -> list[Media]:
        """Images (``data-src``; image-share pictures), audio (``mpvoice``, a voice post's
        ``voiceid``) and video players."""
        media: list[Media] = []
        for img in self.selector.css("#js_content img"):
            src = img.attrib.get("data-src") or img.attrib.get("src") or ""
            if src and not src.startswith("data:"):
                media.append(Media("image", self.absolute(src), img.attrib.get("alt") or None))
        pictures = data.cgi.get("picture_page_info_list")
        if not isinstance(pictures, list):
            pictures = js_object_list(data.source, "picture_page_info_list")
        for picture in pictures:
            url = scalar(picture.get("cdn_url")) if isinstance(picture, dict) else None
            if url:
                media.append(Media("image", self.absolute(url)))
        for voice in self.selector.css("mpvoice[voice_encode_fileid]"):
            media.append(Media("audio", self._voice_url(voice.attrib["voice_encode_fileid"]),
                               voice.attrib.get("name") or None))
        voice_id = kind == "audio" and first([data.get("voiceid"), *(scalar(v) for v in js_keyed(data.source, "voiceid"))])
        if voice_id:  # a voice post (item_show_type 7): its one voice, named by the post's title
            media.append(Media("audio", self._voice_url(voice_id), self._title(data)))
        for frame in self.selector.css("iframe.video_iframe, iframe[data-src*='v.qq.com']"):
            src = frame.attrib.get("data-src") or frame.attrib.get("src") or ""
            if src:
                media.append(Media("video", self.absolute(src), archived=False))
        for video in self.selector.css("mpvideo[data-mpvid], [data-mpvid]"):
            media.append(Media("video", f"wxv:{video.attrib['data-mpvid']}", archived=False))
        unique: dict[tuple[str, str], Media] = {}
        for item in media:
            unique.setdefault((item.kind, item.url), item)
        return list(unique.values())

    def _voice_url(self, file_id: str) -> str:
        """WeChat serves voices from res.wx.qq.com; copies elsewhere (mirrors, the demo) from their own host."""
        host = urlsplit(self.page.url).netloc
        base = VOICE_URL if host.endswith("weixin.qq.com") else self.absolute("/voice/getvoice")
        return f"{base}?{urlencode({'mediaid': file_id})}"

    def _attributes(self, data: ArticleData) -> dict[str, str]:
        values = {
            "item_show_type": data.get("item_show_type"),
            "copyright_stat": (data.get("copyright_stat", "_copyright_stat")
                               or data.field("copyright_info", "copyright_stat")),
            "ip_province": (data.get("province_name", "provinceName")
                            or data.field("ip_wording", "province_name")),
            "alias": data.get("alias"),
        }
        return {k: v for k, v in values.items() if v}

    def own_links(self, data: ArticleData) -> list[str]:
        """The URLs the page gives for itself, most specific first; the URL it was fetched at last."""
        links = [data.get("msg_link"), data.get("link"),
                 self.selector.css('meta[property="og:url"]::attr(content)').get(),
                 self.selector.css('link[rel="canonical"]::attr(href)').get(), self.page.url]
        return [self.absolute(link) for link in links if link]

    def _key(self, data: ArticleData) -> tuple[str, str, str] | None:
        """(biz, mid, idx) from the page's variables; what they leave empty, from its own links.

        2019 pages leave ``var mid``/``idx`` empty and name them only in ``msg_link``; a link of
        another account never fills in this one's ids.
        """
        biz = decode_biz(data.get("biz", "bizuin", "__biz") or "")
        mid, idx = (_digits(data.get(*names)) for names in (("mid", "appmsgid"), ("idx", "itemidx")))
        if not (biz and mid and idx):
            for url in self.own_links(data):
                linked = wechat_article_key(url)
                if linked and (biz is None or linked[0] == biz) and (mid is None or linked[1] == mid):
                    biz, mid, idx = linked[0], linked[1], idx or _url_idx(url) or linked[2]
                    break
        if biz and mid:
            return biz, mid, idx or "1"
        return None

    def _article_url(self, data: ArticleData, key: tuple[str, str, str]) -> str:
        """The permanent URL of this article: the page's own when it names the same ids, else built."""
        for url in self.own_links(data):
            if wechat_article_key(url) == key:
                return url
        biz, mid, idx = key
        parts = urlsplit(self.page.url)
        query = urlencode([("__biz", encode_biz(biz)), ("mid", mid), ("idx", idx), ("sn", data.get("sn") or "")])
        return urlunsplit((parts.scheme, parts.netloc, "/s", query, ""))

    def _account(self, data: ArticleData, biz: str) -> Account:
        meta = profile_fields(self.selector)
        return self.account(
            wechat_account_id(biz), biz,
            name=first([data.get("nickname", "nick_name"),
                        self.selector.xpath("normalize-space(//*[@id='js_name'])").get(),
                        self.selector.xpath("normalize-space(//*[contains(@class,'wx_follow_nickname')])").get(),
                        self.selector.xpath("normalize-space(//*[contains(@class,'profile_nickname')])").get()]),
            alias=first([meta.get("微信号"), data.get("alias")]),
            description=first([meta.get("功能介绍"), data.get("signature")]),
            original_id=data.get("user_name"),
            authoritative=True)

    def _links(self, post: Post, share_source: str | None) -> list[Link]:
        links = [Link(m.url, "asset") for m in post.media if m.archived]
        if post.cover_url:
            links.append(Link(post.cover_url, "asset"))
        hrefs = self.selector.css("#js_content a::attr(href)").getall()
        for href in [*hrefs, *([share_source] if share_source else [])]:
            url = self.absolute(href)
            key = wechat_article_key(url)
            if key:
                links.append(Link(canonical_article_url(url), "post", post_id=wechat_post_id(*key)))
        for href in self.selector.css("#js_tags a::attr(href), #js_tags a::attr(data-url), "
                                      "a.article-tag__item::attr(href)").getall():
            url = self.absolute(href)
            if urlsplit(url).path == "/mp/appmsgalbum":
                links.append(Link(url, "listing"))
        return list(dict.fromkeys(links))

    def _error_page(self, key: tuple[str, str, str] | None) -> Extraction:
        path = urlsplit(self.page.url).path
        state = ("blocked" if path == CAPTCHA_PATH else "rumor" if path == RUMOR_PATH else None)
        state = state or error_state(self.visible_text()) or error_state(self.page.text) or "unparsed"
        if key is None or state in ("blocked", "link_expired", "bad_params", "unparsed"):
            # A block page or an unusable link says nothing about the post: never record it as gone.
            return Extraction(page_state=state)
        biz, mid, idx = key
        account = self.account(wechat_account_id(biz), biz)
        post = self.post(wechat_post_id(biz, mid, idx), account.id, url=canonical_article_url(self.page.url),
                         state=state, authoritative=True)
        links = []
        target = js_var(self.page.text, "transferTargetLink")
        if state == "migrated" and target:
            # The platform itself names the new home of this article: a certain move.
            target_url = self.absolute(target)
            target_key = wechat_article_key(target_url)
            post.moved_to_url = canonical_article_url(target_url) if target_key else target_url
            if target_key:
                post.moved_to = wechat_post_id(*target_key)
                account.moved_to = wechat_account_id(target_key[0])
            links.append(Link(post.moved_to_url, "post", post_id=post.moved_to))
        return Extraction(page_state=state, accounts=[account], posts=[post], links=links)


def _digits(value: str | None) -> str | None:
    return value if value and value.isdigit() else None


def _url_idx(url: str) -> str | None:
    query = parse_qs(urlsplit(url.replace("&amp;", "&")).query)
    return _digits((query.get("idx") or query.get("itemidx") or [""])[0])


class WechatHistoryPage(WechatPage):
    """The account history page (``/mp/profile_ext?action=home`` or Sogou-era ``/profile``): msgList."""

    def extract(self) -> Extraction:
        source = self.page.text
        query = parse_qs(urlsplit(self.page.url).query)
        msg_list = js_json(source, "msgList")
        biz = decode_biz((query.get("__biz") or [""])[0]) or self._biz_from_list(msg_list)
        if not biz:
            state = error_state(self.visible_text()) or "unparsed"
            return Extraction(page_state=state)
        if msg_list is None:
            error = error_state(self.visible_text())
            if error:
                return Extraction(page_state=error, accounts=[self.account(wechat_account_id(biz), biz)])
        account = self._account(source, biz)
        result = Extraction(page_state="ok" if msg_list is not None else "unparsed", accounts=[account])
        items = self._items(msg_list or {})
        for info, published in items:
            url = self.absolute(info.get("content_url") or "")
            key = wechat_article_key(url)
            if key is None and is_article_url(urlsplit(url).path, urlsplit(url).query):
                # Sogou-era pages list temporary links (/s?timestamp=…&signature=…) that name no
                # article: fetched at once (they expire), the article page gives the post its key.
                result.links.append(Link(url, "post"))
                continue
            if not key or key[0] != biz:
                continue
            post_id = wechat_post_id(*key)
            result.posts.append(self.post(
                post_id, account.id, url=canonical_article_url(url), title=info.get("title") or None,
                author=info.get("author") or None, published_at=published, state="listed"))
            result.links.append(Link(canonical_article_url(url), "post", post_id=post_id))
            if info.get("cover"):
                result.links.append(Link(self.absolute(info["cover"]), "asset"))
        account.last_post_at = newest(result.posts) or max((p for _, p in items if p), default=None)
        if msg_list is not None and not items:
            result.page_state = "empty"
        return result

    def _account(self, source: str, biz: str) -> Account:
        fields = profile_fields(self.selector)
        account_line = self.selector.xpath("normalize-space(//*[contains(@class,'profile_account')])").get() or ""
        match = re.search(r"微信号[:：]\s*(\S+)", account_line)
        return self.account(
            wechat_account_id(biz), biz,
            name=first([self.selector.xpath("normalize-space(//*[contains(@class,'profile_nickname')])").get(),
                        js_var(source, "nickname")]),
            alias=first([fields.get("微信号"), match.group(1) if match else None, js_var(source, "alias")]),
            description=first([fields.get("功能介绍"), js_var(source, "signature")]),
            agency=first([fields.get("帐号主体"), fields.get("账号主体")]),
            authoritative=True)

    @staticmethod
    def _biz_from_list(msg_list: Any) -> str | None:
        for entry in (msg_list or {}).get("list", []):
            fakeid = (entry.get("comm_msg_info") or {}).get("fakeid")
            if fakeid:
                return decode_biz(str(fakeid))
        return None

    @staticmethod
    def _items(msg_list: dict[str, Any]) -> list[tuple[dict[str, Any], str | None]]:
        items = []
        for entry in msg_list.get("list", []):
            published = epoch_to_iso((entry.get("comm_msg_info") or {}).get("datetime"))
            main = entry.get("app_msg_ext_info") or {}
            for info in [main, *main.get("multi_app_msg_item_list", [])]:
                if info.get("content_url"):
                    items.append((info, published))
        return items


class WechatAboutPage(WechatPage):
    """The account's "关于公众号" page (``/mp/aboutbiz?__biz=…``), read by label: 公众号简介 (or
    服务号简介), 微信号 (a ``gh_`` id there is the original id, shown when the account has no 微信号)
    and 认证主体/帐号主体, the verified owner (for a government account: its agency)."""

    def extract(self) -> Extraction:
        biz = decode_biz((parse_qs(urlsplit(self.page.url).query).get("__biz") or [""])[0])
        if not biz:
            return Extraction(page_state=error_state(self.visible_text()) or "unparsed")
        fields: dict[str, str] = {}
        for row in self.selector.css(".item-info"):
            label = re.sub(r"[\s:：]+", "", row.xpath("string(.//*[contains(@class,'item-title')][1])").get() or "")
            value = row.xpath("normalize-space(.//*[contains(@class,'item-desc')][1])").get() or ""
            if label and label not in fields:
                fields[label] = value
        if not fields:
            state = error_state(self.visible_text())
            return Extraction(page_state=state or "unparsed",
                              accounts=[self.account(wechat_account_id(biz), biz)] if state else [])
        handle = fields.get("微信号") or ""
        account = self.account(
            wechat_account_id(biz), biz,
            alias=None if handle.startswith("gh_") else handle or None,
            original_id=handle if handle.startswith("gh_") else None,
            description=first([fields.get("公众号简介"), fields.get("服务号简介"), fields.get("功能介绍")]),
            agency=first([fields.get("认证主体"), fields.get("帐号主体"), fields.get("账号主体")]),
            authoritative=True)
        return Extraction(page_state="ok", accounts=[account])


# Pages WeChat answers an article request with instead of the article: the captcha (环境异常) and the
# 不实信息 (rumor) notice; read by the article page object as error pages.
CAPTCHA_PATH, RUMOR_PATH = "/mp/wappoc_appmsgcaptcha", "/mp/rumor"


def is_article_url(path: str, query: str) -> bool:
    return ((path == "/s" and ("__biz=" in query or "timestamp=" in query)) or bool(re.match(r"^/s/[\w-]{10,}$", path))
            or path in (CAPTCHA_PATH, RUMOR_PATH))


class WechatAlbumPage(WechatPage):
    """An album (合集) ``/mp/appmsgalbum?__biz=…&album_id=…``: HTML, or JSON with ``f=json``.

    JSON pages continue from the last item's ``msgid``/``itemidx`` while ``continue_flag`` is "1";
    ``article_list`` is an array, or a single object when the page holds one article.
    """

    def extract(self) -> Extraction:
        query = {k: v[0] for k, v in parse_qs(urlsplit(self.page.url).query).items()}
        biz = decode_biz(query.get("__biz", ""))
        if not biz:
            return Extraction(page_state="unparsed", notes=["album without __biz"])
        if "json" in self.page.content_type or query.get("f") == "json":
            return self._json(biz, query)
        return self._html(biz)

    def _listed(self, result: Extraction, biz: str, url: str, title: str | None, created: Any) -> None:
        url = self.absolute(url)
        key = wechat_article_key(url)
        if not key or key[0] != biz:
            return
        post_id = wechat_post_id(*key)
        result.posts.append(self.post(post_id, wechat_account_id(biz), url=canonical_article_url(url),
                                      title=title or None, published_at=epoch_to_iso(created), state="listed"))
        result.links.append(Link(canonical_article_url(url), "post", post_id=post_id))

    def _html(self, biz: str) -> Extraction:
        account = self.account(wechat_account_id(biz), biz,
                               name=first(self.selector.css(".album__author-name::text").getall()),
                               authoritative=True)
        result = Extraction(page_state="ok", accounts=[account])
        items = self.selector.css("li[data-link]")
        for item in items:
            created = first(item.css(".js_article_create_time::text").getall())
            self._listed(result, biz, item.attrib["data-link"], item.attrib.get("data-title"), created)
        # The HTML shows the first items; the rest come as JSON pages from the last one shown.
        last = items[-1].attrib if items else {}
        if js_var(self.page.text, "continue_flag") == "1" and last.get("data-msgid"):
            query = {k: v[0] for k, v in parse_qs(urlsplit(self.page.url).query).items()}
            query.update(f="json", count="10", is_reverse="0", begin_msgid=last["data-msgid"],
                         begin_itemidx=last.get("data-itemidx", "1"))
            result.links.append(Link(self.absolute("?" + urlencode(query)), "listing"))
        self._finish(result, account)
        return result

    def _json(self, biz: str, query: dict[str, str]) -> Extraction:
        try:
            data = json.loads(self.page.text)
        except ValueError:
            return Extraction(page_state="unparsed", notes=["album JSON does not parse"])
        ret = (data.get("base_resp") or {}).get("ret", 0)
        if ret not in (0, "0"):
            return Extraction(page_state="blocked" if str(ret) == "200013" else "error", notes=[f"ret {ret}"])
        album = data.get("getalbum_resp") or {}
        info = album.get("base_info") or {}
        account = self.account(wechat_account_id(biz), biz, name=info.get("nickname") or None, authoritative=True)
        result = Extraction(page_state="ok", accounts=[account])
        items = album.get("article_list") or []
        items = [items] if isinstance(items, dict) else items
        for item in items:
            self._listed(result, biz, item.get("url") or "", item.get("title"), item.get("create_time"))
        if str(album.get("continue_flag")) == "1" and items:
            last = items[-1]
            next_query = {**query, "begin_msgid": str(last.get("msgid", "")), "begin_itemidx": str(last.get("itemidx", ""))}
            result.links.append(Link(self.absolute("?" + urlencode(next_query)), "listing"))
        self._finish(result, account)
        return result

    @staticmethod
    def _finish(result: Extraction, account: Account) -> None:
        account.last_post_at = newest(result.posts)
        if not result.posts:
            result.page_state = "empty"
