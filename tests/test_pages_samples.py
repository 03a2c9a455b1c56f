"""Page objects against the real samples in ../shared/samples (skipped when that folder is absent)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from govarchive.pages import PageInput, extract

FETCHED = datetime(2026, 11, 21, tzinfo=UTC)


def run(samples, name, url, ctype="text/html; charset=utf-8"):
    body = (samples / name).read_bytes()
    return extract(PageInput(url, 200, (("Content-Type", ctype),), body, "urn:uuid:sample", FETCHED))


@pytest.mark.parametrize("name, biz, gh, title_start", [
    ("wechat_article_2018_changjiangribao_mpvoice.html", "2398025700", "gh_09f57d9c1048", "语音 | 早安武汉"),
    ("wechat_article_2018_gongchandangyuan_video_iframe.html", "3088536018", "gh_9381891f8dd8", "【视频】"),
    ("wechat_article_2026_imgshare_36kr_modern_excerpt.html", "3264997043", "gh_240fbf8b33e4", "英伟达霸权"),
])
def test_wechat_articles_of_every_generation(samples, name, biz, gh, title_start):
    result = run(samples, name, "https://mp.weixin.qq.com/s/LFFVSjZp6Ojm0TPntZjguQ")
    assert result.page_state == "ok"
    account, post = result.accounts[0], result.posts[0]
    assert account.id == f"wechat:{biz}" and account.original_id == gh and account.name
    assert post.id.startswith(f"wechat:{biz}:") and post.title.startswith(title_start)
    assert post.published_at.endswith("+08:00") and post.text


def test_wechat_2018_publish_time_comes_from_ct(samples):
    post = run(samples, "wechat_article_2018_changjiangribao_mpvoice.html", "https://mp.weixin.qq.com/s/LFFVSjZp6Ojm0TPntZjguQ").posts[0]
    assert post.published_at == "2018-03-19T05:30:00+08:00"  # ct 1521408600


def test_wechat_error_page_is_not_a_deletion(samples):
    result = run(samples, "wechat_error_page_link_expired.html",
                 "https://mp.weixin.qq.com/s?__biz=MzI2NDk5NzA0Mw==&mid=2248889396&idx=1&sn=x")
    assert result.page_state == "link_expired" and not result.posts


def test_weibo_profile_and_posts(samples):
    profile = run(samples, "weibo_m_getIndex_profile_userInfo_1669879400_2019.json",
                  "https://m.weibo.cn/api/container/getIndex?type=uid&value=1669879400", "application/json")
    assert profile.accounts[0].id == "weibo:1669879400" and profile.accounts[0].followers == 63357736
    assert any("containerid=1076031669879400" in link.url for link in profile.links)
    posts = run(samples, "weibo_m_getIndex_container_107603_cards_page2_2019.json",
                "https://m.weibo.cn/api/container/getIndex?type=uid&value=1669879400&containerid=1076031669879400&page=2",
                "application/json")
    assert len(posts.posts) == 10 and all(p.id.startswith("weibo:") for p in posts.posts)
    assert any("page=3" in link.url for link in posts.links)


def test_weibo_empty_is_not_an_error(samples):
    result = run(samples, "weibo_m_getIndex_error_no_content.json",
                 "https://m.weibo.cn/api/container/getIndex?type=uid&value=000", "application/json")
    assert result.page_state == "empty"


def test_gb_page_without_declaration_is_decoded(samples):
    result = run(samples, "encoding_gb_bytes_no_charset_declared.html", "http://example.com/x.html", "text/html")
    assert result.page_state == "ok" and any("detected gb18030" in note for note in result.notes)


def test_wechat_audio_video_and_image_share_media(samples):
    url = "https://mp.weixin.qq.com/s/LFFVSjZp6Ojm0TPntZjguQ"
    voice = run(samples, "wechat_article_2018_changjiangribao_mpvoice.html", url).posts[0]
    audio = [m for m in voice.media if m.kind == "audio"]
    assert [(m.url, m.title) for m in audio] == [
        ("https://res.wx.qq.com/voice/getvoice?mediaid=MjM5ODAyNTcwMF8yNjUxNzg4Mzky", "早安武汉3月19日")]
    assert "\n" in voice.summary and voice.cover_url.startswith("http://mmbiz.qpic.cn/")
    assert sum(m.kind == "image" for m in voice.media) >= 5 and voice.kind == "article"
    video = run(samples, "wechat_article_2018_gongchandangyuan_video_iframe.html", url).posts[0]
    players = [m for m in video.media if m.kind == "video"]
    assert len(players) == 1 and "vid=o0608305r9k" in players[0].url and not players[0].archived
    assert video.summary == "【视频】石榴花开"
    share = run(samples, "wechat_article_2026_imgshare_36kr_modern_excerpt.html", url)
    post = share.posts[0]
    assert post.kind == "image_share" and len(post.media) == 5
    assert all(m.kind == "image" and m.url.endswith("wx_fmt=png&from=appmsg") for m in post.media)
    assert post.attributes["ip_province"] == "北京" and post.attributes["alias"] == "wow36kr"
    assert post.summary.startswith("5月22日") and post.cover_url.startswith("https://mmbiz.qpic.cn/sz_mmbiz_jpg/")


def test_wechat_history_msglist(samples):
    result = run(samples, "wechat_profile_history_msgList_2017.html",
                 "http://mp.weixin.qq.com/profile?src=3&timestamp=1500827209&ver=1&signature=x")
    assert result.page_state == "ok"
    account = result.accounts[0]
    assert account.name == "槽边往事" and account.alias == "bitsea"
    assert account.id == "wechat:2392038560" and account.last_post_at == "2017-07-24T13:04:46+08:00"
    # temporary links name no article: no post rows yet, every link queued before it expires
    posts = [link for link in result.links if link.kind == "post"]
    assert not result.posts and len(posts) >= 10
    assert all(link.url.startswith("http://mp.weixin.qq.com/s?timestamp=") and "&amp;" not in link.url for link in posts)


def test_sogou_account_search(samples):
    from govarchive.pages.sogou import SogouAccountSearchPage
    url = "https://weixin.sogou.com/weixin?type=1&query=%E5%B1%B1%E4%B8%9C%E9%AB%98%E8%80%83%E6%8C%87%E5%8D%97&ie=utf8"
    result = run(samples, "sogou_weixin_search_accounts_2017.html", url)
    assert result.page_state == "ok" and len(result.notes) == 10
    assert [link.kind for link in result.links] == ["account", "post"]  # only the exact match 山东高考指南
    body = (samples / "sogou_weixin_search_accounts_2017.html").read_bytes()
    first = SogouAccountSearchPage(PageInput(url, 200, (), body, "", FETCHED)).results()[0]
    assert (first.name, first.alias, first.verified_by) == ("山东高考指南", "sdgkzn", "《山东商报》社")
    assert first.recent_at == "2017-07-23T09:38:56+08:00" and first.description.startswith("这里是山东")


def test_gov_information_disclosure_header(samples):
    from govarchive.pages.gov import info_fields, parse_gov_date
    fields = info_fields((samples / "gov_page_text_jj_gov_cn_xinmeiti_tianbao_notice_2020.txt").read_text("utf-8"))
    assert fields["信息索引号"] == "11331002002673575G/2020-136604"
    assert fields["发布机构"] == "区政府办公室(区外办、区金融办、区大数据局)" and fields["信息来源"] == "椒江区人民政府"
    assert "主题分类" not in fields and "访问次数" not in fields  # empty in the source
    assert parse_gov_date(fields["成文日期"]) == "2020-09-30T00:00:00+08:00"
    assert parse_gov_date(fields["发布日期"]) == "2020-09-30T10:54:00+08:00"


def test_dates_in_closure_notice_texts(samples):
    from govarchive.pages.gov import parse_gov_date
    text = (samples / "closure_notice_text_zhangjiagang_school_wechat_2024.txt").read_text("utf-8")
    assert parse_gov_date(text[text.index("将于"):]) == "2024-04-15T00:00:00+08:00"


def test_every_sample_goes_through_a_page_object_without_error(samples):
    """Each real file is routed and parsed; none may fail (notices and ruby text: issue 4's parsers)."""
    for path in sorted(samples.iterdir()):
        if path.suffix not in (".html", ".json", ".txt"):
            continue
        ctype = {"json": "application/json", "html": "text/html", "txt": "text/plain; charset=utf-8"}[path.suffix[1:]]
        result = extract(PageInput(f"https://example.org/{path.name}", 200, (("Content-Type", ctype),),
                                   path.read_bytes(), "urn:uuid:sample", FETCHED))
        assert result.page_state != "parse_error", (path.name, result.notes)
