"""Reports' claims: recorded with their source, ranked below notices and the archive's own evidence, shown to
the archivist (where_did_it_go, closures_by_month, the closures feed, the archived-copy banner)."""

from __future__ import annotations

import html
import re
import sqlite3
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import T0, fixed_clock, make_capture
from sqlite_utils import Database
from test_browse import datasette, get_json
from test_lifecycle import AS_OF, Archive
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from govarchive.cli import cli
from govarchive.closure.lifecycle import analyse
from govarchive.index.schema import migrations
from govarchive.index.store import open_index
from govarchive.warc.writer import WarcArchive

FIXTURES = Path(__file__).parent / "fixtures" / "closure"
REPORT = ("记者从市委网信办获悉，今年以来全市关停整合政务新媒体20余个。11月10日，“青禾人社”微信公众号发布公告称，"
          "该账号自2026年11月15日起停止更新并注销，相关服务迁移至“青禾发布”微信公众号。此外，青禾市档案馆网站也已于"
          "11月1日关停。据了解，保留的账号将统一管理。")


def report_post(archive: Archive, days: float = 0, text: str = REPORT, title: str = "青禾一批政务号停更") -> str:
    archive.account("website:http://news.example/bd/", days=days, name="本地新闻", agency="青禾晚报网")
    return archive.post(f"website:http://news.example/bd/{archive.n}.html", "website:http://news.example/bd/",
                        days=days, title=title, text=text, published_at="2026-11-18T09:00:00+08:00")


def claims(archive: Archive) -> dict[str, dict]:
    return {row["named_as"]: row for row in archive.index.db["claims"].rows}


def test_a_report_gives_claims_accounts_and_successors_never_notices():
    archive = Archive()
    capture = report_post(archive)
    analyse(archive.index, AS_OF + timedelta(days=2))
    db = archive.index.db
    assert db.execute("select count(*) from notices").fetchone()[0] == 0
    found = claims(archive)
    assert set(found) == {"青禾人社", "青禾市档案馆"}
    quoted, told = found["青禾人社"], found["青禾市档案馆"]
    assert (quoted["source"], quoted["kind"], quoted["effective_at"]) == ("quoted_notice", "closure", "2026-11-15")
    assert (told["source"], told["kind"], told["effective_at"]) == ("report", "closure", "2026-11-01")
    assert quoted["confidence"] < 1.0 and told["confidence"] < quoted["confidence"]
    assert quoted["capture_id"] == capture and quoted["claimed_at"] == "2026-11-18"
    # unknown accounts are created with the platform, agency and region the report gives
    site = db["accounts"].get(told["account_id"])
    assert (site["id"], site["platform"], site["agency"], site["region"]) == \
        ("website:name:青禾市档案馆", "website", "青禾市档案馆", "青禾市")
    move = db.execute("select target_name, target_platform, source, claim_id, notice_id, confidence from migrations "
                      "where from_account_id = ?", [quoted["account_id"]]).fetchall()
    assert move == [("青禾发布", "wechat", "report", quoted["id"], None, 0.7)]
    # status: the claim is all the archive knows of these accounts
    assert db["accounts"].get(quoted["account_id"])["status"] == "closed"
    assert "according to 青禾一批政务号停更, 2026-11-18" in db["accounts"].get(quoted["account_id"])["status_reason"]
    # re-analysing replaces the post's claims, it does not add to them
    analyse(archive.index, AS_OF + timedelta(days=3))
    assert db.execute("select count(*) from claims").fetchone()[0] == 2
    assert db.execute("select count(*) from migrations").fetchone()[0] == 1


def test_a_notice_and_the_archive_outrank_a_report():
    archive = Archive()
    # the report says 青禾人社 closed on 2026-11-15 …
    archive.account("wechat:1", days=-10, name="青禾人社", url="http://127.0.0.1:9/1")  # seen on 11-10
    archive.post("wechat:1:old", "wechat:1", days=-10, published_at="2026-11-01T10:00:00+08:00", title="旧文",
                 text="旧文")
    report_post(archive)
    analyse(archive.index, AS_OF)
    status, reason = archive.status("wechat:1")
    assert status == "closed" and reason.startswith("quoting its owner's notice: closure")
    # … but the archive then sees it post after that date: the report does not close it
    archive.post("wechat:1:new", "wechat:1", published_at="2026-11-19T10:00:00+08:00", title="新文", text="新文")
    analyse(archive.index, AS_OF)
    assert archive.status("wechat:1")[0] == "active"
    # and its owner's own notice outranks any report
    archive.post("wechat:1:notice", "wechat:1", published_at="2026-11-20T08:00:00+08:00", title="停更公告",
                 text="尊敬的用户：本公众号将于2026年12月31日起停止更新。感谢大家一直以来的关注！")
    analyse(archive.index, AS_OF)
    status, reason = archive.status("wechat:1")
    assert status == "closing" and reason.startswith("stop_updating notice of 2026-11-20")


