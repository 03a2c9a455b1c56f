"""The demo web's pages only a browser can read (govarchive/crawl/browser.py).

- 云岚文旅's Douyin account: the page carries the account in ``RENDER_DATA``; its script fetches the post
  list from an aweme-list JSON endpoint, six at a time, each time the reader scrolls to the bottom.
- 云岚交警's Toutiao account: its script fetches the profile feed (``/api/pc/list/feed``), three at a time,
  each time the reader presses 加载更多.
- 云岚市人民政府 最新动态 (``/xxgk/zxdt/``): a column whose list is built by script from ``list.json``, with
  加载更多 for its second page; its articles are ordinary pages.

All names, texts and numbers are ours. Pure: :func:`render` maps a path and query to a response.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from govarchive.demo import content as c
from govarchive.demo import templates as t

Response = tuple[int, list[tuple[str, str]], bytes]
JSON = "application/json; charset=utf-8"
HTML = "text/html; charset=UTF-8"
DOUYIN_PAGE = 6  # posts per aweme-list answer
TOUTIAO_PAGE = 3  # posts per feed answer
COLUMN_PAGE = 4  # items per list.json page
COLUMN_PATH = "/xxgk/zxdt/"


def _epoch(text: str) -> int:
    return int(datetime.fromisoformat(text + "+08:00").timestamp())


@dataclass(frozen=True)
class ShortPost:
    ident: str  # the platform's numeric id
    text: str
    at: str  # local time, ISO without zone
    state: str = "ok"  # ok | private (the list shows it to its owner only: a state an archive must keep)

    @property
    def epoch(self) -> int:
        return _epoch(self.at)


DOUYIN = c.DOUYIN_ACCOUNTS[0]
DOUYIN_POSTS: tuple[ShortPost, ...] = (
    ShortPost("7438120011223344556", "雪后的云岚古城，屋檐下挂满冰凌 #云岚文旅 #冬游云岚", "2026-11-18T17:20:00"),
    ShortPost("7437020011223344551", "云岚博物馆新展《江上千年》开幕，讲解员带你看三件镇馆之宝", "2026-11-15T10:05:00"),
    ShortPost("7435920011223344549", "桐溪老街的早点摊：一碗豆花，一根油条，一个早晨", "2026-11-11T07:40:00"),
    ShortPost("7434820011223344547", "周末去哪儿｜云岚湿地公园的候鸟到了", "2026-11-08T15:30:00"),
    ShortPost("7433720011223344545", "非遗传承人教你做云岚剪纸，三分钟学会“福”字", "2026-11-04T19:00:00"),
    ShortPost("7432620011223344543", "秋收节现场：稻田里的音乐会", "2026-10-30T18:10:00", state="private"),
    ShortPost("7431520011223344541", "云岚山红叶进入最佳观赏期，附步道路线", "2026-10-26T09:00:00"),
    ShortPost("7430420011223344539", "国庆假期全市接待游客情况发布", "2026-10-08T12:00:00"),
    ShortPost("7429320011223344537", "江滨夜市开市啦，本周五起每晚六点到十一点", "2026-10-02T20:15:00"),
    ShortPost("7428220011223344535", "文旅小课堂：古城门的名字从哪里来", "2026-09-27T16:45:00"),
)

TOUTIAO = c.TOUTIAO_ACCOUNTS[0]


@dataclass(frozen=True)
class FeedItem:
    ident: str
    title: str
    abstract: str
    at: str
    kind: str = "article"  # article | video | micro

    @property
    def epoch(self) -> int:
        return _epoch(self.at)


TOUTIAO_ITEMS: tuple[FeedItem, ...] = (
    FeedItem("7438500000000000101", "冬季道路结冰，云岚交警提醒：这些路段请减速慢行",
             "11月19日起，环城高速云岚山段、桐溪大桥等路段早晚易结冰。", "2026-11-19T08:30:00"),
    FeedItem("7437400000000000102", "视频｜雨雪天气如何安全驾驶？交警示范三个要点",
             "跟车距离、灯光使用、制动方式。", "2026-11-16T11:00:00", kind="video"),
    FeedItem("7436300000000000103", "", "今天上午江滨路与人民路交叉口信号灯维修，预计11时恢复，请绕行。",
             "2026-11-13T09:12:00", kind="micro"),
    FeedItem("7435200000000000104", "云岚市交警支队公布十月交通违法曝光名单",
             "10月全市查处酒驾醉驾等严重交通违法行为共计……", "2026-11-05T15:00:00"),
    FeedItem("7434100000000000105", "学校周边交通秩序专项整治启动",
             "即日起，全市中小学校周边设置护学岗。", "2026-10-28T07:50:00"),
    FeedItem("7433000000000000106", "国庆长假出行提示：这些高速路段易拥堵",
             "预计10月1日上午出城方向车流量最大。", "2026-09-29T17:30:00"),
    FeedItem("7431900000000000107", "视频｜一分钟看懂新交通标志", "新设置的可变车道标志怎么看？",
             "2026-09-20T10:20:00", kind="video"),
)


@dataclass(frozen=True)
class ColumnItem:
    ident: str
    title: str
    day: str
    text: str

    @property
    def path(self) -> str:
        return f"{COLUMN_PATH}{self.day[:4]}{self.day[5:7]}/t{self.day.replace('-', '')}_{self.ident}.html"


COLUMN_ITEMS: tuple[ColumnItem, ...] = (
    ColumnItem("4108", "云岚市召开冬季安全生产工作会议", "2026-11-19", "会议部署了冬季安全生产各项工作。"),
    ColumnItem("4107", "市政府常务会议研究城市更新项目", "2026-11-17", "会议研究了老旧小区改造等事项。"),
    ColumnItem("4106", "云岚市新增三条公交线路", "2026-11-14", "新线路将于12月1日开通。"),
    ColumnItem("4105", "全市政务服务“一网通办”事项达到1200项", "2026-11-10", "群众办事可在网上一次办成。"),
    ColumnItem("4104", "云岚市开展消防安全宣传月活动", "2026-11-06", "活动持续至11月底。"),
    ColumnItem("4103", "桐溪县获评省级文明县城", "2026-11-02", "这是桐溪县首次获此称号。"),
)


# -- Douyin -------------------------------------------------------------------------------------------
def _aweme(post: ShortPost) -> dict[str, object]:
    return {
        "aweme_id": post.ident, "desc": post.text, "create_time": post.epoch, "aweme_type": 0,
        "author": {"uid": "93051170001", "sec_uid": DOUYIN.sec_uid, "nickname": DOUYIN.name},
        "video": {"play_addr": {"uri": f"v0d00fg10000{post.ident}", "url_list": [f"/douyin/play/{post.ident}.mp4"]},
                  "cover": {"uri": f"tos-cn-p-0015/{post.ident}", "url_list": [f"/douyin/cover/{post.ident}.png"]},
                  "duration": 15000 + int(post.ident[-3:]) * 10, "width": 720, "height": 1280},
        "statistics": {"aweme_id": post.ident, "digg_count": 100 + int(post.ident[-2:]), "comment_count": 7},
        "status": {"is_delete": False, "allow_share": True, "private_status": 1 if post.state == "private" else 0,
                   "is_prohibited": False, "in_reviewing": False},
    }


def douyin_user() -> dict[str, object]:
    return {"uid": "93051170001", "sec_uid": DOUYIN.sec_uid, "nickname": DOUYIN.name,
            "signature": "云岚市文化广电和旅游局官方抖音号。带你看云岚的山水与烟火。", "follower_count": 52340,
            "aweme_count": len(DOUYIN_POSTS), "secret": 0, "user_canceled": False,
            "avatar_larger": {"url_list": ["/douyin/cover/avatar.png"]}}


def douyin_posts(cursor: int) -> dict[str, object]:
    newer = [p for p in DOUYIN_POSTS if cursor == 0 or p.epoch * 1000 < cursor]
    page = newer[:DOUYIN_PAGE]
    more = len(newer) > DOUYIN_PAGE
    return {"status_code": 0, "min_cursor": 0, "max_cursor": page[-1].epoch * 1000 if page else 0,
            "has_more": 1 if more else 0, "aweme_list": [_aweme(p) for p in page]}


DOUYIN_SCRIPT = """
(function () {
  var root = document.getElementById('root'), secUid = %(sec_uid)s, cursor = 0, more = true, busy = false;
  var list = document.createElement('ul'); list.className = 'user-post-list'; root.appendChild(list);
  fetch('/douyin/aweme/v1/web/user/profile/other/?sec_user_id=' + secUid + '&device_platform=webapp&aid=6383')
    .then(function (r) { return r.json(); }).then(function (data) {
      var h = document.createElement('h1'); h.textContent = data.user.nickname; root.insertBefore(h, list);
      var p = document.createElement('p'); p.textContent = data.user.signature; root.insertBefore(p, list);
    });
  function load() {
    if (!more || busy) return; busy = true;
    fetch('/douyin/aweme/v1/web/aweme/post/?sec_user_id=' + secUid + '&max_cursor=' + cursor + '&count=%(count)d&aid=6383')
      .then(function (r) { return r.json(); }).then(function (data) {
        data.aweme_list.forEach(function (a) {
          var li = document.createElement('li'), link = document.createElement('a'), img = new Image();
          link.href = '/video/' + a.aweme_id; img.src = a.video.cover.url_list[0]; img.width = 180; img.height = 240;
          link.appendChild(img); link.appendChild(document.createTextNode(a.desc)); li.appendChild(link); list.appendChild(li);
        });
        cursor = data.max_cursor; more = data.has_more === 1; busy = false;
      });
  }
  window.addEventListener('scroll', function () {
    if (window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 50) load();
  });
  load();
})();
"""


def douyin_page() -> str:
    data = {"app": {"odin": {"user_id": "", "user_type": 12}}, "user": {"statusCode": 0, "user": {
        "uid": "93051170001", "secUid": DOUYIN.sec_uid, "nickname": DOUYIN.name,
        "desc": "云岚市文化广电和旅游局官方抖音号。带你看云岚的山水与烟火。", "followerCount": 52340,
        "awemeCount": len(DOUYIN_POSTS)}}}
    encoded = json.dumps(data, ensure_ascii=False)
    from urllib.parse import quote

    script = DOUYIN_SCRIPT % {"sec_uid": json.dumps(DOUYIN.sec_uid), "count": DOUYIN_PAGE}
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{t.esc(DOUYIN.name)}的抖音 - 抖音</title>
<meta name="description" content="{t.esc(DOUYIN.name)}的抖音主页。">
<style>.user-post-list li {{ display: block; height: 300px; }}</style>
</head>
<body>
<div id="root"></div>
<script id="RENDER_DATA" type="application/json">{quote(encoded)}</script>
<script>{script}</script>
</body>
</html>
"""


