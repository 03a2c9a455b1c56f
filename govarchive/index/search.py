"""Chinese full-text search that works in plain SQLite and Datasette: a CJK bigram index in ``search.db``.

SQLite's tokenizers do not segment Chinese (unicode61 makes one token of a run of Han characters;
trigram drops 2-character terms), and this Python cannot load tokenizer extensions. So the index
holds text rewritten as overlapping bigrams (``关停运营`` → ``关停 停运 运营``) in ordinary FTS5
tables (``posts_fts``, ``accounts_fts``, unicode61), and a query is rewritten the same way into a
phrase (``政务新媒体`` → ``"政务 务新 新媒 媒体"``), which matches the exact substring at any length.
Text is normalised first (:func:`govarchive.core.textclean.normalise`: OpenCC Traditional/Taiwan →
Simplified, 帐号 → 账号), so a Traditional re-post is found by its Simplified form, 登出 by 注销.

**Where it lives** (migration ``m014``, docs/schema.md): the FTS tables are in a database file of their
own, ``search.db`` beside ``index.db``, attached as ``search`` to the connections that search (the
:class:`~govarchive.index.store.Index`, the Datasette plugin: :func:`attach_search`). The tables are
*contentless* (``content=''``): they keep the index and no copy of the text, which stays once, in
``posts``. A contentless row is deleted by giving FTS5 the very bigrams it was written with, so every
change of a searchable row is logged in ``index.db`` (``search_log``, filled by triggers in the row's own
transaction) with the values the search index holds for it; whoever writes the search rows (the crawl's
search worker, govarchive/index/searchworker.py, or the index's own writer) replays the log in order and
records how far it got in ``search.db`` (``search_state.applied``), in the same transaction as the rows.
It never writes ``index.db``: the crawl's writer clears the applied entries of the log.

``search.db`` holds nothing that ``index.db`` does not: when it is missing, damaged, made by another
index (a restored backup) or by another normaliser, it is rebuilt from the posts and accounts
(:func:`open_search`), with one line in the log.
(``../shared/research/ecosystem.md`` §1; the Datasette side is :mod:`govarchive.browse`.)
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from govarchive.core.textclean import normalise

logger = logging.getLogger(__name__)

CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]+")
# table -> the columns of the base table that are searchable (same names in the FTS table)
SEARCHABLE = {"posts": ("title", "summary", "text"), "accounts": ("name", "alias", "description")}
TOKENIZER = "unicode61 remove_diacritics 2"
SCHEMA = "search"  # the name search.db is attached under


def cjk_bigrams(text: str | None) -> str:
    """``'关停运营 WeChat'`` → ``' 关停 停运 运营  WeChat'``: each CJK run as overlapping bigrams."""

    def grams(match: re.Match[str]) -> str:
        run = match.group(0)
        if len(run) == 1:
            return f" {run} "
        return " " + " ".join([run[i:i + 2] for i in range(len(run) - 1)]) + " "  # a list: join's fast path

    return CJK_RUN.sub(grams, text or "")


def shadow_text(text: str | None) -> str:
    """What the FTS table is given for ``text`` (and given again to delete it)."""
    return cjk_bigrams(normalise(text or ""))


def cjk_escape_fts(query: str | None) -> str:
    """``'政务新媒体 關停'`` → ``'"政务 务新 新媒 媒体" "关停"'``: the query as bigram phrases."""
    from datasette.utils import escape_fts  # Datasette's own escaping, then our bigrams inside each phrase

    return re.sub(r'"([^"]*)"', lambda m: '"' + " ".join(shadow_text(m.group(1)).split()) + '"',
                  escape_fts(query or ""))


def contains_all(text: str | None, query: str | None) -> bool:
    """Every word of ``query`` is in ``text``, both normalised (Traditional read as Simplified): the search of
    small tables with no search index (notices), as SQL ``govarchive_contains(text, query)`` in Datasette."""
    words = normalise(query or "").split()
    haystack = normalise(text or "")
    return bool(words) and all(word in haystack for word in words)


# -- the key of a post's search row -------------------------------------------------------------------
# tables whose FTS rowid is a column of theirs (kept by Index.save_post), not their own rowid
KEY_COLUMN = {"posts": "search_key"}
KEY_EPOCH = datetime(1900, 1, 1)
KEY_TIES = 16  # search keys per minute of publication


def post_search_key(published_at: str | None, rowid: int) -> int:
    """The key a post wants for its ``posts_fts`` row (``posts.search_key``): it grows with ``published_at``,
    so FTS5's own ``order by rowid desc`` is "newest first" and stops after the first hits, however common
    the word.

    The minutes since 1900 of the value's first 19 characters read as a local time (the order of the
    strings Datasette sorts; no timezone arithmetic), times :data:`KEY_TIES`, plus the row's rowid modulo
    :data:`KEY_TIES` to break ties. No or unreadable date: minute 0, after every dated post. Minutes and
    16 ties (m014; m010 had seconds and 1,000,000): consecutive keys of a word's posts are close, which
    FTS5 stores in fewer bytes (docs/benchmarks.md, index size).
    """
    minutes = 0
    if published_at:
        try:
            moment = datetime.fromisoformat(published_at[:19])
            if moment.tzinfo is None:
                minutes = max(0, int((moment - KEY_EPOCH).total_seconds()) // 60)
        except ValueError:
            pass
    return minutes * KEY_TIES + rowid % KEY_TIES


def free_search_key(db: Any, wanted: int, rowid: int | None) -> int:
    """``wanted``, or the nearest key below it that no other post holds (a tie of minute and rowid modulo)."""
    key = wanted
    while db.execute("select 1 from posts where search_key = ? and rowid is not ?", [key, rowid]).fetchone():
        key -= 1
    return key


# -- search.db: where it is, what it is, attaching it -------------------------------------------------
SEARCH_FORMAT = "bigram-1"  # change it when cjk_bigrams or the FTS tables change: search.db is rebuilt
# Text whose shadow changes when the normaliser does (OpenCC's dictionaries, the variants, full-width forms)
_PROBE = "關於註銷帳號的說明，登出軟體；帐号、帳戶与账务 ２０２６年 ＡＢＣ 臺灣 裡面 發佈 雲端 视频號"



@lru_cache(maxsize=1)
def normaliser_id() -> str:
    """What wrote a search index's bigrams: the format, OpenCC's version and a digest of a probe's shadow.
    A contentless row is deleted by giving its bigrams again, so a search.db written by another normaliser is
    rebuilt, never patched."""
    try:
        opencc = version("opencc")
    except PackageNotFoundError:
        opencc = "?"
    digest = hashlib.sha1(shadow_text(_PROBE).encode("utf-8")).hexdigest()[:12]
    return f"{SEARCH_FORMAT} opencc-{opencc} {digest}"


def search_path(index_path: Path | str) -> Path:
    """``archive/index.db`` → ``archive/search.db`` (``index.db.rebuilding`` → ``search.db.rebuilding``)."""
    index_path = Path(index_path)
    name = index_path.name
    return index_path.with_name(name.replace("index", "search", 1) if "index" in name else name + ".search")


def search_files(index_path: Path | str) -> list[Path]:
    """search.db and its WAL files."""
    path = search_path(index_path)
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def main_file(conn: Any) -> str:
    """The file of a connection's main database ('' in memory)."""
    return next((row[2] or "" for row in conn.execute("pragma database_list") if row[1] == "main"), "")


