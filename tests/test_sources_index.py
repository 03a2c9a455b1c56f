"""A sources entry's id, region, agency and label reach the index, through the WARC files (issue 19).

The entries a run used are a ``metadata`` record after each file's ``warcinfo``; each capture names its entry
(``WARC-Govarchive-Source``); ``sources`` rows, ``captures.source_id`` and ``accounts.source_id`` are rebuilt
from the files alone; ``account_owners`` takes an agency from an entry only where the archive's pages and
reports said none.
"""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from helpers import T0, fixed_clock, make_capture, rows
from sqlite_utils import Database
from test_browse import datasette, get_json
from test_claims import REPORT
from test_lifecycle import AS_OF, Archive
from warcio.archiveiterator import ArchiveIterator

from govarchive.closure.lifecycle import analyse
from govarchive.core.items import Account
from govarchive.core.sources import (
    SOURCE_HEADER,
    SOURCES_CONTENT_TYPE,
    Source,
    SourceError,
    load_sources,
    sources_from_record,
    sources_record,
)
from govarchive.index.store import Index, open_index
from govarchive.warc.archiver import Archiver
from govarchive.warc.importer import warc_files
from govarchive.warc.reindexing import reindex
from govarchive.warc.writer import WarcArchive

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[1]
DIRECTORY = Source("qh-xmt", "listing", "website", "http://127.0.0.1:9/xxgk/xmt/", "青禾市", "青禾市人民政府办公室",
                   "青禾市政务新媒体名录")
COLUMN = Source("qh-tzgg", "listing", "website", "http://127.0.0.1:9/xxgk/tzgg/", "青禾市", "青禾市人民政府办公室",
                "青禾市人民政府 通知公告", render=True)


def write_run(warc_dir: Path, run_id: str, sources: list[Source], captures: list, **kw) -> list[Path]:
    with WarcArchive(warc_dir, run_id, info={"run-id": run_id, "run-started": "2026-11-20T02:00:00Z"},
                     hostname="test", clock=fixed_clock(), sources=sources, **kw) as warcs:
        for capture in captures:
            warcs.write_capture(capture)
    return warc_files(warc_dir)


def sourced(n: int, source: Source | None, url: str = "http://127.0.0.1:9/page", run_id: str = "run-1"):
    capture = make_capture(n, url=url, run_id=run_id)
    capture.source_id = source.id if source else None
    return capture


# -- the WARC side ---------------------------------------------------------------------------------------

def test_a_sources_record_round_trips_and_a_bad_one_is_refused():
    record = sources_record("run-1", [DIRECTORY, COLUMN])
    assert sources_from_record(json.loads(json.dumps(record))) == [DIRECTORY, COLUMN]
    for bad in ({"sources": "x"}, {"sources": [{"id": "a b", "kind": "listing", "platform": "website", "url": "u"}]},
                {"sources": [{"id": "a", "kind": "nope", "platform": "website", "url": "u"}]},
                {"sources": [{"id": "a", "kind": "page", "platform": "website", "url": "u", "region": 3}]}, []):
        with pytest.raises(SourceError):
            sources_from_record(bad)


def test_every_file_says_its_entries_and_every_capture_its_entry(tmp_path):
    captures = [sourced(1, DIRECTORY), sourced(2, COLUMN), sourced(3, None)]
    captures[1].record_type = "resource"  # a browser's rendering names its entry too
    files = write_run(tmp_path, "run-1", [DIRECTORY, COLUMN], captures, max_bytes=1)  # a new file per capture
    assert len(files) == 3
    for path in files:
        with open(path, "rb") as fh:
            records = list(ArchiveIterator(fh))
        info, meta = records[0], records[1]
        assert info.rec_type == "warcinfo" and meta.rec_type == "metadata"
        assert meta.rec_headers.get_header("Content-Type") == SOURCES_CONTENT_TYPE
        assert meta.rec_headers.get_header("WARC-Refers-To") == info.rec_headers.get_header("WARC-Record-ID")
        with open(path, "rb") as fh:
            body = next(r for r in ArchiveIterator(fh) if r.rec_type == "metadata").content_stream().read()
        assert [s["id"] for s in json.loads(body)["sources"]] == ["qh-xmt", "qh-tzgg"]
    named = {}
    for path in files:
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type in ("response", "resource", "request"):
                    named.setdefault(record.rec_type, []).append(record.rec_headers.get_header(SOURCE_HEADER))
    assert named == {"response": ["qh-xmt", None], "resource": ["qh-tzgg"], "request": [None, None]}
    for path in files:  # an extension field: other tools read the files as before
        result = subprocess.run([str(BIN / "warcio"), "check", "-v", str(path)], capture_output=True, text=True)
        assert result.returncode == 0 and "digest fail" not in result.stdout, result.stdout[-2000:]


