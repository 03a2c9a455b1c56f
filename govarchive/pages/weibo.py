"""Weibo through the m.weibo.cn JSON API: profile, post lists (since_id or page), long text."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from govarchive.ids import weibo_account_id, weibo_post_id
from govarchive.items import Link
from govarchive.pages.base import SHANGHAI, Extraction, Page, first, html_text, text_digest

EMPTY_MESSAGES = ("这里还没有内容",)
# platforms.md §2.4: a closed or banned account (closed at once) and a uid that is gone (closed after several runs)
BANNED_MESSAGES = ("因被投诉违反法律法规", "现已无法查看", "账号已被封禁", "该账号已被冻结")
GONE_MESSAGES = ("用户不存在", "该用户不存在")
_COUNT = re.compile(r"^\s*([\d.]+)\s*(万|亿)?\s*\+?\s*$")


def parse_count(value: Any) -> int | None:
    """Followers as an int from ``8421``, ``"145.5万"``, ``"1.2亿"`` or ``"100万+"``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value)
    match = _COUNT.match(str(value or ""))
    if not match:
        return None
    factor = {"万": 10_000, "亿": 100_000_000}.get(match.group(2) or "", 1)
    return int(round(float(match.group(1)) * factor))


def parse_created_at(value: str | None, reference: datetime) -> str | None:
    """A Weibo ``created_at`` in any of its forms → ISO 8601 in +08:00.

    Relative forms (``刚刚``, ``N分钟前``, ``N小时前``, ``昨天 HH:MM``, ``MM-DD``) are resolved against
    ``reference``, the capture time, so reading the same capture again gives the same answer.
    """
    if not value:
        return None
    text = value.strip()
    now = reference.astimezone(SHANGHAI)
    try:
        return datetime.strptime(text, "%a %b %d %H:%M:%S %z %Y").astimezone(SHANGHAI).isoformat()
    except ValueError:
        pass
    if text == "刚刚":
        return now.replace(microsecond=0).isoformat()
    if m := re.fullmatch(r"(\d+)\s*分钟前", text):
        return (now - timedelta(minutes=int(m.group(1)))).replace(second=0, microsecond=0).isoformat()
    if m := re.fullmatch(r"(\d+)\s*小时前", text):
        return (now - timedelta(hours=int(m.group(1)))).replace(minute=0, second=0, microsecond=0).isoformat()
    if m := re.fullmatch(r"(昨天|今天)\s*(\d{1,2}):(\d{2})", text):
        day = now - timedelta(days=1 if m.group(1) == "昨天" else 0)
        return day.replace(hour=int(m.group(2)), minute=int(m.group(3)), second=0, microsecond=0).isoformat()
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text):
        return datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)), tzinfo=SHANGHAI).isoformat()
    if m := re.fullmatch(r"(\d{1,2})-(\d{1,2})", text):
        moment = datetime(now.year, int(m.group(1)), int(m.group(2)), tzinfo=SHANGHAI)
        if moment > now:  # "12-30" seen in January is last year's
            moment = moment.replace(year=now.year - 1)
        return moment.isoformat()
    return None


class WeiboPage(Page):
    platform = "weibo"

    def data(self) -> Any:
        try:
            return json.loads(self.page.text)
        except ValueError:
            return None

    def uid(self) -> str | None:
        query = parse_qs(urlsplit(self.page.url).query)
        value = (query.get("value") or query.get("uid") or [""])[0]
        if value.isdigit():
            return value
        match = re.search(r"/u/(\d+)", self.page.url)
        return match.group(1) if match else None

    def api(self, **params: str) -> str:
        return self.absolute("/api/container/getIndex?" + urlencode(params))

    def api_link(self, kind: str, uid: str | None, **params: str) -> Link:
        """A link to the JSON API with the headers m.weibo.cn's own app sends (platforms.md §2.1)."""
        headers = [("MWeibo-Pwa", "1"), ("X-Requested-With", "XMLHttpRequest"), ("Accept", "application/json, text/plain, */*")]
        if uid:
            headers.append(("Referer", self.profile_url(uid)))
        return Link(self.api(**params), kind, headers=tuple(headers))

    def profile_url(self, uid: str) -> str:
        return self.absolute(f"/u/{uid}")


class WeiboShellPage(WeiboPage):
    """``/u/<uid>``: the single-page app's shell. Holds no data; points to the profile API."""

    def extract(self) -> Extraction:
        uid = self.uid()
        if not uid:
            return Extraction(page_state="unparsed")
        return Extraction(page_state="ok", links=[self.api_link("api", uid, type="uid", value=uid)])