def test_a_report_never_closes_an_account_seen_answering_after_its_date():
    archive = Archive()
    archive.account("website:name:青禾市档案馆", days=5, name="青禾市档案馆")  # its own page answered on 11-25
    report_post(archive)
    analyse(archive.index, AS_OF + timedelta(days=6))
    assert archive.index.db.execute("select count(*) from claims where account_id = 'website:name:青禾市档案馆'"
                                    ).fetchone()[0] == 1  # the claim is kept, as evidence …
    assert archive.status("website:name:青禾市档案馆")[0] != "closed"  # … but it does not close the account


def test_m012_turns_reports_read_before_into_claims(tmp_path):
    path = tmp_path / "index.db"
    old = Database(str(path))
    migrations.apply(old, stop_before="m012_report_claims")
    old.execute("insert into notices (id, account_id, post_id, capture_id, kind, announced_at, effective_at, excerpt, "
                "is_report, named_as, named_platform, detected_at) values "
                "('notice-0123456789abcdef', null, 'p1', 'c1', 'closure', '2024-04-22', null, '…', 1, '张家港住建', "
                "'wechat', '2026-01-01'), ('notice-fedcba9876543210', 'wechat:1', 'p2', 'c2', 'closure', '2024-04-22', "
                "null, '…', 0, null, null, '2026-01-01')")
    old.execute("insert into migrations (id, from_account_id, notice_id, target_name, target_platform, confidence, "
                "source) values ('migration-1', null, 'notice-0123456789abcdef', '今日张家港', 'app', 0.9, 'notice')")
    old.close()
    index = open_index(path)
    db = index.db
    assert [tuple(r) for r in db.execute("select id, named_as, source, confidence from claims")] == [
        ("claim-0123456789abcdef", "张家港住建", "report", 0.5)]
    assert [tuple(r) for r in db.execute("select id, is_report from notices")] == [("notice-fedcba9876543210", 0)]
    assert [tuple(r) for r in db.execute("select claim_id, notice_id, source, confidence from migrations")] == [
        ("claim-0123456789abcdef", None, "report", 0.5)]
    index.close()


# -- the archivist sees it --------------------------------------------------------------------------------

@pytest.fixture
def claimed_archive(tmp_path) -> tuple[Path, str]:
    """An archive holding one post of 青禾人社 (captured before the report) and a report claiming it closed."""
    archive = tmp_path / "archive"
    own = make_capture(1, url="http://127.0.0.1:9/qhrs/1.html", body="<html><body>青禾人社 旧文</body></html>".encode())
    own.fetched_at = T0 - timedelta(days=10)  # before the closure the report tells of
    news = make_capture(2, url="http://news.example/bd/1.html", body=f"<html><body>{REPORT}</body></html>".encode())
    with WarcArchive(archive / "warc", "run-1", clock=fixed_clock(), hostname="host") as warcs:
        warcs.write_capture(own)
        warcs.write_capture(news)
    index = open_index(archive / "index.db")
    try:
        from govarchive.core.items import Account, Post

        index.start_run("run-1", "test", "2026-11-20T02:00:00Z")
        for capture in (own, news):
            index.save_capture(capture)
        index.save_account(Account(id="wechat:1", platform="wechat", platform_id="1", capture_id=own.id,
                                   seen_at=own.fetched_at, name="青禾人社", authoritative=True))
        index.save_post(Post(id="wechat:1:1", account_id="wechat:1", platform="wechat", capture_id=own.id,
                             seen_at=own.fetched_at, url=own.url, title="旧文", text="旧文", state="ok",
                             published_at="2026-11-01T10:00:00+08:00", authoritative=True))
        index.save_account(Account(id="website:http://news.example/bd/", platform="website",
                                   platform_id="http://news.example/bd/", capture_id=news.id, seen_at=news.fetched_at,
                                   name="本地新闻", authoritative=True))
        index.save_post(Post(id="website:http://news.example/bd/1.html", account_id="website:http://news.example/bd/",
                             platform="website", capture_id=news.id, seen_at=news.fetched_at, url=news.url,
                             title="青禾一批政务号停更", text=REPORT, state="ok",
                             published_at="2026-11-18T09:00:00+08:00", authoritative=True))
        analyse(index, AS_OF)
    finally:
        index.close()
    return archive, own.id


@pytest.mark.asyncio
async def test_where_did_it_go_and_the_banner_say_according_to_which_report(claimed_archive):
    archive, own_capture = claimed_archive
    ds = datasette(archive / "index.db")
    found = await get_json(ds, "/index/where_did_it_go.json", account="青禾人社")
    assert len(found) == 1
    row = found[0]
    assert (row["source"], row["notice_kind"], row["successor"], row["status"]) == \
        ("quoted_notice", "closure", "青禾发布", "closed")
    assert row["according_to"] == "据 according to 青禾一批政务号停更, 2026-11-18"
    assert row["evidence_copy"] == "/-/archive/" + make_capture(2).id  # the report's archived copy
    told = await get_json(ds, "/index/where_did_it_go.json", account="青禾市档案馆")
    assert told[0]["source"] == "report" and told[0]["successor"] is None and told[0]["according_to"]
    # the banner over the account's own archived post
    page = html.unescape((await ds.client.get(f"/-/archive/{own_capture}")).text)
    assert "报道称 Reported" in page and "according to" in page and "青禾一批政务号停更, 2026-11-18" in page
    assert "青禾发布" in page and "quoting its owner's notice" in page