def test_a_run_without_sources_writes_no_sources_record(tmp_path):
    with WarcArchive(tmp_path, "run-1", hostname="test", clock=fixed_clock()) as warcs:
        warcs.write_capture(make_capture(1))
    with open(warc_files(tmp_path)[0], "rb") as fh:
        types = [r.rec_type for r in ArchiveIterator(fh)]
    assert types == ["warcinfo", "response", "request"]


def test_reindex_rebuilds_the_sources_and_links_from_the_files_alone(tmp_path):
    archive = tmp_path / "archive"
    write_run(archive / "warc", "run-1", [DIRECTORY, COLUMN],
              [sourced(1, DIRECTORY), sourced(2, COLUMN, url=COLUMN.url), sourced(3, None)])
    report = reindex(archive)
    assert not report.errors
    db = archive / "index.db"
    assert rows(db, "select id, kind, platform, url, region, agency, label, render, first_run, last_run "
                    "from sources order by id") == [
        ("qh-tzgg", "listing", "website", COLUMN.url, "青禾市", "青禾市人民政府办公室", "青禾市人民政府 通知公告", 1,
         "run-1", "run-1"),
        ("qh-xmt", "listing", "website", DIRECTORY.url, "青禾市", "青禾市人民政府办公室", "青禾市政务新媒体名录", 0,
         "run-1", "run-1")]
    assert rows(db, "select source_id from captures order by id") == [("qh-xmt",), ("qh-tzgg",), (None,)]
    again = reindex(archive)  # idempotent
    assert not again.errors and len(rows(db, "select * from sources")) == 2


def test_a_sources_record_that_cannot_be_read_is_one_line_and_its_captures_stay(tmp_path, caplog):
    archive = tmp_path / "archive"
    with WarcArchive(archive / "warc", "run-1", info={"run-id": "run-1"}, hostname="test", clock=fixed_clock()) as w:
        w.write_metadata("urn:govarchive:sources:run-1", {"sources": [{"id": "../etc"}]}, T0, SOURCES_CONTENT_TYPE)
        w.write_capture(sourced(1, DIRECTORY))
    with caplog.at_level(logging.WARNING):
        report = reindex(archive)
    assert not report.errors
    assert [r.getMessage() for r in caplog.records if "sources record" in r.getMessage()] == [
        "a sources record of run run-1 could not be read: sources record entry 1: bad id '../etc'"]
    assert rows(archive / "index.db", "select count(*) from sources") == [(0,)]
    assert rows(archive / "index.db", "select source_id from captures") == [("qh-xmt",)]


# -- the index side --------------------------------------------------------------------------------------

def test_an_entry_keeps_the_latest_runs_values_and_its_first_run():
    index = Index(Database(memory=True))
    index.start_run("run-2", "test", "2026-11-21T02:00:00Z")
    index.save_sources("run-2", [DIRECTORY])
    index.start_run("run-3", "test", "2026-11-22T02:00:00Z")
    renamed = Source(**{**DIRECTORY.__dict__, "label": "青禾市政务新媒体名录（2026年版）"})
    index.save_sources("run-3", [renamed])
    index.start_run("run-1", "test", "2026-11-20T02:00:00Z")  # an older run's file, imported later
    index.save_sources("run-1", [DIRECTORY])
    row = index.db["sources"].get("qh-xmt")
    assert (row["label"], row["first_run"], row["last_run"]) == ("青禾市政务新媒体名录（2026年版）", "run-1", "run-3")
    assert (row["first_used_at"], row["last_used_at"]) == ("2026-11-20T02:00:00Z", "2026-11-22T02:00:00Z")
    assert rows_of(index, "select column_name, old_value, new_value from changes where table_name = 'sources'") == [
        ("label", "青禾市政务新媒体名录", "青禾市政务新媒体名录（2026年版）")]