# -- Toutiao ------------------------------------------------------------------------------------------
def _feed_item(item: FeedItem) -> dict[str, object]:
    base: dict[str, object] = {
        "id": item.ident, "group_id": item.ident, "item_id": item.ident, "publish_time": item.epoch,
        "behot_time": item.epoch, "user_info": {"name": TOUTIAO.name, "user_id": "61000000001"},
        "comment_count": 3, "read_count": 1200,
    }
    if item.kind == "micro":
        base.update({"cell_type": 32, "content": item.abstract, "rich_content": item.abstract,
                     "display_url": f"/w/{item.ident}/"})
    elif item.kind == "video":
        base.update({"cell_type": 0, "title": item.title, "abstract": item.abstract, "has_video": True,
                     "display_url": f"/video/{item.ident}/",
                     "video_detail_info": {"video_id": f"v02004g10000{item.ident}",
                                           "detail_video_large_image": {"url": f"/toutiao/img/{item.ident}.png"}}})
    else:
        base.update({"cell_type": 0, "title": item.title, "abstract": item.abstract, "has_video": False,
                     "display_url": f"/article/{item.ident}/",
                     "image_list": [{"url": f"/toutiao/img/{item.ident}.png", "width": 300, "height": 200}]})
    return base


def toutiao_feed(max_behot_time: int) -> dict[str, object]:
    older = [i for i in TOUTIAO_ITEMS if max_behot_time == 0 or i.epoch < max_behot_time]
    page = older[:TOUTIAO_PAGE]
    return {"message": "success", "has_more": len(older) > TOUTIAO_PAGE,
            "next": {"max_behot_time": page[-1].epoch if page else 0}, "data": [_feed_item(i) for i in page]}


