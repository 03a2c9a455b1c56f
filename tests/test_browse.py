"""Browsing the archive in Datasette: generated metadata, canned queries on the demo archive, the
Atom feed, robots, and the archived-copy viewer (its headers, and its handling of hostile pages).

In-process through ``datasette.client``: no port, no browser (tests/test_browser.py drives Chromium).
"""

from __future__ import annotations

import html
import json
import re
import sqlite3
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit
from xml.etree import ElementTree

import pytest
from datasette.app import Datasette
from datasette.plugins import pm
from datasette.utils import tilde_encode
from helpers import fixed_clock, make_capture

import govarchive.browse as plugin
from govarchive.browse.metadata import SCHEMA_DOCS_JSON, TABLES, database_metadata, parse_schema_docs
from govarchive.browse.queries import QUERIES
from govarchive.browse.replay import ARCHIVED_CSP, canonical_url, rewrite_html
from govarchive.core.items import Account, Post
from govarchive.demo.content import EXPECTED
from govarchive.index.store import open_index
from govarchive.warc.writer import WarcArchive

ROOT = Path(__file__).resolve().parents[1]


def datasette(db: Path) -> Datasette:
    if pm.get_plugin("govarchive") is None:  # entry points are not loaded in every test setup
        pm.register(plugin, name="govarchive")
    return Datasette([str(db)])


async def get_json(ds: Datasette, path: str, **params) -> list[dict]:
    response = await ds.client.get(path, params={"_shape": "array", **params})
    assert response.status_code == 200, response.text[:2000]
    return response.json()