def rows_of(index: Index, sql: str) -> list[tuple]:
    return [tuple(r) for r in index.db.execute(sql).fetchall()]


def account(capture_id: str, account_id: str = "website:http://127.0.0.1:9/xxgk/tzgg/", **fields) -> Account:
    fields.setdefault("url", account_id.split(":", 1)[1])
    return Account(id=account_id, platform="website", platform_id=fields["url"], capture_id=capture_id,
                   seen_at=T0, **fields)


@pytest.mark.parametrize("order", [(DIRECTORY, COLUMN), (COLUMN, DIRECTORY)])
def test_an_account_is_linked_to_its_own_entry_whatever_the_order(order):
    """A directory listed the column before the column's own entry was crawled, or after: the same link."""
    index = Index(Database(memory=True))
    index.start_run("run-1", "test", "2026-11-20T02:00:00Z")
    index.save_sources("run-1", [DIRECTORY, COLUMN])
    archiver = Archiver(index)
    for n, source in enumerate(order, 1):
        capture = sourced(n, source, url=source.url)
        archiver.store(capture)
        archiver.save_account(account(capture.id, authoritative=source is COLUMN))
    assert index.db["accounts"].get("website:http://127.0.0.1:9/xxgk/tzgg/")["source_id"] == "qh-tzgg"


def test_an_accounts_entry_is_its_captures_even_when_the_archiver_forgot_it():
    index = Index(Database(memory=True))
    index.start_run("run-1", "test", "2026-11-20T02:00:00Z")
    index.save_sources("run-1", [DIRECTORY])
    Archiver(index).store(sourced(1, DIRECTORY, url=DIRECTORY.url))
    later = Archiver(index)  # another process, or a page read in a later phase of a reindex
    later.save_account(account(make_capture(1).id, "wechat:1", url="http://127.0.0.1:9/mp/1"))
    assert index.db["accounts"].get("wechat:1")["source_id"] == "qh-xmt"


def owner(index: Index, account_id: str) -> tuple:
    return tuple(index.db.execute("select agency, agency_from, region, region_from, source_id from account_owners "
                                  "where id = ?", [account_id]).fetchone())


def test_an_entry_gives_an_owner_only_where_the_archive_said_none():
    """Precedence: the account's pages (own page, directory row) > a closure report > the sources entry; the
    entry's agency is an account's only when the entry is the account's own page, its region any account's."""
    archive = Archive()
    index = archive.index
    column = Source("qh-dag", "listing", "website", "http://news.example/dag/", "青禾市", "青禾市文化广电旅游局",
                    "青禾市档案馆 网站")
    index.save_sources(archive.run, [DIRECTORY, column])
    archiver = Archiver(index)

    def seen(source: Source, n: int, **fields) -> None:
        capture = sourced(100 + n, source, url=source.url, run_id=archive.run)
        archiver.store(capture)
        archiver.save_account(account(capture.id, **fields))

    # its own entry, nothing said by a page: the entry's agency and region
    seen(column, 1, account_id="website:http://news.example/dag/", name="青禾市档案馆")
    assert owner(index, "website:http://news.example/dag/") == ("青禾市文化广电旅游局", "sources", "青禾市", "sources",
                                                                 "qh-dag")
    # found by a directory (not its own entry): the directory's region, never the directory's agency
    seen(DIRECTORY, 2, account_id="wechat:7", url="http://127.0.0.1:9/mp/7", name="青禾教育")
    assert owner(index, "wechat:7") == (None, None, "青禾市", "sources", "qh-xmt")
    # a page that says the owner wins over the entry
    seen(DIRECTORY, 3, account_id="wechat:8", url="http://127.0.0.1:9/mp/8", agency="青禾市卫生健康委员会",
         region="青禾市")
    assert owner(index, "wechat:8") == ("青禾市卫生健康委员会", "archive", "青禾市", "archive", "qh-xmt")
    # a report naming the column's owner wins over the entry too: the entry never wrote accounts.agency
    assert index.db["accounts"].get("website:http://news.example/dag/")["agency"] is None
    archive.account("website:http://news.example/bd/", name="本地新闻", agency="青禾晚报网")
    archive.post("website:http://news.example/bd/1.html", "website:http://news.example/bd/", title="青禾一批政务号停更",
                 text=REPORT, published_at="2026-11-18T09:00:00+08:00")
    analyse(index, AS_OF + timedelta(days=2))
    assert owner(index, "website:http://news.example/dag/")[:2] == ("青禾市档案馆", "archive")