TOUTIAO_SCRIPT = """
(function () {
  var root = document.getElementById('root'), token = %(token)s, next = 0;
  var list = document.createElement('div'); list.className = 'profile-feed'; root.appendChild(list);
  var more = document.createElement('button'); more.textContent = '加载更多'; root.appendChild(more);
  function load() {
    fetch('/toutiao/api/pc/list/feed?category=profile_all&token=' + token + '&max_behot_time=' + next +
          '&aid=24&app_name=toutiao_web')
      .then(function (r) { return r.json(); }).then(function (data) {
        data.data.forEach(function (item) {
          var card = document.createElement('div'), a = document.createElement('a');
          card.className = 'feed-card'; a.href = item.display_url; a.textContent = item.title || item.content;
          card.appendChild(a);
          var pic = (item.image_list && item.image_list[0]) || (item.video_detail_info && item.video_detail_info.detail_video_large_image);
          if (pic) { var img = new Image(); img.src = pic.url; card.appendChild(img); }
          list.appendChild(card);
        });
        next = data.next.max_behot_time;
        if (!data.has_more) more.remove();
      });
  }
  more.addEventListener('click', load);
  load();
})();
"""


def toutiao_page() -> str:
    script = TOUTIAO_SCRIPT % {"token": json.dumps(TOUTIAO.token)}
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{t.esc(TOUTIAO.name)}的个人主页 - 今日头条(www.toutiao.com)</title>
<meta name="keywords" content="{t.esc(TOUTIAO.name)},今日头条">
<meta name="description" content="{t.esc(TOUTIAO.name)}的个人主页">
</head>
<body>
<div id="root"></div>
{chr(10).join(f'<script src="{path}" crossorigin="anonymous"></script>' for path in c.TOUTIAO_BUNDLES)}
<script>{script}</script>
</body>
</html>
"""


# -- a column built by script -------------------------------------------------------------------------
COLUMN_SCRIPT = """
(function () {
  var list = document.getElementById('list'), more = document.getElementById('more'), page = 1;
  function load() {
    fetch('%(path)slist.json?page=' + page).then(function (r) { return r.json(); }).then(function (data) {
      data.items.forEach(function (item) {
        var li = document.createElement('li'), a = document.createElement('a'), span = document.createElement('span');
        a.href = item.url; a.textContent = item.title; span.textContent = item.date;
        li.appendChild(a); li.appendChild(span); list.appendChild(li);
      });
      page += 1;
      if (page > data.pages) more.remove();
    });
  }
  more.addEventListener('click', load);
  load();
})();
"""


def column_page() -> str:
    script = COLUMN_SCRIPT % {"path": COLUMN_PATH}
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>最新动态_云岚市人民政府</title>
<meta name="SiteName" content="云岚市人民政府">
<meta name="SiteDomain" content="www.yunlan.gov.cn">
<meta name="SiteIDCode" content="9901000001">
<meta name="ColumnName" content="最新动态">
<meta name="ColumnDescription" content="云岚市人民政府最新动态">
<meta name="ColumnKeywords" content="最新动态">
<meta name="ColumnType" content="列表">
</head>
<body>
<div class="crumb">首页 &gt; 政务公开 &gt; 最新动态</div>
<ul id="list" class="list"></ul>
<button id="more" type="button">加载更多</button>
<script>{script}</script>
</body>
</html>
"""