def has_search_log(conn: Any) -> bool:
    """True for an index whose search rows live in search.db (it has ``search_log``: m014)."""
    return conn.execute("select 1 from sqlite_master where type = 'table' and name = 'search_log'").fetchone() is not None


def is_attached(conn: Any) -> bool:
    return any(row[1] == SCHEMA for row in conn.execute("pragma database_list"))


PENDING_VIEW = (f"create temp view if not exists search_queue as select tbl, row, seq, fts_row from main.search_log "
                f"where seq > (select applied from {SCHEMA}.search_state)")


def attach_search(conn: Any, index_path: Path | str | None = None, writable: bool = False) -> bool:
    """Attach the search database of ``index_path`` (default: the connection's own main file) as ``search``,
    read-only unless ``writable`` (read-only, a connection's ``BEGIN IMMEDIATE`` never takes its write lock),
    with the view ``search_queue`` (the log entries not searchable yet). False when there is no search.db:
    then an empty one in memory is attached, so a search finds nothing instead of failing.
    The connection must accept URI file names (``sqlite3.connect(..., uri=True)``, as Datasette's do)."""
    if is_attached(conn):
        conn.execute(f"detach database {SCHEMA}")
    index_path = index_path or main_file(conn)
    path = search_path(index_path) if index_path else None
    found = path is not None and path.is_file()
    if found:
        assert path is not None
        try:  # read-only needs a URI file name (a connection opened with uri=True); a plain path works on any
            conn.execute(f"attach database ? as {SCHEMA}", [path.resolve().as_uri() + "?mode=ro" if not writable
                                                            else str(path.resolve())])
        except sqlite3.DatabaseError:  # not a database at all: as if missing (open_search rebuilds it)
            found = False
    if not found:
        conn.execute(f"attach database ':memory:' as {SCHEMA}")
        _create_tables(conn, applied=_high_water(conn))
    conn.execute(PENDING_VIEW)
    return found


