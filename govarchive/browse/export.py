"""Exports for people and other tools: ``govarchive export wacz|cdxj|csv|json`` (docs/exports.md).

- **WACZ** packages WARC files for ReplayWeb.page and pywb. py-wacz builds it (indexes, zip layout,
  digests); the page list comes from the index (posts' archived pages, accounts' own pages), never
  from re-detecting pages. Revisit records need the file that holds their original: such files are
  added unless told not to, and every cross-file need is recorded in ``datapackage.json``.
- **CDXJ** is cdxj-indexer's sorted pywb index of the closed WARC files.
- **CSV / JSON** are the rows of any table docs/schema.md documents (accounts, posts, notices, ...).

Everything here only reads the archive: ``index.db`` is opened read-only.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, ClassVar

from sqlite_utils import Database
from sqlite_utils.db import Table

from govarchive import __version__
from govarchive.warc.files import ArchiveWarcs, WarcFile

# Tables people ask for most come first in messages; every table docs/schema.md documents can be exported.
FIRST_TABLES = ("accounts", "posts", "notices", "claims", "migrations", "status_history", "runs", "captures")
PAGES_FORMAT = "json-pages-1.0"
DATAPACKAGE_KEY = "govarchive"  # our own property in datapackage.json (the WACZ spec allows custom ones)
NOT_A_PAGE = ("blocked", "redirect", "unauthorized")  # 2xx captures that are no account page to open


class ExportError(ValueError):
    """A user error, said in one line that names the fix."""


class ExportUsage(ExportError):
    """A wrong argument (a table, a run or account id, an output name): a usage mistake, nothing was read."""


def tables() -> tuple[str, ...]:
    """The tables an export can write: every one docs/schema.md documents (its parsed copy ships with the
    package), the most asked-for first."""
    from govarchive.browse.metadata import schema_docs

    documented = set(schema_docs())
    return (*(t for t in FIRST_TABLES if t in documented), *sorted(documented - set(FIRST_TABLES)))


# -- the archive ----------------------------------------------------------------------------------
def check_archive(archive_dir: Path, need_index: bool = True) -> None:
    archive_dir = Path(archive_dir)
    if not archive_dir.is_dir():
        raise ExportError(f"{archive_dir} does not exist: is --archive-dir the archive folder?")
    if need_index and not (archive_dir / "index.db").is_file():
        raise ExportError(f"{archive_dir / 'index.db'} does not exist: run a crawl, or `govarchive reindex` "
                          "to rebuild it from the WARC files")


def closed_warcs(archive_dir: Path) -> list[Path]:
    """Where the finished WARC files lie (``.open`` ones are still being written); an error when there is none."""
    return [f.path for f in closed_files(archive_dir)]


def closed_files(archive_dir: Path) -> list[WarcFile]:
    """The archive's finished WARC files (:class:`~govarchive.warc.files.ArchiveWarcs`: in ``warc/`` and imported
    in place), by their names in the index; an error when there is none."""
    files = ArchiveWarcs(Path(archive_dir) / "warc").files()
    if not files:
        raise ExportError(f"no finished WARC files in {Path(archive_dir) / 'warc'}: run a crawl first "
                          "(files ending .open are still being written)")
    return files


def open_readonly(db_path: Path) -> Database:
    """The index, read-only: an export never changes the archive."""
    try:
        conn = sqlite3.connect(f"{Path(db_path).resolve().as_uri()}?mode=ro", uri=True)
        conn.execute("pragma busy_timeout = 10000")
        conn.execute("select count(*) from sqlite_master").fetchone()
    except sqlite3.Error as exc:
        raise ExportError(f"cannot read {db_path} ({exc}): is it an index.db of govarchive?") from None
    return Database(conn)


def check_output(path: Path) -> Path:
    path = Path(path)
    if path.is_dir():
        raise ExportUsage(f"{path} is a folder: give a file name with -o")
    if not path.parent.is_dir():
        raise ExportError(f"folder {path.parent} does not exist: create it or choose another -o")
    return path


@contextlib.contextmanager
def text_output(path: Path | None, stdout: IO[bytes], newline: str | None = None) -> Iterator[IO[str]]:
    """UTF-8 text to ``path`` (renamed into place when complete), or to ``stdout``, a binary stream, so
    Chinese text survives whatever the terminal's encoding is."""
    if path is None:
        stream = io.TextIOWrapper(stdout, encoding="utf-8", newline=newline, write_through=True)
        try:
            yield stream
        finally:
            stream.flush()
            stream.detach()
        return
    path = check_output(path)
    partial = path.with_name(f".{path.name}.partial")
    try:
        with open(partial, "w", encoding="utf-8", newline=newline) as fh:
            yield fh
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


