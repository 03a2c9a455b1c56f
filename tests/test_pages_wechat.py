"""WeChat page objects against fixtures of our own in the shapes real pages take (issue 16): the
2019 ``d.``/``_g.`` templates, ids only in ``msg_link``, 2025 pages with mini-program cards, voice
posts, temporary links, error-page order and profile blocks read by label."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from govarchive.pages import PageInput, extract
from govarchive.pages.jsvars import js_keyed, js_object, js_var
from govarchive.pages.wechat import error_state, page_time

FIXTURES = Path(__file__).parent / "fixtures" / "wechat"
FETCHED = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def run(url: str, fixture: str | bytes):
    body = fixture if isinstance(fixture, bytes) else (FIXTURES / fixture).read_bytes()
    return extract(PageInput(url, 200, (("Content-Type", "text/html; charset=utf-8"),), body, "urn:uuid:f", FETCHED))


# --- the script reader --------------------------------------------------------------------------


@pytest.mark.parametrize("source, expected", [
    ('var x = "" || "A";', "A"),
    ('var x = "A" || "B";', "A"),  # JavaScript's rule: the first truthy operand
    ("var x = '' || '' || 'A';", "A"),
    ("window.x = '' || 'A';", "A"),
    ("window.msg_title = window.x = 'A' || '';", "A"),
    ("var x = 'A&amp;B'.html(false);", "A&B"),
    ('var x = htmlDecode("A&quot;B");', 'A"B'),
    ("var x = JsDecode('A\\\\x26B');", "A&B"),
    ('var x = "12" * 1;', "12"),
    ('d.x = "A";', "A"),
    ('_g.x = "" || "A";', "A"),
    ('var x = ""; // "not a value"', ""),
    ('var x = y.z;', None),
    ('var x = "A\\x0aB";', "A\nB"),
])
def test_js_var_reads_every_assignment_form(source, expected):
    assert js_var(source, "x") == expected


def test_var_and_window_assignments_win_over_the_2019_holders():
    source = 'd.x = "from d"; var x = "" || ""; window.x = "from window";'
    assert js_var(source, "x") == "from window"
    assert js_var('d.x = "from d"; var x = "";', "x") == "from d"
    assert js_var('a.d.x = "not a holder";', "x") is None  # d must be the holder itself


def test_comparisons_and_member_reads_are_not_assignments():
    source = "if (window.nickname === '') {} var a = window.nickname == 'x'; foo(window.nickname);"
    assert js_var(source, "nickname") is None


def test_object_literal_reader_keeps_nesting_and_skips_code():
    source = """window.cgiDataNew = {
        nick_name: JsDecode('云岚发布'),
        mid: '2650012077' * 1,
        flag: a ? b : c,
        run: function () { return {nick_name: 'inner'}; },
        copyright_info: { copyright_stat: '1' * 1, },
        list: [ {cdn_url: 'u1\\x26amp;x'}, {cdn_url: 'u2'}, ],
        'quoted key': "q",
    };"""
    data = js_object(source, "cgiDataNew")
    assert data == {"nick_name": "云岚发布", "mid": "2650012077", "copyright_info": {"copyright_stat": "1"},
                    "list": [{"cdn_url": "u1&x"}, {"cdn_url": "u2"}], "quoted key": "q"}


def test_a_broken_literal_gives_what_it_can_and_no_error():
    source = "window.cgiDataNew = { nick_name: '云岚发布', title: 'unterminated\n, mid: "
    assert js_object(source, "cgiDataNew") == {"nick_name": "云岚发布"}
    assert js_keyed("x = {voiceid: y.id}; z = {voiceid: 'V1'}", "voiceid") == ["V1"]


@pytest.mark.parametrize("value, expected", [
    ("1563878100", "2019-07-23T18:35:00+08:00"),
    ("2025-11-21 10:00", "2025-11-21T10:00:00+08:00"),
    ("2018-10-20", "2018-10-20T00:00:00+08:00"),
    ("", None), ("soon", None), ("2025-13-40", None),
])
def test_page_time_forms(value, expected):
    assert page_time(value) == expected


# --- article templates --------------------------------------------------------------------------


def test_2019_video_post_reads_d_and_g_variables_and_ids_from_msg_link():
    result = run("https://mp.weixin.qq.com/s/ylFireVideo2019", "video-2019-cgidata.html")
    assert result.page_state == "ok"
    account, post = result.accounts[0], result.posts[0]
    # d.mid / d.idx are empty: the ids come from d.msg_link (\x26amp; unescaped), idx 2 included
    assert account.id == "wechat:3188460735" and account.name == "云岚消防" and account.original_id == "gh_1a2b3c4d5e6f"
    assert post.id == "wechat:3188460735:2651003344:2"
    assert post.url == "http://mp.weixin.qq.com/s?__biz=MzE4ODQ2MDczNQ%3D%3D&mid=2651003344&idx=2&sn=7c1d0e9f2b3a4c5d6e7f8091a2b3c4d5"
    assert post.title == "一分钟学会使用灭火毯"  # d.title (the _g.msg_title = cgiData.title reference is not a value)
    assert post.published_at == "2019-07-23T18:35:00+08:00" and post.kind == "video"
    assert post.author == "云岚消防"


def test_2018_image_post_reads_its_title_name_time_and_kind():
    result = run("https://mp.weixin.qq.com/s?__biz=MzE4MDU5MzcyNA==&mid=2247483921&idx=1", "image-2018-cgidata.html")
    account, post = result.accounts[0], result.posts[0]
    assert account.id == "wechat:3180593724" and account.name == "云岚青山街道"
    assert post.id == "wechat:3180593724:2247483921:1" and post.kind == "image_share"
    assert post.title == "分享图片" and post.published_at == "2018-08-14T20:33:00+08:00"
    # the caption is written by a script in the body: its text is the post's text
    assert post.text == "青山街道“邻里节”剪影：\n百家宴、旧物集市和少儿书画展。"
    assert [m.url for m in post.media] == ["https://mmbiz.qpic.cn/mmbiz_jpg/ylLinli2018a/0?wx_fmt=jpeg",
                                           "https://mmbiz.qpic.cn/mmbiz_jpg/ylLinli2018b/0?wx_fmt=jpeg"]


def test_the_page_template_gives_the_kind_when_item_show_type_is_absent():
    body = (FIXTURES / "video-2019-cgidata.html").read_bytes().replace(b'_g.item_show_type = "5";', b"")
    assert run("https://mp.weixin.qq.com/s/ylFireVideo2019", body).posts[0].kind == "video"
    body = (FIXTURES / "image-2018-cgidata.html").read_bytes().replace(b'_g.item_show_type = "8";', b"")
    assert run("https://mp.weixin.qq.com/s/ylLinli2018", body).posts[0].kind == "image_share"


def test_2019_article_with_empty_mid_and_idx_takes_them_from_msg_link():
    result = run("https://mp.weixin.qq.com/s/ylJiaoyuZuoxi2019", "article-2019-ids-in-msglink.html")
    post, account = result.posts[0], result.accounts[0]
    assert post.id == "wechat:3554018273:2247486120:3"
    assert post.url == ("http://mp.weixin.qq.com/s?__biz=MzU1NDAxODI3Mw%3D%3D&mid=2247486120&idx=3"
                        "&sn=0a9b8c7d6e5f40312233445566778899")
    assert post.title == "秋季学期中小学作息时间调整的说明" and post.published_at == "2019-08-30T16:00:00+08:00"
    # the profile block is read by label: the empty 微信号 stays empty, 功能介绍 stays the description
    assert account.name == "云岚教育" and account.alias is None
    assert account.description == "云岚市教育局官方公众号，发布教育政策、招生考试和校园安全信息。"


def test_without_msg_link_the_ids_come_from_og_url_or_canonical_link():
    body = (FIXTURES / "article-2019-ids-in-msglink.html").read_bytes()
    body = body.replace(b"var msg_link", b"var unused_link").replace(
        b'<meta property="og:description"',
        b'<meta property="og:url" content="http://mp.weixin.qq.com/s?__biz=MzU1NDAxODI3Mw==&amp;mid=2247486120'
        b'&amp;idx=3&amp;sn=0a9b#rd" />\n<meta property="og:description"')
    assert run("https://mp.weixin.qq.com/s/ylJiaoyuZuoxi2019", body).posts[0].id == "wechat:3554018273:2247486120:3"


def test_a_link_of_another_account_never_gives_this_one_its_ids():
    body = (FIXTURES / "article-2019-ids-in-msglink.html").read_bytes().replace(
        b"__biz=MzU1NDAxODI3Mw==&amp;mid=2247486120", b"__biz=MzI5MTg0NzU2MA==&amp;mid=2650012001")
    result = run("https://mp.weixin.qq.com/s/ylJiaoyuZuoxi2019", body)
    assert result.page_state == "unparsed" and not result.posts


def test_temporary_link_and_permanent_link_give_one_post():
    """A Sogou-era temporary link is keyed by what the page says, not by the link."""
    temporary = run("https://mp.weixin.qq.com/s?src=3&timestamp=1763600000&ver=1&signature=ylTmp*Sig",
                    "article-2019-ids-in-msglink.html")
    permanent = run("https://mp.weixin.qq.com/s?__biz=MzU1NDAxODI3Mw==&mid=2247486120&idx=3&sn=0a9b8c7d6e5f40312233445566778899",
                    "article-2019-ids-in-msglink.html")
    assert temporary.posts[0].id == permanent.posts[0].id == "wechat:3554018273:2247486120:3"
    assert temporary.posts[0].url == permanent.posts[0].url
    assert "timestamp" not in temporary.posts[0].url and "signature" not in temporary.posts[0].url


def test_2025_text_share_names_the_account_not_a_mini_program_card():
    result = run("https://mp.weixin.qq.com/s/ylTextShare2025AbCdEf", "text-2025-miniprogram.html")
    account, post = result.accounts[0], result.posts[0]
    assert account.name == "云岚发布"  # not "data-miniprogram-nickname", not the card's 云岚办事通
    assert account.alias == "yunlanfabu" and account.original_id == "gh_4c2b9e0d1a7f"
    assert post.id == "wechat:3291847560:2650012077:1" and post.kind == "text"
    assert post.title == "周末办事指南" and post.published_at == "2025-11-21T10:00:00+08:00"
    assert post.text.startswith("周末两天，市民中心“一网通办”专区照常开放") and "<a" not in post.text


def test_2025_name_from_cgi_data_when_there_is_no_nickname_variable():
    body = (FIXTURES / "text-2025-miniprogram.html").read_bytes()
    body = body.replace('var nickname = htmlDecode("云岚发布");'.encode(), b"")
    body = body.replace('<div class="wx_follow_nickname">云岚发布</div>'.encode(), b"")
    assert run("https://mp.weixin.qq.com/s/ylTextShare2025AbCdEf", body).accounts[0].name == "云岚发布"
    # and with neither, the time still comes from cgiDataNew's create_time
    body = body.replace(b"window.ct = '1763690400' || '';", b"").replace(b"ori_create_time: '1763690400' * 1,", b"")
    assert run("https://mp.weixin.qq.com/s/ylTextShare2025AbCdEf", body).posts[0].published_at == "2025-11-21T10:00:00+08:00"


def test_voice_post_has_its_title_time_name_and_voice():
    result = run("https://mp.weixin.qq.com/s/ylZaoanVoice0309", "voice-2020.html")
    account, post = result.accounts[0], result.posts[0]
    assert account.name == "云岚发布" and post.id == "wechat:3291847560:2650011020:1"
    assert post.kind == "audio" and post.title == "早安云岚｜3月9日"
    assert post.published_at == "2020-03-09T06:00:00+08:00"
    assert [(m.kind, m.url, m.title) for m in post.media] == [
        ("audio", "https://res.wx.qq.com/voice/getvoice?mediaid=MzI5MTg0NzU2MF8yNjUwMDExMDIw", "早安云岚｜3月9日")]
    assert post.media[0].url in {link.url for link in result.links if link.kind == "asset"}


def test_voice_post_without_item_show_type_is_known_by_its_template():
    body = (FIXTURES / "voice-2020.html").read_bytes().replace(b'var item_show_type = "7";', b"")
    post = run("https://mp.weixin.qq.com/s/ylZaoanVoice0309", body).posts[0]
    assert post.kind == "audio" and post.media[0].kind == "audio"


# --- error pages ----------------------------------------------------------------------------------


def test_violation_page_with_complaint_wording_is_a_violation():
    """we-extract's order: 此内容因违规无法查看 comes before the 过度营销 complaint text."""
    assert run("https://mp.weixin.qq.com/s/ylViolation01", "violation.html").page_state == "violation"
    body = (FIXTURES / "violation.html").read_bytes().replace("此内容因违规无法查看".encode(), "无法查看".encode())
    assert run("https://mp.weixin.qq.com/s/ylViolation01", body).page_state == "complaint"


