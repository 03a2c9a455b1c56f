"""End to end: crawl the demo web twice in a subprocess, then check the WARCs and the index.

Slow tests (about a minute in all). The crawl runs through plain ``scrapy crawl`` from the
repository root, as a scheduled run would.
"""

from __future__ import annotations

import gzip
import json
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from helpers import crawl, free_port, one, pywb_bin, rows
from warcio.archiveiterator import ArchiveIterator

from govarchive.demo.cms import EXPECTED as CMS
from govarchive.demo.content import EXPECTED
from govarchive.warc.importer import warc_files
from govarchive.warc.reindexing import reindex

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
pytestmark = pytest.mark.slow


def table(db: Path, name: str, order: str = "id") -> list[tuple]:
    return rows(db, f"select * from {name} order by {order}")


@pytest.fixture(scope="module")
def archives(demo_web, tmp_path_factory):
    """(archive after one run, snapshot of its index then, same archive after a second run)."""
    archive = tmp_path_factory.mktemp("archive")
    crawl(demo_web.base_url, archive)
    first = tmp_path_factory.mktemp("first") / "index.db"
    with sqlite3.connect(archive / "index.db") as src, sqlite3.connect(first) as dst:
        src.backup(dst)
    crawl(demo_web.base_url, archive)
    return {"archive": archive, "first_db": first, "db": archive / "index.db"}


def test_warc_files_are_closed_and_start_with_warcinfo(archives):
    warc_dir = archives["archive"] / "warc"
    assert not list(warc_dir.glob("*.open"))
    files = warc_files(warc_dir)
    assert len(files) == 2  # one per run
    for path in files:
        assert path.name.startswith("govarchive-") and path.name.endswith(".warc.gz")
        with open(path, "rb") as fh:
            types = [r.rec_type for r in ArchiveIterator(fh)]
        assert types[0] == "warcinfo" and types[-1] == "metadata"
        assert types.count("request") == types.count("response") + types.count("revisit")