# -- CSV / JSON of index tables ---------------------------------------------------------------------
def check_table(archive_dir: Path, table: str) -> None:
    if table not in tables():
        raise ExportUsage(f"unknown table {table!r}: choose one of {', '.join(tables())}")
    check_archive(archive_dir)
    db = open_readonly(Path(archive_dir) / "index.db")
    try:
        if not db[table].exists():
            raise ExportError(f"{Path(archive_dir) / 'index.db'} has no table {table}: run "
                              "`govarchive analyse` to bring it up to date")
    finally:
        db.close()


def write_table(archive_dir: Path, table: str, out: IO[str], fmt: str = "csv", excel: bool = False) -> int:
    """Write every row of ``table`` as CSV (header row), a JSON array or JSON lines; return the row count.

    ``excel`` starts the CSV with a byte-order mark: without it Excel reads UTF-8 as the local code page.
    """
    if fmt not in ("csv", "json", "jsonl"):
        raise ValueError(f"unknown format {fmt!r}")
    check_table(archive_dir, table)
    db = open_readonly(Path(archive_dir) / "index.db")
    try:
        source = db[table]  # a table, or a view (account_owners): ordered by its key, a view by its first column
        columns = list(source.columns_dict)
        rows = source.rows_where(order_by=", ".join(source.pks) if isinstance(source, Table) else f"[{columns[0]}]")
        count = 0
        if fmt == "csv":
            if excel:
                out.write("\ufeff")
            writer = csv.writer(out)
            writer.writerow(columns)
            for row in rows:
                writer.writerow(["" if row[c] is None else row[c] for c in columns])
                count += 1
        elif fmt == "jsonl":
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
                count += 1
        else:
            out.write("[")
            for row in rows:
                out.write(("," if count else "") + "\n" + json.dumps(row, ensure_ascii=False))
                count += 1
            out.write("\n]\n" if count else "]\n")
        return count
    finally:
        db.close()


def export_table(archive_dir: Path, table: str, fmt: str, output: Path | None, stdout: IO[bytes],
                 excel: bool = False) -> int:
    """:func:`write_table` to ``output`` or ``stdout``; nothing is written when the table cannot be read."""
    check_table(archive_dir, table)
    with text_output(output, stdout, newline="" if fmt == "csv" else None) as out:
        return write_table(archive_dir, table, out, fmt, excel)


# -- CDXJ -------------------------------------------------------------------------------------------
def write_cdxj(archive_dir: Path, out: IO[str]) -> list[Path]:
    """A sorted pywb CDXJ index of every closed WARC file, file names relative to ``warc/``."""
    from cdxj_indexer.main import CDXJIndexer

    class PywbIndexer(CDXJIndexer):
        # py-wacz appends "warcinfo" to the shared class list when imported; keep cdxj-indexer's own
        DEFAULT_RECORDS: ClassVar[list[str]] = ["response", "revisit", "resource", "metadata"]

    check_archive(archive_dir, need_index=False)
    files = closed_warcs(archive_dir)
    PywbIndexer(out, [str(p) for p in files], sort=True, post_append=True,
                dir_root=str(Path(archive_dir) / "warc")).process_all()
    return files


def export_cdxj(archive_dir: Path, output: Path | None, stdout: IO[bytes]) -> list[Path]:
    """:func:`write_cdxj` to ``output`` or ``stdout``; nothing is written when there is no WARC file."""
    check_archive(archive_dir, need_index=False)
    closed_warcs(archive_dir)
    with text_output(output, stdout) as out:
        return write_cdxj(archive_dir, out)


# -- WACZ -------------------------------------------------------------------------------------------
@dataclass
class Dependency:
    """Revisit records in ``warc`` whose originals are in ``requires`` (None: original not in the index)."""

    warc: str
    requires: str | None
    revisits: int
    included: bool

    def as_json(self) -> dict[str, Any]:
        return {"warc": self.warc, "requires": self.requires, "revisits": self.revisits,
                "included": self.included}


