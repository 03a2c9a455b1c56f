"""Page objects against fixtures of our own, one per variant issue 3 names (no network, no samples)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from govarchive.pages import PageInput, extract, page_class_for
from govarchive.pages.gov import info_fields

FIXTURES = Path(__file__).parent / "fixtures"
FETCHED = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
HTML, JSON = "text/html; charset=utf-8", "application/json"


def run(url: str, fixture: str | bytes, ctype: str = HTML):
    body = fixture if isinstance(fixture, bytes) else (FIXTURES / fixture).read_bytes()
    return extract(PageInput(url, 200, (("Content-Type", ctype),), body, "urn:uuid:fixture", FETCHED))


# --- WeChat articles -----------------------------------------------------------------------------


def test_2024_image_share_post_without_js_content():
    result = run("https://mp.weixin.qq.com/s/yLSnowShare2025", "wechat/article-2024-imgshare.html")
    assert result.page_state == "ok"
    account, post = result.accounts[0], result.posts[0]
    assert account.id == "wechat:3291847560" and account.name == "云岚发布" and account.original_id == "gh_4c2b9e0d1a7f"
    assert post.id == "wechat:3291847560:2650012050:1" and post.kind == "image_share"
    assert post.title == "冬日云岚｜一组图看初雪" and post.published_at == "2025-11-18T17:00:00+08:00"
    assert post.text.startswith("11月18日，云岚迎来今冬初雪。\n城区")
    assert post.summary == "11月18日，云岚迎来今冬初雪。\n一起来看。"
    assert post.cover_url == "https://mmbiz.qpic.cn/mmbiz_jpg/yLcover2024/0?wx_fmt=jpeg"
    # the pictures' own cdn_url, never the nested watermark's; \x26amp; unescaped
    assert [m.url for m in post.media] == ["https://mmbiz.qpic.cn/mmbiz_png/yLsnow1/0?wx_fmt=png&from=appmsg",
                                           "https://mmbiz.qpic.cn/mmbiz_png/yLsnow2/0?wx_fmt=png&from=appmsg"]
    assert post.attributes == {"item_show_type": "8", "copyright_stat": "0", "ip_province": "云岚", "alias": "yunlanfabu"}
    assets = {link.url for link in result.links if link.kind == "asset"}
    assert {m.url for m in post.media} | {post.cover_url} == assets


def test_audio_video_repost_album_and_read_more():
    result = run("https://mp.weixin.qq.com/s?__biz=MzU1NDAxODI3Mw==&mid=2653379020&idx=2&sn=x",
                 "wechat/article-media-repost.html")
    post = result.posts[0]
    assert post.kind == "repost"
    assert post.source_url == "http://mp.weixin.qq.com/s?__biz=MzI5MTg0NzU2MA==&mid=2650012041&idx=1&sn=def&chksm=1#rd"
    kinds = [(m.kind, m.archived) for m in post.media]
    assert kinds == [("image", True), ("audio", True), ("video", False)]
    audio = post.media[1]
    assert audio.url == "https://res.wx.qq.com/voice/getvoice?mediaid=MzU1NDAxODI3M18yNjUzMzc5MDIw"
    assert audio.title == "早安云岚11月19日"
    assert post.media[2].url.startswith("https://v.qq.com/iframe/preview.html?vid=k0917abcd12&")
    by_kind = {}
    for link in result.links:
        by_kind.setdefault(link.kind, []).append(link)
    # the video player is a reference, never fetched; the voice file is
    assert not any("v.qq.com" in link.url for link in result.links)
    assert audio.url in {link.url for link in by_kind["asset"]}
    assert {link.post_id for link in by_kind["post"]} == {"wechat:3291847560:2650012036:1", "wechat:3291847560:2650012041:1"}
    assert [link.url for link in by_kind["listing"]] == [
        "https://mp.weixin.qq.com/mp/appmsgalbum?__biz=MzU1NDAxODI3Mw==&action=getalbum&album_id=1375870284640911399"]


def test_voice_of_a_copy_on_another_host_comes_from_that_host():
    result = run("http://127.0.0.1:8765/s?__biz=MzU1NDAxODI3Mw==&mid=2653379020&idx=2&sn=x",
                 "wechat/article-media-repost.html")
    assert result.posts[0].media[1].url == "http://127.0.0.1:8765/voice/getvoice?mediaid=MzU1NDAxODI3M18yNjUzMzc5MDIw"


def test_migrated_article_records_the_move():
    result = run("https://mp.weixin.qq.com/s?__biz=MzE5OTAwMTIzNA==&mid=2247483650&idx=1&sn=old", "wechat/migrated.html")
    assert result.page_state == "migrated"
    post, account = result.posts[0], result.accounts[0]
    assert post.state == "migrated" and post.moved_to == "wechat:3291847560:2650012055:1"
    assert post.moved_to_url == "https://mp.weixin.qq.com/s?__biz=MzI5MTg0NzU2MA%3D%3D&mid=2650012055&idx=1&sn=9f8e7d6c5b4a"
    assert account.id == "wechat:3199001234" and account.moved_to == "wechat:3291847560"
    assert [(link.kind, link.post_id) for link in result.links] == [("post", "wechat:3291847560:2650012055:1")]


def test_migrated_without_target_is_still_migrated_but_names_no_successor():
    body = (FIXTURES / "wechat/migrated.html").read_bytes().replace(b"var transferTargetLink", b"var unused")
    result = run("https://mp.weixin.qq.com/s?__biz=MzE5OTAwMTIzNA==&mid=2247483651&idx=1&sn=old", body)
    assert result.page_state == "migrated" and result.posts[0].moved_to is None and not result.links
    assert result.accounts[0].moved_to is None


# --- Sogou search ----------------------------------------------------------------------------------


def test_sogou_search_follows_the_exact_match_only():
    url = "https://weixin.sogou.com/weixin?type=1&query=%E4%BA%91%E5%B2%9A%E4%BA%A4%E9%80%9A&ie=utf8"
    result = run(url, "sogou/search.html")
    assert result.page_state == "ok" and not result.accounts  # no biz on Sogou: nothing recorded yet
    assert [(link.kind, link.url.split("&signature")[0]) for link in result.links] == [
        ("account", "http://mp.weixin.qq.com/profile?src=3&timestamp=1763600000&ver=1"),
        ("post", "http://mp.weixin.qq.com/s?src=3&timestamp=1763600000&ver=1")]
    assert any("云岚交通广播" in note for note in result.notes)


def test_sogou_antispider_is_blocked():
    body = "<html><body><p>用户您好，您的访问过于频繁，为确认本次访问为正常用户行为，需要您协助验证。</p></body></html>"
    assert run("https://weixin.sogou.com/weixin?type=1&query=x", body.encode()).page_state == "blocked"


# --- MP back-office -----------------------------------------------------------------------------------

MP = "https://mp.weixin.qq.com/cgi-bin/"


def test_backoffice_search_records_accounts_and_queues_the_exact_match():
    result = run(MP + "searchbiz?action=search_biz&query=云岚交通&begin=0&count=5&token=SECRET&f=json&ajax=1",
                 "mp/searchbiz.json", JSON)
    assert [(a.id, a.alias) for a in result.accounts] == [("wechat:3155772049", "ylsjtys"), ("wechat:3155772050", "yljtgb")]
    assert len(result.links) == 1 and result.links[0].kind == "api"
    assert "fakeid=MzE1NTc3MjA0OQ%3D%3D" in result.links[0].url and "token" not in result.links[0].url


def test_backoffice_list_double_json_paging_and_deleted_items():
    url = MP + "appmsgpublish?sub=list&sub_action=list_ex&begin=0&count=5&fakeid=MzE1NTc3MjA0OQ==&type=101_1&token=SECRET&f=json"
    result = run(url, "mp/appmsgpublish-0.json", JSON)
    assert result.page_state == "ok" and len(result.posts) == 5
    first = result.posts[0]
    assert first.id == "wechat:3155772049:2247490105:1" and first.title == "冬季公交时刻调整"
    assert first.published_at == "2025-11-19T11:00:00+08:00" and first.summary == "摘要冬季公交时刻调整"
    assert [p.attributes.get("is_deleted") for p in result.posts] == [None, None, "1", None, None]
    assert all(p.state == "listed" for p in result.posts)  # the article page decides what became of it
    pages = [link.url for link in result.links if link.kind == "api"]
    assert len(pages) == 1 and "begin=5" in pages[0] and "token" not in pages[0]
    assert result.accounts[0].last_post_at == first.published_at


@pytest.mark.parametrize("ret, state", [(200003, "unauthorized"), (200013, "blocked"), (200002, "bad_params")])
def test_backoffice_errors(ret, state):
    body = f'{{"base_resp":{{"ret":{ret},"err_msg":"x"}}}}'.encode()
    result = run(MP + "appmsgpublish?sub=list&fakeid=MzE1NTc3MjA0OQ==&begin=0&count=5", body, JSON)
    assert result.page_state == state and not result.posts
    if state == "unauthorized":
        assert "GOVARCHIVE_MP_TOKEN" in result.notes[0]


# --- government sites ------------------------------------------------------------------------------


def test_qr_code_grid_names_from_captions_and_alt_text():
    result = run("http://www.yunlan.gov.cn/xxgk/xmt/matrix.html", "gov/matrix.html")
    found = [(a.name, a.platform, a.id) for a in result.accounts]
    assert found == [
        ("云岚交通", "wechat", "wechat:name:云岚交通"),
        ("云岚税务", "wechat", "wechat:name:云岚税务"),
        ("云岚发布", "wechat", "wechat:3291847560"),
        ("云岚发布", "weibo", "weibo:7312046598"),
        ("云岚发布", "video_channel", "video_channel:云岚发布"),
        ("云岚交警", "toutiao", "toutiao:MS4wLjABAAAAylJiaoJingToutiaoTokenAAAAAAAAAAAAAAAA"),
    ]
    assert all(a.region == "云岚市" and a.listing_url.endswith("matrix.html") for a in result.accounts)
    assert len([link for link in result.links if link.kind == "account"]) == 3


def test_directory_header_variants():
    result = run("http://www.qingshan.gov.cn/xmt/qxxmt.html", "gov/directory-variant.html")
    found = {(a.name, a.platform, a.agency, a.alias, a.platform_id) for a in result.accounts}
    assert found == {
        ("云岚交通", "wechat", "云岚市交通运输局", "ylsjtys", "ylsjtys"),
        ("云岚交警", "toutiao", "云岚市公安局交通警察支队", None, "MS4wLjABAAAAylJiaoJingToutiaoTokenAAAAAAAAAAAAAAAA"),
        ("青山发布", "video_channel", "青山区融媒体中心", None, "sphQingshan"),  # 微信视频号 is not a 公众号
        ("青山应急", "douyin", "青山区应急管理局", None, "青山应急"),  # the only name column is headed 账号
    }


def test_information_disclosure_header_fields():
    result = run("http://www.yunlan.gov.cn/xxgk/tzgg/202608/t20260804_0990.html", "gov/xxgk-article.html")
    post = result.posts[0]
    assert post.attributes == {"信息索引号": "1153990000MB1234YL/2026-00990", "发布机构": "云岚市人民政府办公室",
                               "体裁分类": "通知", "成文日期": "2026- 08- 03", "公开方式": "主动公开",
                               "发布日期": "2026-08-04 10: 54", "访问次数": "311"}
    assert post.published_at == "2026-08-04T10:54:00+08:00" and post.author == "云岚市人民政府办公室"
    assert post.kind == "page" and post.summary == "请各单位按要求报送政务新媒体基本情况。"


def test_info_fields_leave_empty_values_out():
    assert info_fields("主题分类:\n 体裁分类:  发布机构: 某办\n 成文日期: 2020- 09- 30") == {
        "发布机构": "某办", "成文日期": "2020- 09- 30"}


# --- Douyin and Toutiao ------------------------------------------------------------------------------


def test_toutiao_user_page_records_id_and_name():
    url = "https://www.toutiao.com/c/user/token/MS4wLjABAAAAylJiaoJingToutiaoTokenAAAAAAAAAAAAAAAA/"
    result = run(url, "shortvideo/toutiao.html")
    account = result.accounts[0]
    assert account.id == "toutiao:MS4wLjABAAAAylJiaoJingToutiaoTokenAAAAAAAAAAAAAAAA" and account.name == "云岚交警"
    assert account.description.startswith("云岚交警，") and not result.posts


def test_routes():
    def cls(url, ctype=HTML):
        return page_class_for(PageInput(url, 200, (("Content-Type", ctype),), b"<html></html>", "", FETCHED)).__name__
    assert cls("https://weixin.sogou.com/weixin?type=1&query=x") == "SogouAccountSearchPage"
    assert cls(MP + "searchbiz?action=search_biz", JSON) == "BackofficeSearchPage"
    assert cls(MP + "appmsgpublish?sub=list", JSON) == "BackofficeListPage"
    assert cls("https://www.toutiao.com/c/user/token/MS4wLjABAAAAx/") == "ToutiaoUserPage"
    assert cls("https://www.douyin.com/user/MS4wLjABAAAAx") == "DouyinUserPage"


@pytest.mark.parametrize("msg, state", [
    ("这里还没有内容", "empty"),
    ("该账号因被投诉违反法律法规和《微博社区公约》的相关规定，现已无法查看。", "account_blocked"),
    ("用户不存在", "not_found"),
    ("请求过于频繁", "blocked"),
])
def test_weibo_error_answers_name_the_account_checked(msg, state):
    body = json.dumps({"ok": 0, "msg": msg, "data": {"cards": []}}, ensure_ascii=False).encode("utf-8")
    result = run("https://m.weibo.cn/api/container/getIndex?type=uid&value=5893027714", body,
                 "application/json; charset=utf-8")
    assert result.page_state == state
    assert [a.id for a in result.accounts] == ["weibo:5893027714"]  # the index records this check


@pytest.mark.parametrize("body, state", [
    (b'{"ok": 1, "data": {"cards": [{"card_type": 9, "mblog": {"id": "5012', "unparsed"),  # cut short
    (b"{'ok': 1, data: {\"cards\": [1,]}}", "unparsed"),  # malformed
    (b"<html><title>Sina Visitor System</title></html>", "blocked"),  # the visitor page
])
def test_broken_weibo_json_is_a_bad_answer_and_a_visitor_page_a_block(body, state):
    result = run("https://m.weibo.cn/api/container/getIndex?type=uid&value=5893027714", body,
                 "application/json; charset=utf-8")
    assert result.page_state == state
