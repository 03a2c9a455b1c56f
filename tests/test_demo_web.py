"""The demo web (govarchive.demo): served offline on 127.0.0.1, port 0, shaped like the real platforms."""

from __future__ import annotations

import base64
import gzip
import html
import http.client
import json
import re
import socket
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import parse_qs, quote, urljoin, urlsplit

import pytest

from govarchive.demo import DemoWeb, render
from govarchive.demo.cms import EXPECTED as cms_expected_facts
from govarchive.demo.content import EXPECTED

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = {tuple(a["key"]): a for a in EXPECTED["wechat_articles"]}
HTML_LINK = re.compile(r'\b(?:href|src|data-src)="([^"]*)"')


@pytest.fixture(scope="module")
def web():
    with DemoWeb(port=0) as demo:
        yield demo


def fetch(web: DemoWeb, path: str, method: str = "GET", headers: dict[str, str] | None = None, body: bytes | None = None):
    conn = http.client.HTTPConnection(web.host, web.port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def article_path(key) -> str:
    return ARTICLES[tuple(key)]["path"]


def history_path(biz: str) -> str:
    return next(a["history_path"] for a in EXPECTED["wechat_accounts"] if a["biz"] == biz)


def msg_list(body: bytes) -> dict:
    lines = [line.strip() for line in body.decode("utf-8").splitlines()]
    line = next(line for line in lines if line.startswith("var msgList = "))
    return json.loads(line[len("var msgList = "):].rstrip(";"))


# --- portal ------------------------------------------------------------------------------------------


def test_directory_url_redirects_to_its_first_page(web):
    status, headers, _ = fetch(web, "/xxgk/xmt/")
    assert status == 301
    assert headers["location"] == "/xxgk/xmt/index.html"


def test_directory_pages_are_gbk_and_page_two_lies_in_its_header(web):
    for path in EXPECTED["directory_pages"]:
        status, headers, body = fetch(web, path)
        assert status == 200
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
        text = body.decode("gbk")
        assert '<meta charset="gbk">' in text[:4096]
        assert '<meta name="SiteName" content="云岚市人民政府">' in text
        assert '<meta name="ColumnName" content="政务新媒体">' in text
        assert re.search(r'<meta name="SiteIDCode" content="\w{10}">', text)
        expected_type = ("text/html; charset=utf-8" if path == EXPECTED["lying_charset_page"]
                         else "text/html; charset=GBK")
        assert headers["content-type"] == expected_type


def test_directory_table_has_the_expected_columns_and_rows(web):
    rows = 0
    for path in EXPECTED["directory_pages"]:
        text = fetch(web, path)[2].decode("gbk")
        headers = [h.strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", text)]
        assert headers == ["序号", "账号名称", "平台", "主办单位", "微信号/账号ID", "链接"]
        rows += len(re.findall(r'<td align="center"><a href=', text))
    assert rows == EXPECTED["directory_rows"]


def test_directory_pagination_duplicates_and_dead_link(web):
    pages = [fetch(web, p)[2].decode("gbk") for p in EXPECTED["directory_pages"]]
    assert '<a class="next" href="index_1.html">下一页</a>' in pages[0]
    assert '<a class="next" href="index_2.html">下一页</a>' in pages[1]
    assert 'class="next"' not in pages[2]
    duplicate = EXPECTED["directory_duplicate"][0]
    biz_b64 = next(a["biz_b64"] for a in EXPECTED["wechat_accounts"] if a["biz"] == duplicate)
    link = f'href="/mp/profile_ext?action=home&amp;__biz={biz_b64}&amp;scene=124#wechat_redirect"'
    assert link in pages[0] and link in pages[2]
    assert all(p in pages[0] + pages[1] + pages[2] for p in ("微信公众号", "新浪微博", "抖音"))
    dead = EXPECTED["not_found_paths"][0]
    assert f'href="{dead}"' in pages[2]
    assert fetch(web, dead)[0] == 404


def test_closure_notice_on_the_portal(web):
    notice = EXPECTED["portal_closure_notice"]
    column = fetch(web, EXPECTED["start_paths"][1])[2].decode("gbk")
    assert '<meta name="ColumnName" content="通知公告">' in column
    assert "./" + notice["path"][len("/xxgk/tzgg/"):] in column
    status, headers, body = fetch(web, notice["path"])
    text = body.decode("gbk")
    assert status == 200 and headers["content-type"] == "text/html; charset=GBK"
    assert f'<meta name="ArticleTitle" content="{notice["title"]}">' in text
    assert '<meta name="PubDate" content="2026-09-15 10:30:00">' in text
    assert "2026- 09- 15" in text and "国办发〔2018〕123号" in text
    for closed in notice["closed_accounts"]:
        assert closed["name"] in text
        if closed["successor"]:
            assert closed["successor"] in text
    assert "「桐溪县人民政府网站」" in text and "‘临江城管’" in text and "其他平台" in text


def test_unknown_paths_get_a_gbk_404_page(web):
    status, headers, body = fetch(web, "/no/such/page.html")
    assert status == 404
    assert headers["content-type"] == "text/html; charset=GBK"
    assert "页面不存在" in body.decode("gbk")


def test_robots_allows_everything(web):
    status, _, body = fetch(web, "/robots.txt")
    assert status == 200 and body == b"User-agent: *\nDisallow:\n"


# --- WeChat ------------------------------------------------------------------------------------------


def test_history_pages_carry_a_parsable_msglist(web):
    for account in EXPECTED["wechat_accounts"]:
        status, headers, body = fetch(web, account["history_path"])
        assert status == 200 and headers["content-type"] == "text/html; charset=UTF-8"
        assert f'<strong class="profile_nickname">\n            {account["name"]}' in body.decode()
        entries = msg_list(body)["list"]
        items = [item for e in entries for item in
                 [e["app_msg_ext_info"], *e["app_msg_ext_info"]["multi_app_msg_item_list"]]]
        assert len(items) == account["articles"]
        dates = [e["comm_msg_info"]["datetime"] for e in entries]
        assert dates == sorted(dates, reverse=True)
        for entry in entries:
            assert entry["comm_msg_info"]["fakeid"] == account["biz"]
            assert entry["comm_msg_info"]["type"] == 49
        for item in items:
            assert item["content_url"].startswith(f"/s?__biz={account['biz_b64']}&amp;mid=")
            assert "&amp;idx=" in item["content_url"] and "&amp;sn=" in item["content_url"]
    assert msg_list(fetch(web, history_path(EXPECTED["zombie_account"]))[2]) == {"list": []}


def test_multi_article_push(web):
    biz, mid, idxs = EXPECTED["multi_push"]
    entries = msg_list(fetch(web, history_path(biz))[2])["list"]
    push = next(info for info in (e["app_msg_ext_info"] for e in entries) if f"mid={mid}" in info["content_url"])
    assert push["is_multi"] == 1 and len(push["multi_app_msg_item_list"]) == len(idxs) - 1
    assert "&amp;idx=2&amp;" in push["multi_app_msg_item_list"][0]["content_url"]


def test_article_pages_carry_the_js_variables(web):
    old_style = 0
    modern = {tuple(k) for k in EXPECTED["style_2024_articles"]}
    repost = tuple(EXPECTED["repost_article"]["key"])
    source = EXPECTED["source_url_article"]
    video_2019 = tuple(EXPECTED["style_2019_video_article"]["key"])
    for key, article in ARTICLES.items():
        if article["state"] == "deleted" or key in modern or key == video_2019:
            continue  # the 2024 template: see test_2024_*; the 2019 video post: test_2019_video_post_*
        _biz, mid, idx = key
        status, headers, body = fetch(web, article["path"])
        text = body.decode("utf-8")
        assert status == 200 and headers["content-type"] == "text/html; charset=UTF-8"
        assert re.search(r'var biz = "" \|\| "([A-Za-z0-9=]+)";', text)
        assert f'var mid = "" || "" || "{mid}";' in text and f'var idx = "" || "" || "{idx}";' in text
        assert re.search(r'var sn = "" \|\| "" \|\| "[0-9a-f]{32}";', text)
        assert re.search(r'var user_name = "gh_[0-9a-f]{12}";', text)
        assert re.search(r'var ct = "\d{10}";', text) and 'var appmsg_type = "9";' in text
        assert 'id="js_content"' in text and 'class="rich_media_content "' in text
        if key != repost:
            assert re.search(r'<img [^>]*data-src="/mmbiz_png/\w+/0\?wx_fmt=png"', text)
            assert "点击蓝字" in text
        if 'var publish_time = "' in text:
            old_style += 1
            assert 'var msg_title = "' in text and '<em id="post-date"' in text
            expected_source = source["source_url"] if key == tuple(source["key"]) else ""
            assert 'var copyright_stat = "0" * 1;' in text and f"var msg_source_url = '{expected_source}';" in text
        else:
            assert key == tuple(EXPECTED["style_2020_article"])
            assert ".html(false);" in text
    assert old_style >= 5


def test_2019_video_post_keeps_its_ids_only_in_msg_link(web):
    video = EXPECTED["style_2019_video_article"]
    biz, mid, idx = video["key"]
    status, _headers, body = fetch(web, video["path"])
    text = body.decode("utf-8")
    assert status == 200 and "<title></title>" in text and "video_share_page" in text
    assert 'd.mid = "" || ""|| "";' in text and 'd.idx = "" || "" || "";' in text and "var mid" not in text
    assert f"\\x26amp;mid={mid}\\x26amp;idx={idx}\\x26amp;" in text  # the ids: only in d.msg_link
    assert f'_g.item_show_type = "{video["item_show_type"]}";' in text
    article = ARTICLES[tuple(video["key"])]
    assert f'd.title = "{article["title"]}";' in text
    # listed in its account's history like any other article
    entries = msg_list(fetch(web, history_path(biz))[2])["list"]
    urls = [i["content_url"] for e in entries for i in [e["app_msg_ext_info"], *e["app_msg_ext_info"]["multi_app_msg_item_list"]]]
    assert any(f"mid={mid}&amp;idx={idx}&amp;" in url for url in urls)


def test_article_lookup_ignores_noise_parameters(web):
    biz, mid, idx = EXPECTED["closure_post"]
    biz_b64 = next(a["biz_b64"] for a in EXPECTED["wechat_accounts"] if a["biz"] == biz)
    text = fetch(web, f"/s?idx={idx}&scene=0&mid={mid}&__biz={biz_b64.replace('=', '%3D')}")[2].decode()
    assert "停止更新的公告" in text and "2026年12月1日起停止更新并启动注销程序" in text
    assert "“云岚发布”微信公众号" in text and "“云岚市人民政府”网站" in text
    assert "参数错误" in fetch(web, f"/s?__biz={biz_b64}&mid=1&idx=1")[2].decode()


def test_deleted_article_shows_the_error_template_but_is_still_listed(web):
    biz, mid, idx = EXPECTED["deleted_article"]
    status, _, body = fetch(web, article_path(EXPECTED["deleted_article"]))
    text = body.decode("utf-8")
    assert status == 200
    assert '<div class="weui-msg">' in text and '<h2 class="weui-msg__title">' in text
    assert "该内容已被发布者删除" in text and 'class="weui-msg__desc"' in text
    assert "<title></title>" in text and "js_content" not in text
    listed = fetch(web, history_path(biz))[2].decode()
    assert f"mid={mid}&amp;idx={idx}" in listed


def test_images_are_png_and_shared(web):
    shared = EXPECTED["shared_image_url"]
    pages = [fetch(web, a["path"])[2].decode() for a in EXPECTED["wechat_articles"] if a["state"] == "ok"]
    assert sum(shared in page for page in pages) >= 2
    status, headers, body = fetch(web, shared)
    assert status == 200 and headers["content-type"] == "image/png" and body.startswith(b"\x89PNG\r\n\x1a\n")
    first, second = EXPECTED["same_bytes_urls"]
    assert first != second
    assert fetch(web, first)[2] == fetch(web, second)[2]
    assert fetch(web, first)[2] != body


# --- Weibo and Douyin --------------------------------------------------------------------------------


def test_weibo_profiles(web):
    counts = {}
    for account in EXPECTED["weibo_accounts"]:
        uid = account["uid"]
        _, headers, body = fetch(web, f"/api/container/getIndex?type=uid&value={uid}")
        assert headers["content-type"] == "application/json; charset=utf-8"
        data = json.loads(body)["data"]
        assert data["userInfo"]["id"] == int(uid) and data["userInfo"]["verified_type"] == 1
        tabs = {t["tab_type"]: t["containerid"] for t in data["tabsInfo"]["tabs"]}
        assert tabs == {"profile": f"230283{uid}", "weibo": f"107603{uid}"}
        counts[uid] = data["userInfo"]["followers_count"]
        shell = fetch(web, f"/u/{uid}")[2].decode()
        assert f"<title>{account['name']}的微博</title>" in shell
    assert {type(v) for v in counts.values()} == {int, str}
    assert "12.6万" in counts.values()


def test_weibo_post_pages_follow_since_id_to_the_end(web):
    uid = EXPECTED["weibo_accounts"][0]["uid"]
    first_page = f"/api/container/getIndex?type=uid&value={uid}&containerid=107603{uid}"
    path: str | None = first_page
    seen, pages, kinds = [], [], set()
    while path and len(pages) < 10:
        data = json.loads(fetch(web, path)[2])
        assert data["ok"] == 1
        pages.append(data)
        for card in data["data"]["cards"]:
            kinds.add(card["card_type"])
            if card["card_type"] == 9:
                seen.append(card["mblog"])
                assert card["itemid"] == f"107603{uid}_-_{card['mblog']['mid']}"
        since = data["data"]["cardlistInfo"].get("since_id")
        path = f"{first_page}&since_id={since}" if since else None
    assert len(pages) == 2 and kinds == {9, 11}
    pinned = seen[0]
    assert pinned["mid"] == EXPECTED["weibo_pinned_mid"] and pinned["mblogtype"] == 2
    assert pinned["title"]["text"] == "置顶" and pinned["created_at"].endswith("2026")
    assert pinned["id"] < seen[1]["id"]  # pinned and older than the rest
    assert len(seen) == EXPECTED["weibo_accounts"][0]["posts"]
    repost = next(m for m in seen if m["mid"] == EXPECTED["weibo_deleted_repost_mid"])
    assert repost["retweeted_status"]["user"] is None
    assert repost["retweeted_status"]["text"].startswith("抱歉，此微博已被作者删除。查看帮助：<a")
    long_post = next(m for m in seen if m["mid"] == EXPECTED["weibo_longtext_mid"])
    assert long_post["isLongText"] is True
    extended = json.loads(fetch(web, f"/statuses/extend?id={long_post['mid']}")[2])
    assert extended["ok"] == 1 and len(extended["data"]["longTextContent"]) > len(long_post["text"]) - 40
    pic = next(m for m in seen if m.get("pics"))["pics"][0]
    status, headers, _ = fetch(web, pic["large"]["url"])
    assert status == 200 and headers["content-type"] == "image/png"


def test_empty_weibo_account_answers_ok_0(web):
    uid = EXPECTED["weibo_empty_uid"]
    data = json.loads(fetch(web, f"/api/container/getIndex?type=uid&value={uid}&containerid=107603{uid}")[2])
    assert data == {"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}}
    profile = json.loads(fetch(web, f"/api/container/getIndex?type=uid&value={uid}")[2])
    assert profile["data"]["userInfo"]["statuses_count"] == 0


def test_douyin_shell(web):
    account = EXPECTED["douyin_accounts"][0]
    assert re.fullmatch(r"MS4wLjABAAAA[\w-]{40}", account["sec_uid"])
    text = fetch(web, account["path"])[2].decode()
    assert f"<title>{account['name']}的抖音 - 抖音</title>" in text


# --- WeChat page variants ----------------------------------------------------------------------------


def cgi_data_new(text: str) -> str:
    start = text.index("window.cgiDataNew = {")
    return text[start:text.index("};", start)]


def test_2024_image_share_has_no_js_content(web):
    share = EXPECTED["image_share_article"]
    _biz, mid, idx = share["key"]
    status, headers, body = fetch(web, article_path(share["key"]))
    text = body.decode("utf-8")
    assert status == 200 and headers["content-type"] == "text/html; charset=UTF-8"
    assert 'id="js_content"' not in text and '<div id="js_article" class="share_content_page' in text
    b64 = re.search(r"window\.biz = '' \|\| '([A-Za-z0-9=]+)';", text).group(1)
    assert base64.b64decode(b64).decode() == share["key"][0]
    assert f"window.mid = '' || '' || '{mid}';" in text and f"window.idx = '' || '' || '{idx}';" in text
    assert re.search(r"window\.sn = '' \|\| '' \|\| '[0-9a-f]{32}';", text)
    ct = re.search(r"window\.ct = '(\d{10})' \|\| '';", text).group(1)
    title = ARTICLES[tuple(share["key"])]["title"]
    assert f"window.msg_title = window.title = '{title}' || '';" in text
    assert "window.item_show_type = '8' || '';" in text
    for prop in ("og:title", "og:image", "og:description", "twitter:title"):
        assert f'<meta property="{prop}" content="' in text
    assert f'<meta property="og:title" content="{title}" />' in text
    assert re.search(r'class="wx_follow_nickname"><span class="nickNameSpan">云岚发布</span>', text)
    cgi = cgi_data_new(text)
    assert re.search(r"user_name: 'gh_[0-9a-f]{12}',", cgi) and "nick_name: '云岚发布'," in cgi
    assert f"title: '{title}'," in cgi and "content_noencode: '" in cgi and "\\x0a" in cgi
    published = datetime.fromisoformat(ARTICLES[tuple(share["key"])]["published_at"])
    assert f"create_time: '{published:%Y-%m-%d %H:%M}'," in cgi
    assert f"ori_create_time: '{ct}' * 1," in cgi and int(ct) == int(published.timestamp())
    assert f"bizuin: '{b64}'," in cgi and f"mid: '{mid}' * 1," in cgi and f"idx: '{idx}' * 1," in cgi
    assert "item_show_type: '8' * 1," in cgi and "copyright_stat: '0' * 1," in cgi and "source_url: ''," in cgi
    assert re.search(r"link: '/s\?__biz=[A-Za-z0-9=]+\\x26amp;mid=", cgi)
    assert re.search(r"cdn_url: '/mmbiz_png/\w+/0\?wx_fmt=png',", cgi)  # the cover
    pictures = re.findall(r"cdn_url: '([^']+)',\s+width: '(\d+)' \* 1,\s+height: '(\d+)' \* 1,", cgi)
    assert len(pictures) == 3
    assert [p.replace("\\x26amp;", "&") for p, _, _ in pictures] == share["pictures"]
    for url, width, height in pictures:
        status, headers, png = fetch(web, url.replace("\\x26amp;", "&"))
        assert status == 200 and headers["content-type"] == "image/png" and png.startswith(b"\x89PNG")
        assert (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")) == (int(width), int(height))
    entries = msg_list(fetch(web, history_path(share["key"][0]))[2])["list"]
    first = entries[0]["app_msg_ext_info"]
    assert f"mid={mid}&amp;" in first["content_url"] and first["item_show_type"] == 8


def test_2024_article_with_a_video_iframe(web):
    video = EXPECTED["video_article"]
    biz, mid, _idx = video["key"]
    text = fetch(web, article_path(video["key"]))[2].decode()
    assert re.search(r'<h1 class="rich_media_title[^"]*" id="activity-name">', text)
    assert 'id="js_content"' in text and "<mpvideo" not in text and "picture_page_info_list" not in text
    assert f"window.mid = '' || '' || '{mid}';" in text and "window.item_show_type = '0' || '';" in text
    assert "item_show_type: '0' * 1," in cgi_data_new(text)
    iframe = re.search(r'<iframe class="video_iframe rich_pages" data-src="([^"]+)"', text).group(1)
    src = html.unescape(iframe)
    assert src == video["iframe_src"] and EXPECTED["external_refs"] == [src]
    query = parse_qs(urlsplit(src).query)
    assert urlsplit(src).netloc == "v.qq.com" and query["vid"] == [video["vid"]]
    assert re.fullmatch(r"[a-z0-9]{11}", video["vid"]) and query["origin"] == ["https://mp.weixin.qq.com"]
    assert not any("v.qq.com" in p for p in EXPECTED["paths"])
    entries = msg_list(fetch(web, history_path(biz))[2])["list"]
    urls = [e["app_msg_ext_info"]["content_url"] for e in entries]
    assert any(f"mid={mid}&amp;" in u for u in urls)


def test_audio_article_and_voice_file(web):
    audio = EXPECTED["audio_article"]
    text = fetch(web, article_path(audio["key"]))[2].decode()
    assert 'var publish_time = "' in text and 'id="js_content"' in text
    tag = re.search(r"<mpvoice ([^>]*)></mpvoice>", text).group(1)
    attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', tag))
    assert attrs["class"] == "js_editor_audio audio_iframe" and attrs["name"] == audio["name"]
    assert attrs["voice_encode_fileid"] == audio["voice_fileid"]
    assert re.fullmatch(r"\d{10}_\d{10}", base64.b64decode(attrs["voice_encode_fileid"]).decode())
    assert int(attrs["play_length"]) == audio["play_length_ms"] and attrs["high_size"] and attrs["low_size"]
    template = html.unescape(attrs["src"])
    assert template.startswith("/cgi-bin/readtemplate?t=tmpl/audio_tmpl&name=") and "&play_length=03:07" in template
    assert fetch(web, template)[0] == 200
    status, headers, body = fetch(web, f"/voice/getvoice?mediaid={attrs['voice_encode_fileid']}")
    assert audio["voice_path"] == f"/voice/getvoice?mediaid={attrs['voice_encode_fileid']}"
    assert status == 200 and headers["content-type"] == "audio/mpeg" and body[:2] == b"\xff\xfb"
    assert body == fetch(web, audio["voice_path"])[2] and 1000 < len(body) < 4096
    assert fetch(web, "/voice/getvoice?mediaid=nope")[0] == 404


def test_repost_and_read_original(web):
    repost = EXPECTED["repost_article"]
    text = fetch(web, article_path(repost["key"]))[2].decode()
    body = re.search(r'id="js_content">(.*?)</div>', text, re.DOTALL).group(1)
    assert re.sub(r"<[^>]+>", "", body).strip() == "转自“云岚发布”"  # one short line, no body
    share = re.search(r'<div id="js_share_source" class="share_notice" data-url="([^"]+)">(.*?)</div>', text)
    original = html.unescape(share.group(1))
    assert original.split("#")[0] == repost["original_path"] == article_path(repost["original"])
    assert "&amp;mid=" in share.group(1) and "阅读全文" in share.group(2)
    assert "var msg_source_url = '';" in text
    source = EXPECTED["source_url_article"]
    text = fetch(web, article_path(source["key"]))[2].decode()
    assert f"var msg_source_url = '{source['source_url']}';" in text and "阅读原文" in text
    assert fetch(web, source["source_url"])[0] == 200
    biz = source["key"][0]
    listed = [e["app_msg_ext_info"] for e in msg_list(fetch(web, history_path(biz))[2])["list"]]
    listed += [i for e in listed for i in e["multi_app_msg_item_list"]]
    assert any(item["source_url"] == source["source_url"] for item in listed)


def test_migrated_account_pages(web):
    migrated = EXPECTED["migrated_account"]
    assert migrated["name"] in [c["name"] for c in EXPECTED["portal_closure_notice"]["closed_accounts"]]
    assert migrated["biz"] not in [a["biz"] for a in EXPECTED["wechat_accounts"]]
    for article in migrated["articles"]:
        linking = fetch(web, article_path(article["linked_from"]))[2].decode()
        escaped = article["path"].replace("&", "&amp;")
        assert re.search(rf'<a target="_blank" href="{re.escape(escaped)}#wechat_redirect"[^>]*data-linktype="2"', linking)
        status, _, body = fetch(web, article["path"])
        text = body.decode()
        assert status == 200 and '<div class="weui-msg">' in text and "js_content" not in text
        assert "该公众号已迁移" in text
        assert "该公众号已迁移至新帐号，原帐号已回收。若需访问原文章链接，请点击下方按钮。" in text
        found = re.search(r"var transferTargetLink = '([^']+)';", text)
        if article["transfer_target"] is None:
            assert found is None and "transferTargetLink" not in text
            continue
        assert found.group(1).split("#")[0] == article["transfer_target_path"]
        target = tuple(article["transfer_target"])
        assert target[0] == migrated["successor_biz"] and ARTICLES[target]["title"] == article["title"]
        assert target[1] != article["key"][1]  # re-published with a new mid
        assert fetch(web, found.group(1))[2].decode().count(article["title"]) >= 2
    history = fetch(web, migrated["history_path"])[2].decode()
    assert "该公众号已迁移" in history and "msgList" not in history


def test_captcha_page_is_not_a_deletion(web):
    captcha = EXPECTED["captcha_article"]
    linking = fetch(web, article_path(captcha["linked_from"]))[2].decode()
    assert captcha["path"].replace("&", "&amp;") in linking
    for _ in range(2):  # always, not once
        status, _, body = fetch(web, captcha["path"])
        text = body.decode()
        assert status == 200 and '<div class="weui-msg">' in text and "环境异常" in text
        assert "当前环境异常，完成验证后即可继续访问。" in text
        assert '<a id="js_verify" class="weui-btn weui-btn_primary">去验证</a>' in text
        assert "删除" not in text
    assert tuple(captcha["key"]) not in ARTICLES


def test_album_page_and_json_paging(web):
    album = EXPECTED["album"]
    keys = [tuple(k) for k in album["articles"]]
    assert len(keys) == album["article_count"] == 5 and all(k in ARTICLES and k[0] == album["biz"] for k in keys)
    assert re.fullmatch(r"\d{19}", album["album_id"])
    tagged = fetch(web, article_path(keys[0]))[2].decode()
    tags = re.search(r'<div id="js_tags" class="article-tag__list"><a class="article-tag__item" href="([^"]+)">'
                     r"#冬季服务指南</a></div>", tagged)
    assert html.unescape(tags.group(1)) == album["path"] and "&amp;action=getalbum" in tags.group(1)
    assert tagged.index('id="js_tags"') < tagged.index('id="js_content"')
    assert tagged.index('id="img-content"') < tagged.index('id="js_tags"')
    status, headers, body = fetch(web, album["path"])
    text = body.decode()
    assert status == 200 and headers["content-type"] == "text/html; charset=UTF-8"
    assert '<span class="album__label-title">冬季服务指南</span>' in text
    assert f'<span class="album__author-name">{album["nickname"]}</span>' in text
    assert "var continue_flag = '1';" in text
    items = re.findall(r'<li class="album__list-item[^"]*" ([^>]*)>(.*?)</li>', text, re.DOTALL)
    assert len(items) == album["html_count"] == 2
    shown = []
    for attrs_text, inner in items:
        attrs = {k: html.unescape(v) for k, v in re.findall(r'([\w-]+)="([^"]*)"', attrs_text)}
        key = (album["biz"], attrs["data-msgid"], attrs["data-itemidx"])
        assert attrs["data-link"].split("#")[0] == article_path(key)
        assert attrs["data-title"] == ARTICLES[key]["title"]
        ct = re.search(r'class="js_article_create_time[^"]*">(\d{10})<', inner).group(1)
        assert int(ct) == int(datetime.fromisoformat(ARTICLES[key]["published_at"]).timestamp())
        shown.append(key)
    # JSON paging from the last shown article: 2 articles, then 1 (as a single object)
    pages, last = [], shown[-1]
    while len(pages) < 5:
        path = (f"{album['path']}&f=json&count=10&is_reverse=0&begin_msgid={last[1]}&begin_itemidx={last[2]}")
        status, headers, body = fetch(web, path)
        assert status == 200 and headers["content-type"].startswith("application/json")
        data = json.loads(body)
        assert data["base_resp"] == {"ret": 0, "err_msg": "ok"}
        resp = data["getalbum_resp"]
        assert resp["base_info"]["title"] == "冬季服务指南" and resp["base_info"]["nickname"] == album["nickname"]
        assert resp["base_info"]["article_count"] == "5" and resp["reverse_continue_flag"] == "0"
        pages.append(resp["article_list"])
        listed = resp["article_list"] if isinstance(resp["article_list"], list) else [resp["article_list"]]
        for item in listed:
            key = (album["biz"], item["msgid"], item["itemidx"])
            assert item["url"].split("#")[0] == ARTICLES[key]["path"] and item["title"] == ARTICLES[key]["title"]
            assert isinstance(item["create_time"], str) and item["cover_img_1_1"] and "item_show_type" in item
            shown.append(key)
        assert path in album["json_paths"]
        if resp["continue_flag"] == "0":
            break
        assert resp["continue_flag"] == "1"
        last = shown[-1]
    assert [type(p) for p in pages] == [list, dict] and len(pages[0]) == 2
    assert shown == keys


# --- feeds, portal directories, Toutiao ---------------------------------------------------------------


def test_feeds(web):
    feeds = {f["kind"] + ("-bridge" if f["bridge"] else ""): f for f in EXPECTED["feeds"]}
    assert set(feeds) == {"rss-bridge", "rss", "atom"}
    bridge = feeds["rss-bridge"]
    status, headers, body = fetch(web, bridge["path"])
    assert status == 200 and "xml" in headers["content-type"]
    channel = ET.fromstring(body).find("channel")
    items = channel.findall("item")
    assert len(items) == bridge["items"] == len(bridge["item_paths"])
    fabu = EXPECTED["wechat_accounts"][0]
    assert len(items) == fabu["articles"]
    for item, path in zip(items, bridge["item_paths"]):
        assert item.findtext("link") == path and item.findtext("guid") == path and path.startswith("/s?__biz=")
        assert item.findtext("author") == fabu["name"]
        moment = parsedate_to_datetime(item.findtext("pubDate"))
        assert item.findtext("pubDate").endswith("+0800") and moment.utcoffset().total_seconds() == 8 * 3600
        assert item.findtext("description").startswith("<p>")
        assert fetch(web, path)[0] == 200
    assert b"<![CDATA[" in body
    rss = feeds["rss"]
    column = fetch(web, EXPECTED["start_paths"][1])[2].decode("gbk")
    assert f'<link rel="alternate" type="application/rss+xml" title="通知公告_云岚市人民政府" href="{rss["path"]}">' in column
    channel = ET.fromstring(fetch(web, rss["path"])[2]).find("channel")
    assert [i.findtext("link") for i in channel.findall("item")] == rss["item_paths"]
    assert rss["item_paths"] == [n["path"] for n in EXPECTED["portal_notices"]]
    atom = feeds["atom"]
    ns = {"a": "http://www.w3.org/2005/Atom"}
    status, headers, body = fetch(web, atom["path"])
    assert headers["content-type"].startswith("application/atom+xml")
    entries = ET.fromstring(body).findall("a:entry", ns)
    assert len(entries) == atom["items"] == 3
    assert [e.find("a:link", ns).get("href") for e in entries] == atom["item_paths"]
    for entry, path in zip(entries, atom["item_paths"]):
        assert re.fullmatch(r"/qxj/yjxx/202611/t202611\d\d_\d{4}\.html", path)
        status, headers, page = fetch(web, path)
        text = page.decode("gbk")
        assert status == 200 and headers["content-type"] == "text/html; charset=GBK"
        assert '<meta name="SiteName" content="云岚市人民政府">' in text
        assert '<meta name="ColumnName" content="预警信息">' in text
        assert f'<meta name="ArticleTitle" content="{entry.find("a:title", ns).text}">' in text
        assert re.search(r'<meta name="PubDate" content="2026-11-\d\d \d\d:\d\d:00">', text)
    assert atom["item_paths"] == [n["path"] for n in EXPECTED["qx_notices"]]


def test_qr_grid_directory(web):
    grid = EXPECTED["qr_grid"]
    for page in grid["linked_from"]:
        text = fetch(web, page)[2].decode("gbk")
        assert re.search(r'<a href="(/xxgk/xmt/)?matrix\.html"[^>]*>政务新媒体矩阵</a>', text)
    status, headers, body = fetch(web, grid["path"])
    text = body.decode("gbk")
    assert status == 200 and headers["content-type"] == "text/html; charset=GBK"
    assert '<meta name="SiteIDCode" content="5399000021">' in text and '<meta name="ColumnName"' in text
    assert "云岚市政务新媒体矩阵" in text and "<table" not in text
    ul = re.search(r'<div class="xmt-matrix">\s*<ul>(.*?)</ul>', text, re.DOTALL).group(1)
    lis = re.findall(r"<li>(.*?)</li>", ul)
    assert len(lis) == len(grid["items"]) == 6
    platforms = set()
    for li, item in zip(lis, grid["items"]):
        platforms.add(item["platform"])
        img = re.search(r'<img src="([^"]+)" alt="([^"]*)">', li)
        qr = fetch(web, img.group(1))
        assert qr[0] == 200 and qr[1]["content-type"] == "image/png"
        assert item["name"] in img.group(2)
        href = re.search(r'<a href="([^"]+)"', li)
        assert (html.unescape(href.group(1)) if href else None) == item["path"]
        if item["path"]:
            assert fetch(web, item["path"])[0] == 200
        if item["name_in"] == "alt":
            assert re.sub(r"<img[^>]*>", "", li) == "" and item["platform"] in img.group(2)
        else:
            assert re.search(rf">{item['name']}</(p|span)>", li) and f">{item['platform']}</" in li
    assert {"微信公众号", "新浪微博", "微信视频号", "今日头条"} <= platforms
    assert '<p class="xmt-name">云岚交通</p><p class="xmt-type">微信公众号</p>' in ul
    assert '<img src="' in ul and 'alt="云岚税务 微信公众号">' in ul
    assert re.search(r'<a href="/mp/profile_ext[^"]+"[^>]*><img [^>]*alt="云岚发布"></a><span>云岚发布</span>'
                     r"<span>微信公众号</span>", ul)


def test_district_directory_uses_other_header_words(web):
    district = EXPECTED["district_directory"]
    first = fetch(web, district["linked_from"])[2].decode("gbk")
    assert '<a href="qxxmt.html" target="_blank">区县政务新媒体名录</a>' in first
    status, _, body = fetch(web, district["path"])
    text = body.decode("gbk")
    assert status == 200 and "<th" not in text
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", text, re.DOTALL)
    header = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", rows[0])]
    assert header == district["headers"] == ["序号", "名称", "类型", "开办主体", "账号", "访问地址", "二维码"]
    main_headers = re.findall(r"<th[^>]*>", fetch(web, EXPECTED["directory_pages"][0])[2].decode("gbk"))
    assert len(main_headers) == 6  # the main directory uses <th>
    assert len(rows) - 1 == len(district["rows"]) == 4
    for row, expected in zip(rows[1:], district["rows"]):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)
        assert cells[1] == expected["name"] and cells[2] == expected["kind"] and cells[4] == expected["account"]
        href = re.search(r'<a href="([^"]+)"', cells[5])
        assert (html.unescape(href.group(1)) if href else None) == expected["path"]
        assert re.search(r'<img src="/[^"]+\.png"', cells[6])
    by_name = {r["name"]: r for r in district["rows"]}
    jiaotong = next(a for a in EXPECTED["wechat_accounts"] if a["name"] == "云岚交通")
    assert by_name["云岚交通"]["path"] is None and by_name["云岚交通"]["account"] == jiaotong["alias"]
    renamed = next(r for r in district["rows"] if r["kind"] == "微信公众号" and r["path"])
    account = next(a for a in EXPECTED["wechat_accounts"] if f"wechat:{a['biz']}" == renamed["same_as"])
    assert renamed["name"] != account["name"] and account["name"][-4:] in renamed["name"]
    assert {r["kind"] for r in district["rows"]} >= {"头条号", "抖音号", "微信公众号"}


def test_toutiao_shell(web):
    account = EXPECTED["toutiao_accounts"][0]
    assert re.fullmatch(r"MS4wLjABAAAA[\w-]{40}", account["token"])
    assert account["path"] == f"/toutiao/c/user/token/{account['token']}/"
    status, headers, body = fetch(web, account["path"])
    text = body.decode()
    assert status == 200 and headers["content-type"] == "text/html; charset=UTF-8"
    assert f"<title>{account['name']}的个人主页 - 今日头条(www.toutiao.com)</title>" in text
    assert '<div id="root"></div>' in text
    scripts = re.findall(r'<script src="([^"]+)"', text)
    assert scripts and all(fetch(web, s)[0] == 200 for s in scripts)


# --- the two ways to find an account that no directory links: Sogou and the MP back-office -------------


def test_sogou_account_search(web):
    sogou = EXPECTED["sogou"]
    assert sogou["path"] == f"/weixin?type=1&query={quote(sogou['query'])}&ie=utf8"
    text = fetch(web, sogou["path"])[2].decode()
    lis = re.findall(r'<li id="sogou_vr_11002301_box_(\d+)" d="([\w-]+)">(.*?)</li>', text, re.DOTALL)
    assert [int(n) for n, _, _ in lis] == list(range(sogou["results"])) == [0, 1, 2]
    names, profiles, articles = [], [], []
    for _, _, li in lis:
        assert '<div class="img-box">' in li and re.search(r'<img src="/[^"]+"', li)
        name_html = re.search(r'<p class="tit">\s*<a [^>]*href="([^"]+)">(.*?)</a>', li, re.DOTALL)
        assert "&amp;timestamp=" in name_html.group(1)
        profiles.append(html.unescape(name_html.group(1)))
        assert f"<em><!--red_beg-->{sogou['query']}<!--red_end--></em>" in name_html.group(2)
        names.append(re.sub(r"<[^>]+>", "", name_html.group(2)))
        assert re.search(r'<p class="info">微信号：<label name="em_weixinhao">\w+</label>', li)
        assert "<dt>功能介绍：</dt>" in li and "<script>document.write(authname('2'))</script>认证：</dt>" in li
        recent = re.search(r"<dt>最近文章：</dt>\s*<dd>\s*<a [^>]*href=\"([^\"]+)\">[^<]+</a><span><script>"
                           r"document.write\(timeConvert\('(\d{10})'\)\)</script></span>", li)
        articles.append(html.unescape(recent.group(1)))
    assert names[0] == sogou["exact_name"] and names[1:] == ["云岚交通广播", "云岚交通执法"]
    assert profiles[0] == sogou["profile_path"] and articles[0] == sogou["article_path"]
    for path in profiles + articles:
        query = parse_qs(urlsplit(path).query)
        assert query["src"] == ["3"] and query["ver"] == ["1"] and query["timestamp"] and query["signature"]
        assert "__biz" not in query
    history = fetch(web, sogou["profile_path"])[2]
    entries = msg_list(history)["list"]
    jiaotong = next(a for a in EXPECTED["wechat_accounts"] if a["biz"] == sogou["exact_biz"])
    assert {e["comm_msg_info"]["fakeid"] for e in entries} == {jiaotong["biz"]}
    assert len(entries) == jiaotong["articles"] == 7
    article = fetch(web, sogou["article_path"])[2].decode()
    assert f'var mid = "" || "" || "{sogou["article_key"][1]}";' in article
    assert ARTICLES[tuple(sogou["article_key"])]["title"] in article
    for path in sogou["expired_paths"]:
        assert path in profiles[1:] + articles[1:]
        assert "链接已过期" in fetch(web, path)[2].decode()
    other = fetch(web, "/weixin?type=1&query=%E4%BA%91%E5%B2%9A%E7%A8%8E%E5%8A%A1&ie=utf8")[2].decode()
    assert re.search(r'<ul class="news-list2">\s*</ul>', other) and "暂无与“云岚税务”相关的官方认证订阅号" in other


def test_mp_backoffice_needs_the_demo_session(web):
    mp = EXPECTED["mp_backoffice"]
    cookie = {"Cookie": f"pgv_pvid=1; {mp['cookie']}; data_ticket=x"}
    invalid = {"base_resp": {"ret": 200003, "err_msg": "invalid session"}}
    assert "token=" not in mp["searchbiz_path"] and "token=" not in mp["publish_path"]
    for path, headers in ((mp["searchbiz_path"], cookie), (mp["searchbiz_path"] + f"&token={mp['token']}", None),
                          (mp["publish_path"] + "&token=wrong", cookie)):
        status, response_headers, body = fetch(web, path, headers=headers)
        assert status == 200 and response_headers["content-type"].startswith("application/json")
        assert json.loads(body) == invalid
    assert render(mp["publish_path"] + f"&token={mp['token']}")[2] == render(mp["publish_path"])[2]
    data = json.loads(fetch(web, mp["searchbiz_path"] + f"&token={mp['token']}", headers=cookie)[2])
    assert data["base_resp"] == {"ret": 0, "err_msg": "ok"} and data["total"] == len(data["list"]) == 1
    found = data["list"][0]
    assert found["fakeid"] == mp["biz_b64"] and base64.b64decode(found["fakeid"]).decode() == mp["biz"]
    assert found["nickname"] == "云岚交通" and found["alias"] == "ylsjtys" and found["service_type"] == 1
    assert found["round_head_img"] and found["signature"]
    seen = []
    for begin, path in zip((0, mp["page_size"]), mp["publish_paths"]):
        assert f"&begin={begin}&" in path and f"&fakeid={mp['biz_b64']}&" in path
        data = json.loads(fetch(web, path + f"&token={mp['token']}", headers=cookie)[2])
        assert data["base_resp"] == {"ret": 0, "err_msg": "ok"} and isinstance(data["publish_page"], str)
        page = json.loads(data["publish_page"])
        assert page["total_count"] == page["publish_count"] == mp["total"] == 7 and page["masssend_count"] == 0
        for entry in page["publish_list"]:
            assert entry["publish_type"] == 101 and isinstance(entry["publish_info"], str)
            info = json.loads(entry["publish_info"])
            assert info["type"] == 9 and info["new_publish"] == 1 and info["sent_info"]["is_published"] == 1
            for item in info["appmsgex"]:
                assert item["aid"] == f"{item['appmsgid']}_{item['itemidx']}"
                key = (mp["biz"], str(item["appmsgid"]), str(item["itemidx"]))
                assert item["link"].split("#")[0] == ARTICLES[key]["path"]
                assert item["title"] == ARTICLES[key]["title"]
                assert item["create_time"] == info["sent_info"]["time"] and item["album_id"] == "0"
                assert item["is_deleted"] is (key == tuple(mp["deleted"]))
                seen.append(key)
        assert len(page["publish_list"]) == (5 if begin == 0 else 2)
    assert len(seen) == 7 and tuple(mp["deleted"]) in seen
    text = fetch(web, article_path(mp["deleted"]))[2].decode()
    assert "该内容已被发布者删除" in text and ARTICLES[tuple(mp["deleted"])]["state"] == "deleted"


def _links(path: str, body: bytes, ctype: str) -> list[str]:
    """Every same-host link a page gives (HTML attributes, msgList content_url, RSS/Atom links)."""
    if not any(kind in ctype for kind in ("html", "json", "xml")):
        return []
    text = body.decode("gbk" if "GBK" in ctype or path in EXPECTED["directory_pages"] else "utf-8")
    raw = re.findall(r'\b(?:href|src|data-src|data-url|data-link)="([^"]*)"', text)
    raw += [u.replace("\\/", "/") for u in re.findall(r'"content_url":"([^"]*)"', text)]
    raw += re.findall(r"<link>([^<]+)</link>", text)
    out = []
    for link in raw:
        link = html.unescape(link).split("#")[0]
        if link and not link.startswith(("http:", "https:", "//", "javascript:", "data:")):
            out.append(urljoin(path, link))
    return out


def _reachable(starts: list[str], phase: int) -> set[str]:
    seen, queue = set(), list(starts)
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        status, headers, body = render(path, phase=phase)
        if status == 301:
            queue.append(dict(headers)["Location"])
            continue
        queue += [link for link in _links(path, body, dict(headers)["Content-Type"]) if link not in seen]
    return seen


def test_new_variants_are_reachable_from_the_start_points():
    starts = ["/", *EXPECTED["start_paths"], *(f["path"] for f in EXPECTED["feeds"]), EXPECTED["sogou"]["path"]]
    seen = _reachable(starts, phase=1)
    wanted = [article_path(k) for k in EXPECTED["style_2024_articles"]]
    wanted.append(EXPECTED["style_2019_video_article"]["path"])
    wanted += [article_path(EXPECTED[k]["key"]) for k in ("audio_article", "repost_article", "source_url_article")]
    wanted += [a["path"] for a in EXPECTED["migrated_account"]["articles"]]
    wanted += [EXPECTED["captcha_article"]["path"], EXPECTED["album"]["path"], EXPECTED["qr_grid"]["path"],
               EXPECTED["district_directory"]["path"], EXPECTED["toutiao_accounts"][0]["path"],
               EXPECTED["sogou"]["profile_path"], EXPECTED["sogou"]["article_path"],
               *(n["path"] for n in EXPECTED["qx_notices"])]  # (image share pictures: in JS only)
    wanted += [article_path(k) for k in EXPECTED["album"]["articles"]]
    missing = [w for w in wanted if w.split("#")[0] not in seen]
    assert not missing
    assert EXPECTED["feeds"][1]["path"] in seen  # linked from the column page's <head>


# --- HTTP behaviour and determinism ------------------------------------------------------------------


def test_gzip_when_asked_and_head(web):
    path = EXPECTED["directory_pages"][0]
    status, headers, body = fetch(web, path, headers={"Accept-Encoding": "gzip, deflate"})
    assert headers["content-encoding"] == "gzip" and int(headers["content-length"]) == len(body)
    assert gzip.decompress(body) == render(path)[2]
    assert fetch(web, path, headers={"Accept-Encoding": "gzip"})[2] == body  # mtime=0: stable bytes
    assert "content-encoding" not in fetch(web, path)[1]
    api = f"/api/container/getIndex?type=uid&value={EXPECTED['weibo_uids'][0]}"
    assert fetch(web, api, headers={"Accept-Encoding": "gzip"})[1]["content-encoding"] == "gzip"
    image = fetch(web, EXPECTED["shared_image_url"], headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in image[1]
    status, headers, body = fetch(web, path, method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) == len(render(path)[2])


def test_render_is_deterministic_and_serves_every_expected_path():
    for path in EXPECTED["paths"]:
        first, second = render(path), render(path)
        assert first == second
        expected = 200
        if path == EXPECTED["redirect"][0]:
            expected = 301
        elif path in EXPECTED["not_found_paths"]:
            expected = 404
        assert first[0] == expected, path


def test_links_inside_pages_are_relative():
    for path in EXPECTED["paths"]:
        _, headers, body = render(path)
        ctype = dict(headers)["Content-Type"]
        if "html" not in ctype and "json" not in ctype:
            continue
        text = body.decode("gbk" if "GBK" in ctype or path in EXPECTED["directory_pages"] else "utf-8")
        for link in HTML_LINK.findall(text):
            if html.unescape(link) in EXPECTED["external_refs"]:
                continue  # the one external reference (a v.qq.com video iframe), never fetched from the demo
            assert not link.startswith(("http:", "https:", "//")), (path, link)
        assert "127.0.0.1" not in text


def test_busy_port_falls_back_unless_told_not_to():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        busy = sock.getsockname()[1]
        with DemoWeb(port=busy) as demo:
            assert demo.port != busy and demo.base_url == f"http://127.0.0.1:{demo.port}"
            assert fetch(demo, "/robots.txt")[0] == 200
        with pytest.raises(OSError):
            DemoWeb(port=busy, fallback=False).start()


def test_module_runs_as_a_server():
    proc = subprocess.Popen([sys.executable, "-m", "govarchive.demo.server", "--port", "0"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        assert match, line
        conn = http.client.HTTPConnection("127.0.0.1", int(match.group(1)), timeout=10)
        conn.request("GET", "/robots.txt")
        assert conn.getresponse().status == 200
        conn.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert proc.stderr.read() == ""


# --- phase 2: the same web a few weeks later -----------------------------------------------------------

LATER = EXPECTED["later"]
MARKERS = LATER["markers"]


def _sample_paths() -> list[str]:
    """A broad sample: every path of EXPECTED (both phases), the sources' start URLs, MP pages with token."""
    sources = tomllib.loads((ROOT / "govarchive/demo/sources.toml").read_text(encoding="utf-8"))
    paths = [*EXPECTED["paths"], *LATER["new_paths"], *(s["url"] for s in sources["source"] if "url" in s)]
    mp = EXPECTED["mp_backoffice"]
    paths += [p + f"&token={mp['token']}" for p in (mp["searchbiz_path"], *mp["publish_paths"])]
    return paths


def mp_get(path: str, phase: int) -> dict:
    mp = EXPECTED["mp_backoffice"]
    return json.loads(render(path + f"&token={mp['token']}", {"Cookie": mp["cookie"]}, phase=phase)[2])


def listed_keys(body: bytes) -> list[tuple[str, str, str]]:
    """The (biz, mid, idx) of every article a history page's msgList lists, in order."""
    keys = []
    for entry in msg_list(body)["list"]:
        info = entry["app_msg_ext_info"]
        for item in [info, *info["multi_app_msg_item_list"]]:
            query = parse_qs(urlsplit(html.unescape(item["content_url"])).query)
            keys.append((base64.b64decode(query["__biz"][0]).decode(), query["mid"][0], query["idx"][0]))
    return keys


def test_phase_1_is_the_default_for_every_path():
    mp_cookie = {"Cookie": EXPECTED["mp_backoffice"]["cookie"]}
    for path in _sample_paths():
        for headers in (None, mp_cookie):
            assert render(path, headers) == render(path, headers, phase=1), path


def test_phase_2_changes_only_the_changed_paths():
    changed = set(LATER["changed_paths"])
    assert changed <= set(EXPECTED["paths"]) and not set(LATER["new_paths"]) & set(EXPECTED["paths"])
    for path in EXPECTED["paths"]:
        same = render(path) == render(path, phase=2)
        assert same is (path not in changed), path
    # the portal gets nothing new: its pages, notices and feeds answer the same bytes
    portal = [*EXPECTED["directory_pages"], *EXPECTED["start_paths"], "/",
              *(n["path"] for n in EXPECTED["portal_notices"]), *(f["path"] for f in EXPECTED["feeds"][1:])]
    assert not changed & set(portal)
    assert LATER["paths"] == EXPECTED["paths"] + LATER["new_paths"]
    for path in LATER["paths"]:
        expected = 200
        if path == EXPECTED["redirect"][0]:
            expected = 301
        elif path in EXPECTED["not_found_paths"]:
            expected = 404
        first = render(path, phase=2)
        assert first == render(path, phase=2) and first[0] == expected, path


def test_phase_2_cancelled_accounts():
    cancelled = {a["biz"]: a for a in LATER["cancelled_accounts"]}
    assert set(cancelled) == {EXPECTED["closing_account"], EXPECTED["zombie_account"]}
    assert LATER["today"] == "2026-12-15T09:00:00+08:00" and LATER["today"] > EXPECTED["today"]
    closure_text = render(article_path(EXPECTED["closure_post"]))[2].decode()
    assert "2026年12月1日起停止更新并启动注销程序" in closure_text  # the phase-1 notice announced it
    closed_names = [c["name"] for c in EXPECTED["portal_closure_notice"]["closed_accounts"]]
    assert cancelled[EXPECTED["zombie_account"]]["name"] in closed_names
    summaries = {a["biz"]: a for a in LATER["wechat_accounts"]}
    for biz, account in cancelled.items():
        assert account["account_id"] == f"wechat:{biz}" and account["history_path"] == history_path(biz)
        assert summaries[biz]["status"] == "cancelled" and summaries[biz]["articles"] == 0
        assert "var msgList = " in render(account["history_path"])[2].decode()  # phase 1: a normal history
        status, headers, body = render(account["history_path"], phase=2)
        text = body.decode("utf-8")
        assert status == 200 and dict(headers)["Content-Type"] == "text/html; charset=UTF-8"
        assert '<div class="weui-msg">' in text and '<h2 class="weui-msg__title">' in text
        assert MARKERS["cancelled_profile"] in text and MARKERS["cancelled"] in text
        assert "msgList" not in text and "<title></title>" in text
        assert account["article_paths"] == [a["path"] for a in LATER["wechat_articles"]
                                            if a["key"][0] == biz]
        for path in account["article_paths"]:
            assert render(path)[0] == 200 and "js_content" in render(path)[2].decode()
            status, _, body = render(path, phase=2)
            text = body.decode("utf-8")
            assert status == 200 and "js_content" not in text and '<div class="weui-msg">' in text
            assert re.search(rf'<h2 class="weui-msg__title">\s*{MARKERS["cancelled"]}\s*</h2>', text)
    assert len(cancelled[EXPECTED["closing_account"]]["article_paths"]) == 3
    assert cancelled[EXPECTED["zombie_account"]]["article_paths"] == []
    # the MP back-office no longer finds them
    name = cancelled[EXPECTED["closing_account"]]["name"]
    searchbiz = EXPECTED["mp_backoffice"]["searchbiz_path"].replace(quote("云岚交通"), quote(name))
    assert mp_get(searchbiz, 1)["total"] == 1 and mp_get(searchbiz, 2)["total"] == 0


def test_phase_2_deleted_article_is_gone_from_its_listing():
    deleted = LATER["deleted_article"]
    key = tuple(deleted["key"])
    assert deleted["biz"] == key[0] and deleted["account_id"] == f"wechat:{key[0]}"
    assert ARTICLES[key]["state"] == "ok" and ARTICLES[key]["path"] == deleted["path"]
    special = {tuple(EXPECTED[k]) for k in ("closure_post", "deleted_article", "style_2020_article")}
    special |= {tuple(EXPECTED[k]["key"]) for k in ("image_share_article", "video_article", "audio_article",
                                                    "repost_article", "source_url_article")}
    special |= {tuple(EXPECTED["repost_article"]["original"]), *map(tuple, EXPECTED["album"]["articles"])}
    special |= {tuple(a["transfer_target"]) for a in EXPECTED["migrated_account"]["articles"]
                if a["transfer_target"]}
    special |= {tuple(EXPECTED["sogou"]["article_key"]), tuple(EXPECTED["captcha_article"]["linked_from"])}
    assert key not in special
    account = next(a for a in LATER["wechat_accounts"] if a["biz"] == key[0])
    assert account["status"] == "active"
    assert "该内容已被发布者删除" not in render(deleted["path"])[2].decode()
    status, _, body = render(deleted["path"], phase=2)
    text = body.decode("utf-8")
    assert status == 200 and MARKERS["deleted"] in text and "js_content" not in text
    assert '<h2 class="weui-msg__title">' in text
    before = listed_keys(render(deleted["history_path"])[2])
    after = listed_keys(render(deleted["history_path"], phase=2)[2])
    assert key in before and key not in after and after == [k for k in before if k != key]
    assert len(after) == account["articles"]
    ids = [re.findall(r'"id":(\d+)', render(deleted["history_path"], phase=p)[2].decode()) for p in (1, 2)]
    assert set(ids[1]) < set(ids[0])  # the other pushes keep their message ids
    # the MP back-office still lists it, flagged is_deleted
    mp = EXPECTED["mp_backoffice"]
    publish = mp["publish_path"].replace(mp["biz_b64"], base64.b64encode(key[0].encode()).decode())
    items = [item for p in (1, 2) for entry in json.loads(mp_get(publish, p)["publish_page"])["publish_list"]
             for item in json.loads(entry["publish_info"])["appmsgex"] if item["appmsgid"] == int(key[1])]
    assert [item["is_deleted"] for item in items] == [False, True]
    state = {tuple(a["key"]): a["state"] for a in LATER["wechat_articles"]}
    assert state[key] == "deleted"


def test_phase_2_new_article_tops_its_listing():
    new = LATER["new_article"]
    key = tuple(new["key"])
    assert new["published_at"] == "2026-12-10T17:00:00+08:00" and new["account_id"] == f"wechat:{key[0]}"
    assert key[0] == EXPECTED["wechat_accounts"][0]["biz"] and key not in ARTICLES  # 云岚发布, phase 2 only
    assert not any(word in new["title"] for word in ("停止更新", "注销", "关停", "迁移"))
    assert "参数错误" in render(new["path"])[2].decode()  # not published yet in phase 1
    status, _, body = render(new["path"], phase=2)
    text = body.decode("utf-8")
    assert status == 200 and 'id="js_content"' in text and new["title"] in text
    assert f'var mid = "" || "" || "{key[1]}";' in text and 'var publish_time = "2026-12-10" || "";' in text
    assert "注销" not in re.search(r'id="js_content"[^>]*>(.*?)</div>', text, re.DOTALL).group(1)
    listed = listed_keys(render(new["history_path"], phase=2)[2])
    assert listed[0] == key and listed[1:] == listed_keys(render(new["history_path"])[2])
    summary = next(a for a in LATER["wechat_accounts"] if a["biz"] == key[0])
    assert summary["last_post_at"] == new["published_at"] and summary["articles"] == len(listed)
    channel = ET.fromstring(render(new["feed_path"], phase=2)[2]).find("channel")
    assert channel.find("item").findtext("link") == new["path"]
    assert channel.findtext("lastBuildDate") == "Tue, 15 Dec 2026 09:00:00 +0800"
    assert render(new["cover_url"])[0] == 404
    status, headers, png = render(new["cover_url"], phase=2)
    assert status == 200 and dict(headers)["Content-Type"] == "image/png" and png.startswith(b"\x89PNG")
    assert new["cover_url"] in text or new["cover_url"] in render(new["history_path"], phase=2)[2].decode()
    state = {tuple(a["key"]): a["state"] for a in LATER["wechat_articles"]}
    assert state[key] == "ok" and len(state) == len(ARTICLES) + 1


def test_phase_2_articles_answer_their_state():
    for article in LATER["wechat_articles"]:
        text = render(article["path"], phase=2)[2].decode("utf-8")
        marker = {"ok": None, **MARKERS}[article["state"]]
        if marker is None:
            assert "weui-msg" not in text and article["title"].split("｜")[-1] in html.unescape(text)
        else:
            assert marker in text and "js_content" not in text


def test_phase_2_new_paths_are_reachable_from_the_start_points():
    starts = ["/", *EXPECTED["start_paths"], *(f["path"] for f in EXPECTED["feeds"])]
    seen = _reachable(starts, phase=2)
    assert set(LATER["new_paths"]) <= seen
    assert {a["history_path"] for a in LATER["cancelled_accounts"]} <= seen
    assert LATER["deleted_article"]["path"] not in seen  # listed nowhere any more
    assert LATER["deleted_article"]["path"] in _reachable(starts, phase=1)


def test_demo_web_serves_phase_2_over_http(web):
    new, cancelled = LATER["new_article"], LATER["cancelled_accounts"][0]
    with DemoWeb(port=0, phase=2) as later:
        assert later.phase == 2 and web.phase == 1
        deleted = LATER["deleted_article"]["path"]
        for path in (new["path"], new["cover_url"], cancelled["history_path"], deleted, EXPECTED["directory_pages"][0]):
            status, _, body = fetch(later, path)
            assert (status, body) == render(path, phase=2)[::2], path
        assert MARKERS["cancelled_profile"] in fetch(later, cancelled["history_path"])[2].decode()
        assert MARKERS["cancelled_profile"] not in fetch(web, cancelled["history_path"])[2].decode()
        assert fetch(later, new["cover_url"])[0] == 200 and fetch(web, new["cover_url"])[0] == 404


def test_unknown_phases_are_refused():
    with pytest.raises(ValueError):
        render("/", phase=3)
    with pytest.raises(ValueError):
        DemoWeb(phase=0)


def test_module_runs_phase_2():
    proc = subprocess.Popen([sys.executable, "-m", "govarchive.demo.server", "--port", "0", "--phase", "2"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/ \(phase 2, 2026-12-15;", line)
        assert match, line
        conn = http.client.HTTPConnection("127.0.0.1", int(match.group(1)), timeout=10)
        conn.request("GET", LATER["cancelled_accounts"][1]["history_path"])
        assert MARKERS["cancelled_profile"] in conn.getresponse().read().decode()
        conn.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert proc.stderr.read() == ""


# --- the Hanweb and TRS columns and the news site (govarchive/demo/cms.py) ------------------------------

CMS = cms_expected_facts


def test_hanweb_column_holds_the_first_group_and_the_proxy_answers_posts_only(web):
    hanweb = CMS["hanweb"]
    text = render(hanweb["column_path"])[2].decode("utf-8")
    linked = set(re.findall(r'href="([^"]+)"', text))
    paths = [a["path"] for a in hanweb["articles"]]
    assert set(paths[:hanweb["in_page"]]) <= linked and not set(paths[hanweb["in_page"]:]) & linked
    assert '<script type="text/xml"><datastore>' in text and f"var param_{hanweb['unit']} = {{" in text
    assert f"totalRecord: {hanweb['total']}" in text and "dataproxy.jsp" in text
    form = "&".join(f"{k}={quote(v)}" for k, v in hanweb["params"].items()).encode()
    group = hanweb["per_page"] * hanweb["group_size"]
    served = list(paths[:group])
    for start in range(group + 1, hanweb["total"] + 1, group):
        path = f"{hanweb['proxy_path']}?startrecord={start}&endrecord={start + group - 1}&perpage={hanweb['per_page']}"
        status, headers, body = fetch(web, path, method="POST", body=form,
                                      headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 200 and headers["content-type"].startswith("text/xml")
        served += re.findall(r'<a href="([^"]+)"', body.decode("utf-8"))
        assert not re.findall(r'<a href="([^"]+)"', fetch(web, path)[2].decode("utf-8"))  # a GET carries no form
    assert served == paths  # every record once, in the list's order


def test_hanweb_articles_carry_their_header_in_cells_and_one_a_migrated_pubdate():
    for article in CMS["hanweb"]["articles"]:
        text = render(article["path"])[2].decode("utf-8")
        assert '<td class="tit">索 引 号</td>' in text and f'<meta name="ArticleTitle" content="{article["title"]}">' in text
        shown = datetime.fromisoformat(article["published_at"])
        assert f"发布日期：{shown:%Y-%m-%d %H:%M}" in text
        meta = datetime.fromisoformat(article["meta_pubdate"]) if article["meta_pubdate"] else shown
        assert f'<meta name="PubDate" content="{meta:%Y-%m-%d %H:%M}">' in text
    assert sum(1 for a in CMS["hanweb"]["articles"] if a["meta_pubdate"]) == 1


def test_trs_pages_are_announced_only_by_create_page_html():
    trs = CMS["trs"]
    for number, path in enumerate(trs["pages"]):
        text = render(path)[2].decode("gbk")
        assert f"var currentPage = {number};" in text and "createPageHTML(countPage, currentPage" in text
        assert not re.search(r'href="[^"]*index_\d', text)  # no link to another page in the markup
    last = render(trs["js_array_page"])[2].decode("gbk")
    assert "var docs = [" in last and not re.search(r'href="\./20\d{4}/t', last)  # its list only in the script
    assert render(trs["column_path"])[2] == render(trs["pages"][0])[2]
    bare = render(trs["without_meta"])[2].decode("gbk")
    assert 'name="ArticleTitle"' not in bare and "｜云岚市人民政府</title>" in bare and "来源：" in bare


def test_the_news_report_names_the_closed_accounts_and_its_front_page_is_a_list():
    news = CMS["news"]
    report = render(news["closure_report"]["path"])[2].decode("utf-8")
    assert 'property="article:published_time"' in report and '"@type": "NewsArticle"' in report
    for name in news["closure_report"]["named_accounts"]:
        assert f"“{name}”" in report or f"‘{name}’" in report
    assert news["closure_report"]["named_owner"]["name"] + "微信公众号" in report  # no quotes, no account name
    home = render(news["home"])[2].decode("utf-8")
    assert news["closure_report"]["path"] in home and news["other_report"]["path"] in home