@dataclass
class WaczPlan:
    """What a WACZ will hold: computed from the index before anything is written."""

    warcs: list[Path]  # oldest first
    selected: list[str]  # file names holding the selection's captures
    added: list[str]  # file names added only for revisits' originals
    dependencies: list[Dependency]
    missing: list[str]  # files the selection needs that are not closed files in warc/
    pages: list[dict[str, Any]]
    runs: list[str] = field(default_factory=list)
    accounts: list[str] = field(default_factory=list)

    @property
    def missing_dependencies(self) -> list[str]:
        return sorted({d.requires for d in self.dependencies if d.requires and not d.included})


@dataclass
class WaczReport:
    path: Path
    plan: WaczPlan
    bytes: int


def default_wacz_path(archive_dir: Path, now: datetime | None = None) -> Path:
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return Path(archive_dir) / "exports" / f"govarchive-{moment:%Y-%m-%d}.wacz"


def plan_wacz(archive_dir: Path, runs: Sequence[str] = (), accounts: Sequence[str] = (),
              dependencies: bool = True) -> WaczPlan:
    """Choose the WARC files and pages of a WACZ: everything, or the captures of ``runs`` and ``accounts``.

    With both, the accounts' captures made in those runs. Files holding the originals of the selection's
    revisits are added when ``dependencies`` is true, and recorded either way.
    """
    check_archive(archive_dir)
    on_disk = {f.name: f.path for f in closed_files(archive_dir)}
    db = open_readonly(Path(archive_dir) / "index.db")
    try:
        try:
            return _plan(db, on_disk, list(dict.fromkeys(runs)), list(dict.fromkeys(accounts)), dependencies)
        except sqlite3.OperationalError as exc:
            raise ExportError(f"cannot read {Path(archive_dir) / 'index.db'} ({exc}): run "
                              "`govarchive analyse` to bring it up to date") from None
    finally:
        db.close()


def _plan(db: Database, on_disk: dict[str, Path], runs: list[str], accounts: list[str],
          dependencies: bool) -> WaczPlan:
    for run in runs:
        if not db.execute("select 1 from runs where id = ?", [run]).fetchone():
            known = [r for (r,) in db.execute("select id from runs order by started_at desc limit 3")]
            raise ExportUsage(f"unknown run id {run!r}: the latest runs are {', '.join(known) or 'none'} "
                              "(all are in the runs table)")
    account_ids = [_account_id(db, account) for account in accounts]
    db.execute("create temp table files (name text primary key)")
    db.conn.executemany("insert into temp.files values (?)", [(name,) for name in on_disk])
    db.execute("create temp table sel_accounts (id text primary key)")
    db.conn.executemany("insert or ignore into temp.sel_accounts values (?)", [(a,) for a in account_ids])
    db.execute("create temp table selected (id text primary key)")
    queries, params = [], []
    if runs:
        queries.append(f"select id from captures where run_id in ({', '.join('?' * len(runs))})")
        params += runs
    if account_ids:
        queries.append(ACCOUNT_CAPTURES)
    if queries:
        both = " intersect ".join(f"select id from ({query})" for query in queries)  # compound selects nest
        db.execute(f"insert or ignore into temp.selected select id from ({both}) where id is not null",
                   params)
    else:
        db.execute("insert into temp.selected select id from captures "
                   "where warc_file in (select name from temp.files)")
    wanted = sorted(name for (name,) in db.execute(
        "select distinct warc_file from captures where id in (select id from temp.selected)"))
    if queries and not wanted:
        what = "; ".join(filter(None, [f"runs {', '.join(runs)}" if runs else None,
                                       f"accounts {', '.join(account_ids)}" if account_ids else None]))
        raise ExportError(f"no captures of {what} in the index: check the ids with `govarchive export csv "
                          "runs` or `govarchive export csv accounts`")
    missing = [name for name in wanted if name not in on_disk]
    selected = [name for name in wanted if name in on_disk] if queries else sorted(on_disk)
    if not selected:
        raise ExportError(f"none of the WARC files of this selection is in {_warc_dir(on_disk)} or where an "
                          f"in-place import recorded it: put {', '.join(missing[:3])} back")
    db.execute("delete from temp.selected where id in (select id from captures where warc_file not in "
               "(select name from temp.files))")
    included = set(selected)
    while True:
        deps = _dependencies(db, included)
        needed = {d.requires for d in deps if d.requires and d.requires not in included}
        if not dependencies or not needed:
            break
        missing += sorted(n for n in needed if n not in on_disk and n not in missing)
        if not needed & on_disk.keys():
            break
        included |= needed & on_disk.keys()
    return WaczPlan(warcs=[on_disk[name] for name in sorted(included)], selected=selected,
                    added=sorted(included - set(selected)), dependencies=deps, missing=missing,
                    pages=_pages(db, bool(account_ids)), runs=runs, accounts=account_ids)


