"""The demo web (govarchive.demo): served offline on 127.0.0.1, port 0, shaped like the real platforms."""

from __future__ import annotations

import gzip
import http.client
import json
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from govarchive.demo import DemoWeb, render
from govarchive.demo.content import EXPECTED

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = {tuple(a["key"]): a for a in EXPECTED["wechat_articles"]}
HTML_LINK = re.compile(r'\b(?:href|src|data-src)="([^"]*)"')


@pytest.fixture(scope="module")
def web():
    with DemoWeb(port=0) as demo:
        yield demo


def fetch(web: DemoWeb, path: str, method: str = "GET", headers: dict[str, str] | None = None):
    conn = http.client.HTTPConnection(web.host, web.port, timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
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
    for key, article in ARTICLES.items():
        if article["state"] == "deleted":
            continue
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
        assert re.search(r'<img [^>]*data-src="/mmbiz_png/\w+/0\?wx_fmt=png"', text)
        assert "点击蓝字" in text
        if 'var publish_time = "' in text:
            old_style += 1
            assert 'var msg_title = "' in text and '<em id="post-date"' in text
            assert 'var copyright_stat = "0" * 1;' in text and "var msg_source_url = '';" in text
        else:
            assert key == tuple(EXPECTED["style_2020_article"])
            assert ".html(false);" in text
    assert old_style >= 5


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