def rows(db: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


# -- metadata ------------------------------------------------------------------------------------------

def test_schema_docs_json_matches_docs_schema_md():
    """The column descriptions Datasette shows are docs/schema.md's (make metadata regenerates them)."""
    parsed = parse_schema_docs((ROOT / "docs" / "schema.md").read_text(encoding="utf-8"))
    assert json.loads(SCHEMA_DOCS_JSON.read_text(encoding="utf-8")) == parsed, "run: make metadata"


def test_every_table_and_column_of_the_index_is_described(demo_archive):
    meta = database_metadata()
    db = demo_archive / "index.db"
    tables = [name for (name,) in rows(db, "select name from sqlite_master where type = 'table' "
                                           "and name not like '%_fts%' and name not like 'sqlite_%'")]
    for table in tables:
        assert table in TABLES, f"{table} has no title/description in govarchive/browse/metadata.py"
        described = meta["tables"][table].get("columns", {})
        for (column,) in rows(db, f"select name from pragma_table_info('{table}')"):
            if table != "_sqlite_migrations":
                assert described.get(column), f"{table}.{column} is not described in docs/schema.md"


@pytest.mark.asyncio
async def test_metadata_titles_labels_facets_and_sorts(demo_archive):
    ds = datasette(demo_archive / "index.db")
    page = await ds.client.get("/")
    assert "政务新媒体存档" in page.text and "before they close" in page.text
    accounts = await ds.client.get("/index/accounts")
    text = accounts.text
    assert "账号 accounts" in text and "政务新媒体账号" in text
    for facet in ("platform", "status", "region", "agency"):
        assert f'data-column="{facet}"' in text, facet
    # sorted by risk, highest first
    risks = [row["risk"] for row in await get_json(ds, "/index/accounts.json", _col="risk")]
    assert risks == sorted(risks, key=lambda r: -(r or 0))
    # a column description from docs/schema.md
    assert "how urgently its content should be saved" in html.unescape(text)
    # foreign keys read as names: a post's account shows the account's name
    posts = await get_json(ds, "/index/posts.json", _labels="on", _col=["account_id", "published_at"], _size="1",
                           platform="wechat", state="ok")
    assert posts[0]["account_id"]["label"] and posts[0]["account_id"]["label"] != posts[0]["account_id"]["value"]
    notices = await ds.client.get("/index/notices")
    assert 'data-column="kind"' in notices.text
    # the search shadows are hidden
    database = await ds.client.get("/index")
    assert "posts_fts" not in re.sub(r"hidden.*", "", database.text, flags=re.S)


@pytest.mark.asyncio
async def test_robots_are_blocked(demo_archive):
    ds = datasette(demo_archive / "index.db")
    robots = await ds.client.get("/robots.txt")
    assert robots.status_code == 200 and "Disallow: /" in robots.text


# -- canned queries on the demo archive -----------------------------------------------------------------

@pytest.mark.asyncio
async def test_every_canned_query_is_offered_and_runs(demo_archive):
    ds = datasette(demo_archive / "index.db")
    database = await ds.client.get("/index")
    for name, (title, _, _) in QUERIES.items():
        assert title in html.unescape(database.text), name
        response = await ds.client.get(f"/index/{name}")
        assert response.status_code == 200, (name, response.text[:1000])


@pytest.mark.asyncio
async def test_search_posts_finds_closure_notices_with_their_archived_copy(demo_archive):
    ds = datasette(demo_archive / "index.db")
    found = await get_json(ds, "/index/search_posts.json", q="关停")
    titles = [row["title"] for row in found]
    assert EXPECTED["portal_closure_notice"]["title"] in titles
    assert all(row["archived_copy"].startswith("/-/archive/urn:uuid:") for row in found)
    assert await get_json(ds, "/index/search_posts.json", q="關停") == found  # Traditional spelling


@pytest.mark.asyncio
async def test_where_did_it_go_lists_successors_with_evidence(demo_archive):
    ds = datasette(demo_archive / "index.db")
    found = await get_json(ds, "/index/where_did_it_go.json", account="云岚人社服务")
    assert {row["successor"] for row in found} >= {"云岚发布", "云岚市人民政府"}
    resolved = next(row for row in found if row["successor"] == "云岚发布" and row["successor_platform"] == "wechat")
    assert resolved["successor_account"] == "云岚发布" and resolved["successor_copy"].startswith("/-/archive/")
    assert resolved["evidence"] and resolved["evidence_copy"].startswith("/-/archive/")
    assert {row["status"] for row in found} == {"closing"}
    # the platform's own move: evidence is the account's migration page
    moved = await get_json(ds, "/index/where_did_it_go.json", account="wechat:3128460735")
    assert moved[0]["successor"] == "云岚发布" and moved[0]["status"] == "migrated" and moved[0]["evidence_copy"]
    assert await get_json(ds, "/index/where_did_it_go.json", account="") == []


@pytest.mark.asyncio
async def test_where_did_it_go_gives_the_news_reports_claims_with_their_source_and_no_wrong_successor(demo_archive):
    """The demo news report names five accounts, several in one sentence, one by its owner only, and tells each
    successor in a later sentence for the one account it names: every claim says which report it comes from, and no
    account gets another's successor."""
    from govarchive.demo.cms import EXPECTED as CMS

    report = CMS["news"]["closure_report"]
    ds = datasette(demo_archive / "index.db")
    owner = report["named_owner"]
    for account, successors in report["successors"].items():
        found = await get_json(ds, "/index/where_did_it_go.json", account=account)
        claimed = [row for row in found if row["source"] == "report"]
        assert claimed, account
        assert {row["according_to"] for row in claimed} == {f"据 according to {report['title']}, 2026-11-19"}
        assert all(row["evidence_copy"].startswith("/-/archive/urn:uuid:") for row in claimed)
        assert {(row["successor"], row["successor_platform"]) for row in claimed if row["successor"]} == \
            set(successors), account
        # the notice's word comes first, and the report never adds an online successor the notice did not give
        assert found[0]["source"] == "notice"
        online = {(row["successor"], row["successor_platform"]) for row in found if row["successor"]
                  and row["successor_platform"] not in ("office", "unspecified")}
        assert online <= {(row["successor"], row["successor_platform"]) for row in found
                          if row["source"] == "notice"}
    # the owner named with its platform word is its account there, not a new one
    assert rows(demo_archive / "index.db", "select count(*) from accounts where name = ?", owner["name"]) == [(0,)]
    assert rows(demo_archive / "index.db", "select a.name, c.named_as from claims c join accounts a on a.id = c.account_id "
                "where c.named_as = ?", owner["name"]) == [(owner["account"], owner["name"])]


@pytest.mark.asyncio
async def test_closed_without_successor_lists_only_accounts_whose_content_has_nowhere_to_go(demo_archive):
    ds = datasette(demo_archive / "index.db")
    names = {row["name"]: row for row in await get_json(ds, "/index/closed_without_successor.json")}
    assert set(names) == {"云岚就业", "临江城管"}  # 'other platforms' only; an office only
    assert names["临江城管"]["notices_say"] == "office: 临江区政务服务中心"
    # every closing account that names an online successor is left out
    named = {row[0] for row in rows(demo_archive / "index.db", "select a.name from accounts a join migrations m "
                                    "on m.from_account_id = a.id where m.target_platform in ('wechat', 'website')")}
    assert not named & set(names)


@pytest.mark.asyncio
async def test_dormant_and_zombie_by_agency(demo_archive):
    ds = datasette(demo_archive / "index.db")
    found = await get_json(ds, "/index/dormant_and_zombie_by_agency.json")
    assert found == [{"agency": "云岚市气象局", "region": "云岚市", "zombie": 1, "dormant": 0,
                      "accounts": "云岚气象 (weibo, zombie)", "newest_post": None}]


@pytest.mark.asyncio
async def test_closures_by_month(demo_archive):
    ds = datasette(demo_archive / "index.db")
    months = {row["month"]: row for row in await get_json(ds, "/index/closures_by_month.json")}
    notices = rows(demo_archive / "index.db", "select substr(coalesce(effective_at, announced_at), 1, 7), count(*) "
                                              "from notices where is_report = 0 group by 1")
    for month, count in notices:
        row = months[month]
        assert sum(row[k] for k in ("closure", "stop_updating", "merger", "migration", "suspension")) == count
    assert months["2026-12"]["closure"] == 1  # 云岚人社服务, effective 2026-12-01
    assert sum(row["seen_migrated"] for row in months.values()) == 1


@pytest.mark.asyncio
async def test_old_link_finds_the_archived_copy_and_the_account_fate(demo_archive):
    db = demo_archive / "index.db"
    ds = datasette(db)
    url, title, capture = rows(db, "select p.url, p.title, p.capture_id from posts p join accounts a "
                                   "on a.id = p.account_id where a.name = '云岚人社服务' and p.state = 'ok' "
                                   "and p.platform = 'wechat' limit 1")[0]
    # as a reader has it: with WeChat's tracking parameters and a fragment
    old = url + "&chksm=0123abcd&scene=27&from=timeline#wechat_redirect"
    found = await get_json(ds, "/index/old_link.json", url=old)
    assert found and found[0]["archived_copy"] == "/-/archive/" + capture
    assert found[0]["title"] == title and found[0]["account_status"] == "closing"
    assert "云岚发布 (wechat)" in found[0]["successors"]
    assert await get_json(ds, "/index/old_link.json", url="http://example.invalid/nothing") == []


def test_canonical_url_keeps_only_what_identifies_a_wechat_article():
    assert canonical_url("https://mp.weixin.qq.com/s?__biz=MzA=&mid=1&idx=2&sn=ab&chksm=x&scene=27#rd") == \
        "https://mp.weixin.qq.com/s?__biz=MzA%3D&mid=1&idx=2&sn=ab"
    assert canonical_url("http://www.example.gov.cn/a.html#top") == "http://www.example.gov.cn/a.html"


@pytest.mark.asyncio
async def test_closures_feed_is_atom_with_one_entry_per_notice(demo_archive):
    db = demo_archive / "index.db"
    ds = datasette(db)
    response = await ds.client.get("/index/closures_feed.atom")
    assert response.status_code == 200
    feed = ElementTree.fromstring(response.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert feed.find("a:title", ns).text.startswith("新记录的关停与迁移")
    entries = feed.findall("a:entry", ns)
    notices = rows(db, "select count(*) from notices where is_report = 0")[0][0]
    moves = rows(db, "select count(*) from migrations where source = 'platform'")[0][0]
    seen = rows(db, "select count(*) from status_history where table_name = 'accounts' "
                    "and new_status in ('closed', 'migrated')")[0][0]
    claims = rows(db, "select count(*) from claims")[0][0]
    assert claims  # the demo's news report (云岚日报) names closed accounts
    assert len(entries) == notices + moves + seen + claims
    titles = [entry.find("a:title", ns).text for entry in entries]
    assert sum(title.endswith("报道 reported") for title in titles) == claims
    assert any(title.startswith("云岚人社服务 · closure · 2026-12-01") for title in titles)
    assert all(entry.find("a:link", ns).get("href").startswith("/-/archive/urn:uuid:") for entry in entries)


# -- the archived-copy viewer ------------------------------------------------------------------------------

@pytest.mark.asyncio
async def test_viewer_shows_a_banner_and_frames_the_page_under_a_strict_policy(demo_archive):
    db = demo_archive / "index.db"
    ds = datasette(db)
    capture, title = rows(db, "select p.capture_id, p.title from posts p join accounts a on a.id = p.account_id "
                              "where a.name = '云岚人社服务' and p.state = 'ok' and p.platform = 'wechat' limit 1")[0]
    page = await ds.client.get(f"/-/archive/{capture}")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "script-src 'none'" in csp and "frame-ancestors 'none'" in csp
    text = html.unescape(page.text)
    assert "存档副本 Archived copy" in text and title in text
    assert "北京时间" in text and "closing" in text and "云岚发布" in text  # status and successor
    frame = re.search(r"<iframe[^>]*>", page.text).group(0)
    sandbox = re.search(r'sandbox="([^"]*)"', frame).group(1)
    assert "allow-scripts" not in sandbox and "allow-same-origin" not in sandbox
    raw = await ds.client.get(f"/-/archive/{capture}/raw")
    assert raw.status_code == 200 and raw.headers["content-type"] == "text/html; charset=utf-8"
    policy = raw.headers["content-security-policy"]
    assert policy == ARCHIVED_CSP and policy.startswith("sandbox ") and "default-src 'none'" in policy
    assert "allow-scripts" not in policy and "script-src" not in policy
    assert raw.headers["x-content-type-options"] == "nosniff"
    assert title in raw.text
    # images come from the archive
    images = re.findall(r'<img[^>]*\ssrc="(/-/archive/resolve[^"]*)"', raw.text)
    assert images
    resolved = await ds.client.get(html.unescape(images[0]))
    assert resolved.status_code == 302
    image = await ds.client.get(resolved.headers["location"])
    assert image.status_code == 200 and image.headers["content-type"].startswith("image/")
    assert image.headers["content-security-policy"] == ARCHIVED_CSP
    # provenance: the WARC record itself, and the payload as a download
    record = await ds.client.get(f"/-/archive/{capture}/warc")
    assert record.headers["content-type"] == "application/warc" and record.content[:2] == b"\x1f\x8b"
    download = await ds.client.get(f"/-/archive/{capture}/raw?download=1")
    assert download.headers["content-type"] == "application/octet-stream"
    assert "attachment" in download.headers["content-disposition"]


@pytest.mark.asyncio
async def test_viewer_formats_json_and_follows_old_links(demo_archive):
    db = demo_archive / "index.db"
    ds = datasette(db)
    capture = rows(db, "select id from captures where content_type like '%json%' and record_type = 'response' "
                       "and http_status = 200 limit 1")[0][0]
    page = await ds.client.get(f"/-/archive/{capture}")
    shown = re.search(r'<pre class="ga-text" id="archived-text">(.*?)</pre>', page.text, re.S).group(1)
    assert "\n  " in html.unescape(shown)  # pretty-printed
    json.loads(html.unescape(shown))
    url = rows(db, "select url from captures where id = ?", capture)[0][0]
    view = await ds.client.get("/-/archive/view", params={"url": url})
    assert view.status_code == 302 and view.headers["location"] == f"/-/archive/{capture}"
    missing = await ds.client.get("/-/archive/view", params={"url": "http://example.invalid/<b>x</b>"})
    assert missing.status_code == 404 and "&lt;b&gt;x&lt;/b&gt;" in missing.text and "<b>x</b>" not in missing.text
    nothing = await ds.client.get("/-/archive/urn:uuid:00000000-0000-4000-8000-000000000000")
    assert nothing.status_code == 404


@pytest.mark.asyncio
async def test_cells_link_captures_and_posts_to_their_archived_copy(demo_archive):
    ds = datasette(demo_archive / "index.db")
    posts = await ds.client.get("/index/posts", params={"platform": "wechat", "state": "ok"})
    assert 'class="archived-copy" href="/-/archive/urn:uuid:' in posts.text
    captures = await ds.client.get("/index/captures")
    assert 'class="archived-copy" href="/-/archive/urn:uuid:' in captures.text
    query = await ds.client.get("/index/search_posts", params={"q": "关停"})
    assert 'class="archived-copy" href="/-/archive/urn:uuid:' in query.text


# -- hostile archived pages ----------------------------------------------------------------------------------

HOSTILE_TITLE = '<script>alert("title")</script><img src=x onerror=alert(1)>'
HOSTILE_PAGE = f"""<html><head><title>{HOSTILE_TITLE}</title>
<base href="http://evil.example/">
<meta http-equiv="refresh" content="0;url=http://evil.example/refresh">
<link rel="stylesheet" href="http://evil.example/s.css">
<style>body {{ background: url('http://evil.example/bg.png') }} @import "http://evil.example/i.css";</style>
<script src="http://evil.example/x.js"></script>
<script>document.title = "pwned"; fetch("http://evil.example/beacon");</script>
</head><body onload="alert('onload')">
<h1 id="js_content" style="visibility: hidden">正文 body text</h1>
<a href="http://evil.example/link">link</a><a href="javascript:alert(2)">js</a>
<img src="http://evil.example/pixel.gif" srcset="http://evil.example/a.png 1x, /b.png 2x">
<img data-src="http://evil.example/lazy.png">
<iframe src="http://evil.example/frame"></iframe>
<form action="http://evil.example/post"><input name=q></form>
<div style="background-image:url(http://evil.example/div.png)">x</div>
<svg><script>alert(3)</script></svg>
</body></html>"""


@pytest.fixture(scope="module")
def hostile_archive(tmp_path_factory) -> Path:
    """A one-page archive whose page and title try everything an archived page could try."""
    archive = tmp_path_factory.mktemp("hostile")
    capture = make_capture(1, url="http://evil.example/page.html", body=HOSTILE_PAGE.encode())
    with WarcArchive(archive / "warc", "run-1", clock=fixed_clock(), hostname="host") as warcs:
        warcs.write_capture(capture)
    index = open_index(archive / "index.db")
    try:
        index.start_run("run-1", "portal", "2026-11-20T02:00:00Z")
        index.save_capture(capture)
        index.save_account(Account(id="website:http://evil.example/", platform="website",
                                   platform_id="http://evil.example/", capture_id=capture.id,
                                   seen_at=capture.fetched_at, name=HOSTILE_TITLE, authoritative=True))
        index.save_post(Post(id="website:http://evil.example/page.html", account_id="website:http://evil.example/",
                             platform="website", capture_id=capture.id, seen_at=capture.fetched_at,
                             url=capture.url, title=HOSTILE_TITLE, text=HOSTILE_PAGE, state="ok", authoritative=True))
    finally:
        index.close()
    return archive


def _attribute_urls(page: str) -> list[str]:
    return re.findall(r'\s(?:src|href|action|data-src|srcset|poster|background)="([^"]*)"', page)


@pytest.mark.asyncio
async def test_a_hostile_page_loads_and_navigates_nowhere_but_the_archive(hostile_archive):
    ds = datasette(hostile_archive / "index.db")
    capture = make_capture(1).id
    raw = await ds.client.get(f"/-/archive/{capture}/raw")
    assert raw.headers["content-security-policy"] == ARCHIVED_CSP
    page = raw.text
    assert "<base" not in page and "http-equiv" not in page.lower().replace('http-equiv="content-type"', "")
    for value in _attribute_urls(page):
        value = html.unescape(value)
        assert not value.startswith(("http:", "https:", "//")), value
        for candidate in value.split(","):
            target = candidate.strip().split(" ")[0]
            assert target.startswith(("/-/archive/", "javascript:", "#")) or target == "", target
    assert "evil.example/bg.png" not in re.sub(r"/-/archive/resolve\?url=[^\"')]+", "", page)
    # the archived scripts are still there, as sent: the sandbox and the policy keep them inert
    assert 'document.title = "pwned"' in page
    # links leave the frame for the viewer's page of that URL
    link = re.search(r'<a href="([^"]*)"[^>]*>link</a>', page)
    assert link and html.unescape(link.group(1)).startswith("/-/archive/view?url=") and 'target="_top"' in link.group(0)
    assert parse_qs(urlsplit(html.unescape(link.group(1))).query)["url"] == ["http://evil.example/link"]


@pytest.mark.asyncio
async def test_hostile_strings_are_escaped_in_datasette_and_the_banner(hostile_archive):
    ds = datasette(hostile_archive / "index.db")
    for path in ("/index/posts", "/index/accounts", "/index/search_posts?q=body",
                 f"/-/archive/{make_capture(1).id}", "/index/posts/" + tilde_encode("website:http://evil.example/page.html")):
        response = await ds.client.get(path)
        assert response.status_code == 200, path
        assert "<script>alert" not in response.text and "<img src=x" not in response.text, path
    banner = await ds.client.get(f"/-/archive/{make_capture(1).id}")
    assert "&lt;script&gt;alert(" in banner.text


def test_rewrite_html_survives_broken_markup_and_xml_declarations():
    def link(url: str) -> str:
        return "/-/archive/view?url=" + url

    def resource(url: str) -> str:
        return "/-/archive/resolve?url=" + url

    for broken in ("", "<", "<html><body><p>unclosed <b>bold", '<?xml version="1.0" encoding="gbk"?><html><p>x',
                   "\x00\x00<img src='a.png'>", "<frameset><frame src='f.html'></frameset>"):
        out = rewrite_html(broken, "http://site.example/dir/", link, resource)
        assert out.startswith("<!DOCTYPE html>") and "http://site.example/" not in unquote(
            out.replace("/-/archive/view?url=http://site.example/", "").replace(
                "/-/archive/resolve?url=http://site.example/", ""))


@pytest.mark.asyncio
async def test_an_image_post_lists_its_archived_images_in_the_banner(demo_archive):
    """WeChat 图片 posts show their pictures only through scripts, which never run: the banner links them."""
    db = demo_archive / "index.db"
    ds = datasette(db)
    capture, media = rows(db, "select capture_id, media from posts where kind = 'image_share' and state = 'ok' "
                              "and media like '%\"image\"%' limit 1")[0]
    page = await ds.client.get(f"/-/archive/{capture}")
    links = re.findall(r'<a href="(/-/archive/view\?url=[^"]+)">image \d+</a>', page.text)
    assert len(links) == len(json.loads(media))
    opened = await ds.client.get(html.unescape(links[0]))
    assert opened.status_code == 302
    image = await ds.client.get(opened.headers["location"])
    assert image.status_code == 200 and "archived image" in image.text


@pytest.mark.asyncio
async def test_a_missing_warc_file_is_a_clear_message_not_a_crash(hostile_archive, tmp_path):
    import shutil

    archive = tmp_path / "copy"
    shutil.copytree(hostile_archive, archive)
    for path in (archive / "warc").iterdir():
        path.unlink()
    ds = datasette(archive / "index.db")
    capture = make_capture(1).id
    page = await ds.client.get(f"/-/archive/{capture}")
    assert page.status_code == 200 and "WARC file missing" in page.text
    for suffix in ("/raw", "/warc"):
        response = await ds.client.get(f"/-/archive/{capture}{suffix}")
        assert response.status_code == 404 and "WARC file" in response.text


# -- the home page, the account and post pages, the canned queries' presentation --------------------------

def _text(page: str) -> str:
    """The page's visible words, tags and entities away, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S)))
                    .split())


@pytest.mark.asyncio
async def test_the_home_page_is_for_archivists(demo_archive):
    """The home page was Datasette's stock index ("525 rows in 18 tables"): now the archive's front door."""
    from govarchive.browse.home import most_at_risk
    from govarchive.browse.status import problem_lines
    from govarchive.browse.summary import summarize

    db = demo_archive / "index.db"
    page = (await datasette(db).client.get("/")).text
    words = _text(page)
    assert "rows in" not in words  # not the stock listing
    assert re.search(r'<form class="ga-box" id="ga-search" action="/index/search" method="get">', page)
    assert re.search(r'<form class="ga-box" id="ga-old-link" action="/index/old_link" method="get">', page)
    summary = summarize(demo_archive)
    for status, count in summary.accounts_by_status.items():  # accounts by status, each a link to its accounts
        query = "status__isnull=1" if status == "unknown" else f"status={status}"
        assert re.search(rf'href="/index/accounts\?{query}"><span class="ga-badge ga-status-{status}">{status}</span> '
                         rf'<strong>{count}</strong>', page), status
    # recent closures with their successors: 云岚科普 closes, its content goes to 云岚发布
    closures = page[page.index('id="ga-closures"'):page.index('id="ga-at-risk"')]
    for account in EXPECTED["portal_closure_notice"]["closed_accounts"]:
        assert account["name"] in _text(closures), account["name"]
    row = next(r for r in closures.split("<tr>") if "云岚科普" in r)
    assert "云岚发布" in row and "/-/archive/urn:uuid:" in row
    # the accounts most at risk, in order
    risky = page[page.index('id="ga-at-risk"'):page.index('id="ga-tables"')]
    with sqlite3.connect(db) as conn:
        names = [a["name"] or a["id"] for a in most_at_risk(conn)]
    assert [n for n in re.findall(r'<a href="/index/accounts/[^"]+">([^<]+)</a>', risky)] == names
    # runs and problems: `govarchive status`'s own
    [run] = summary.last_runs
    assert run.id in page and f'ga-run-{run.status}">{run.status}<' in page
    for line in problem_lines(summary):
        assert html.escape(line, quote=False) in page
    # closures by month: one bar segment per month and kind with events, from the canned query's rows
    chart = page[page.index("<svg"):page.index("</svg>")]
    bars = re.findall(r'<rect class="ga-bar" data-month="([^"]+)" data-kind="([^"]+)"', chart)
    expected = await get_json(datasette(db), "/index/closures_by_month.json")
    assert sorted(bars) == sorted((r["month"], k) for r in expected for k, v in r.items()
                                  if k not in ("month", "accounts") and v)
    # the tables and the questions one click away
    for table in ("accounts", "posts", "notices", "migrations", "captures"):
        assert f'href="/index/{table}"' in page, table
    for name in QUERIES:
        assert f'href="/index/{name}"' in page, name
    assert "<script" not in page.split("</footer>")[0].split("<body")[1]  # nothing to run on the page itself


@pytest.mark.asyncio
async def test_canned_queries_fold_their_sql_and_title_their_tab(demo_archive):
    ds = datasette(demo_archive / "index.db")
    for name, (title, _, sql) in QUERIES.items():
        page = (await ds.client.get(f"/index/{name}")).text
        tab = html.unescape(re.search(r"<title>(.*?)</title>", page, re.S).group(1))
        assert tab.startswith(title) and "select" not in tab.lower(), (name, tab)
        assert 'id="sql-query"' not in page and 'id="sql-editor"' not in page, name  # the SQL is folded
        assert "_show_sql=1" in page, name
        shown = (await ds.client.get(f"/index/{name}", params={"_show_sql": "1"})).text
        assert sql.strip().splitlines()[0] in html.unescape(shown), name


@pytest.mark.asyncio
async def test_the_sql_box_opens_on_accounts(demo_archive):
    page = (await datasette(demo_archive / "index.db").client.get("/index")).text
    box = re.search(r'<textarea id="sql-editor" name="sql">([^<]*)</textarea>', page)
    assert box and box.group(1) == "select * from accounts"  # not _sqlite_migrations
    order = re.findall(r'<h3><a href="/index/([a-z_]+)">', page)
    assert order[:4] == ["accounts", "posts", "captures", "notices"]


@pytest.mark.asyncio
async def test_the_search_box_finds_posts_accounts_and_notices(demo_archive):
    ds = datasette(demo_archive / "index.db")
    found = await get_json(ds, "/index/search.json", q="云岚发布")
    kinds = {row["kind"] for row in found}
    assert {"账号 account", "文章 post"} <= kinds
    account = next(row for row in found if row["kind"] == "账号 account")
    assert account["title"] == "云岚发布" and account["record"].startswith("/index/accounts/")
    notices = [row for row in await get_json(ds, "/index/search.json", q="注销") if row["kind"] == "公告 notice"]
    assert notices and all(row["archived_copy"].startswith("/-/archive/urn:uuid:") for row in notices)
    assert [row for row in await get_json(ds, "/index/search.json", q="註銷") if row["kind"] == "公告 notice"] == notices
    page = (await ds.client.get("/index/search", params={"q": "云岚发布"})).text
    assert re.search(r'<a href="/index/accounts/[^"]+">云岚发布</a>', page)  # titles open their record


@pytest.mark.asyncio
async def test_an_account_page_reads_as_the_account(demo_archive):
    db = demo_archive / "index.db"
    ds = datasette(db)
    kepu = one_id(db, "云岚人社服务")  # closing, by a notice of its own that names its successors
    fabu = rows(db, "select target_account_id from migrations where from_account_id = ? and target_account_id "
                    "is not null and target_platform = 'wechat'", kepu)[0][0]
    assert rows(db, "select name from accounts where id = ?", fabu) == [("云岚发布",)]
    response = await ds.client.get("/index/accounts/" + tilde_encode(kepu))
    page, words = response.text, _text(response.text)
    assert re.search(r"<title>云岚人社服务 · 账号 account</title>", page)
    assert '<span class="ga-badge ga-status-closing">closing</span>' in page
    status_reason = rows(db, "select status_reason from accounts where id = ?", kepu)[0][0]
    assert status_reason in words
    successors = page[page.index('id="ga-successors"'):page.index('id="ga-notices"')]
    assert f'href="/index/accounts/{tilde_encode(fabu)}">云岚发布</a>' in successors  # where its content went
    notices = page[page.index('id="ga-notices"'):page.index('id="ga-history"')]
    excerpt = rows(db, "select excerpt from notices where account_id = ?", kepu)[0][0]
    assert html.escape(excerpt, quote=False) in notices and "/-/archive/urn:uuid:" in notices
    history = page[page.index('id="ga-history"'):page.index('id="ga-posts"')]
    assert "closing" in history
    posts = page[page.index('id="ga-posts"'):page.index('id="ga-copies"')]
    for (post_id,) in rows(db, "select id from posts where account_id = ?", kepu):
        assert f'/index/posts/{tilde_encode(post_id)}"' in posts
    copies = page[page.index('id="ga-copies"'):page.index('id="ga-listings"')]
    assert "/-/archive/urn:uuid:" in copies
    listings = page[page.index('id="ga-listings"'):]
    for (listing,) in rows(db, "select distinct listing_url from account_sources where account_id = ?", kepu):
        assert html.escape(listing) in listings
    assert '<details class="ga-raw">' in page  # the row itself, folded
    assert (await get_json(ds, f"/index/accounts/{tilde_encode(kepu)}.json"))[0]["id"] == kepu  # JSON unchanged
    successor = (await ds.client.get("/index/accounts/" + tilde_encode(fabu))).text
    assert "Content moved here from" in successor and "云岚人社服务" in _text(successor)


def one_id(db: Path, name: str) -> str:
    return rows(db, "select id from accounts where name = ? order by profile_seen_at is null limit 1", name)[0][0]


@pytest.mark.asyncio
async def test_a_post_page_reads_like_the_article(demo_archive):
    db = demo_archive / "index.db"
    ds = datasette(db)
    notice = EXPECTED["portal_closure_notice"]
    post_id, text, capture = rows(db, "select id, coalesce(clean_text, text), coalesce(archived_capture_id, capture_id) "
                                      "from posts where title = ?", notice["title"])[0]
    page = (await ds.client.get("/index/posts/" + tilde_encode(post_id))).text
    assert f"<h1>{notice['title']}</h1>" in page and f"<title>{notice['title']} · 文章 post</title>" in page
    article = page[page.index('id="ga-post-text"'):page.index("</div>", page.index('id="ga-post-text"'))]
    for line in filter(None, (line.strip() for line in text.splitlines())):
        assert f"<p>{html.escape(line, quote=False)}</p>" in article
    assert f'href="/-/archive/{capture}"' in page  # its archived copy
    box = page[page.index('id="ga-post-notices"'):page.index('id="ga-post-text"')]
    for account in notice["closed_accounts"]:  # the notice it is, with each account it closes
        assert account["name"] in _text(box), account["name"]
    assert "27" not in re.findall(r"(\d+) columns", page)  # not the 27-column row on top
    assert page.index('id="ga-post"') < page.index('<details class="ga-raw">')


@pytest.mark.asyncio
async def test_a_post_page_shows_its_images_from_the_archive(demo_archive):
    db = demo_archive / "index.db"
    ds = datasette(db)
    post_id, media = rows(db, "select id, media from posts where kind = 'image_share' and state = 'ok' "
                              "and media like '%\"image\"%' limit 1")[0]
    page = (await ds.client.get("/index/posts/" + tilde_encode(post_id))).text
    images = re.findall(r'<img src="([^"]+)"', page[page.index('id="ga-media"'):])
    assert len(images) == len([m for m in json.loads(media) if m["kind"] == "image" and m["archived"]])
    for src in images:
        src = html.unescape(src)
        assert src.startswith("/-/archive/resolve?url=")  # never the live web
        found = await ds.client.get(src)
        assert found.status_code == 302
        image = await ds.client.get(found.headers["location"])
        assert image.status_code == 200 and image.headers["content-type"] == "image/png"


@pytest.mark.asyncio
async def test_a_deleted_post_says_so_and_keeps_its_page(demo_archive):
    db = demo_archive / "index.db"
    post_id, = rows(db, "select id from posts where state = 'deleted' limit 1")[0]
    page = (await datasette(db).client.get("/index/posts/" + tilde_encode(post_id))).text
    assert "This post is no longer online (deleted" in _text(page)
    assert '<span class="ga-badge ga-state-deleted">deleted</span>' in page


@pytest.mark.asyncio
async def test_the_pages_escape_what_the_web_wrote(hostile_archive):
    ds = datasette(hostile_archive / "index.db")
    for path in ("/", "/index/accounts/" + tilde_encode("website:http://evil.example/"), "/index/search?q=body"):
        response = await ds.client.get(path)
        assert response.status_code == 200, path
        assert "<script>alert" not in response.text and "<img src=x" not in response.text, path


def test_the_chart_draws_every_month_and_kind_it_is_given():
    from govarchive.browse.chart import closures_chart, series

    rows_ = [{"month": "2026-12", "accounts": 1, "closure": 2, "claim": 1, "merger": 0},
             {"month": "2026-09", "accounts": 2, "closure": 1, "claim": 0, "merger": 0},
             {"month": "garbage", "closure": 9}, {"month": None, "closure": 9}]
    months, kinds, _counts = series(rows_)
    assert months == ["2026-09", "2026-10", "2026-11", "2026-12"]  # the empty months stay, as gaps
    assert kinds == ["closure", "claim"]  # a column the query gains is drawn; one with no event is not
    svg = str(closures_chart(rows_, "/index/closures_by_month"))
    assert svg.count('<rect class="ga-bar"') == 3 and 'data-kind="claim"' in svg
    assert "<title>2026-12 · 关停 closure: 2</title>" in svg and 'href="/index/closures_by_month"' in svg
    hostile = str(closures_chart([{"month": "2026-01", "<script>": 1}]))
    assert "<script>" not in hostile and "&lt;script&gt;" in hostile
    assert "No closure recorded yet" in str(closures_chart([]))


@pytest.mark.asyncio
async def test_reports_claims_are_on_the_home_page_and_the_account_page(demo_archive):
    """The demo's news report (云岚日报) names closed accounts: its claims are recent closures, marked reported,
    with their source, and each named account's page says what the report says of it."""
    db = demo_archive / "index.db"
    ds = datasette(db)
    claims = rows(db, "select c.account_id, a.name, p.title from claims c join accounts a on a.id = c.account_id "
                      "join posts p on p.id = c.post_id")
    assert claims
    page = (await ds.client.get("/")).text
    closures = page[page.index('id="ga-closures"'):page.index('id="ga-at-risk"')]
    reported = [r for r in closures.split("<tr>") if "报道 reported" in r]
    assert reported and all("according to" in r and "/index/posts/" in r for r in reported)
    account_id, _name, title = claims[0]
    account = (await ds.client.get("/index/accounts/" + tilde_encode(account_id))).text
    section = account[account.index('id="ga-claims"'):account.index('id="ga-history"')]
    assert html.escape(title, quote=False) in section and "/-/archive/urn:uuid:" in section
    assert "No report names this account" not in section
