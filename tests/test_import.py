"""`govarchive import`: WARC files written by other tools (here: wget-style, chunked, no run id)."""

from __future__ import annotations

import gzip
from io import BytesIO

from click.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from govarchive.cli import cli
from govarchive.demo import render
from govarchive.demo.content import EXPECTED

BASE = "http://127.0.0.1:8765"


def chunked(data: bytes, size: int = 1000) -> bytes:
    parts = [b"%x\r\n%s\r\n" % (len(data[i:i + size]), data[i:i + size]) for i in range(0, len(data), size)]
    return b"".join(parts) + b"0\r\n\r\n"


def foreign_warc(path, pages):
    """A WARC as wget writes it: raw HTTP bodies, chunked framing kept, gzip content-encoding."""
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.0")
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "Wget/1.21.3"}))
        for url in pages:
            status, headers, body = render(url[len(BASE):])
            headers = [(k, v) for k, v in headers if k.lower() not in ("content-length", "content-encoding")]
            if "json" in dict(headers).get("Content-Type", "") or "html" in dict(headers).get("Content-Type", ""):
                body = gzip.compress(body, mtime=0)
                headers.append(("Content-Encoding", "gzip"))
            headers.append(("Transfer-Encoding", "chunked"))
            http = StatusAndHeaders(f"{status} OK", headers, protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=BytesIO(chunked(body)),
                                                          http_headers=http))


def test_import_indexes_a_foreign_warc(tmp_path):
    article = next(a for a in EXPECTED["wechat_articles"] if a["state"] == "ok")
    history = EXPECTED["wechat_accounts"][0]["history_path"]
    warc = tmp_path / "wget-crawl.warc.gz"
    foreign_warc(warc, [BASE + history, BASE + article["path"], BASE + EXPECTED["directory_pages"][1]])
    result = CliRunner().invoke(cli, ["import", str(warc), "--archive-dir", str(tmp_path / "archive")])
    assert result.exit_code == 0, result.output
    assert "3 captures" in result.output
    from sqlite_utils import Database

    db = Database(str(tmp_path / "archive" / "index.db"))
    key = ":".join(article["key"])
    post = db["posts"].get(f"wechat:{key}")
    assert post["title"] == article["title"] and post["state"] == "ok" and post["text"]
    assert db["captures"].count == 3 and {r["warc_file"] for r in db["captures"].rows} == {warc.name}
    assert [r["spider"] for r in db["runs"].rows] == ["import"]
    assert db["accounts"].count >= 4  # the directory page's rows, decoded despite its lying header


def test_import_reports_a_file_that_is_not_a_warc(tmp_path):
    bad = tmp_path / "broken.warc.gz"
    bad.write_bytes(b"this is not a WARC file at all")
    result = CliRunner().invoke(cli, ["import", str(bad), "--archive-dir", str(tmp_path / "archive")])
    assert result.exit_code == 1 and "broken.warc.gz" in result.output and "Traceback" not in result.output


def test_import_reads_a_news_report_as_a_post_and_leaves_list_pages_and_platform_pages_alone(tmp_path):
    from pathlib import Path

    from sqlite_utils import Database

    from govarchive.demo.cms import EXPECTED as CMS

    report, home = CMS["news"]["closure_report"], CMS["news"]["home"]
    article = (Path(__file__).parent / "fixtures/generic/news-article.html").read_bytes()
    warc = tmp_path / "browsertrix.warc.gz"
    foreign_warc(warc, [BASE + report["path"], BASE + home])
    with open(warc, "ab") as fh:  # the same kind of article, served by Toutiao: a platform's page, never a post
        writer = WARCWriter(fh, gzip=True, warc_version="1.1")
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record("https://www.toutiao.com/article/7301234567890123456/", "response",
                                                      payload=BytesIO(article), http_headers=http))
    result = CliRunner().invoke(cli, ["import", str(warc), "--archive-dir", str(tmp_path / "archive")])
    assert result.exit_code == 0, result.output
    db = Database(str(tmp_path / "archive" / "index.db"))
    posts = list(db["posts"].rows)
    assert [(p["url"], p["title"], p["state"], p["kind"]) for p in posts] == [
        (BASE + report["path"], report["title"], "ok", "page")]
    assert "停止更新" in posts[0]["text"] and db["accounts"].get(posts[0]["account_id"])["name"] == CMS["news"]["site"]
    db.execute("attach database ? as search", [str(tmp_path / "archive" / "search.db")])  # the search index (m014)
    assert db.execute("select count(*) from posts_fts").fetchone()[0] >= 1  # searchable