# -- the crawl --------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_a_crawl_records_its_entries_and_reindex_rebuilds_the_same_rows(demo_archive, demo_web, tmp_path):
    db = demo_archive / "index.db"
    demo = load_sources(ROOT / "govarchive" / "demo" / "sources.toml", demo_web.base_url)
    assert {r[0]: r[1:] for r in rows(db, "select id, kind, url, region, agency, label from sources")} == \
        {s.id: (s.kind, s.url, s.region, s.agency, s.label) for s in demo.values()}
    # each entry's requests are named in the captures, and the accounts they found link to it
    assert len(rows(db, "select distinct source_id from captures where source_id is not null")) == len(demo)
    linked = dict(rows(db, "select id, source_id from accounts"))
    assert linked["weibo:7312046598"] == "yunlan-fabu-weibo"  # its own entry, though the directory lists it
    assert sum(1 for s in linked.values() if s == "yunlan-xmt") >= 5
    assert rows(db, "select count(*) from account_owners where region = '云岚市'")[0][0] >= \
        rows(db, "select count(*) from accounts where region = '云岚市'")[0][0] + 1
    copy = tmp_path / "archive"
    shutil.copytree(demo_archive, copy)
    report = reindex(copy)
    assert not report.errors
    for name, sql in (("sources", "select * from sources order by id"),
                      ("captures", "select id, source_id from captures order by id"),
                      ("accounts", "select id, source_id, agency, region from accounts order by id"),
                      ("account_owners", "select * from account_owners order by id")):
        assert rows(copy / "index.db", sql) == rows(db, sql), name


@pytest.mark.slow
@pytest.mark.asyncio
async def test_the_accounts_can_be_faceted_by_region_and_agency(demo_archive):
    ds = datasette(demo_archive / "index.db")
    page = await ds.client.get("/index/account_owners")
    assert page.status_code == 200
    for facet in ("region", "agency", "agency_from", "source_id"):
        assert f'data-column="{facet}"' in page.text, facet
    yunlan = await get_json(ds, "/index/account_owners.json", region="云岚市", _col=["name", "region_from"])
    assert yunlan and {row["region_from"] for row in yunlan} == {"archive", "sources"}
    accounts = await ds.client.get("/index/accounts")
    assert 'data-column="source_id"' in accounts.text
    entries = await get_json(ds, "/index/sources.json", _col=["label"])
    assert "云岚市政务新媒体名录" in {row["label"] for row in entries}


def test_an_index_of_an_earlier_release_migrates_with_nulls(tmp_path):
    from govarchive.index.schema import migrations

    path = tmp_path / "index.db"
    db = Database(sqlite3.connect(path))
    migrations.apply(db, stop_before="m015_sources")  # the index as the release before m015 left it
    db.execute("insert into accounts (id, platform, agency) values ('wechat:1', 'wechat', '青禾市教育局')")
    db.conn.commit()
    db.close()
    index = open_index(path)
    assert rows_of(index, "select id, source_id from accounts") == [("wechat:1", None)]
    # the columns are added in place: the accounts keep their search triggers (m014) and their rowids
    triggers = {name for (name,) in rows_of(index, "select name from sqlite_master where type = 'trigger'")}
    assert {"accounts_search_insert", "accounts_search_update", "accounts_search_delete"} <= triggers
    assert owner(index, "wechat:1") == ("青禾市教育局", "archive", None, None, None)
    index.close()
