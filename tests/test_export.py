"""``govarchive export``: WACZ (validated by py-wacz, replayed by pywb), CDXJ, CSV and JSON of index tables.

``demo_archive`` (one crawl) is only read; the two-run archive (revisits pointing into the first run's
file) is a copy with a second crawl, built once for this module.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import crawl, free_port, pywb_bin, rows

from govarchive.browse.export import iter_cdxj, read_pages, tables
from govarchive.browse.metadata import parse_schema_docs
from govarchive.cli import cli

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[1]
TITLE = "云岚市政务新媒体存档"


def invoke(*args: str):
    return CliRunner().invoke(cli, ["export", *args])


def export_ok(*args: str):
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return result


def validate(path: Path) -> None:
    result = subprocess.run([str(BIN / "wacz"), "validate", "-f", str(path)], capture_output=True, text=True)
    assert result.returncode == 0 and "Validation succeeded" in result.stdout, result.stdout + result.stderr


def datapackage(path: Path) -> dict:
    with zipfile.ZipFile(path) as package:
        return json.loads(package.read("datapackage.json"))


def members(path: Path, folder: str) -> list[str]:
    with zipfile.ZipFile(path) as package:
        return sorted(Path(n).name for n in package.namelist() if n.startswith(folder + "/"))


def ts14(iso: str) -> str:
    return re.sub(r"\D", "", iso)[:14]


@pytest.fixture(scope="module")
def full_wacz(demo_archive, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wacz") / "full.wacz"
    export_ok("wacz", "--archive-dir", str(demo_archive), "-o", str(out), "--title", TITLE)
    return out


@pytest.fixture(scope="module")
def two_runs(demo_archive, demo_web, tmp_path_factory) -> dict:
    """A copy of the demo archive with a second crawl: its unchanged pages are revisits of the first."""
    archive = tmp_path_factory.mktemp("two-runs") / "archive"
    shutil.copytree(demo_archive, archive)
    crawl(demo_web.base_url, archive)
    db = archive / "index.db"
    (first, _), (second, _) = rows(db, "select id, started_at from runs order by started_at")
    file_of = {run: rows(db, "select distinct warc_file from captures where run_id = ?", run)
               for run in (first, second)}
    assert len(file_of[first]) == len(file_of[second]) == 1
    out = tmp_path_factory.mktemp("run-waczs")
    export_ok("wacz", "--archive-dir", str(archive), "--run", second, "-o", str(out / "deps.wacz"))
    export_ok("wacz", "--archive-dir", str(archive), "--run", second, "--no-dependencies", "-o",
              str(out / "alone.wacz"))
    return {"archive": archive, "db": db, "first": first, "second": second,
            "first_file": file_of[first][0][0], "second_file": file_of[second][0][0],
            "deps": out / "deps.wacz", "alone": out / "alone.wacz"}


# -- WACZ of the whole archive ----------------------------------------------------------------------
def test_full_export_validates_and_holds_every_warc(demo_archive, full_wacz):
    validate(full_wacz)
    assert members(full_wacz, "archive") == sorted(p.name for p in (demo_archive / "warc").glob("*.warc.gz"))
    package = datapackage(full_wacz)
    assert package["title"] == TITLE and package["govarchive"]["selection"] == {"runs": [], "accounts": []}
    with zipfile.ZipFile(full_wacz) as zf:  # WARCs stored, not compressed again (random access)
        assert all(info.compress_type == zipfile.ZIP_STORED for info in zf.infolist()
                   if info.filename.startswith("archive/"))


def test_pages_come_from_the_index(demo_archive, full_wacz):
    db = demo_archive / "index.db"
    header, *pages = read_pages(full_wacz)
    assert header == {"format": "json-pages-1.0", "id": "pages", "title": TITLE}
    by_id = {page["id"]: page for page in pages}
    assert len(by_id) == len(pages)
    archived = rows(db, """select p.id, c.url, c.fetched_at, p.title, a.name from posts p
                           join captures c on c.id = coalesce(p.archived_capture_id, p.capture_id)
                           left join accounts a on a.id = p.account_id where c.page_state = 'ok'""")
    assert len(archived) >= 30
    for post_id, url, fetched_at, title, account in archived:
        page = by_id.pop(f"post:{post_id}")
        assert (page["url"], page["ts"], page["account"], page["type"]) == (url, fetched_at, account, "post")
        if title:
            assert page["title"] == title
        else:  # weibos have no title: the first words of the text stand in
            assert page["title"]
    post_urls = {page["url"] for page in pages if page["type"] == "post"}
    accounts = {page["account_id"]: page for page in by_id.values()}
    assert all(page["type"] == "account" for page in accounts.values())
    assert len(accounts) >= 8 and {p["platform"] for p in accounts.values()} >= {"wechat", "weibo", "website"}
    for account_id, page in accounts.items():
        name, url = rows(db, "select name, url from accounts where id = ?", account_id)[0]
        assert page["title"] == (name or account_id)
        state, status = rows(db, "select page_state, http_status from captures "
                                 "where url = ? and fetched_at = ?", page["url"], page["ts"])[0]
        assert 200 <= status < 300 and state != "blocked"
        assert page["url"] == (url or "").split("#")[0] or not url
        assert page["url"] not in post_urls  # an article showing the account is no account page


def test_every_page_is_in_the_wacz_index(full_wacz):
    with zipfile.ZipFile(full_wacz) as package:
        cdx = gzip.decompress(package.read("indexes/index.cdx.gz")).decode("utf-8").splitlines()
    indexed = {(fields["url"], ts) for _, ts, fields in iter_cdxj(cdx)}
    for page in read_pages(full_wacz)[1:]:
        assert (page["url"], ts14(page["ts"])) in indexed, page


# -- selections and dependencies --------------------------------------------------------------------
def test_run_export_adds_the_file_its_revisits_need(two_runs):
    deps = two_runs["deps"]
    validate(deps)
    assert members(deps, "archive") == sorted([two_runs["first_file"], two_runs["second_file"]])
    revisits = rows(two_runs["db"], """select count(*) from captures r join captures o on o.id = r.refers_to
                                       where r.run_id = ? and o.warc_file = ?""", two_runs["second"],
                    two_runs["first_file"])[0][0]
    assert revisits > 10
    meta = datapackage(deps)["govarchive"]
    assert meta["selection"]["runs"] == [two_runs["second"]]
    assert meta["addedForRevisits"] == [two_runs["first_file"]] and meta["missingDependencies"] == []
    assert {"warc": two_runs["second_file"], "requires": two_runs["first_file"], "revisits": revisits,
            "included": True} in meta["dependencies"]
    # pages only of the selected run, although the first run's file is in the package
    pages = read_pages(deps)[1:]
    assert pages
    for page in pages:
        assert rows(two_runs["db"], "select run_id from captures where url = ? and fetched_at = ?",
                    page["url"], page["ts"])[0][0] == two_runs["second"]


def test_no_dependencies_leaves_the_file_out_but_records_it(two_runs):
    alone = two_runs["alone"]
    validate(alone)
    assert members(alone, "archive") == [two_runs["second_file"]]
    meta = datapackage(alone)["govarchive"]
    assert meta["addedForRevisits"] == [] and meta["missingDependencies"] == [two_runs["first_file"]]
    dependency = next(d for d in meta["dependencies"] if d["warc"] == two_runs["second_file"])
    assert dependency["requires"] == two_runs["first_file"] and dependency["included"] is False
    assert two_runs["first_file"] in datapackage(alone)["description"]
    assert read_pages(alone)[1:] == read_pages(two_runs["deps"])[1:]


def test_a_dependency_missing_from_disk_is_recorded_and_said(two_runs, tmp_path):
    archive = tmp_path / "archive"
    shutil.copytree(two_runs["archive"], archive, ignore=shutil.ignore_patterns("exports"))
    (archive / "warc" / two_runs["first_file"]).unlink()
    result = export_ok("wacz", "--archive-dir", str(archive), "--run", two_runs["second"],
                       "-o", str(tmp_path / "x.wacz"))
    assert f"not included, needed by revisit records: {two_runs['first_file']}" in result.stderr
    validate(tmp_path / "x.wacz")
    assert datapackage(tmp_path / "x.wacz")["govarchive"]["missingDependencies"] == [two_runs["first_file"]]
    result = invoke("wacz", "--archive-dir", str(archive), "--run", two_runs["first"],
                    "-o", str(tmp_path / "y.wacz"))
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1
    assert "none of the WARC files of this selection is in" in result.output


def test_run_export_replays_its_revisits_only_with_its_dependency(two_runs, tmp_path):
    """pywb, given only the WACZ, shows a page the second run saw unchanged only when the first run's file
    was added; the CDXJ export replays it from the archive's own files."""
    pywb = pywb_bin()
    db = two_runs["db"]
    kind = "select record_type from captures where url = ? and fetched_at = ?"
    page = next(p for p in read_pages(two_runs["deps"])[1:]
                if (p["type"], p["platform"]) == ("post", "wechat")
                and rows(db, kind, p["url"], p["ts"])[0][0] == "revisit")
    for name in ("deps", "alone"):
        subprocess.run([str(pywb / "wb-manager"), "init", name], cwd=tmp_path, check=True, capture_output=True)
        subprocess.run([str(pywb / "wb-manager"), "add", "--unpack-wacz", name, str(two_runs[name])],
                       cwd=tmp_path, check=True, capture_output=True)
    # and the exported CDXJ over the archive's own warc/ folder, as docs/exports.md shows
    export_ok("cdxj", "--archive-dir", str(two_runs["archive"]), "-o", str(tmp_path / "govarchive.cdxj"))
    config = (f"collections:\n  cdxj:\n    index_paths: ./govarchive.cdxj\n"
              f"    archive_paths: {two_runs['archive'] / 'warc'}/\n")
    (tmp_path / "config.yaml").write_text(config, encoding="utf-8")
    port = free_port()
    server = subprocess.Popen([str(pywb / "wayback"), "-b", "127.0.0.1", "-p", str(port)], cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def fetch(collection: str) -> tuple[int, bytes]:
        url = f"http://127.0.0.1:{port}/{collection}/{ts14(page['ts'])}id_/{page['url']}"
        for _ in range(60):
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    return response.status, response.read()
            except urllib.error.HTTPError as error:
                return error.code, error.read()
            except OSError:
                time.sleep(0.5)
        raise AssertionError("pywb did not answer")

    try:
        status, body = fetch("deps")
        assert status == 200 and page["title"] in body.decode("utf-8", "replace")
        status, body = fetch("alone")
        assert status != 200 or page["title"] not in body.decode("utf-8", "replace")
        status, body = fetch("cdxj")
        assert status == 200 and page["title"] in body.decode("utf-8", "replace")
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_account_export_lists_only_that_account(demo_archive, tmp_path):
    db = demo_archive / "index.db"
    account_id, name = rows(db, """select a.id, a.name from accounts a join posts p on p.account_id = a.id
                                   where a.platform = 'wechat' and a.url like '%profile_ext%' group by a.id
                                   order by count(*) desc limit 1""")[0]
    out = tmp_path / "account.wacz"
    result = export_ok("wacz", "--archive-dir", str(demo_archive), "--account", account_id, "-o", str(out))
    assert "wrote" in result.output and str(out) in result.output
    validate(out)
    pages = read_pages(out)[1:]
    assert {p["account_id"] for p in pages} == {account_id} and {p["account"] for p in pages} == {name}
    expected = {f"post:{pid}" for (pid,) in rows(db, """select p.id from posts p join captures c
        on c.id = coalesce(p.archived_capture_id, p.capture_id)
        where p.account_id = ? and c.page_state = 'ok'""", account_id)}
    assert expected and expected <= {p["id"] for p in pages}
    assert f"account:{account_id}" in {p["id"] for p in pages}
    assert datapackage(out)["govarchive"]["selection"]["accounts"] == [account_id]


def test_account_and_run_together_select_that_accounts_captures_of_that_run(two_runs, tmp_path):
    db = two_runs["db"]
    account_id = rows(db, """select a.id from accounts a join captures c on c.url = a.url
                             where a.platform = 'website' and c.run_id = ? limit 1""",
                      two_runs["second"])[0][0]
    out = tmp_path / "both.wacz"
    export_ok("wacz", "--archive-dir", str(two_runs["archive"]), "--account", account_id,
              "--run", two_runs["second"], "-o", str(out))
    pages = read_pages(out)[1:]
    assert pages and {p["account_id"] for p in pages} == {account_id}
    for page in pages:
        assert rows(db, "select run_id from captures where url = ? and fetched_at = ?", page["url"],
                    page["ts"])[0][0] == two_runs["second"]
    meta = datapackage(out)["govarchive"]
    assert meta["selection"] == {"runs": [two_runs["second"]], "accounts": [account_id]}
    # the first run's file too: it holds the originals of the revisits
    assert meta["warcs"] == sorted([two_runs["first_file"], two_runs["second_file"]])


def test_default_output_is_in_the_archives_exports_folder(demo_archive, tmp_path):
    archive = tmp_path / "archive"
    shutil.copytree(demo_archive, archive)
    export_ok("wacz", "--archive-dir", str(archive))
    expected = archive / "exports" / f"govarchive-{datetime.now(UTC):%Y-%m-%d}.wacz"
    assert expected.is_file() and zipfile.is_zipfile(expected)
    assert not list((archive / "exports").glob(".*partial"))


# -- CDXJ -------------------------------------------------------------------------------------------
def test_cdxj_covers_every_capture_and_is_sorted(two_runs, tmp_path):
    archive, db = two_runs["archive"], two_runs["db"]
    result = export_ok("cdxj", "--archive-dir", str(archive))
    lines = result.stdout_bytes.decode("utf-8").splitlines()
    assert lines == sorted(lines)
    entries = list(iter_cdxj(lines))
    indexed = {(f["url"], int(f["offset"]), int(f["length"]), f["filename"]) for _, _, f in entries}
    captures = rows(db, "select url, warc_offset, warc_length, warc_file from captures")
    assert set(captures) <= indexed
    # run summaries and a browser's renderings (urn:dom:…, urn:view:…) aside
    assert len([e for e in entries if not e[0].startswith("urn:")]) == len([c for c in captures
                                                                            if not c[0].startswith("urn:")])
    assert {f["filename"] for _, _, f in entries} == {two_runs["first_file"], two_runs["second_file"]}
    export_ok("cdxj", "--archive-dir", str(archive), "-o", str(tmp_path / "index.cdxj"))
    assert (tmp_path / "index.cdxj").read_text(encoding="utf-8").splitlines() == lines


# -- CSV / JSON -------------------------------------------------------------------------------------
def table_rows(db: Path, table: str) -> tuple[list[str], list[tuple]]:
    columns = [c for (_, c, *_) in rows(db, f"pragma table_info({table})")]
    return columns, rows(db, f"select * from {table}")


@pytest.mark.parametrize("table", ["accounts", "notices", "migrations"])
def test_csv_has_every_row_and_the_chinese_text(demo_archive, tmp_path, table):
    columns, expected = table_rows(demo_archive / "index.db", table)
    assert expected
    out = tmp_path / f"{table}.csv"
    export_ok("csv", table, "--archive-dir", str(demo_archive), "-o", str(out))
    raw = out.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    reader = csv.reader(io.StringIO(raw.decode("utf-8"), newline=""))
    assert next(reader) == columns
    found = sorted(tuple(row) for row in reader)
    assert found == sorted(tuple("" if v is None else str(v) for v in row) for row in expected)
    assert re.search("[\u4e00-\u9fff]", raw.decode("utf-8"))
    excel = export_ok("csv", table, "--excel", "--archive-dir", str(demo_archive)).stdout_bytes
    assert excel.startswith(b"\xef\xbb\xbf") and excel[3:] == raw


@pytest.mark.parametrize("table", ["accounts", "notices", "migrations"])
def test_json_has_every_row_and_the_chinese_text(demo_archive, table):
    columns, expected = table_rows(demo_archive / "index.db", table)
    text = export_ok("json", table, "--archive-dir", str(demo_archive)).stdout_bytes.decode("utf-8")
    data = json.loads(text)
    assert sorted(tuple(obj[c] for c in columns) for obj in data) == sorted(expected)
    assert "\\u" not in text and re.search("[\u4e00-\u9fff]", text)  # not escaped: readable as it is
    lines = export_ok("json", table, "--lines", "--archive-dir", str(demo_archive)).stdout_bytes.decode()
    assert [json.loads(line) for line in lines.splitlines()] == data


DOCUMENTED = sorted(parse_schema_docs((ROOT / "docs" / "schema.md").read_text(encoding="utf-8")))


@pytest.mark.parametrize("table", DOCUMENTED)
def test_every_documented_table_exports(demo_archive, table):
    """``export csv posts`` was refused: every table docs/schema.md documents exports, as CSV and as JSON."""
    columns, expected = table_rows(demo_archive / "index.db", table)
    exported = json.loads(export_ok("json", table, "--archive-dir", str(demo_archive)).stdout_bytes)
    assert len(exported) == len(expected)
    raw = export_ok("csv", table, "--archive-dir", str(demo_archive)).stdout_bytes.decode("utf-8")
    reader = csv.reader(io.StringIO(raw, newline=""))
    assert next(reader) == columns and len(list(reader)) == len(expected)


def test_posts_export_with_their_text(demo_archive):
    columns, expected = table_rows(demo_archive / "index.db", "posts")
    raw = export_ok("csv", "posts", "--archive-dir", str(demo_archive)).stdout_bytes.decode("utf-8")
    found = {row[columns.index("id")]: row for row in csv.reader(io.StringIO(raw, newline=""))}
    for row in expected:
        assert found[row[0]][columns.index("text")] == (row[columns.index("text")] or "")


# -- errors: one line, no traceback -----------------------------------------------------------------
@pytest.fixture(scope="module")
def broken(demo_archive, tmp_path_factory) -> dict[str, Path]:
    """Archives missing their index or their WARC files, or with an index that is no database."""
    base = tmp_path_factory.mktemp("broken")
    no_index, no_warcs = base / "no-index", base / "no-warcs"
    shutil.copytree(demo_archive / "warc", no_index / "warc")
    shutil.copytree(demo_archive, no_warcs)
    for path in (no_warcs / "warc").iterdir():
        path.unlink()
    (no_warcs / "warc" / "govarchive-20990101000000000-00000-x.warc.gz.open").write_bytes(b"")
    bad_index = base / "bad-index"
    shutil.copytree(demo_archive / "warc", bad_index / "warc")
    (bad_index / "index.db").write_text("not a database")
    return {"no-index": no_index, "no-warcs": no_warcs, "bad-index": bad_index, "nowhere": base / "nowhere",
            "base": base}


ERRORS = [
    (["wacz", "--archive-dir", "{nowhere}"], "does not exist: is --archive-dir the archive folder?"),
    (["csv", "accounts", "--archive-dir", "{nowhere}"], "does not exist"),
    (["cdxj", "--archive-dir", "{nowhere}"], "does not exist"),
    (["wacz", "--archive-dir", "{no-index}"], "index.db does not exist: run a crawl, or `govarchive"),
    (["json", "notices", "--archive-dir", "{no-index}"], "index.db does not exist"),
    (["wacz", "--archive-dir", "{no-warcs}"], "no finished WARC files"),
    (["wacz", "--archive-dir", "{bad-index}"], "is it an index.db of govarchive?"),
    (["csv", "runs", "--archive-dir", "{bad-index}"], "cannot read"),
    (["cdxj", "--archive-dir", "{no-warcs}", "-o", "{base}/never.cdxj"], "no finished WARC files"),
    (["wacz", "--archive-dir", "{demo}", "--run", "20990101T000000Z-deadbeef"], "unknown run id '2099"),
    (["wacz", "--archive-dir", "{demo}", "--account", "wechat:0"], "unknown account id 'wechat:0'"),
    (["wacz", "--archive-dir", "{demo}", "-o", "{base}/missing/out.wacz"], "does not exist: create it or"),
    (["csv", "accounts", "--archive-dir", "{demo}", "-o", "{base}/missing/x.csv"], "does not exist: create"),
    (["wacz", "--archive-dir", "{demo}", "-o", "{base}"], "is a folder: give a file name with -o"),
    (["wacz", "--archive-dir", "{demo}", "-o", "{base}/out.zip"], "does not end with .wacz"),
    (["csv", "postss", "--archive-dir", "{demo}"], "unknown table 'postss': choose one of accounts, posts, notices"),
    (["json", "sqlite_master", "--archive-dir", "{nowhere}"], "unknown table 'sqlite_master'"),
]
# A wrong argument (a table, a run or account id, an output name) is a usage mistake: exit 2, as the README says.
USAGE = ("unknown run id", "unknown account id", "is a folder", "does not end with .wacz", "unknown table")


@pytest.mark.parametrize("args, message", ERRORS, ids=[" ".join(a[:1] + [m[:25]]) for a, m in ERRORS])
def test_errors_are_one_line_naming_the_fix(demo_archive, broken, args, message):
    places = {**{k: str(v) for k, v in broken.items()}, "demo": str(demo_archive)}
    result = invoke(*[arg.format(**places) for arg in args])
    assert result.exit_code == (2 if any(words in message for words in USAGE) else 1), result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], result.output
    assert not (broken["base"] / "never.cdxj").exists()  # nothing written when the export cannot be made


def test_tables_are_the_documented_ones():
    assert sorted(tables()) == DOCUMENTED and tables()[:3] == ("accounts", "posts", "notices")