def _warc_dir(on_disk: dict[str, Path]) -> Path | str:
    return next(iter(on_disk.values())).parent if on_disk else "warc/"


def _account_id(db: Database, account: str) -> str:
    if db.execute("select 1 from accounts where id = ?", [account]).fetchone():
        return account
    alias = db.execute("select account_id from account_aliases where alias_id = ?", [account]).fetchone()
    if alias:  # a provisional id merged into the real account
        return alias[0]
    raise ExportUsage(f"unknown account id {account!r}: ids look like wechat:<biz> or weibo:<uid>; list them "
                      "with `govarchive export csv accounts`")


_SEL = "(select id from temp.sel_accounts)"
_ACCOUNT_URL = "case when instr(a.url, '#') > 0 then substr(a.url, 1, instr(a.url, '#') - 1) else a.url end"
_MEDIA = "case when json_valid(p.media) and json_type(p.media) = 'array' then p.media else '[]' end"
# every capture that shows an account: its pages, its posts' pages and media, its listings, its evidence
ACCOUNT_CAPTURES = f"""
    select capture_id as id from accounts where id in {_SEL}
    union select capture_id from posts where account_id in {_SEL}
    union select archived_capture_id from posts where account_id in {_SEL}
    union select capture_id from account_sources where account_id in {_SEL}
    union select capture_id from account_checks where account_id in {_SEL}
    union select capture_id from notices where account_id in {_SEL}
    union select capture_id from claims where account_id in {_SEL}
    union select capture_id from status_history where table_name = 'accounts' and row_id in {_SEL}
    union select capture_id from status_history where table_name = 'posts'
        and row_id in (select id from posts where account_id in {_SEL})
    union select c.id from captures c join posts p on c.url = p.url where p.account_id in {_SEL}
    union select c.id from captures c join posts p on c.url = p.cover_url where p.account_id in {_SEL}
    union select c.id from captures c join accounts a on c.url = {_ACCOUNT_URL} where a.id in {_SEL}
    union select c.id from posts p, json_each({_MEDIA}) m
        join captures c on c.url = json_extract(m.value, '$.url')
        where p.account_id in {_SEL} and m.type = 'object'
"""


def _dependencies(db: Database, included: set[str]) -> list[Dependency]:
    """Revisits in ``included`` files whose originals are in another file (or not in the index)."""
    names = sorted(included)
    marks = ", ".join("?" * len(names))
    rows = db.execute(f"""
        select r.warc_file, o.warc_file, count(*) from captures r left join captures o on o.id = r.refers_to
        where r.record_type = 'revisit' and r.warc_file in ({marks})
            and (o.warc_file is null or o.warc_file != r.warc_file)
        group by 1, 2 order by 1, 2""", names).fetchall()
    return [Dependency(warc, requires, count, requires in included) for warc, requires, count in rows]