def _create_tables(conn: Any, applied: int, index_id: str | None = None) -> None:
    for table, columns in SEARCHABLE.items():
        conn.execute(f"create virtual table {SCHEMA}.{table}_fts using fts5({', '.join(columns)}, content='', "
                     f"tokenize='{TOKENIZER}')")
    conn.execute(f"create table {SCHEMA}.search_state (id integer primary key check (id = 1), applied integer not null, "
                 "index_id text, normaliser text not null, created_at text not null)")
    conn.execute(f"insert into {SCHEMA}.search_state values (1, ?, ?, ?, ?)",
                 [applied, index_id, normaliser_id(), datetime.now(UTC).isoformat()])


def _high_water(conn: Any) -> int:
    """The last ``search_log.seq`` given: the log keeps its last entry, so a number is never given twice."""
    try:
        return int(conn.execute("select coalesce(max(seq), 0) from main.search_log").fetchone()[0])
    except sqlite3.OperationalError:  # an index before m014
        return 0


def index_identity(conn: Any) -> str | None:
    """Which index.db this is: the moment it was created (its first migration), renewed by a reindex."""
    row = conn.execute("select applied_at from main._sqlite_migrations where migration_set = 'govarchive' "
                       "and name = 'm001_core'").fetchone()
    return row[0] if row else None


def search_problem(conn: Any) -> str | None:
    """Why the attached search.db cannot serve its index.db (None: it can)."""
    try:
        state = conn.execute(f"select applied, index_id, normaliser from {SCHEMA}.search_state where id = 1").fetchone()
        for table in SEARCHABLE:
            conn.execute(f"select rowid from {SCHEMA}.{table}_fts limit 1").fetchall()
    except sqlite3.DatabaseError as error:
        return f"cannot be read ({error})"
    if state is None:
        return "holds no search state"
    applied, index_id, written_by = state
    if index_id != index_identity(conn):
        return "was made for another index.db (a copy, or an index rebuilt without it)"
    if written_by != normaliser_id():
        return f"was written by another normaliser ({written_by}; now {normaliser_id()})"
    if applied > _high_water(conn):
        return "is ahead of index.db (an older index.db put back?)"
    return None


@dataclass
class Opened:
    """What :func:`open_search` did: ``rebuilt`` (why), and how many rows it queued for the search index."""

    rebuilt: str | None = None
    queued: int = 0


def open_search(db: Any, index_path: Path | str | None) -> Opened:
    """Attach the search database of an :class:`~govarchive.index.store.Index` (writable), creating it when
    missing and rebuilding it when :func:`search_problem` finds it unusable: every post and account is then
    queued (``search_log``), for the search worker or the index's writer to write. ``db`` is the Index's
    sqlite-utils Database (main = index.db); ``index_path`` None: an index in memory, whose search
    database is in memory too."""
    conn = db.conn
    if index_path is None:
        conn.execute(f"attach database ':memory:' as {SCHEMA}")
        return Opened(*_build(conn, None, "in memory"))
    path = search_path(index_path)
    if path.is_file():
        try:
            conn.execute(f"attach database ? as {SCHEMA}", [str(path.resolve())])
        except sqlite3.DatabaseError as error:
            problem: str | None = f"cannot be read ({error})"
        else:
            problem = search_problem(conn)
            if problem is None:
                conn.execute(PENDING_VIEW)
                return Opened()
            conn.execute(f"detach database {SCHEMA}")
        for file in search_files(index_path):
            file.unlink(missing_ok=True)
        reason = f"{path} {problem}"
    else:
        reason = f"{path} is missing" + (" (new in this release: migration m014)" if _high_water(conn) == 0 else "")
    conn.execute(f"attach database ? as {SCHEMA}", [str(path.resolve())])
    conn.execute(f"pragma {SCHEMA}.auto_vacuum = incremental")  # before any table: merged segments give pages back
    conn.execute(f"pragma {SCHEMA}.journal_mode = wal")
    opened = Opened(*_build(conn, index_identity(conn), reason))
    if opened.queued or "missing" not in reason:  # a new archive's first search.db is not news
        logger.warning("%s: rebuilt from index.db; %s post(s) and account(s) queued for the search index", reason,
                       f"{opened.queued:,}")
    return opened


