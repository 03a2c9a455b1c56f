"""WeChat official accounts: article pages, their error pages, and the history (msgList) page."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from govarchive.ids import decode_biz, encode_biz, wechat_account_id, wechat_article_key, wechat_post_id
from govarchive.items import Account, Link, Media, Post
from govarchive.pages.base import Extraction, Page, epoch_to_iso, first, html_text, newest, text_digest
from govarchive.pages.jsvars import js_json, js_object_list, js_var

# (state, markers): checked in this order, on visible text, only when the page has no article body
# (several markers also occur inside normal pages' script bundles). platforms.md §1.3.
ERROR_STATES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("blocked", ("环境异常", "完成验证后即可继续访问", "访问过于频繁", "操作频繁，请稍候再试", "wappoc_appmsgcaptcha")),
    ("link_expired", ("链接已过期",)),
    ("complaint", ("此内容被投诉且经审核涉嫌侵权", "此内容被多人投诉", "涉嫌过度营销、骚扰用户")),
    ("migrated", ("该公众号已迁移", "此账号已迁移", "此帐号已迁移")),
    ("deleted", ("该内容已被发布者删除", "The content has been deleted by the author")),
    ("violation", ("此内容因违规无法查看", "此内容因违规已删除")),
    ("send_failed", ("此内容发送失败无法查看", "发送失败")),
    ("account_blocked", ("此帐号已被屏蔽", "此账号已被屏蔽", "该公众号已被封禁")),
    ("account_cancelled", ("已自主注销", "已系统注销", "此帐号已注销", "此账号已注销")),
    ("migrating", ("帐号迁移流程", "账号迁移流程")),
    ("recycled", ("帐号已被系统回收", "账号已被系统回收")),
    ("restricted", ("根据作者隐私设置", "该内容需要权限才可查看", "付费后可继续阅读")),
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


class WechatArticlePage(WechatPage):
    """``/s?__biz=…&mid=…&idx=…`` (and short ``/s/<id>`` links): an article or its error page."""

    def extract(self) -> Extraction:
        source = self.page.text
        has_body = bool(self.selector.css("#js_content, #js_article")) or "cgiDataNew" in source
        key = self._key(source)
        if not has_body:
            return self._error_page(key)
        if key is None:
            return Extraction(page_state="unparsed", notes=["article without biz/mid/idx"])
        biz, mid, idx = key
        account = self._account(source, biz)
        body_html = self.selector.css("#js_content").get()
        text = html_text(body_html) or (js_var(source, "content_noencode") or js_var(source, "desc") or "")
        title = first([js_var(source, "msg_title"), js_var(source, "title"),
                       self.selector.css("#activity-name::text").get(),
                       self.selector.css('meta[property="og:title"]::attr(content)').get()])
        published = epoch_to_iso(js_var(source, "ct") or js_var(source, "ori_create_time"))
        media = self._media(source)
        share_source = self.selector.css("#js_share_source::attr(data-url)").get()
        source_url = first([share_source, js_var(source, "msg_source_url"), js_var(source, "source_url")])
        show_type = js_var(source, "item_show_type") or js_var(source, "real_item_show_type")
        post = self.post(
            wechat_post_id(biz, mid, idx), account.id,
            url=canonical_article_url(self._article_url(biz, mid, idx, js_var(source, "sn"))),
            title=title, author=first([self.selector.css('meta[name="author"]::attr(content)').get(),
                                       account.name]),
            published_at=published, text=text, state="ok", content_digest=text_digest(text),
            authoritative=True,
            kind="repost" if share_source else SHOW_TYPES.get(show_type or "0", f"type_{show_type}"),
            summary=first([js_var(source, "msg_desc"), js_var(source, "desc"),
                           self.selector.css('meta[property="og:description"]::attr(content)').get(),
                           self.selector.css('meta[name="description"]::attr(content)').get()]),
            cover_url=self._absolute_or_none(first([
                js_var(source, "msg_cdn_url"), js_var(source, "cdn_url"),
                self.selector.css('meta[property="og:image"]::attr(content)').get()])),
            source_url=self._absolute_or_none(source_url), media=media,
            attributes=self._attributes(source))
        account.last_post_at = published
        return Extraction(page_state="ok", accounts=[account], posts=[post],
                          links=self._links(source, post, share_source))

    def _absolute_or_none(self, href: str | None) -> str | None:
        return self.absolute(href) if href else None

    def _media(self, source: str) -> list[Media]:
        """Images (``data-src``; image-share pictures), audio (``mpvoice``) and video players."""
        media: list[Media] = []
        for img in self.selector.css("#js_content img"):
            src = img.attrib.get("data-src") or img.attrib.get("src") or ""
            if src and not src.startswith("data:"):
                media.append(Media("image", self.absolute(src), img.attrib.get("alt") or None))
        for picture in js_object_list(source, "picture_page_info_list"):
            if picture.get("cdn_url"):
                media.append(Media("image", self.absolute(picture["cdn_url"])))
        for voice in self.selector.css("mpvoice[voice_encode_fileid]"):
            media.append(Media("audio", self._voice_url(voice.attrib["voice_encode_fileid"]),
                               voice.attrib.get("name") or None))
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

    def _attributes(self, source: str) -> dict[str, str]:
        values = {
            "item_show_type": js_var(source, "item_show_type"),
            "copyright_stat": js_var(source, "copyright_stat") or js_var(source, "_copyright_stat"),
            "ip_province": js_var(source, "province_name") or js_var(source, "provinceName"),
            "alias": js_var(source, "alias"),
        }
        return {k: v for k, v in values.items() if v}

    def _key(self, source: str) -> tuple[str, str, str] | None:
        biz = decode_biz(js_var(source, "biz") or js_var(source, "bizuin") or "")
        mid = js_var(source, "mid") or js_var(source, "appmsgid")
        idx = js_var(source, "idx") or js_var(source, "itemidx") or "1"
        if biz and mid and mid.isdigit() and idx.isdigit():
            return biz, mid, idx
        return wechat_article_key(self.page.url)

    def _article_url(self, biz: str, mid: str, idx: str, sn: str | None) -> str:
        if "__biz=" in self.page.url:
            return self.page.url
        parts = urlsplit(self.page.url)
        query = urlencode([("__biz", encode_biz(biz)), ("mid", mid), ("idx", idx), ("sn", sn or "")])
        return urlunsplit((parts.scheme, parts.netloc, "/s", query, ""))

    def _account(self, source: str, biz: str) -> Account:
        labels = [t.strip() for t in self.selector.css(".profile_meta_label::text").getall()]
        values = [t.strip() for t in self.selector.css(".profile_meta_value::text").getall()]
        meta = dict(zip(labels, values))
        return self.account(
            wechat_account_id(biz), biz,
            name=first([js_var(source, "nickname"), js_var(source, "nick_name"),
                        self.selector.css("#js_name::text").get(),
                        self.selector.css(".profile_nickname::text").get()]),
            alias=first([meta.get("微信号"), js_var(source, "alias")]),
            description=first([meta.get("功能介绍"), js_var(source, "signature")]),
            original_id=js_var(source, "user_name"),
            authoritative=True)

    def _links(self, source: str, post: Post, share_source: str | None) -> list[Link]:
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
        state = error_state(self.visible_text()) or error_state(self.page.text) or "unparsed"
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
            state = error_state(self.visible_text())
            if state:
                return Extraction(page_state=state, accounts=[self.account(wechat_account_id(biz), biz)])
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
        desc = {}
        for row in self.selector.css(".profile_desc li, .profile_info li, .profile_meta"):
            label = first(row.css("label::text, .profile_desc_label::text, .profile_meta_label::text").getall())
            value = first(row.css("span::text, .profile_desc_value::text, .profile_meta_value::text").getall())
            if label and value:
                desc[label.strip("：: ")] = value
        account_line = self.selector.css(".profile_account::text").get() or ""
        match = re.search(r"微信号[:：]\s*(\S+)", account_line)
        return self.account(
            wechat_account_id(biz), biz,
            name=first([self.selector.css(".profile_nickname::text").get(), js_var(source, "nickname")]),
            alias=first([desc.get("微信号"), match.group(1) if match else None, js_var(source, "alias")]),
            description=first([desc.get("功能介绍"), self.selector.css(".profile_desc_value::text").get()]),
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


def is_article_url(path: str, query: str) -> bool:
    return path == "/s" and ("__biz=" in query or "timestamp=" in query) or bool(re.match(r"^/s/[\w-]{10,}$", path))


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