def _pages(db: Database, only_selected_accounts: bool) -> list[dict[str, Any]]:
    """Page entries: each post's archived page and each account's own page, among the selected captures."""
    scope = f"and p.account_id in {_SEL}" if only_selected_accounts else ""
    pages: list[dict[str, Any]] = []
    for row in db.execute(f"""
            with cand as (
                select p.id as pid, c.id as cid, c.fetched_at as at
                    from posts p join captures c on c.id = p.archived_capture_id
                union select p.id, c.id, c.fetched_at from posts p join captures c on c.id = p.capture_id
                    where c.page_state = 'ok'
                union select p.id, c.id, c.fetched_at from posts p join captures c on c.url = p.url
                    where c.page_state = 'ok'),
            best as (select pid, cid, max(at) from cand
                     where cid in (select id from temp.selected) group by pid)
            select p.id, c.url, c.fetched_at, p.title, p.text, p.published_at, p.state, a.id, a.name,
                p.platform
            from best join posts p on p.id = best.pid join captures c on c.id = best.cid
            left join accounts a on a.id = p.account_id where 1 {scope}"""):
        pid, url, ts, title, text, published, state, account_id, account, platform = row
        pages.append({"id": f"post:{pid}", "url": url, "ts": ts, "title": title or _excerpt(text) or url,
                      "type": "post", "post_id": pid, "account_id": account_id, "account": account,
                      "platform": platform, "published_at": published, "state": state})
    where = f"where a.id in {_SEL}" if only_selected_accounts else ""
    for account_id, name, platform, url, status, capture_id, profile_seen in db.execute(
            "select a.id, a.name, a.platform, a.url, a.status, a.capture_id, a.profile_seen_at "
            f"from accounts a {where}"):
        capture = _account_page(db, (url or "").split("#", 1)[0], capture_id, profile_seen)
        if capture:
            pages.append({"id": f"account:{account_id}", "url": capture[0], "ts": capture[1],
                          "title": name or account_id, "type": "account", "account_id": account_id,
                          "account": name, "platform": platform, "status": status})
    pages.sort(key=lambda page: (page["ts"], page["id"]))
    return pages


def _account_page(db: Database, url: str, capture_id: str | None,
                  profile_seen: str | None) -> tuple[str, str] | None:
    """The newest selected capture of the account's own page: its URL, else its latest capture if that was
    the platform's own page of it (``profile_seen_at``) and not one of its posts."""
    good = (f"id in (select id from temp.selected) and http_status between 200 and 299 "
            f"and coalesce(page_state, '') not in ({', '.join(repr(s) for s in NOT_A_PAGE)})")
    if url:
        found = db.execute(f"select url, fetched_at from captures where url = ? and {good} "
                           "order by fetched_at desc limit 1", [url]).fetchone()
        if found:
            return found
    if capture_id and profile_seen:
        return db.execute("select url, fetched_at from captures c where id = ? and fetched_at = ? "
                          f"and {good} and not exists (select 1 from posts p "
                          "where c.id in (p.capture_id, p.archived_capture_id))",
                          [capture_id, profile_seen]).fetchone()
    return None


def _excerpt(text: str | None, size: int = 60) -> str:
    first = next((line.strip() for line in (text or "").splitlines() if line.strip()), "")
    return first if len(first) <= size else first[: size - 1] + "…"


def pages_jsonl(plan: WaczPlan, title: str) -> str:
    """pages/pages.jsonl: the header line, then one page per line.

    ASCII JSON (\\u escapes): py-wacz checks the file in the locale's encoding, which may not be UTF-8.
    """
    lines = [{"format": PAGES_FORMAT, "id": "pages", "title": title}] + plan.pages
    return "".join(json.dumps(line) + "\n" for line in lines)


def package_metadata(plan: WaczPlan) -> dict[str, Any]:
    """Our property of datapackage.json: what was selected and which file each file's revisits need."""
    return {
        "software": f"govarchive {__version__}",
        "selection": {"runs": plan.runs, "accounts": plan.accounts},
        "warcs": [p.name for p in plan.warcs],
        "addedForRevisits": plan.added,
        "dependencies": [d.as_json() for d in plan.dependencies],
        "missingDependencies": plan.missing_dependencies,
        "missingFiles": sorted(set(plan.missing) - set(plan.missing_dependencies)),
        "pages": len(plan.pages),
    }


def default_title(plan: WaczPlan, now: datetime) -> str:
    parts = [f"runs {', '.join(plan.runs)}" if plan.runs else "", f"accounts {', '.join(plan.accounts)}"
             if plan.accounts else ""]
    what = "; ".join(p for p in parts if p) or "the whole archive"
    return f"govarchive: {what} (exported {now:%Y-%m-%d})"


def description(plan: WaczPlan, now: datetime) -> str:
    """The human-readable (Markdown) summary ReplayWeb.page shows beside the title."""
    accounts = sum(p["type"] == "account" for p in plan.pages)
    text = [f"Exported by govarchive {__version__} on {now:%Y-%m-%d %H:%M} UTC: {len(plan.warcs)} WARC "
            f"files, {len(plan.pages) - accounts} post pages and {accounts} account pages from the archive's "
            "index."]
    if plan.added:
        text.append(f"Added because revisit records point into them: {', '.join(plan.added)}.")
    if plan.missing_dependencies:
        text.append(f"Not included, needed to replay some revisits: {', '.join(plan.missing_dependencies)} "
                    f"(see `{DATAPACKAGE_KEY}.dependencies`).")
    return " ".join(text)