def column_json(page: int) -> dict[str, object]:
    pages = (len(COLUMN_ITEMS) + COLUMN_PAGE - 1) // COLUMN_PAGE
    chunk = COLUMN_ITEMS[(page - 1) * COLUMN_PAGE: page * COLUMN_PAGE] if page >= 1 else ()
    return {"page": page, "pages": pages, "total": len(COLUMN_ITEMS),
            "items": [{"title": i.title, "date": i.day, "url": "." + i.path[len(COLUMN_PATH) - 1:]} for i in chunk]}


def column_article(item: ColumnItem) -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{t.esc(item.title)}_最新动态_云岚市人民政府</title>
<meta name="SiteName" content="云岚市人民政府">
<meta name="ColumnName" content="最新动态">
<meta name="ArticleTitle" content="{t.esc(item.title)}">
<meta name="PubDate" content="{item.day} 09:00">
<meta name="ContentSource" content="云岚市人民政府办公室">
</head>
<body>
<h1 class="article-title">{t.esc(item.title)}</h1>
<div class="info">发布日期：{item.day} 来源：云岚市人民政府办公室</div>
<div class="article-content"><p>{t.esc(item.text)}</p><p>（云岚市人民政府办公室供稿）</p></div>
</body>
</html>
"""


# -- routing ------------------------------------------------------------------------------------------
def _json(data: object) -> Response:
    return 200, [("Content-Type", JSON)], t.to_json(data)


def _html(text: str) -> Response:
    return 200, [("Content-Type", HTML)], text.encode("utf-8")


def _int(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0


def render(path: str, q: dict[str, str]) -> Response | None:
    """The response of one of these pages, or None when the path is not theirs."""
    if path.rstrip("/") == DOUYIN.path.rstrip("/"):
        return _html(douyin_page())
    if path.rstrip("/") + "/" == TOUTIAO.path:
        return _html(toutiao_page())
    if path == "/douyin/aweme/v1/web/aweme/post/":
        return _json(douyin_posts(_int(q.get("max_cursor"))) if q.get("sec_user_id") == DOUYIN.sec_uid
                     else {"status_code": 0, "aweme_list": [], "has_more": 0, "max_cursor": 0})
    if path == "/douyin/aweme/v1/web/user/profile/other/":
        if q.get("sec_user_id") != DOUYIN.sec_uid:
            return _json({"status_code": 2053, "status_msg": "用户不存在"})
        return _json({"status_code": 0, "user": douyin_user()})
    if path.startswith(("/douyin/cover/", "/toutiao/img/")) and path.endswith(".png"):
        return 200, [("Content-Type", "image/png")], t.png(path, 90, 120)
    if path.startswith("/douyin/play/") and path.endswith(".mp4"):
        return 200, [("Content-Type", "video/mp4")], _video_bytes(path)
    if path == "/toutiao/api/pc/list/feed":
        if q.get("token") != TOUTIAO.token:
            return _json({"message": "error", "data": []})
        return _json(toutiao_feed(_int(q.get("max_behot_time"))))
    if path == COLUMN_PATH:
        return _html(column_page())
    if path == COLUMN_PATH + "list.json":
        return _json(column_json(_int(q.get("page")) or 1))
    item = next((i for i in COLUMN_ITEMS if i.path == path), None)
    if item is not None:
        return _html(column_article(item))
    return None


def _video_bytes(path: str) -> bytes:
    """A few kilobytes standing for a video file (an ISO-BMFF ``ftyp`` box, then filler): served, archived,
    never played."""
    head = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
    return head + (path.encode("ascii") * 200)[:4000]


PAGES: dict[str, Callable[[], str]] = {"douyin": douyin_page, "toutiao": toutiao_page, "column": column_page}
EXPECTED = {
    "douyin": {"sec_uid": DOUYIN.sec_uid, "name": DOUYIN.name, "path": DOUYIN.path,
               "posts": [{"id": f"douyin:{p.ident}", "title": p.text, "published_at": datetime.fromisoformat(
                   p.at + "+08:00").isoformat(), "state": p.state} for p in DOUYIN_POSTS]},
    "toutiao": {"token": TOUTIAO.token, "name": TOUTIAO.name, "path": TOUTIAO.path,
                "posts": [{"id": f"toutiao:{i.ident}", "kind": i.kind, "published_at": datetime.fromisoformat(
                    i.at + "+08:00").isoformat()} for i in TOUTIAO_ITEMS]},
    "column": {"path": COLUMN_PATH, "name": "最新动态",
               "items": [{"title": i.title, "path": i.path, "day": i.day} for i in COLUMN_ITEMS]},
}
