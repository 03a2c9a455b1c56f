"""Weibo through its JSON APIs: m.weibo.cn (profile, post lists by since_id or page, long text) and
weibo.com's ajax endpoints (``profile/info``, ``statuses/mymblog``, ``statuses/longtext``).

A post's exact time is in its id: ``(mid >> 22) + 515483463`` is the Unix time it was sent (checked
on posts of 2012–2025 whose absolute time is known). Lists that show a relative date (``15小时前``,
``昨天 12:00``, ``06-27``) get the exact time from the id when the two agree.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from govarchive.core.ids import weibo_account_id, weibo_bid_to_mid, weibo_post_id
from govarchive.core.items import Account, Link
from govarchive.pages.base import SHANGHAI, Extraction, Page, first, html_text, text_digest
from govarchive.pages.jsvars import js_value

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
    return round(float(match.group(1)) * factor)


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


# (mid >> 22) + MID_EPOCH = Unix seconds the post was sent (±1 s): Weibo's ids since 2012 are
# time-ordered snowflakes. Older 10–11 digit ids are not, hence the length and range checks.
MID_EPOCH = 515483463
_FIRST_SNOWFLAKE = datetime(2011, 1, 1, tzinfo=SHANGHAI)


def mid_time(mid: str | int | None) -> datetime | None:
    """The moment a post was sent, from its numeric mid (None for ids of another form)."""
    text = str(mid or "").strip()
    if not text.isdigit() or len(text) < 16:
        return None
    moment = datetime.fromtimestamp((int(text) >> 22) + MID_EPOCH, SHANGHAI)
    return moment if moment >= _FIRST_SNOWFLAKE else None


_AGO = re.compile(r"刚刚|\d+\s*(?:秒|分钟|小时)前")
_CLOCK = re.compile(r"(?:昨天|今天)\s*(\d{1,2}):(\d{2})")
_DAY = re.compile(r"(?:(\d{4})-)?(\d{1,2})-(\d{1,2})")


def agrees(exact: datetime, shown: str, reference: datetime) -> bool:
    """Whether a post's exact time (from its id) fits the relative date a list shows for it.

    The fixed parts must match: ``昨天 12:00`` that clock time, ``06-27`` that day of the year,
    ``2025-12-30`` that date; ``刚刚``/``N分钟前``/``N小时前`` only say "before the capture". The
    day is not checked against the capture time: a list read long after it was served (an imported
    WARC) still gets its posts' true times.
    """
    if exact > reference.astimezone(SHANGHAI) + timedelta(days=1):
        return False
    if _AGO.fullmatch(shown):
        return True
    if m := _CLOCK.fullmatch(shown):
        return (exact.hour, exact.minute) == (int(m.group(1)), int(m.group(2)))
    if m := _DAY.fullmatch(shown):
        year, month, day = (int(g) if g else None for g in m.groups())
        return (exact.month, exact.day) == (month, day) and year in (None, exact.year)
    return False


def post_time(created_at: str | None, mid: str | int | None, reference: datetime) -> str | None:
    """A post's ``published_at``: an absolute ``created_at`` as given; for a relative one (``刚刚``,
    ``15小时前``, ``昨天 12:00``, ``06-27``) the exact time encoded in the mid when the two agree,
    else the relative date resolved against ``reference`` (the capture time)."""
    text = (created_at or "").strip()
    exact = mid_time(mid) if _AGO.fullmatch(text) or _CLOCK.fullmatch(text) or _DAY.fullmatch(text) else None
    if exact and agrees(exact, text, reference):
        return exact.isoformat()
    return parse_created_at(created_at, reference)


def answer_state(data: dict[str, Any]) -> tuple[str, str]:
    """(page state, note) of an answer whose ``ok`` is not 1.

    ``ok`` -100 is the login wall (weibo.com's ajax and m.weibo.cn without a session): blocked.
    """
    msg = str(data.get("msg") or data.get("message") or "")
    if str(data.get("ok")) == "-100":
        return "blocked", f"login required (ok -100) {data.get('url') or msg}".strip()
    state = ("empty" if any(m in msg for m in EMPTY_MESSAGES) else "blocked" if "频繁" in msg
             else "account_blocked" if any(m in msg for m in BANNED_MESSAGES)
             else "not_found" if any(m in msg for m in GONE_MESSAGES) else "error")
    return state, msg if state != "empty" else ""


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

    def json_or_wall(self) -> dict[str, Any] | Extraction:
        """The answer's JSON object, or the extraction that ends the page: a visitor/login page
        where JSON was expected is ``blocked``; JSON cut short or malformed is ``unparsed`` (a bad
        answer to retry, not a block)."""
        data = self.data()
        if isinstance(data, dict):
            return data
        if self.page.text.lstrip().startswith(("{", "[")):
            return Extraction(page_state="unparsed", notes=["broken JSON (cut short or malformed)"])
        return Extraction(page_state="blocked", notes=["not JSON: a visitor or login page"])

    def refused(self, data: dict[str, Any], uid: str | None) -> Extraction:
        """An answer with ``ok`` other than 1; it names the account it was about, so that the index
        records the check (the lifecycle reads several runs' checks before calling an account gone)."""
        state, note = answer_state(data)
        checked = [self.account(weibo_account_id(uid), uid, url=self.profile_url(uid))] if uid else []
        return Extraction(page_state=state, accounts=checked,
                          notes=[note] if note else [])


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
        data = self.json_or_wall()
        if isinstance(data, Extraction):
            return data
        uid = self.uid()
        if data.get("ok") != 1:
            return self.refused(data, uid)
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
        result.accounts.extend(list_owner(self, [card.get("mblog") or {} for card in cards], uid))
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
        published = post_time(mblog.get("created_at"), mid, self.page.fetched_at)
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


class WeiboStatusPage(WeiboApiPage):
    """One post on m.weibo.cn: ``/statuses/show?id=<bid|mid>`` (JSON, ``data`` is the post) or its
    page ``/detail/<mid>`` / ``/status/<bid>`` (HTML whose ``var $render_data = [{"status": …}]``
    holds the post; ``status.longText.longTextContent`` its full text when it is long).

    An answer saying the post was deleted (``…已被删除``) records the post as deleted."""

    def extract(self) -> Extraction:
        if urlsplit(self.page.url).path.startswith("/statuses/"):
            data = self.json_or_wall()
            if isinstance(data, Extraction):
                return data
            mblog = data.get("data") if data.get("ok") == 1 else None
        else:
            render = js_value(self.page.text, "$render_data")
            first_item = render[0] if isinstance(render, list) and render else render
            mblog = first_item.get("status") if isinstance(first_item, dict) else None
            data = {"ok": 1} if mblog else {"ok": 0, "msg": first([self.selector.xpath(
                "normalize-space(//*[contains(@class,'h5-4con') or contains(@class,'message')])").get()]) or ""}
            if not mblog and not data["msg"] and "$render_data" not in self.page.text:
                return Extraction(page_state="blocked", notes=["no post data: a visitor or login page"])
        if not isinstance(mblog, dict):
            return self._gone(data)
        result = Extraction(page_state="ok")
        self._add_post(result, mblog, None)
        if not result.posts:
            return Extraction(page_state="unparsed", notes=["post without id"])
        long_text = html_text((mblog.get("longText") or {}).get("longTextContent"))
        if long_text:
            post = result.posts[0]
            post.text, post.content_digest = long_text, text_digest(long_text)
            result.links = [link for link in result.links if "/statuses/extend" not in link.url]
        result.accounts.extend(post_author(self, mblog))
        return result

    def _gone(self, data: dict[str, Any]) -> Extraction:
        msg = str(data.get("msg") or "")
        given = urlsplit(self.page.url).path.rstrip("/").rsplit("/", 1)[-1]
        given = (parse_qs(urlsplit(self.page.url).query).get("id") or [given])[0]
        mid = weibo_bid_to_mid(given)
        if "删除" in msg and mid:
            return Extraction(page_state="deleted", notes=[msg], posts=[self.post(
                weibo_post_id(mid), "", state="deleted", authoritative=True)])
        if str(data.get("ok")) == "-100":
            return self.refused(data, None)
        state = "not_found" if "不存在" in msg or "删除" in msg else answer_state(data)[0]
        return Extraction(page_state=state, notes=[msg] if msg else [])


def list_owner(page: WeiboPage, mblogs: list[dict[str, Any]], uid: str | None) -> list[Account]:
    """The account whose post list this is, as its posts show it (the first post by that uid)."""
    for mblog in mblogs:
        user = mblog.get("user") or {}
        if uid and str(user.get("idstr") or user.get("id") or "") == uid:
            return post_author(page, mblog)
    return []


def post_author(page: WeiboPage, mblog: dict[str, Any]) -> list[Account]:
    """The account that sent a post, as the post shows it (fills only what its own profile left empty)."""
    user = mblog.get("user") or {}
    uid = str(user.get("idstr") or user.get("id") or "")
    if not uid.isdigit():
        return []
    return [page.account(weibo_account_id(uid), uid, name=user.get("screen_name") or None, url=page.profile_url(uid),
                         followers=first_count(user.get("followers_count"), user.get("followers_count_str")))]


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


class WeiboAjaxPage(WeiboPage):
    """weibo.com's ajax API (platforms.md §2.5), read with the user's own session or a visitor's:

    - ``/ajax/profile/info?uid=<uid>`` → ``data.user``: the account; queues the first post page;
    - ``/ajax/statuses/mymblog?uid=<uid>&page=<n>&feature=0`` → ``data.list``: posts (``text_raw``,
      ``created_at``, ``mblogid``, ``pic_infos``, ``isLongText``, ``isTop`` for the pinned one); the
      next page while the list is not empty (``since_id`` kept when the answer gives one);
    - ``/ajax/statuses/longtext?id=<mblogid|mid>`` → ``data.longTextContent``: a post's full text;
    - ``/ajax/statuses/show?id=<mblogid>`` → the post itself (its fields at the top level).

    Their walls: ``{"ok": -100, "url": "…login.php"}``, an HTML visitor or login page where JSON was
    expected, and redirects to passport.weibo.com (routed as a status page): all ``blocked``.
    """

    ENDPOINTS = ("/ajax/profile/info", "/ajax/statuses/mymblog", "/ajax/statuses/longtext", "/ajax/statuses/show")

    @classmethod
    def matches(cls, url: str) -> bool:
        parts = urlsplit(url)
        return parts.netloc.endswith("weibo.com") and parts.path.rstrip("/") in cls.ENDPOINTS

    def extract(self) -> Extraction:
        data = self.json_or_wall()
        if isinstance(data, Extraction):
            return data
        uid = self.uid()
        if data.get("ok") != 1:
            return self.refused(data, uid)
        path = urlsplit(self.page.url).path.rstrip("/")
        if path.endswith("/statuses/show"):
            result = Extraction(page_state="ok")
            self._add_post(result, data, uid)
            result.accounts.extend(post_author(self, data))
            return result if result.posts else Extraction(page_state="unparsed", notes=["post without id"])
        body = data.get("data")
        if not isinstance(body, dict):
            return Extraction(page_state="unparsed", notes=["ajax answer without data"])
        if path.endswith("/profile/info"):
            return self._profile(body, uid)
        if path.endswith("/statuses/mymblog"):
            return self._posts(body, uid)
        return self._long_text(body)

    def ajax_link(self, endpoint: str, kind: str, owner: str | None, params: dict[str, str]) -> Link:
        """A link to another ajax endpoint with the headers weibo.com's own page sends."""
        headers = [("X-Requested-With", "XMLHttpRequest"), ("Accept", "application/json, text/plain, */*")]
        if owner:
            headers.append(("Referer", self.profile_url(owner)))
        return Link(self.absolute(f"/ajax/{endpoint}?{urlencode(params)}"), kind, headers=tuple(headers))

    def _profile(self, body: dict[str, Any], uid: str | None) -> Extraction:
        user = body.get("user") or {}
        uid = str(user.get("idstr") or user.get("id") or uid or "")
        if not uid:
            return Extraction(page_state="unparsed", notes=["profile without user id"])
        account = self.account(
            weibo_account_id(uid), uid, name=user.get("screen_name") or None, url=self.profile_url(uid),
            followers=first_count(user.get("followers_count"), user.get("followers_count_str")),
            description=first([user.get("description"), user.get("verified_reason")]),
            authoritative=True)
        links = [self.ajax_link("statuses/mymblog", "listing", uid, {"uid": uid, "page": "1", "feature": "0"})]
        avatar = user.get("avatar_hd") or user.get("avatar_large")
        if avatar:
            links.append(Link(self.absolute(avatar), "asset"))
        return Extraction(page_state="ok", accounts=[account], links=links)

    def _posts(self, body: dict[str, Any], uid: str | None) -> Extraction:
        result = Extraction(page_state="ok")
        items = body.get("list") or []
        for item in items:
            if isinstance(item, dict):
                self._add_post(result, item, uid)
        result.accounts.extend(list_owner(self, [item for item in items if isinstance(item, dict)], uid))
        if not result.posts:
            result.page_state = "empty"
            return result
        query = {k: v[0] for k, v in parse_qs(urlsplit(self.page.url).query).items()}
        page = int(query["page"]) if query.get("page", "").isdigit() else 1
        query["page"] = str(page + 1)
        if body.get("since_id"):
            query["since_id"] = str(body["since_id"])
        query.setdefault("feature", "0")
        result.links.append(self.ajax_link("statuses/mymblog", "listing", uid, query))
        return result

    def _add_post(self, result: Extraction, item: dict[str, Any], uid: str | None) -> None:
        user = item.get("user") or {}
        owner = str(user.get("idstr") or user.get("id") or uid or "")
        mid = str(item.get("mid") or item.get("idstr") or item.get("id") or "")
        if not owner or not mid.isdigit():
            return
        text = (item.get("text_raw") or html_text(item.get("text"))).strip()
        original = item.get("retweeted_status")
        if isinstance(original, dict):
            text = f"{text}\n//转发：{(original.get('text_raw') or html_text(original.get('text'))).strip()}".strip()
        bid = item.get("mblogid") or item.get("bid")
        result.posts.append(self.post(
            weibo_post_id(mid), weibo_account_id(owner), url=self.absolute(f"/{owner}/{bid or mid}"),
            author=user.get("screen_name"), published_at=post_time(item.get("created_at"), mid, self.page.fetched_at),
            text=text, state="ok", content_digest=text_digest(text), authoritative=True))
        if item.get("isLongText"):
            result.links.append(self.ajax_link("statuses/longtext", "api", owner, {"id": str(bid or mid)}))
        for pid in item.get("pic_ids") or []:
            sizes = (item.get("pic_infos") or {}).get(pid) or {}
            url = first([(sizes.get(size) or {}).get("url") for size in ("largest", "original", "mw2000", "large")])
            if url:
                result.links.append(Link(self.absolute(url), "asset"))

    def _long_text(self, body: dict[str, Any]) -> Extraction:
        given = (parse_qs(urlsplit(self.page.url).query).get("id") or [""])[0]
        mid = weibo_bid_to_mid(given)
        if not mid:
            return Extraction(page_state="unparsed", notes=["longtext without a post id"])
        text = html_text(body.get("longTextContent"))
        if not text:
            return Extraction(page_state="empty")
        return Extraction(page_state="ok", posts=[self.post(
            weibo_post_id(mid), "", text=text, state="ok", content_digest=text_digest(text), authoritative=True)])


def first_count(*values: Any) -> int | None:
    for value in values:
        count = parse_count(value)
        if count is not None:
            return count
    return None


def weibo_page_class(url: str) -> type[WeiboPage] | None:
    """The page object for weibo.com's ajax endpoints and m.weibo.cn's single-post pages."""
    parts = urlsplit(url)
    if WeiboAjaxPage.matches(url):
        return WeiboAjaxPage
    if parts.netloc.endswith("weibo.cn") and (parts.path.rstrip("/") == "/statuses/show"
                                              or re.fullmatch(r"/(detail|status)/\w+/?", parts.path)):
        return WeiboStatusPage
    return None
