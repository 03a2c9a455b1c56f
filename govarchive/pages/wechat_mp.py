"""The WeChat MP back-office (公众号后台) endpoints, reached with the user's own session.

``/cgi-bin/searchbiz`` finds accounts by name (``list[].fakeid`` is the base64 biz);
``/cgi-bin/appmsgpublish`` lists an account's posts, JSON inside a string inside JSON
(``publish_page`` → ``publish_list[].publish_info`` → ``appmsgex[]``); the older
``/cgi-bin/appmsg?action=list_ex`` gives ``app_msg_list[]``. ``base_resp.ret``: 0 ok, 200013
rate limit (blocked), 200003 invalid session, 200002 invalid arguments. platforms.md §1.4 b.

Deleted articles stay in the list with ``is_deleted``: they are listed, and the article page
itself says what became of them. The session is added by the crawler (credentials.py); the
links built here never carry it.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from govarchive.core.ids import decode_biz, wechat_account_id, wechat_article_key, wechat_post_id
from govarchive.core.items import Link
from govarchive.pages.base import Extraction, Page, epoch_to_iso, newest
from govarchive.pages.wechat import SHOW_TYPES, canonical_article_url

RET_STATES = {"200013": "blocked", "200003": "unauthorized", "200040": "unauthorized", "200002": "bad_params"}
LIST_PAGE_SIZE = 5


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return None


def _query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def without_session(url: str, **changes: str) -> str:
    """``url`` with ``changes`` applied to its query and no ``token`` (the crawler adds it)."""
    parts = urlsplit(url)
    query = {k: v for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "token"}
    query.update(changes)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


class BackofficePage(Page):
    platform = "wechat"

    def data(self) -> tuple[Any, Extraction | None]:
        """The parsed JSON, or the extraction that ends the page (bad JSON, an error ``ret``)."""
        data = _json(self.page.text)
        if not isinstance(data, dict):
            return None, Extraction(page_state="unparsed", notes=["back-office answer is not JSON"])
        ret = str((data.get("base_resp") or {}).get("ret", 0))
        if ret != "0":
            state = RET_STATES.get(ret, "error")
            note = f"back-office ret {ret} {(data.get('base_resp') or {}).get('err_msg', '')}".strip()
            if state == "unauthorized":
                note += ": check GOVARCHIVE_MP_TOKEN / GOVARCHIVE_MP_COOKIE"
            return data, Extraction(page_state=state, notes=[note])
        return data, None


class BackofficeSearchPage(BackofficePage):
    """``searchbiz``: accounts by name; the exact match's post list is queued."""

    def extract(self) -> Extraction:
        data, ended = self.data()
        if ended:
            return ended
        query = _query(self.page.url).get("query", "").strip()
        result = Extraction(page_state="ok")
        for entry in data.get("list") or []:
            biz = decode_biz(str(entry.get("fakeid") or ""))
            if not biz:
                continue
            result.accounts.append(self.account(
                wechat_account_id(biz), biz, name=entry.get("nickname") or None, alias=entry.get("alias") or None,
                description=entry.get("signature") or None, authoritative=True))
            if query and query in (entry.get("nickname"), entry.get("alias")):
                url = without_session(
                    self.absolute("/cgi-bin/appmsgpublish"), sub="list", sub_action="list_ex", begin="0",
                    count=str(LIST_PAGE_SIZE), fakeid=str(entry["fakeid"]), type="101_1", free_publish_type="1",
                    lang="zh_CN", f="json", ajax="1")
                result.links.append(Link(url, "api"))
        if not result.accounts:
            result.page_state = "empty"
        return result


class BackofficeListPage(BackofficePage):
    """``appmsgpublish`` (and the older ``appmsg?action=list_ex``): an account's posts, paged."""

    def extract(self) -> Extraction:
        data, ended = self.data()
        if ended:
            return ended
        query = _query(self.page.url)
        biz = decode_biz(query.get("fakeid", ""))
        if not biz:
            return Extraction(page_state="unparsed", notes=["back-office list without fakeid"])
        if "publish_page" in data:
            page = _json(data.get("publish_page")) or {}
            total = int(page.get("total_count") or 0)
            items = [(item, info) for info in (_json(p.get("publish_info")) or {} for p in page.get("publish_list") or [])
                     for item in info.get("appmsgex") or []]
        else:
            total = int(data.get("app_msg_cnt") or 0)
            items = [(item, {}) for item in data.get("app_msg_list") or []]
        account = self.account(wechat_account_id(biz), biz)
        result = Extraction(page_state="ok", accounts=[account])
        for item, info in items:
            self._listed(result, biz, item, info)
        account.last_post_at = newest(result.posts)
        begin, count = int(query.get("begin") or 0), int(query.get("count") or LIST_PAGE_SIZE)
        shown = len({i.get("appmsgid") or i.get("aid") for i, _ in items})
        if items and begin + max(count, shown) < total:
            result.links.append(Link(without_session(self.page.url, begin=str(begin + count)), "api"))
        if not items:
            result.page_state = "empty"
        return result

    def _listed(self, result: Extraction, biz: str, item: dict[str, Any], info: dict[str, Any]) -> None:
        url = self.absolute(str(item.get("link") or ""))
        key = wechat_article_key(url)
        if not key or key[0] != biz:
            return
        post_id = wechat_post_id(*key)
        sent = (info.get("sent_info") or {}).get("time")
        attributes = {"is_deleted": "1"} if item.get("is_deleted") in (True, 1, "1") else {}
        if item.get("album_id") not in (None, "", "0", 0):
            attributes["album_id"] = str(item["album_id"])
        result.posts.append(self.post(
            post_id, wechat_account_id(biz), url=canonical_article_url(url), title=item.get("title") or None,
            author=item.get("author_name") or item.get("author") or None,
            published_at=epoch_to_iso(item.get("create_time") or sent), state="listed",
            summary=item.get("digest") or None, cover_url=item.get("cover") or None,
            kind=SHOW_TYPES.get(str(item.get("item_show_type", "0")), "article"), attributes=attributes))
        result.links.append(Link(canonical_article_url(url), "post", post_id=post_id))