@pytest.mark.parametrize("text, state", [
    ("此内容被投诉且经审核涉嫌侵权，无法查看。该公众号已迁移", "complaint"),  # 侵权 before 迁移
    ("该公众号已迁移 该内容已被发布者删除", "migrated"),
    ("该内容已被发布者删除 此内容因违规无法查看", "deleted"),
    ("此内容发送失败无法查看 此内容被多人投诉", "send_failed"),
    ("此内容被多人投诉，相关的内容无法进行查看。此帐号已被屏蔽", "complaint"),
    ("链接已过期", "link_expired"),
])
def test_error_states_follow_we_extract_order(text, state):
    assert error_state(text) == state


# --- history / profile pages ----------------------------------------------------------------------


def test_sogou_profile_page_reads_the_profile_block_by_label():
    result = run("https://mp.weixin.qq.com/profile?src=3&timestamp=1763600000&ver=1&signature=ylTmp*Profile",
                 "profile-history-sogou.html")
    assert result.page_state == "ok"
    account = result.accounts[0]
    assert account.id == "wechat:3305728146" and account.name == "云岚交通"
    # 微信号 is empty: nothing shifts into it, and 功能介绍 is the description although it comes second
    assert account.alias is None
    assert account.description == "公交地铁、道路出行、交通政策和路况信息。"
    assert account.agency == "云岚市交通运输局"
    # temporary article links name no article: queued at once, no post invented
    assert not result.posts
    queued = [link.url for link in result.links if link.kind == "post"]
    assert len(queued) == 2 and all("timestamp=1763600000" in url and "&amp;" not in url for url in queued)