@pytest.mark.asyncio
async def test_closures_by_month_and_the_feed_mark_reports(claimed_archive):
    archive, _ = claimed_archive
    ds = datasette(archive / "index.db")
    months = {row["month"]: row for row in await get_json(ds, "/index/closures_by_month.json")}
    assert months["2026-11"]["reported"] == 2 and months["2026-11"]["closure"] == 0
    feed = await get_json(ds, "/index/closures_feed.json")
    reported = [entry for entry in feed if entry["event"] in ("report", "quoted_notice")]
    assert len(reported) == 2 and all("报道 reported" in entry["atom_title"] for entry in reported)
    assert all(entry["atom_content"].startswith("据 according to 青禾一批政务号停更") for entry in reported)


# -- the Nanjing report of 2019, imported from a WARC ------------------------------------------------------

def news_warc(path: Path, url: str, body: bytes) -> None:
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=BytesIO(body), http_headers=http,
                                                      warc_headers_dict={"WARC-Date": "2019-06-18T03:00:00Z"}))


def plain_news_page() -> bytes:
    """The same report as a news site nobody wrote a parser for serves it: no ArticleTitle/PubDate/SiteName meta,
    no #zoom, the title in <title> and <h1>, the date only in the byline, a menu and a footer around it (any page as
    a post reads it)."""
    source = (FIXTURES / "nanjing-2019-report.html").read_text(encoding="utf-8")
    title = re.search(r"<h1>(.*?)</h1>", source).group(1)
    body = "\n".join(f"<p>{p}</p>" for p in re.findall(r"<p>(.*?)</p>", source))
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{title}_金陵晨讯网</title></head>
<body>
<div class="top"><a href="/">首页</a> | <a href="/bdxw/">本地新闻</a> | <a href="/sh/">社会</a> | <a href="/pl/">评论</a></div>
<div class="main">
<h1>{title}</h1>
<div class="info">2019-06-18 09:30　来源：金陵晨讯网　作者：陶然</div>
<div class="article-body">
{body}
</div>
</div>
<div class="related"><h3>相关阅读</h3><ul><li><a href="/bdxw/201906/t20190617_0998.html">梅雨季将至 市区排水设施完成检修</a></li>
<li><a href="/bdxw/201906/t20190616_0995.html">端午假期全市接待游客超300万人次</a></li></ul></div>
<div class="foot">金陵晨讯网版权所有　未经授权禁止转载</div>
</body></html>
""".encode()


@pytest.mark.asyncio
@pytest.mark.parametrize("served_as", ["cms_page", "plain_news_page"])
async def test_importing_the_nanjing_report_records_its_accounts_and_successors(tmp_path, served_as):
    if served_as == "cms_page":  # a TRS-like address and meta tags: the government-site page object reads it
        url, body = "http://www.jlcx-news.example/bdxw/201906/t20190618_1001.html", \
            (FIXTURES / "nanjing-2019-report.html").read_bytes()
    else:  # an address no page object knows
        url, body = "http://www.jlcx-news.example/html/2019-06/18/content_10012.htm", plain_news_page()
    warc = tmp_path / "news.warc.gz"
    news_warc(warc, url, body)
    result = CliRunner().invoke(cli, ["import", str(warc), "--archive-dir", str(tmp_path / "archive")])
    assert result.exit_code == 0, result.output
    db = tmp_path / "archive" / "index.db"
    with sqlite3.connect(db) as conn:
        posts = conn.execute("select title, substr(published_at, 1, 10), kind from posts").fetchall()
        found = {name: (platform, kind, effective, source) for name, platform, kind, effective, source in conn.execute(
            "select named_as, named_platform, kind, effective_at, source from claims")}
        successors = set(conn.execute("select c.named_as, m.target_name, m.target_platform from migrations m "
                                      "join claims c on c.id = m.claim_id"))
        accounts = {row[0]: row[1] for row in conn.execute("select name, platform from accounts")}
    assert [post[:2] for post in posts] == [("机构改革后 南京一批政务号停更合并", "2019-06-18")]
    assert served_as == "cms_page" or posts[0][2] == "page"  # any page as a post
    assert found["南京质监"] == ("wechat", "migration", "2019-06-30", "quoted_notice")
    assert found["南京工商"][:3] == ("wechat", "merger", "2019-06-01")
    assert found["南京物价"][:2] == ("weibo", "closure")
    assert successors == {("南京质监", "南京食药监", "wechat"), ("南京工商", "南京食药监", "wechat")}
    assert accounts["南京质监"] == "wechat" and accounts["南京物价"] == "weibo"
    ds = datasette(db)
    went = await get_json(ds, "/index/where_did_it_go.json", account="南京质监")
    assert [(row["successor"], row["successor_platform"]) for row in went] == [("南京食药监", "wechat")]
    assert went[0]["according_to"] == "据 according to 机构改革后 南京一批政务号停更合并, 2019-06-18"
    assert went[0]["status"] == "migrated" and went[0]["evidence_copy"].startswith("/-/archive/")