def test_warcio_check_passes(archives):
    for path in warc_files(archives["archive"] / "warc"):
        result = subprocess.run([str(BIN / "warcio"), "check", "-v", str(path)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout[-2000:]
        assert "digest pass" in result.stdout and "digest fail" not in result.stdout


def test_cdxj_indexer_indexes_every_capture(archives):
    db = archives["db"]
    lines = []
    for path in warc_files(archives["archive"] / "warc"):
        result = subprocess.run([str(BIN / "cdxj-indexer"), str(path)], capture_output=True, text=True, check=True)
        lines += [line for line in result.stdout.splitlines() if line and not line.startswith("urn:")]
    # a browser's renderings (urn:dom:…, urn:view:…) are indexed under their urn: keys, like the run summaries
    captures = rows(db, "select count(*) from captures where url not like 'urn:%'")[0][0]
    assert len(lines) == captures
    revisits = [line for line in lines if '"mime": "warc/revisit"' in line]
    assert len(revisits) == rows(db, "select count(*) from captures where record_type = 'revisit'")[0][0]


def test_every_capture_points_to_its_record(archives):
    warc_dir = archives["archive"] / "warc"
    for capture_id, warc_file, offset, length, digest in rows(
            archives["db"], "select id, warc_file, warc_offset, warc_length, payload_digest from captures"):
        with open(warc_dir / warc_file, "rb") as fh:
            fh.seek(offset)
            member = fh.read(length)
        record = next(iter(ArchiveIterator(__import__("io").BytesIO(member))))
        assert record.rec_headers.get_header("WARC-Record-ID") == f"<{capture_id}>"
        assert record.rec_headers.get_header("WARC-Payload-Digest") == digest
        assert gzip.decompress(member)  # exactly one complete gzip member


def test_every_kind_of_exchange_is_archived(archives):
    db = archives["db"]
    states = dict(rows(db, "select page_state, count(*) from captures group by page_state"))
    assert states.get("redirect", 0) >= 1 and states.get("not_found", 0) >= 1 and states.get("deleted", 0) >= 1
    types = {t.split(";")[0] for (t,) in rows(db, "select distinct content_type from captures") if t}
    assert {"text/html", "application/json", "image/png"} <= types
    assert rows(db, "select count(*) from captures where url like '%/robots.txt'")[0][0] >= 1


def test_raw_bodies_are_kept_content_encoded(archives):
    """The demo web gzips HTML: the WARC holds those gzip bytes, as received."""
    db = archives["db"]
    capture = rows(db, "select warc_file, warc_offset from captures where content_type like 'text/html%' "
                       "and record_type = 'response' and http_status = 200 limit 1")[0]
    with open(archives["archive"] / "warc" / capture[0], "rb") as fh:
        fh.seek(capture[1])
        record = next(iter(ArchiveIterator(fh)))
        assert record.http_headers.get_header("Content-Encoding") == "gzip"
        assert record.raw_stream.read(2) == b"\x1f\x8b"


def test_accounts_of_every_platform_are_indexed(archives):
    db = archives["db"]
    platforms = dict(rows(db, "select platform, count(*) from accounts group by platform"))
    assert platforms.get("wechat", 0) >= 5 and platforms.get("weibo", 0) >= 2
    assert platforms.get("douyin", 0) >= 1 and platforms.get("website", 0) >= 1
    names = [n for (n,) in rows(db, "select name from accounts where name is not null")]
    assert all("\ufffd" not in n and "Ã" not in n for n in names), names  # the lying-charset page decoded
    assert rows(db, "select count(*) from accounts where region = '云岚市'")[0][0] >= 5
    assert rows(db, "select count(*) from accounts where platform = 'wechat' and original_id like 'gh_%'")[0][0] >= 5


def test_an_account_listed_twice_has_one_row_and_two_sources(archives):
    db = archives["first_db"]
    listed_twice = rows(db, "select account_id, count(distinct listing_url) n from account_sources "
                            "group by account_id having n > 1")
    assert listed_twice
    assert rows(db, "select count(*) from accounts where id = ?", listed_twice[0][0])[0][0] == 1


def test_posts_have_text_dates_and_captures(archives):
    db = archives["db"]
    for post_id, published, text, capture, _state in rows(
            db, "select id, published_at, text, capture_id, state from posts where state = 'ok'"):
        assert published and published.endswith("+08:00"), post_id
        assert text, post_id
        assert rows(db, "select count(*) from captures where id = ?", capture)[0][0] == 1
    assert rows(db, "select count(*) from posts where state = 'deleted'")[0][0] >= 1
    assert rows(db, "select count(*) from posts where platform = 'weibo' and state = 'ok'")[0][0] >= 3
    zombie = rows(db, "select count(*) from accounts a where platform = 'wechat' and profile_seen_at is not null "
                      "and not exists (select 1 from posts p where p.account_id = a.id)")[0][0]
    assert zombie >= 1


def test_second_run_writes_revisits_and_no_duplicate_rows(archives):
    first, db = archives["first_db"], archives["db"]
    assert rows(db, "select count(*) from runs where status = 'success'")[0][0] == 2
    for name in ("accounts", "posts"):
        assert [r[0] for r in rows(first, f"select id from {name} order by id")] == \
               [r[0] for r in rows(db, f"select id from {name} order by id")]
    revisits = rows(db, "select c.refers_to, o.warc_file, o.record_type from captures c "
                        "join captures o on o.id = c.refers_to where c.record_type = 'revisit'")
    assert revisits and all(kind == "response" and warc for _, warc, kind in revisits)
    # listings are snapshots: fetched again; known posts are not
    assert rows(db, "select count(distinct run_id) from captures where url like '%/xxgk/xmt/index.html'")[0][0] == 2
    second_run = rows(db, "select id from runs order by started_at desc limit 1")[0][0]
    # (Sogou's temporary links name no article: they are followed on every run, before they expire);
    # only the posts of accounts at risk (closing, named in a notice…) are fetched again, to see deletions
    refetched = {r[0] for r in rows(db, "select url from captures where run_id = ? and url like '%/s?%' "
                                        "and url not like '%/s?src=3&%'", second_run)}
    at_risk = {r[0] for r in rows(first, "select p.url from posts p join accounts a on a.id = p.account_id "
                                         "where a.risk > 0 and p.state = 'ok'")}
    assert refetched and refetched <= at_risk


def test_reindex_yields_the_same_rows_as_the_crawl(archives, tmp_path):
    copy = tmp_path / "archive"
    shutil.copytree(archives["archive"], copy)
    report = reindex(copy)
    assert not report.errors
    for name, order in (("captures", "id"), ("accounts", "id"), ("posts", "id"),
                        ("account_sources", "account_id, capture_id"), ("runs", "id")):
        assert table(copy / "index.db", name, order) == table(archives["db"], name, order), name


@pytest.mark.asyncio
async def test_datasette_lists_posts(archives):
    from datasette.app import Datasette

    ds = Datasette([str(archives["db"])])
    response = await ds.client.get("/index/posts.json", params={"_shape": "array", "_size": "5"})
    assert response.status_code == 200
    assert len(response.json()) == 5 and all("title" in row for row in response.json())
    # Chinese search in plain Datasette (the govarchive plugin is an installed entry point)
    for query in ("关停", "政务新媒体"):
        found = await ds.client.get("/index/posts.json", params={"_search": query, "_shape": "array", "_col": "title"})
        titles = [row["title"] for row in found.json()]
        assert EXPECTED["portal_closure_notice"]["title"] in titles, (query, titles)


def test_pywb_replays_an_article(archives, tmp_path):
    pywb = pywb_bin()
    db = archives["db"]
    url, title, fetched = rows(db, "select p.url, p.title, c.fetched_at from posts p join captures c "
                                   "on c.id = p.capture_id where p.platform = 'wechat' and p.state = 'ok' limit 1")[0]
    capture_url = rows(db, "select url from captures where id = (select capture_id from posts where url = ?)", url)[0][0]
    subprocess.run([str(pywb / "wb-manager"), "init", "govarchive"], cwd=tmp_path, check=True, capture_output=True)
    for path in warc_files(archives["archive"] / "warc"):
        subprocess.run([str(pywb / "wb-manager"), "add", "govarchive", str(path)], cwd=tmp_path, check=True,
                       capture_output=True)
    port = free_port()
    server = subprocess.Popen([str(pywb / "wayback"), "-b", "127.0.0.1", "-p", str(port)], cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        ts = fetched[:19].replace("-", "").replace("T", "").replace(":", "")
        replay = f"http://127.0.0.1:{port}/govarchive/{ts}id_/{capture_url}"
        body = None
        for _ in range(60):
            try:
                with urllib.request.urlopen(replay, timeout=5) as response:
                    body = response.read()
                break
            except OSError:
                time.sleep(0.5)
        assert body is not None, "pywb did not answer"
        assert title.encode("utf-8") in body or json.dumps(title)[1:-1].encode() in body
    finally:
        server.terminate()
        server.wait(timeout=10)


# --- issue 3: every platform variant of the demo web shows in the index -------------------------



def post_id(key) -> str:
    return "wechat:" + ":".join(key)


def test_wechat_variants_are_indexed(archives):
    db = archives["db"]
    share = EXPECTED["image_share_article"]
    kind, media = one(db, "select kind, media from posts where id = ?", post_id(share["key"]))
    pictures = [m["url"] for m in json.loads(media)]
    assert kind == "image_share" and [urllib.parse.urlsplit(u).path for u in pictures] == \
        [p.split("?")[0] for p in share["pictures"]]
    for url in pictures:  # the pictures themselves are archived
        assert one(db, "select http_status from captures where url = ? limit 1", url) == (200,)
    audio = EXPECTED["audio_article"]
    media = json.loads(one(db, "select media from posts where id = ?", post_id(audio["key"]))[0])
    voice = next(m for m in media if m["kind"] == "audio")
    assert voice["url"].endswith(audio["voice_path"]) and voice["title"] == audio["name"]
    assert one(db, "select content_type from captures where url = ? limit 1", voice["url"])[0].startswith("audio/")
    video = EXPECTED["video_article"]
    media = json.loads(one(db, "select media from posts where id = ?", post_id(video["key"]))[0])
    assert {"kind": "video", "url": video["iframe_src"], "archived": False} in media
    assert not rows(db, "select 1 from captures where url like '%v.qq.com%'")
    repost = EXPECTED["repost_article"]
    kind, source = one(db, "select kind, source_url from posts where id = ?", post_id(repost["key"]))
    assert kind == "repost" and source.endswith(repost["original_path"].split("&chksm")[0].split("?")[1]) is False
    assert "mid=" + repost["original"][1] in source
    read_more = EXPECTED["source_url_article"]
    assert one(db, "select source_url from posts where id = ?", post_id(read_more["key"]))[0].endswith(read_more["source_url"])
    assert one(db, "select count(*) from posts where summary is not null and cover_url is not null "
                   "and platform = 'wechat' and state = 'ok'")[0] >= 10


def test_a_migrated_account_records_its_move(archives):
    db = archives["db"]
    moved = EXPECTED["migrated_account"]
    assert one(db, "select moved_to from accounts where id = ?", "wechat:" + moved["biz"]) == ("wechat:" + moved["successor_biz"],)
    with_target, without = moved["articles"]
    state, moved_to = one(db, "select state, moved_to from posts where id = ?", post_id(with_target["key"]))
    assert state == "migrated" and moved_to == post_id(with_target["transfer_target"])
    assert one(db, "select state from posts where id = ?", moved_to) == ("ok",)  # the new home is archived
    assert one(db, "select state, moved_to from posts where id = ?", post_id(without["key"])) == ("migrated", None)


def test_a_captcha_page_is_blocked_never_a_deletion(archives):
    db = archives["db"]
    captcha = EXPECTED["captcha_article"]
    states = {r[0] for r in rows(db, "select page_state from captures where url like ?", f"%mid={captcha['key'][1]}&%")}
    assert states == {"blocked"}
    assert not rows(db, "select 1 from posts where id = ? and state != 'listed'", post_id(captcha["key"]))


def test_albums_feeds_and_search_are_listings(archives):
    db = archives["db"]
    album = EXPECTED["album"]
    album_pages = rows(db, "select url, page_state from captures where url like '%/mp/appmsgalbum%' "
                           "and run_id = (select id from runs order by started_at limit 1)")
    assert len(album_pages) == 3 and {s for _, s in album_pages} == {"ok"}  # HTML, then two JSON pages
    assert all(one(db, "select count(*) from posts where id = ?", post_id(k))[0] == 1 for k in album["articles"])
    for feed in EXPECTED["feeds"]:
        assert one(db, "select page_state from captures where url like ? limit 1", "%" + feed["path"])[0] == "ok"
    for notice in EXPECTED["qx_notices"]:
        kind, title = one(db, "select kind, title from posts where url like ?", "%" + notice["path"])
        assert kind == "page" and title == notice["title"]
    sogou = EXPECTED["sogou"]
    assert one(db, "select page_state from captures where url like ? limit 1", "%/weixin?type=1%")[0] == "ok"
    name, alias, seen = one(db, "select name, alias, profile_seen_at from accounts where id = ?", "wechat:" + sogou["exact_biz"])
    assert name == sogou["exact_name"] and alias and seen


def test_the_backoffice_session_is_used_and_never_recorded(archives):
    db, mp = archives["db"], EXPECTED["mp_backoffice"]
    found = rows(db, "select url, page_state from captures where url like '%/cgi-bin/%'")
    assert found and all("token=REDACTED" in url and state == "ok" for url, state in found), found
    assert any("begin=5" in url for url, _ in found)  # the second page of the post list
    assert one(db, "select count(*) from posts where account_id = ?", "wechat:" + mp["biz"])[0] == mp["total"]
    assert one(db, "select state from posts where id = ?", post_id(mp["deleted"])) == ("deleted",)
    secret = mp["cookie"].split("=", 1)[1].encode()
    for path in warc_files(archives["archive"] / "warc"):
        raw = gzip.decompress(path.read_bytes())
        assert mp["token"].encode() not in raw and secret not in raw
        assert b"Cookie: REDACTED" in raw


def test_directory_variants_qr_grids_and_toutiao(archives):
    db = archives["db"]
    grid = EXPECTED["qr_grid"]
    listed = {r[0]: r[1] for r in rows(db, "select a.name, a.platform from account_sources s join accounts a "
                                           "on a.id = s.account_id where s.listing_url like ?", "%" + grid["path"])}
    platforms = {"微信公众号": "wechat", "新浪微博": "weibo", "微信视频号": "video_channel", "今日头条": "toutiao"}
    for item in grid["items"]:
        assert item["name"] in listed, item
    assert {"video_channel", "toutiao", "wechat", "weibo"} <= set(listed.values())
    assert set(platforms.values()) >= set(listed.values()) - {"douyin"}
    district = EXPECTED["district_directory"]
    ids = {r[0] for r in rows(db, "select account_id from account_sources where listing_url like ?", "%" + district["path"])}
    assert {row["same_as"] for row in district["rows"] if row.get("path")} <= ids
    # a row without a link names no platform id: its provisional id is merged into the real account
    # once the platform's own page shows the same 微信号, and the old id still resolves
    for row in district["rows"]:
        if not row.get("path"):
            assert row["same_as"] in ids
            assert one(db, "select account_id from account_aliases where alias_id = ?",
                       f"wechat:alias:{row['account']}") == (row["same_as"],)
            assert not rows(db, "select 1 from accounts where id = ?", f"wechat:alias:{row['account']}")
    toutiao = EXPECTED["toutiao_accounts"][0]
    name, seen = one(db, "select name, profile_seen_at from accounts where id = ?", "toutiao:" + toutiao["token"])
    assert name == toutiao["name"] and seen


def test_information_disclosure_fields_of_notices(archives):
    db = archives["db"]
    notice = EXPECTED["portal_closure_notice"]
    attributes = json.loads(one(db, "select attributes from posts where url like ?", "%" + notice["path"])[0])
    assert attributes["公开方式"] == "主动公开" and attributes["信息索引号"].startswith("1153990000MB1234YL/")
    assert "成文日期" in attributes and "发布机构" in attributes


def test_every_page_of_the_hanweb_and_trs_columns_is_archived(archives):
    db = archives["first_db"]
    for article in [*CMS["hanweb"]["articles"], *CMS["trs"]["articles"]]:
        state, title, published = one(db, "select state, title, published_at from posts where url like ?",
                                      "%" + article["path"])
        assert (state, title, published) == ("ok", article["title"], article["published_at"]), article["path"]
    hanweb = CMS["hanweb"]
    column = one(db, "select account_id from posts where url like ?", "%" + hanweb["articles"][0]["path"])[0]
    assert column.endswith(hanweb["column_path"])
    assert one(db, "select count(*) from posts where account_id = ?", column)[0] == hanweb["total"]
    migrated = next(a for a in hanweb["articles"] if a["meta_pubdate"])  # the shown date, the meta's kept aside
    attributes = json.loads(one(db, "select attributes from posts where url like ?", "%" + migrated["path"])[0])
    assert attributes["PubDate"].startswith(migrated["meta_pubdate"][:10]) and attributes["索引号"]
    trs = CMS["trs"]
    assert {p.rsplit("/", 1)[1] for p in trs["pages"][1:]} <= {
        url.rsplit("/", 1)[1] for (url,) in rows(db, "select url from captures where url like ?", f"%{trs['column_path']}index%")}
    # the dataproxy groups were POSTed with the page's own parameters, and the WARC keeps each form
    forms = {}
    for path in warc_files(archives["archive"] / "warc")[:1]:
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                if record.rec_type == "request" and "dataproxy.jsp" in uri:
                    forms[uri] = (record.http_headers.protocol, record.content_stream().read())
    assert len(forms) == -(-(hanweb["total"] - hanweb["in_page"]) // hanweb["in_page"])
    for method, form in forms.values():
        assert method == "POST" and urllib.parse.parse_qs(form.decode()) == {k: [v] for k, v in hanweb["params"].items()}


@pytest.mark.asyncio
async def test_the_news_report_is_a_post_that_search_finds(archives):
    from datasette.app import Datasette
    from datasette.plugins import pm

    import govarchive.browse as plugin

    if pm.get_plugin("govarchive") is None:  # entry points are not loaded in every test setup
        pm.register(plugin, name="govarchive")

    report = CMS["news"]["closure_report"]
    db = archives["first_db"]
    _post_id, title, published, author, account = one(
        db, "select id, title, published_at, author, account_id from posts where url like ?", "%" + report["path"])
    assert (title, published, author) == (report["title"], report["published_at"], report["reporter"])
    assert one(db, "select name from accounts where id = ?", account) == (CMS["news"]["site"],)
    assert not rows(db, "select 1 from posts p join captures c on c.id = p.capture_id where c.url like ?",
                    "%" + CMS["news"]["home"])  # its front page, a list, is no post
    ds = Datasette([str(archives["db"])])
    found = await ds.client.get("/index/search_posts.json", params={"q": "关停注销", "_shape": "array"})
    assert report["title"] in [row["title"] for row in found.json()]