class WeiboApiPage(WeiboPage):
    """``/api/container/getIndex``: the profile (no containerid) or a post list (containerid 107603…)."""

    def extract(self) -> Extraction:
        data = self.data()
        if not isinstance(data, dict) and self.page.text.lstrip().startswith(("{", "[")):
            # JSON, but broken or cut short: a bad answer to retry, not a block (no back-off, no stop)
            return Extraction(page_state="unparsed", notes=["broken JSON (cut short or malformed)"])
        if not isinstance(data, dict):  # an HTML visitor/login page where the API answers JSON
            return Extraction(page_state="blocked", notes=["not JSON: a visitor or login page"])
        uid = self.uid()
        if data.get("ok") != 1:
            msg = str(data.get("msg") or "")
            state = ("empty" if any(m in msg for m in EMPTY_MESSAGES) else "blocked" if "频繁" in msg
                     else "account_blocked" if any(m in msg for m in BANNED_MESSAGES)
                     else "not_found" if any(m in msg for m in GONE_MESSAGES) else "error")
            # The account is named so that the index records this check (lifecycle: gone over several runs).
            checked = [self.account(weibo_account_id(uid), uid, url=self.profile_url(uid))] if uid else []
            return Extraction(page_state=state, accounts=checked, notes=[msg] if msg and state != "empty" else [])
        body = data.get("data") or {}
        if "userInfo" in body:
            return self._profile(body, uid)
        return self._posts(body, uid)

    def _profile(self, body: dict[str, Any], uid: str | None) -> Extraction:
        info = body["userInfo"] or {}
        uid = str(info.get("id") or uid or "")
        if not uid:
            return Extraction(page_state="unparsed")
        account = self.account(
            weibo_account_id(uid), uid, name=info.get("screen_name"), url=self.profile_url(uid),
            followers=parse_count(info.get("followers_count")),
            description=first([info.get("description"), info.get("verified_reason")]),
            authoritative=True)
        containerid = next((str(tab.get("containerid")) for tab in (body.get("tabsInfo") or {}).get("tabs", [])
                            if tab.get("tab_type") == "weibo" and tab.get("containerid")), f"107603{uid}")
        links = [self.api_link("listing", uid, type="uid", value=uid, containerid=containerid)]
        if info.get("avatar_hd"):
            links.append(Link(self.absolute(info["avatar_hd"]), "asset"))
        return Extraction(page_state="ok", accounts=[account], links=links)

    def _posts(self, body: dict[str, Any], uid: str | None) -> Extraction:
        result = Extraction(page_state="ok")
        cards = body.get("cards") or []
        for card in cards:
            if card.get("card_type") != 9 or not card.get("mblog"):
                continue
            self._add_post(result, card["mblog"], uid)
        if not result.posts:
            result.page_state = "empty"
        info = body.get("cardlistInfo") or {}
        query = {k: v[0] for k, v in parse_qs(urlsplit(self.page.url).query).items()}
        if info.get("since_id"):
            query.pop("page", None)
            result.links.append(self.api_link("listing", uid, **{**query, "since_id": str(info["since_id"])}))
        elif info.get("page") and result.posts:
            result.links.append(self.api_link("listing", uid, **{**query, "page": str(int(info["page"]) + 1)}))
        return result

    def _add_post(self, result: Extraction, mblog: dict[str, Any], uid: str | None) -> None:
        user = mblog.get("user") or {}
        owner = str(user.get("id") or uid or "")
        mid = str(mblog.get("mid") or mblog.get("id") or "")
        if not owner or not mid:
            return
        text = html_text(mblog.get("text"))
        original = mblog.get("retweeted_status")
        if original:
            text = f"{text}\n//转发：{html_text(original.get('text'))}".strip()
        published = parse_created_at(mblog.get("created_at"), self.page.fetched_at)
        result.posts.append(self.post(
            weibo_post_id(mid), weibo_account_id(owner), url=self.absolute(f"/status/{mblog.get('bid') or mid}"),
            author=user.get("screen_name"), published_at=published, text=text, state="ok",
            content_digest=text_digest(text), authoritative=True))
        if mblog.get("isLongText"):
            result.links.append(Link(self.absolute(f"/statuses/extend?id={mid}"), "api"))
        for pic in mblog.get("pics") or []:
            url = (pic.get("large") or {}).get("url") or pic.get("url")
            if url:
                result.links.append(Link(self.absolute(url), "asset"))


class WeiboLongTextPage(WeiboPage):
    """``/statuses/extend?id=<mid>``: the full text of a long post."""

    def extract(self) -> Extraction:
        data = self.data()
        mid = (parse_qs(urlsplit(self.page.url).query).get("id") or [""])[0]
        if not isinstance(data, dict) or data.get("ok") != 1 or not mid:
            return Extraction(page_state="unparsed")
        text = html_text((data.get("data") or {}).get("longTextContent"))
        if not text:
            return Extraction(page_state="empty")
        return Extraction(page_state="ok", posts=[self.post(
            weibo_post_id(mid), "", text=text, state="ok", content_digest=text_digest(text),
            authoritative=True)])
