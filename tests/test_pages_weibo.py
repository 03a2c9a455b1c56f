"""Weibo page objects against fixtures of our own in the real answer shapes (issue 16): the exact time
of a listed post from its id, and weibo.com's ajax endpoints with their login walls."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from govarchive.core.ids import weibo_bid_to_mid
from govarchive.pages import PageInput, extract, page_class_for
from govarchive.pages.weibo import MID_EPOCH, mid_time, post_time

FIXTURES = Path(__file__).parent / "fixtures" / "weibo"
FETCHED = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
JSON = "application/json; charset=utf-8"


def run(url: str, fixture: str | bytes, ctype: str = JSON, status: int = 200, headers=()):
    body = fixture if isinstance(fixture, bytes) else (FIXTURES / fixture).read_bytes()
    return extract(PageInput(url, status, (("Content-Type", ctype), *headers), body, "urn:uuid:f", FETCHED))


def mid_for(moment: datetime, low: int = 0x2A91F3) -> str:
    """A mid as Weibo makes them: the send time in the bits above the 22 low ones."""
    return str(((int(moment.timestamp()) - MID_EPOCH) << 22) | low)


# --- the time in the id -------------------------------------------------------------------------


def test_mid_time_reads_the_seconds_in_the_id():
    moment = datetime.fromisoformat("2026-11-19T18:20:05+08:00")
    assert mid_time(mid_for(moment)) == moment
    assert mid_time(mid_for(moment, low=0)) == mid_time(mid_for(moment, low=(1 << 22) - 1)) == moment
    # ids that are not snowflakes give nothing: short pre-2012 ids, bids, empty values
    assert mid_time("11488058246") is None and mid_time("Rs8uNjXuR") is None and mid_time(None) is None


@pytest.mark.parametrize("created_at, mid_moment, expected", [
    ("刚刚", "2026-11-20T09:58:41", "2026-11-20T09:58:41+08:00"),
    ("15分钟前", "2026-11-20T09:44:30", "2026-11-20T09:44:30+08:00"),
    ("15小时前", "2026-11-19T18:20:05", "2026-11-19T18:20:05+08:00"),
    ("昨天 12:00", "2026-11-19T12:00:37", "2026-11-19T12:00:37+08:00"),
    ("今天 08:05", "2026-11-20T08:05:59", "2026-11-20T08:05:59+08:00"),
    ("06-27", "2026-06-27T21:14:09", "2026-06-27T21:14:09+08:00"),
    ("2025-12-30", "2025-12-30T08:03:11", "2025-12-30T08:03:11+08:00"),
    # the id disagrees with what the list shows: the shown date, resolved against the capture time
    ("昨天 08:15", "2026-11-10T07:00:00", "2026-11-19T08:15:00+08:00"),
    ("06-27", "2026-06-29T00:00:10", "2026-06-27T00:00:00+08:00"),
    # an absolute created_at is kept as given, whatever the id says
    ("Wed Nov 18 16:40:00 +0800 2026", "2026-11-18T16:40:12", "2026-11-18T16:40:00+08:00"),
    # a list read long after it was served (an imported WARC): the id's year and day, when they fit
    ("06-14", "2019-06-14T20:38:03", "2019-06-14T20:38:03+08:00"),
    ("昨天 21:05", "2019-06-13T21:05:44", "2019-06-13T21:05:44+08:00"),
    ("3小时前", "2019-06-14T17:02:10", "2019-06-14T17:02:10+08:00"),
    # an id from the future of the capture is no snowflake of this post
    ("刚刚", "2026-12-25T10:00:00", "2026-11-20T10:00:00+08:00"),
])
def test_post_time_takes_the_exact_time_from_the_id_when_the_list_shows_a_relative_date(
        created_at, mid_moment, expected):
    mid = mid_for(datetime.fromisoformat(mid_moment + "+08:00"))
    assert post_time(created_at, mid, FETCHED) == expected


def test_relative_dates_with_an_old_style_id_stay_relative():
    assert post_time("15小时前", "3456789012", FETCHED) == "2026-11-19T19:00:00+08:00"


def test_listed_posts_get_exact_times_and_the_group_card_is_skipped():
    result = run("https://m.weibo.cn/api/container/getIndex?type=uid&value=5893027714&containerid=1076035893027714&page=2",
                 "list-relative-dates.json")
    times = {p.id: p.published_at for p in result.posts}
    assert len(times) == 8 and all(p.account_id == "weibo:5893027714" for p in result.posts)
    assert times == {
        "weibo:5367268203205107": "2026-11-20T09:58:41+08:00",  # 刚刚
        "weibo:5367264632863749": "2026-11-20T09:44:30+08:00",  # 15分钟前
        "weibo:5367031997195481": "2026-11-19T18:20:05+08:00",  # 15小时前
        "weibo:5366936499071846": "2026-11-19T12:00:37+08:00",  # 昨天 12:00
        "weibo:5314529561256392": "2026-06-27T21:14:09+08:00",  # 06-27
        "weibo:5249463081541143": "2025-12-30T08:03:11+08:00",  # 2025-12-30
        "weibo:5363599355794594": "2026-11-19T08:15:00+08:00",  # 昨天 08:15, but the id says Nov 10
        "weibo:5366644470182841": "2026-11-18T16:40:00+08:00",  # absolute
    }
    assert any("page=3" in link.url for link in result.links)


def test_bid_to_mid():
    from govarchive.demo.content import mid_to_bid

    for mid in ("5367058454756941", "5271945424280364", "4000000000000001", "5300000000000000"):
        assert weibo_bid_to_mid(mid_to_bid(mid)) == mid
    assert weibo_bid_to_mid("5367058454756941") == "5367058454756941"
    assert weibo_bid_to_mid("not-a-bid!") is None and weibo_bid_to_mid("") is None


# --- weibo.com ajax -------------------------------------------------------------------------------

AJAX = "https://weibo.com/ajax/"


def test_ajax_routes():
    def cls(url):
        return page_class_for(PageInput(url, 200, (("Content-Type", JSON),), b"{}", "", FETCHED)).__name__
    assert cls(AJAX + "profile/info?uid=7312046598") == "WeiboAjaxPage"
    assert cls(AJAX + "statuses/mymblog?uid=7312046598&page=1&feature=0") == "WeiboAjaxPage"
    assert cls(AJAX + "statuses/longtext?id=Rs8uNjXuR") == "WeiboAjaxPage"
    assert cls("https://www.yunlan.gov.cn/ajax/statuses/mymblog?uid=1") != "WeiboAjaxPage"


def test_ajax_profile_info_records_the_account_and_queues_its_posts():
    result = run(AJAX + "profile/info?uid=7312046598", "ajax-profile-info.json")
    assert result.page_state == "ok"
    account = result.accounts[0]
    assert account.id == "weibo:7312046598" and account.name == "云岚发布" and account.followers == 126012
    assert account.description == "权威发布云岚市政务信息，倾听民意，服务民生。"
    assert account.url == "https://weibo.com/u/7312046598"
    listing = [link for link in result.links if link.kind == "listing"]
    assert [link.url for link in listing] == [AJAX + "statuses/mymblog?uid=7312046598&page=1&feature=0"]
    assert ("Referer", "https://weibo.com/u/7312046598") in listing[0].headers


def test_ajax_profile_followers_as_a_string():
    data = json.loads((FIXTURES / "ajax-profile-info.json").read_text(encoding="utf-8"))
    del data["data"]["user"]["followers_count"]
    result = run(AJAX + "profile/info?screen_name=%E4%BA%91%E5%B2%9A", json.dumps(data).encode())
    assert result.accounts[0].followers == 126000 and result.accounts[0].id == "weibo:7312046598"


def test_ajax_mymblog_lists_posts_pictures_long_text_and_the_next_page():
    result = run(AJAX + "statuses/mymblog?uid=7312046598&page=1&feature=0", "ajax-mymblog.json")
    assert result.page_state == "ok"
    posts = {p.id: p for p in result.posts}
    assert list(posts) == ["weibo:5271945424280364", "weibo:5367058454756941", "weibo:5366644429433660"]
    pinned, long_post, repost = posts.values()
    assert pinned.published_at == "2026-03-02T09:00:00+08:00"  # the pinned post, older than the rest
    assert long_post.url == "https://weibo.com/7312046598/Rs8uNjXuR" and long_post.author == "云岚发布"
    assert long_post.published_at == "2026-11-19T20:05:13+08:00"
    assert long_post.text.startswith("【寒潮蓝色预警】") and "展开" not in long_post.text
    assert repost.text == "转发提醒：供暖季即将开始。\n//转发：冬季用气安全提示：请定期检查燃气软管。"
    assert all(p.account_id == "weibo:7312046598" for p in result.posts)
    by_kind = {}
    for link in result.links:
        by_kind.setdefault(link.kind, []).append(link.url)
    assert by_kind["asset"] == ["https://wx1.sinaimg.cn/large/6b9a1c2dgy1iylhanchao01.jpg"]
    assert by_kind["api"] == [AJAX + "statuses/longtext?id=Rs8uNjXuR"]
    assert by_kind["listing"] == [AJAX + "statuses/mymblog?uid=7312046598&page=2&feature=0"]


def test_ajax_mymblog_past_the_last_page_is_empty_and_stops():
    result = run(AJAX + "statuses/mymblog?uid=7312046598&page=19&feature=0",
                 b'{"ok":1,"data":{"since_id":"","list":[],"status_visible":0,"total":173}}')
    assert result.page_state == "empty" and not result.links


def test_ajax_longtext_by_mblogid_completes_the_post():
    result = run(AJAX + "statuses/longtext?id=Rs8uNjXuR", "ajax-longtext.json")
    assert result.page_state == "ok"
    post = result.posts[0]
    assert post.id == "weibo:5367058454756941" and post.text.endswith("中小学暂停户外活动。")
    empty = run(AJAX + "statuses/longtext?id=Rs8uNjXuR", b'{"ok":1,"http_code":200,"data":{}}')
    assert empty.page_state == "empty" and not empty.posts


@pytest.mark.parametrize("endpoint", ["profile/info?uid=7312046598", "statuses/mymblog?uid=7312046598&page=1&feature=0",
                                      "statuses/longtext?id=Rs8uNjXuR"])
@pytest.mark.parametrize("body, ctype", [
    (b'{"ok":-100,"url":"https://weibo.com/login.php?url=https%3A%2F%2Fweibo.com%2F"}', JSON),
    (b'{"ok":-100,"msg":"\xe8\xaf\xb7\xe5\x85\x88\xe7\x99\xbb\xe5\xbd\x95","url":"https://passport.weibo.cn/signin/welcome"}', JSON),
    ((FIXTURES / "visitor-system.html").read_bytes(), "text/html; charset=gb2312"),
    (b"<html><head><title>\xe5\xbe\xae\xe5\x8d\x9a-\xe9\x9a\x8f\xe6\x97\xb6\xe9\x9a\x8f\xe5\x9c\xb0\xe5\x8f\x91\xe7\x8e\xb0\xe6\x96\xb0\xe9\xb2\x9c\xe4\xba\x8b</title></head><body>login</body></html>", "text/html"),
])
def test_ajax_login_and_visitor_walls_are_blocked(endpoint, body, ctype):
    result = run(AJAX + endpoint, body, ctype)
    assert result.page_state == "blocked" and not result.posts


def test_ajax_redirect_to_the_visitor_system_is_blocked():
    location = "https://passport.weibo.com/visitor/visitor?entry=miniblog&a=enter&url=https%3A%2F%2Fweibo.com%2Fajax"
    result = run(AJAX + "statuses/mymblog?uid=7312046598&page=1&feature=0", b"", "text/html", status=302,
                 headers=(("Location", location),))
    assert result.page_state == "blocked"


def test_m_weibo_login_wall_answer_is_blocked_not_an_error():
    result = run("https://m.weibo.cn/api/container/getIndex?type=uid&value=5893027714",
                 b'{"ok":-100,"url":"https://passport.weibo.cn/signin/welcome?entry=mweibo"}')
    assert result.page_state == "blocked" and result.notes[0].startswith("login required")


@pytest.mark.parametrize("msg, state", [("用户不存在", "not_found"), ("这里还没有内容", "empty"),
                                        ("请求过于频繁，歇歇吧", "blocked")])
def test_ajax_error_answers_name_the_account(msg, state):
    body = json.dumps({"ok": 0, "msg": msg}, ensure_ascii=False).encode()
    result = run(AJAX + "profile/info?uid=7312046598", body)
    assert result.page_state == state and [a.id for a in result.accounts] == ["weibo:7312046598"]


def test_broken_ajax_json_is_a_bad_answer():
    assert run(AJAX + "statuses/mymblog?uid=7312046598&page=1", b'{"ok":1,"data":{"list":[{"mid":').page_state == "unparsed"


# --- one post -------------------------------------------------------------------------------------


def test_detail_page_reads_the_post_and_its_full_text_from_render_data():
    result = run("https://m.weibo.cn/detail/5367058454756941", "detail-page.html", "text/html; charset=utf-8")
    assert result.page_state == "ok"
    post = result.posts[0]
    assert post.id == "weibo:5367058454756941" and post.account_id == "weibo:7312046598"
    assert post.published_at == "2026-11-19T20:05:13+08:00"
    assert post.text == ("【寒潮蓝色预警】受强冷空气影响，11月20日至22日我市气温将下降8～10℃，请注意防寒保暖。\n"
                         "全文请看政府网站通知：桐溪、青山两区中小学暂停户外活动。")  # longText, not the cut text
    assert not [link for link in result.links if "extend" in link.url]  # the full text is already here
    account = result.accounts[0]
    assert account.id == "weibo:7312046598" and account.name == "云岚发布" and account.followers == 126000
    assert not account.authoritative  # a post's copy of its author fills only what the profile left empty


def test_statuses_show_reads_the_post_and_the_repost():
    result = run("https://m.weibo.cn/statuses/show?id=Rs8uNjXuR", "statuses-show.json")
    post = result.posts[0]
    assert post.id == "weibo:5367058454756941"
    assert post.text == "转发提醒：供暖季即将开始。//@云岚市场监管:冬季用气安全提示。\n//转发：冬季用气安全提示：请定期检查燃气软管。"


@pytest.mark.parametrize("url, body, ctype, state", [
    ("https://m.weibo.cn/statuses/show?id=Rs8uNjXuR", '{"ok":0,"msg":"该微博已被删除"}', JSON, "deleted"),
    ("https://m.weibo.cn/statuses/show?id=Rs8uNjXuR", '{"ok":0,"errno":"20101","msg":"微博不存在或暂无查看权限"}', JSON,
     "not_found"),
    ("https://m.weibo.cn/detail/5367058454756941", "<html><body><div class=\"h5-4box\"><p class=\"h5-4con\">"
     "该微博已被删除</p></div></body></html>", "text/html", "deleted"),
    ("https://m.weibo.cn/detail/5367058454756941", "<html><head><title>Sina Visitor System</title></head></html>",
     "text/html", "blocked"),
])
def test_a_post_that_is_gone_or_walled(url, body, ctype, state):
    result = run(url, body.encode(), ctype)
    assert result.page_state == state
    if state == "deleted":
        assert [(p.id, p.state) for p in result.posts] == [("weibo:5367058454756941", "deleted")]
    else:
        assert not result.posts


def test_ajax_statuses_show_is_the_post_at_the_top_level():
    item = json.loads((FIXTURES / "ajax-mymblog.json").read_text(encoding="utf-8"))["data"]["list"][1]
    result = run(AJAX + "statuses/show?id=Rs8uNjXuR", json.dumps({**item, "ok": 1}, ensure_ascii=False).encode())
    assert [p.id for p in result.posts] == ["weibo:5367058454756941"]
    assert result.accounts[0].name == "云岚发布" and not result.accounts[0].authoritative
    assert AJAX + "statuses/longtext?id=Rs8uNjXuR" in {link.url for link in result.links}


def test_a_post_list_names_its_owner_as_its_posts_show_it():
    result = run("https://m.weibo.cn/api/container/getIndex?type=uid&value=5893027714&containerid=1076035893027714",
                 "list-relative-dates.json")
    assert [(a.id, a.name, a.authoritative) for a in result.accounts] == [("weibo:5893027714", "云岚气象", False)]
    result = run(AJAX + "statuses/mymblog?uid=7312046598&page=1&feature=0", "ajax-mymblog.json")
    assert [(a.id, a.name) for a in result.accounts] == [("weibo:7312046598", "云岚发布")]  # not the reposted account