def export_wacz(archive_dir: Path, output: Path | None = None, runs: Sequence[str] = (),
                accounts: Sequence[str] = (), title: str | None = None, dependencies: bool = True,
                now: datetime | None = None) -> WaczReport:
    """Write a WACZ of the archive (or of ``runs`` / ``accounts``) with py-wacz; return what it holds."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    plan = plan_wacz(archive_dir, runs, accounts, dependencies)
    if output is None:
        output = default_wacz_path(archive_dir, now)
        output.parent.mkdir(parents=True, exist_ok=True)
    output = check_output(output)
    if output.suffix != ".wacz":
        raise ExportUsage(f"{output} does not end with .wacz: the WACZ spec and ReplayWeb.page need that "
                          "extension")
    title = title or default_title(plan, now)
    partial = output.with_name(f".{output.name}.partial")
    try:
        with tempfile.TemporaryDirectory(prefix="govarchive-wacz-") as tmp:
            pages = Path(tmp) / "pages.jsonl"
            pages.write_text(pages_jsonl(plan, title), encoding="ascii")
            args = ["create", "-o", str(partial), "--pages", str(pages), "--copy-pages", f"--title={title}",
                    f"--desc={description(plan, now)}", *[str(p) for p in plan.warcs]]
            _run_py_wacz(args, {DATAPACKAGE_KEY: package_metadata(plan)})
        _check_package(partial)
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
    return WaczReport(path=output, plan=plan, bytes=output.stat().st_size)


def _run_py_wacz(args: list[str], extra: dict[str, Any]) -> None:
    """py-wacz's own ``create``, with ``extra`` added to datapackage.json before its digest is taken.

    py-wacz has no option for custom datapackage properties, so its indexer class is swapped for a
    subclass during the call (its ``create`` looks the class up in ``wacz.main``).
    """
    from wacz import main as wacz_main

    base = wacz_main.WACZIndexer

    class Indexer(wacz_main.WACZIndexer):
        def generate_datapackage(self, res: Any, wacz: Any) -> str:
            package = json.loads(super().generate_datapackage(res, wacz))
            package.update(extra)
            return json.dumps(package, indent=2)

    said = io.StringIO()
    wacz_main.WACZIndexer = Indexer
    try:
        with contextlib.redirect_stdout(said):
            code = wacz_main.main(args)
    except SystemExit as exc:  # py-wacz's argument parser refused something we built
        raise ExportError(f"py-wacz refused its arguments (exit {exc.code}): {_last_line(said)}") from None
    except Exception as exc:  # a WARC py-wacz cannot read: one line, not a traceback
        said_first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ExportError(f"py-wacz could not build the WACZ: {said_first}") from None
    finally:
        wacz_main.WACZIndexer = base
    if code:
        raise ExportError(f"py-wacz could not build the WACZ: {_last_line(said)}")


def _last_line(buffer: io.StringIO) -> str:
    lines = [line for line in buffer.getvalue().splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


def _check_package(path: Path) -> None:
    """Fail loudly if a py-wacz upgrade stopped honouring our datapackage property."""
    with zipfile.ZipFile(path) as package:
        datapackage = json.loads(package.read("datapackage.json"))
    if DATAPACKAGE_KEY not in datapackage:
        raise ExportError("this py-wacz version dropped govarchive's datapackage.json property: "
                          "install wacz 0.6")


def read_pages(path: Path) -> list[dict[str, Any]]:
    """The page lines of a WACZ (header first), for checks and tests."""
    with zipfile.ZipFile(path) as package:
        text = package.read("pages/pages.jsonl").decode("utf-8")
    return [json.loads(line) for line in text.splitlines() if line]


def iter_cdxj(lines: Iterable[str]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(urlkey, timestamp, fields) of CDXJ lines."""
    for line in lines:
        if line.strip():
            key, ts, data = line.rstrip("\n").split(" ", 2)
            yield key, ts, json.loads(data)