def _build(conn: Any, index_id: str | None, reason: str) -> tuple[str, int]:
    """Create the search tables and queue every row, in one transaction (index.db commits first: a crash
    before search.db's commit leaves a search.db with no state, rebuilt at the next open)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        _create_tables(conn, applied=_high_water(conn), index_id=index_id)
        queued = 0
        for table in SEARCHABLE:
            queued += conn.execute(f"insert into main.search_log (tbl, row) select '{table}', rowid from main.{table} "
                                   "order by rowid").rowcount
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute(PENDING_VIEW)
    return reason, queued


# -- writing the search rows ---------------------------------------------------------------------------
QUEUE_BATCH = 25  # log entries read and written at a time (one transaction of search.db each)


def applied_mark(db: Any) -> int:
    return int(db.execute(f"select applied from {SCHEMA}.search_state").fetchone()[0])


def _row_values(db: Any, table: str, rowid: int) -> tuple[int | None, list[Any]] | None:
    """(FTS key, searchable values) of a base row now; None when the row is gone."""
    columns = ", ".join(SEARCHABLE[table])
    key = KEY_COLUMN.get(table, "rowid")
    row = db.execute(f"select {key}, {columns} from main.{table} where rowid = ?", [rowid]).fetchone()
    return (row[0], list(row[1:])) if row else None


def _logged(fts_row: int | None, old: str | None) -> tuple[int | None, list[Any]] | None:
    """What a log entry says the search index held for its row before the change (None: nothing)."""
    return (fts_row, json.loads(old)) if fts_row is not None and old is not None else None


def drain_search_queue(db: Any, limit: int | None = None) -> int:
    """Write the search rows the log asks for (``search_log`` entries after ``search_state.applied``): every
    entry, or at most ``limit``; returns how many entries were handled. ``db`` is a connection (or
    sqlite-utils Database) with index.db as main and search.db attached writable.

    A batch of entries is replayed in one transaction of its own (or inside the caller's): for each row
    it touches, the search index holds what the row's first entry of the batch logged (its key and
    values before that change), and must hold the row as it was after the batch: as the row's next entry
    logged it, else as the row is now. The old bigrams are deleted (FTS5's ``'delete'`` with the same
    bigrams), all before any new row is written (a key freed in the batch may be taken in it), then the
    new ones written, and ``applied`` moves to the batch's last entry. index.db is only read.
    """
    done = 0
    while limit is None or done < limit:
        batch = QUEUE_BATCH if limit is None else min(QUEUE_BATCH, limit - done)
        with _search_transaction(db):
            applied = applied_mark(db)
            entries = db.execute("select seq, tbl, row, fts_row, old from main.search_log where seq > ? "
                                 "order by seq limit ?", [applied, batch]).fetchall()
            if not entries:
                break
            last = entries[-1][0]
            held: dict[tuple[str, int], tuple[int | None, list[Any]] | None] = {}
            for _, table, rowid, fts_row, old in entries:
                held.setdefault((table, rowid), _logged(fts_row, old))
            deletes, inserts = [], []
            for (table, rowid), before in held.items():
                later = db.execute("select fts_row, old from main.search_log where tbl = ? and row = ? and seq > ? "
                                   "order by seq limit 1", [table, rowid, last]).fetchone()
                after = _logged(*later) if later else _row_values(db, table, rowid)
                if after == before:
                    continue  # a change of something else, or back to what the index holds
                if before is not None:
                    deletes.append((table, before))
                if after is not None and after[0] is not None:
                    inserts.append((table, after))
            for table, (key, values) in deletes:
                columns = SEARCHABLE[table]
                db.execute(f"insert into {SCHEMA}.{table}_fts ({table}_fts, rowid, {', '.join(columns)}) "
                           f"values ('delete', ?, {', '.join('?' * len(columns))})", [key, *map(shadow_text, values)])
            for table, (key, values) in inserts:
                columns = SEARCHABLE[table]
                db.execute(f"insert into {SCHEMA}.{table}_fts (rowid, {', '.join(columns)}) "
                           f"values (?, {', '.join('?' * len(columns))})", [key, *map(shadow_text, values)])
            db.execute(f"update {SCHEMA}.search_state set applied = ?", [last])
        done += len(entries)
    return done


@contextmanager
def _search_transaction(db: Any) -> Iterator[None]:
    """One transaction (a savepoint inside the caller's). ``BEGIN IMMEDIATE`` takes the write lock of every
    database attached writable: on the search worker's connection, index.db is read-only, so only
    search.db's (the worker never holds index.db's write lock)."""
    conn = getattr(db, "conn", db)
    if conn.in_transaction:
        conn.execute("SAVEPOINT search_rows")
        try:
            yield
        except BaseException:
            conn.execute("ROLLBACK TO search_rows")
            conn.execute("RELEASE search_rows")
            raise
        conn.execute("RELEASE search_rows")
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def clear_applied(db: Any) -> int:
    """Remove the log entries the search index has applied (a write to index.db: its writer's job), except the
    last entry of all: ``seq`` is the rowid, and SQLite numbers a new row after the largest one left."""
    return db.execute("delete from main.search_log where seq <= ? and seq < (select max(seq) from main.search_log)",
                      [applied_mark(db)]).rowcount


def open_search_writer(index_path: Path | str, timeout: float = 10.0) -> sqlite3.Connection:
    """The search worker's connection: index.db read-only as main, search.db attached writable."""
    conn = sqlite3.connect(Path(index_path).resolve().as_uri() + "?mode=ro", uri=True, isolation_level=None,
                           timeout=timeout)
    if not attach_search(conn, index_path, writable=True):
        conn.close()
        raise FileNotFoundError(f"{search_path(index_path)} is missing: open the index (govarchive.index.store) first")
    return conn


def finish_search_db(db: Any) -> None:
    """After a crawl's search rows: give the pages merged FTS segments freed back to the file system."""
    conn = getattr(db, "conn", db)
    if not conn.in_transaction:  # executescript steps it to the end (execute frees one page a call)
        conn.executescript(f"pragma {SCHEMA}.incremental_vacuum;")


def refresh_shadow(db: Any, table: str, where: str = "1", params: Sequence[Any] = ()) -> None:
    """The layout before m014, for the migrations of that time (m008): rewrite index.db's own contentful
    ``<table>_fts`` rows (keyed by rowid) of the ``table`` rows matching ``where``."""
    columns = SEARCHABLE[table]
    for rowid, *values in db.execute(f"select rowid, {', '.join(columns)} from main.{table} where {where}",
                                     list(params)).fetchall():
        db.execute(f"delete from main.{table}_fts where rowid = ?", [rowid])
        db.execute(f"insert into main.{table}_fts (rowid, {', '.join(columns)}) "
                   f"values (?, {', '.join('?' * len(columns))})", [rowid, *map(shadow_text, values)])


@dataclass
class SearchStatus:
    """What ``govarchive status`` and ``verify`` say of search.db: its size, what is not searchable yet, and
    why it cannot serve (None: it can)."""

    path: str
    bytes: int = 0
    backlog: int = 0  # log entries not applied yet
    problem: str | None = None


def search_status(index_db: Path | str, check: bool = False) -> SearchStatus:
    """Read-only look at the search database of ``index_db`` (an archive before m014: nothing to say);
    ``check``: also read every page of it (SQLite's ``quick_check``), as ``govarchive verify`` does."""
    index_db = Path(index_db)
    path = search_path(index_db)
    status = SearchStatus(str(path), bytes=sum(f.stat().st_size for f in search_files(index_db) if f.exists()))
    conn = sqlite3.connect(index_db.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        if conn.execute("select 1 from sqlite_master where name = 'search_log'").fetchone() is None:
            return status
        if not attach_search(conn, index_db):
            status.problem = (f"{path.name} is {'unreadable' if path.is_file() else 'missing'}: search finds nothing "
                              "until a command that writes the index (a crawl, `govarchive analyse`) rebuilds it "
                              "from index.db")
            return status
        problem = search_problem(conn)
        if problem is None and check:
            found = [row[0] for row in conn.execute(f"pragma {SCHEMA}.quick_check(5)")]
            problem = None if found == ["ok"] else f"is damaged ({'; '.join(found)})"
        if problem:
            status.problem = f"{path.name} {problem}: the next command that writes the index rebuilds it"
        else:
            status.backlog = conn.execute("select count(*) from search_queue").fetchone()[0]
        return status
    finally:
        conn.close()
