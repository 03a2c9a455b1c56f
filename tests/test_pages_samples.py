"""Page objects against the real samples in ../shared/samples (skipped when that folder is absent)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from govarchive.pages import PageInput, extract

FETCHED = datetime(2026, 11, 21, tzinfo=timezone.utc)


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