def test_about_page_reads_description_alias_and_verified_owner_by_label():
    result = run("https://mp.weixin.qq.com/mp/aboutbiz?__biz=MzMwNTcyODE0Ng==&scene=1", "aboutbiz.html")
    assert result.page_state == "ok"
    account = result.accounts[0]
    assert account.id == "wechat:3305728146" and account.alias == "ylsjtys" and account.original_id is None
    assert account.description == "云岚市交通运输局官方公众号：公交地铁、道路出行、交通政策和路况信息。"
    assert account.agency == "云岚市交通运输局" and account.name is None  # the page does not show the name


def test_about_page_of_an_account_without_wechat_id_shows_its_original_id():
    body = (FIXTURES / "aboutbiz.html").read_bytes().replace(b'<div class="item-desc">ylsjtys</div>',
                                                              b'<div class="item-desc">gh_5f4e3d2c1b0a</div>')
    account = run("https://mp.weixin.qq.com/mp/aboutbiz?__biz=MzMwNTcyODE0Ng==", body).accounts[0]
    assert account.alias is None and account.original_id == "gh_5f4e3d2c1b0a"


def test_temporarily_unavailable_article_is_restricted_not_deleted():
    body = "<html><head><title>该内容暂时无法查看</title></head><body><div class=\"panel\"><div class=\"mesg-block\">" \
           "<p>该内容暂时无法查看</p></div></div></body></html>".encode()
    result = run("https://mp.weixin.qq.com/s?__biz=MzI5MTg0NzU2MA==&mid=2650012090&idx=1&sn=x", body)
    assert result.page_state == "restricted" and result.posts[0].state == "restricted"


def test_captcha_and_rumor_pages_answer_for_the_article():
    captcha = ("<html><body><div class=\"weui-msg\"><h2 class=\"weui-msg__title\">环境异常</h2>"
               "<p class=\"weui-msg__desc\">当前环境异常，完成验证后即可继续访问。</p>"
               "<a id=\"js_verify\" class=\"weui-btn\">去验证</a></div></body></html>").encode()
    result = run("https://mp.weixin.qq.com/mp/wappoc_appmsgcaptcha?poc_token=ylPoc&target_url=https%3A%2F%2Fmp"
                 ".weixin.qq.com%2Fs%3F__biz%3DMzI5MTg0NzU2MA%3D%3D", captcha)
    assert result.page_state == "blocked" and not result.posts  # a block says nothing about the post
    rumor = "<html><body class=\"page_rumor\"><div class=\"rumor_title\">此文章包含不实信息</div></body></html>".encode()
    result = run("https://mp.weixin.qq.com/mp/rumor?action=info&__biz=MzI5MTg0NzU2MA==&mid=2650012099&idx=1&sn=x", rumor)
    assert result.page_state == "rumor"
    assert [(p.id, p.state) for p in result.posts] == [("wechat:3291847560:2650012099:1", "rumor")]
